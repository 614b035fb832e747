"""The scenario files (tests/conformance/scenarios/*.json): read in order and checked against
the form of tests/conformance/README.md, so that a mistake in one is reported with its file,
scenario and step before anything runs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, List

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"

#: Each operation a call step may name, with the request fields it takes (README's table).
OPERATIONS: Dict[str, FrozenSet[str]] = {
    "getClientInstallation": frozenset({"company_id"}),
    "createClientInstallation": frozenset({"status", "metadata"}),
    "updateClientInstallation": frozenset({"status", "metadata", "errorCode"}),
    "deleteClientInstallation": frozenset(),
    "activateMyInstallation": frozenset(),
    "completeInstallationExternalClientOnlyIdempotently": frozenset(),
    "introspect": frozenset(),
    "waitForStatus": frozenset({"statuses", "timeout_ms"}),
    "refreshTokens": frozenset(),
}

#: The keys each kind of step may have; the kind is the one of them it has.
STEP_KEYS: Dict[str, FrozenSet[str]] = {
    "admin": frozenset({"admin", "body", "expect", "save"}),
    "client": frozenset({"client", "error", "log_level"}),
    "call": frozenset({"call", "request", "result", "error", "exact", "max_ms", "min_ms"}),
    "logs": frozenset({"logs"}),
}

#: The values of a client step's ``log_level``.
LOG_LEVELS = ("debug", "info", "warn", "error")

_ADMIN_REQUEST = re.compile(r"[A-Z]+ /\S*")


class ScenarioError(Exception):
    """A scenario file that does not have the README's form."""


@dataclass(frozen=True)
class Scenario:
    """One scenario: its key (``<file stem>/<name>``) and its steps, as written."""

    key: str
    steps: List[Dict[str, Any]]


def load_all(directory: Path = SCENARIO_DIR, filter_text: str = "") -> List[Scenario]:
    """Every scenario whose key contains ``filter_text``: files in name order, scenarios in
    file order. Raises :class:`ScenarioError` for the first malformed one."""
    found = [scenario for path in sorted(directory.glob("*.json")) for scenario in load_file(path)]
    return [scenario for scenario in found if filter_text in scenario.key]


def load_file(path: Path) -> List[Scenario]:
    """The scenarios of one file, checked."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise ScenarioError(f"{path.name}: not JSON: {e}") from None
    listed = document.get("scenarios") if isinstance(document, dict) else None
    if not isinstance(listed, list):
        raise ScenarioError(f'{path.name}: no "scenarios" array')
    scenarios: List[Scenario] = []
    for index, scenario in enumerate(listed):
        name = scenario.get("name") if isinstance(scenario, dict) else None
        where = f"{path.name}: scenario {index} ({name!r})"
        if not isinstance(name, str) or not name:
            raise ScenarioError(f"{where}: no name")
        key = f"{path.stem}/{name}"
        if any(known.key == key for known in scenarios):
            raise ScenarioError(f"{where}: the name is used twice in the file")
        steps = scenario.get("steps")
        if set(scenario) != {"name", "steps"} or not isinstance(steps, list) or not steps:
            raise ScenarioError(f'{where}: needs exactly "name" and a non-empty "steps" array')
        for number, step in enumerate(steps):
            problem = step_problem(step)
            if problem:
                raise ScenarioError(f"{where}: step {number}: {problem}")
        scenarios.append(Scenario(key=key, steps=steps))
    return scenarios


def step_problem(step: Any) -> str:
    """What is wrong with a step's form, or ``""``."""
    if not isinstance(step, dict):
        return "not an object"
    kinds = [kind for kind in STEP_KEYS if kind in step]
    if len(kinds) != 1:
        return 'needs exactly one of "admin", "client", "call" and "logs"'
    kind = kinds[0]
    unknown = sorted(set(step) - STEP_KEYS[kind])
    if unknown:
        return f"a {kind} step has no key {', '.join(map(repr, unknown))}"
    if kind == "admin":
        return _admin_problem(step)
    if kind == "client":
        if not isinstance(step["client"], dict):
            return "the client configuration is not an object"
        if step.get("log_level", "debug") not in LOG_LEVELS:
            return f"log_level {step['log_level']!r} is not one of {', '.join(LOG_LEVELS)}"
        return ""
    if kind == "logs":
        return "" if isinstance(step["logs"], list) else "logs is not a list of events"
    return _call_problem(step)


def _admin_problem(step: Dict[str, Any]) -> str:
    if not isinstance(step["admin"], str) or not _ADMIN_REQUEST.fullmatch(step["admin"]):
        return f'admin {step["admin"]!r} is not "METHOD /path"'
    if "save" in step and not isinstance(step["save"], str):
        return "save is not a name"
    return ""


def _call_problem(step: Dict[str, Any]) -> str:
    operation = step["call"]
    if operation not in OPERATIONS:
        return f"unknown operation {operation!r}"
    request = {} if step.get("request") is None else step["request"]
    if not isinstance(request, dict):
        return "the request is not an object"
    unknown = sorted(set(request) - OPERATIONS[operation])
    if unknown:
        return f"{operation} takes no request field {', '.join(map(repr, unknown))}"
    if ("result" in step) == ("error" in step):
        return 'needs exactly one of "result" and "error"'
    for bound in ("max_ms", "min_ms"):
        value = step.get(bound, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return f"{bound} is not a whole number of milliseconds"
    return ""
