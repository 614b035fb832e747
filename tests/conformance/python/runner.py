"""The Python runner of the conformance suite (tests/conformance/README.md): every scenario,
one pytest test each through ``Client`` and one through ``AsyncClient``, run by ``run.Run``
against one in-process ``pleo_installations.testing.MockServer`` (it serves from its own
thread); the outcomes written to ``$CONFORMANCE_OUT/python.json`` and ``python-async.json``
(default ``target/conformance/``) for compare.py."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from run import Run
from scenarios import Scenario, load_all

from pleo_installations.testing import MockServer

REPO_ROOT = Path(__file__).resolve().parents[3]

# The suite runs with no PLEO_* variable: the client would read them as defaults.
for _name in [name for name in os.environ if name.startswith("PLEO_")]:
    del os.environ[_name]


#: The outcome file of each API: whether its calls are the AsyncClient's.
APIS = {"python": False, "python-async": True}


def write_outcomes(name: str, outcomes: Dict[str, List[Any]]) -> None:
    directory = Path(os.environ.get("CONFORMANCE_OUT") or REPO_ROOT / "target" / "conformance")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.json").write_text(json.dumps(outcomes, indent=2, ensure_ascii=False) + "\n")


# A run that stops early (a malformed scenario file included) must not leave the outcomes of
# an earlier one behind.
for _api in APIS:
    write_outcomes(_api, {})
SCENARIOS = load_all(filter_text=os.environ.get("CONFORMANCE_FILTER", ""))


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture(scope="module")
def outcomes() -> Iterator[Dict[str, Dict[str, List[Any]]]]:
    found: Dict[str, Dict[str, List[Any]]] = {api: {} for api in APIS}
    yield found
    for api, seen in found.items():
        write_outcomes(api, seen)


@pytest.mark.parametrize("api", list(APIS))
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.key for scenario in SCENARIOS])
def test_scenario(scenario: Scenario, api: str, server: MockServer, outcomes: Dict[str, Dict[str, List[Any]]]) -> None:
    steps = Run(server, asynchronous=APIS[api]).scenario(scenario.steps)
    outcomes[api][scenario.key] = steps
    last = steps[-1]
    if isinstance(last, dict) and "failed" in last:
        pytest.fail(f"{scenario.key}: {last['failed']}", pytrace=False)
