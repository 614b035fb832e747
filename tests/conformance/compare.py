#!/usr/bin/env python3
"""Fails unless the runners' outcome files agree, step by step, none failed a step, and
every call step with an `exact` result got exactly that JSON.

Reads rust.json, rust-async.json (Rust's AsyncClient), c.json, python.json,
python-async.json (Python's AsyncClient) and node.json (whose API is async) from
$CONFORMANCE_OUT (default target/conformance/ at the repository root) and prints every
difference against Rust's blocking client.
"""

import json
import os
import sys
from pathlib import Path

LANGUAGES = ["rust", "rust-async", "c", "python", "python-async", "node"]
ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
VOLATILE = {"id", "createdAt", "updatedAt"}


def load(directory: Path) -> dict:
    outcomes = {}
    for language in LANGUAGES:
        path = directory / f"{language}.json"
        if not path.exists():
            raise SystemExit(f"conformance: {path} is missing: did the {language} runner run?")
        outcomes[language] = json.loads(path.read_text())
    return outcomes


def differences(outcomes: dict) -> list:
    found = []
    reference = outcomes["rust"]
    for language, seen in outcomes.items():
        for key in sorted(set(reference) ^ set(seen)):
            where = language if key in seen else "rust"
            found.append(f"{key}: only {where} ran it")
        for key, steps in sorted(seen.items()):
            for index, step in enumerate(steps):
                if isinstance(step, dict) and "failed" in step:
                    found.append(f"{key}: {language} failed step {index}: {step['failed']}")
            if language != "rust" and key in reference and steps != reference[key]:
                found.append(diff_steps(key, language, reference[key], steps))
    return found


def exact_results(directory: Path = SCENARIOS) -> dict:
    """(scenario key, step index) -> the outcome each `exact` call step must have."""
    wanted = {}
    for path in sorted(directory.glob("*.json")):
        for scenario in json.loads(path.read_text())["scenarios"]:
            for index, step in enumerate(scenario["steps"]):
                if "exact" in step:
                    exact = step["exact"]
                    if isinstance(exact, dict):
                        exact = {k: "<volatile>" if k in VOLATILE else v for k, v in exact.items()}
                    wanted[(f"{path.stem}/{scenario['name']}", index)] = {"result": exact}
    return wanted


def inexact(outcomes: dict, wanted: dict) -> list:
    """Every language whose result differs from the step's `exact` JSON, keys and nulls included."""
    found = []
    for (key, index), expected in sorted(wanted.items()):
        for language, seen in outcomes.items():
            steps = seen.get(key, [])
            got = steps[index] if index < len(steps) else None
            if got != expected:
                found.append(
                    f"{key}: step {index}: {language} saw {json.dumps(got, sort_keys=True)}, "
                    f"exactly {json.dumps(expected, sort_keys=True)} expected"
                )
    return found


def diff_steps(key: str, language: str, expected: list, got: list) -> str:
    for index, (a, b) in enumerate(zip(expected, got)):
        if a != b:
            return (
                f"{key}: step {index}: rust saw {json.dumps(a, sort_keys=True)}, "
                f"{language} saw {json.dumps(b, sort_keys=True)}"
            )
    return f"{key}: rust ran {len(expected)} steps, {language} {len(got)}"


def main() -> int:
    directory = Path(os.environ.get("CONFORMANCE_OUT", ROOT / "target" / "conformance"))
    outcomes = load(directory)
    found = differences(outcomes) + inexact(outcomes, exact_results())
    for line in found:
        print(line)
    scenarios = len(outcomes["rust"])
    if found:
        print(f"conformance: {len(found)} differences or failures across {scenarios} scenarios")
        return 1
    print(f"conformance: {scenarios} scenarios, {', '.join(LANGUAGES)} agree on every step")
    return 0


if __name__ == "__main__":
    sys.exit(main())
