"""The runner can fail: its patterns reject mismatches, malformed scenario files are refused
with their place named, and a step whose expectation is wrong ends its scenario as failed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from patterns import mismatch, normalise_result, substitute
from run import CALLS, Run, client_arguments, settled
from scenarios import ScenarioError, load_file

from pleo_installations import Client
from pleo_installations.testing import MockServer

ACTUAL = {"a": 1, "b": [True, {"c": "x"}], "d": None}


@pytest.mark.parametrize(
    "pattern",
    [{"a": 1.0, "b": [True, {}]}, {"a": "<any>", "d": "<absent>", "e": "<absent>"}, {}, ACTUAL],
)
def test_patterns_accept_subsets(pattern: Any) -> None:
    assert mismatch(pattern, ACTUAL) is None


@pytest.mark.parametrize(
    "pattern, where",
    [
        ({"a": 2}, "$.a"),
        ({"a": True}, "$.a"),
        ({"a": "1"}, "$.a"),
        ({"d": "<any>"}, "$.d"),
        ({"a": "<absent>"}, "$.a"),
        ({"b": [True]}, "$.b"),
        ({"b": [True, {"c": "y"}]}, "$.b[1].c"),
        ({"z": 1}, "$.z"),
        ({"a": {}}, "$.a"),
        ([], "$"),
        (None, "$"),
    ],
)
def test_patterns_reject_differences(pattern: Any, where: str) -> None:
    found = mismatch(pattern, ACTUAL)
    assert found is not None and found.startswith(where + ":")


def test_true_is_not_one_and_null_is_only_null() -> None:
    assert mismatch(True, 1) is not None
    assert mismatch(1, True) is not None
    assert mismatch(None, None) is None
    assert mismatch(None, {}) is not None
    assert mismatch("<any>", "<any>") is None


def test_substitutions_fill_strings_anywhere() -> None:
    saved = {"base_url": "http://h", "tokens": {"access_token": "at", "n": 3, "o": {"k": [1]}}}
    step = {"x": ["${base_url}/oauth/token", "${tokens.access_token}", "${tokens.n}", "${tokens.o}"], "y": 2}
    assert substitute(step, saved) == {"x": ["http://h/oauth/token", "at", "3", '{"k":[1]}'], "y": 2}
    with pytest.raises(ValueError, match="nothing.here"):
        substitute("${nothing.here}", saved)


def test_normalising_masks_volatile_fields_and_keeps_nulls() -> None:
    result = {"id": "1", "createdAt": "t", "status": "A", "errorCode": None, "metadata": {"id": 1, "n": None}}
    assert normalise_result(result) == {
        "id": "<volatile>",
        "createdAt": "<volatile>",
        "status": "A",
        "errorCode": None,
        "metadata": {"id": 1, "n": None},
    }
    assert normalise_result(None) is None


@pytest.mark.parametrize(
    "document, problem",
    [
        ("{", "not JSON"),
        ({"scenario": []}, 'no "scenarios" array'),
        ({"scenarios": [{"steps": [{"admin": "GET /"}]}]}, "scenario 0 (None): no name"),
        ({"scenarios": [{"name": "n", "steps": []}]}, "non-empty"),
        ({"scenarios": [{"name": "n", "steps": [{"admin": "GET /"}]}] * 2}, "used twice"),
        (
            {"scenarios": [{"name": "n", "steps": [{"admin": "GET /", "call": "introspect"}]}]},
            "step 0: needs exactly one",
        ),
        ({"scenarios": [{"name": "n", "steps": [{"admin": "GET /", "expect": 1, "reslt": 1}]}]}, "no key 'reslt'"),
        ({"scenarios": [{"name": "n", "steps": [{"admin": "/__mock/reset"}]}]}, 'not "METHOD /path"'),
        ({"scenarios": [{"name": "n", "steps": [{"call": "nope", "result": None}]}]}, "unknown operation"),
        ({"scenarios": [{"name": "n", "steps": [{"call": "introspect"}]}]}, '"result" and "error"'),
        ({"scenarios": [{"name": "n", "steps": [{"call": "introspect", "result": {}, "error": {}}]}]}, "exactly one"),
        ({"scenarios": [{"name": "n", "steps": [{"call": "introspect", "request": {"x": 1}, "result": 1}]}]}, "'x'"),
        ({"scenarios": [{"name": "n", "steps": [{"call": "introspect", "result": 1, "max_ms": -1}]}]}, "max_ms"),
        ({"scenarios": [{"name": "n", "steps": [{"client": "api_key"}]}]}, "not an object"),
        ({"scenarios": [{"name": "n", "steps": [{"client": {}, "log_level": "trace"}]}]}, "log_level 'trace'"),
        ({"scenarios": [{"name": "n", "steps": [{"logs": {"event": "retry"}}]}]}, "not a list of events"),
    ],
)
def test_malformed_files_are_refused_with_their_place(tmp_path: Path, document: Any, problem: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    with pytest.raises(ScenarioError, match="^broken.json: ") as refused:
        load_file(path)
    assert problem in str(refused.value)


def test_a_wrong_expectation_fails_its_step_and_ends_the_scenario() -> None:
    steps: Any = [
        {"client": {"api_key": "pleo-mock-api-key"}},
        {"call": "createClientInstallation", "request": {}, "result": {"status": "INACTIVE"}},
        {"call": "getClientInstallation", "result": {}},
    ]
    with MockServer() as server:
        outcomes = Run(server).scenario(steps)
    assert outcomes == ["client", {"failed": 'step 1: result: $.status: expected "INACTIVE", got "ACTIVATED"'}]


def test_an_unexpected_error_or_a_missing_one_fails_the_step() -> None:
    with MockServer() as server:
        wrong_kind = Run(server).scenario(
            [
                {"client": {"api_key": "pleo-mock-api-key"}},
                {"call": "getClientInstallation", "error": {"kind": "conflict"}},
            ]
        )
        no_error = Run(server).scenario(
            [{"client": {"api_key": "pleo-mock-api-key"}, "error": {"kind": "invalid_argument"}}]
        )
        too_slow = Run(server).scenario(
            [{"client": {"api_key": "pleo-mock-api-key"}}, {"call": "introspect", "result": {}, "min_ms": 60000}]
        )
    assert '$.kind: expected "conflict", got "not_found"' in wrong_kind[-1]["failed"]
    assert no_error == [{"failed": "step 0: the client was built, an error was expected"}]
    assert "less than min_ms 60000" in too_slow[-1]["failed"]


SERVED = {
    "getClientInstallation": {
        "id": "5d0c3e8a-7b2f-4a1e-9c6d-8e7f6a5b4c3d",
        "applicationId": "3a9d4c2e-8b1f-4d7a-a6e5-0c1b2d3e4f50",
        "resource": "urn:pleo:company:7c1e5a2b-3d4f-4e6a-9b8c-0d1e2f3a4b5c",
        "status": "ACTIVATED",
        "errorCode": None,
        "createdAt": "2026-01-02T08:34:05.678+05:30",
        "updatedAt": "2026-01-02t03:04:05z",
        "limits": {"seats": None, "big": 18446744073709551617},
    },
    "introspect": {"data": {"authMethod": "API_KEY", "clientId": "c", "scope": "s", "applicationName": None}},
}


@pytest.mark.parametrize("operation", SERVED)
def test_results_are_the_servers_json_exactly(operation: str) -> None:
    # No metadata (left out, not {}), nulls, unknown fields and timestamps as sent.
    with MockServer() as server, Client(base_url=server.url, api_key=server.api_key) as client:
        server.push_fault(status=200, body=json.dumps(SERVED[operation]), operation=operation)
        assert settled(CALLS[operation](client, {})) == SERVED[operation]


def test_the_configuration_maps_onto_keyword_arguments() -> None:
    config = {"api_key": "k", "timeout_ms": 1500, "connect_timeout_ms": 200, "max_retries": 0}
    assert client_arguments(config, "http://e") == {
        "base_url": "http://e",
        "api_key": "k",
        "timeout": 1.5,
        "connect_timeout": 0.2,
        "max_retries": 0,
    }
    assert "base_url" not in client_arguments({"environment": "staging"}, "http://e")
