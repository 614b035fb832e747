#!/usr/bin/env python3
"""Fails unless the four runners' outcome files agree, step by step, and none failed a step.

Reads rust.json, c.json, python.json and node.json from $CONFORMANCE_OUT (default
target/conformance/ at the repository root) and prints every difference against Rust's.
"""

import json
import os
import sys
from pathlib import Path

LANGUAGES = ["rust", "c", "python", "node"]
ROOT = Path(__file__).resolve().parents[2]


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


def diff_steps(key: str, language: str, expected: list, got: list) -> str:
    for index, (a, b) in enumerate(zip(expected, got)):
        if a != b:
            return (f"{key}: step {index}: rust saw {json.dumps(a, sort_keys=True)}, "
                    f"{language} saw {json.dumps(b, sort_keys=True)}")
    return f"{key}: rust ran {len(expected)} steps, {language} {len(got)}"


def main() -> int:
    directory = Path(os.environ.get("CONFORMANCE_OUT", ROOT / "target" / "conformance"))
    outcomes = load(directory)
    found = differences(outcomes)
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
