"""Results: every timestamp the core accepts decodes, a model that cannot be built is a
DecodeError, and to_dict() gives back the server's JSON exactly."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Dict

import pytest

from pleo_installations import Client, DecodeError, Installation, Introspection
from pleo_installations.testing import MockServer

UTC = timezone.utc


def offset(hours: int, minutes: int) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


def served(server: MockServer, operation: str, body: Dict[str, Any]) -> None:
    """The emulator answers the next ``operation`` with exactly ``body``."""
    server.push_fault(status=200, body=json.dumps(body), operation=operation)


def installation_json(**fields: Any) -> Dict[str, Any]:
    body: Dict[str, Any] = {
        "id": "5d0c3e8a-7b2f-4a1e-9c6d-8e7f6a5b4c3d",
        "applicationId": "3a9d4c2e-8b1f-4d7a-a6e5-0c1b2d3e4f50",
        "resource": "urn:pleo:company:7c1e5a2b-3d4f-4e6a-9b8c-0d1e2f3a4b5c",
        "status": "ACTIVATED",
        "metadata": {},
        "createdAt": "2026-01-02T03:04:05Z",
        "updatedAt": "2026-01-02T03:04:05Z",
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not ...}


# RFC 3339 as the core's parser (the `time` crate's) reads it: any one separator, `z` and
# `t` in either case, any number of fraction digits (microseconds kept), any offset up to
# ±23:59, and a leap second at the end of a month (UTC), read as its last microsecond.
TIMESTAMPS = [
    ("2026-01-02T03:04:05Z", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2026-01-02t03:04:05z", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2026-01-02 03:04:05Z", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2026-01-02T03:04:05.1Z", datetime(2026, 1, 2, 3, 4, 5, 100000, tzinfo=UTC)),
    ("2026-01-02T03:04:05.123456789123Z", datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
    ("2026-01-02T08:34:05+05:30", datetime(2026, 1, 2, 8, 34, 5, tzinfo=offset(5, 30))),
    ("2026-01-02T03:04:05-00:00", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2026-01-02T03:04:05+23:59", datetime(2026, 1, 2, 3, 4, 5, tzinfo=offset(23, 59))),
    ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ("2016-12-31T23:59:60.5z", datetime(2016, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ("2017-01-01T05:29:60+05:30", datetime(2017, 1, 1, 5, 29, 59, 999999, tzinfo=offset(5, 30))),
    ("2024-02-29T00:00:00Z", datetime(2024, 2, 29, tzinfo=UTC)),
    ("9999-12-31T23:59:59-23:59", datetime(9999, 12, 31, 23, 59, 59, tzinfo=offset(-23, -59))),
]


@pytest.mark.parametrize(("text", "expected"), TIMESTAMPS, ids=[text for text, _ in TIMESTAMPS])
def test_every_timestamp_the_core_accepts_decodes(
    client: Client, server: MockServer, text: str, expected: datetime
) -> None:
    served(server, "getClientInstallation", installation_json(createdAt=text))
    installation = client.get_installation()
    assert installation.created_at == expected
    assert installation.created_at.utcoffset() == expected.utcoffset()


def test_a_year_python_cannot_hold_is_a_decode_error(client: Client, server: MockServer) -> None:
    served(server, "getClientInstallation", installation_json(updatedAt="0000-01-01T00:00:00Z"))
    with pytest.raises(DecodeError, match="updatedAt") as caught:
        client.get_installation()
    assert caught.value.kind == "decode"


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"id": ...}, "id"),
        ({"createdAt": 5}, "createdAt"),
        ({"createdAt": "2026-01-02"}, "createdAt"),
        ({"createdAt": "2016-12-30T23:59:60Z"}, "createdAt"),  # not the end of a month
        ({"updatedAt": "2026-02-30T00:00:00Z"}, "updatedAt"),
        ({"updatedAt": "2026-01-02T03:04:05+24:00"}, "updatedAt"),
        ({"updatedAt": "2026-01-02T03:04:05.Z"}, "updatedAt"),
        ({"updatedAt": "２０２６-01-02T03:04:05Z"}, "updatedAt"),  # not ASCII digits
        ({"metadata": 5}, "metadata"),
        ({"status": None}, "status"),
    ],
)
def test_a_model_that_cannot_be_built_is_a_decode_error(fields: Dict[str, Any], named: str) -> None:
    with pytest.raises(DecodeError, match=named) as caught:
        Installation.from_json(installation_json(**fields))
    assert caught.value.kind == "decode"


@pytest.mark.parametrize("response", [{}, {"data": "x"}, {"data": {"authMethod": "API_KEY"}}, []])
def test_an_introspection_that_cannot_be_built_is_a_decode_error(response: Any) -> None:
    with pytest.raises(DecodeError):
        Introspection.from_json(response)


# --- to_dict(): the server's JSON exactly ---------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        installation_json(metadata=...),  # left out
        installation_json(errorCode=None, future=None, big=2**64 + 1),
        installation_json(createdAt="2026-01-02t08:34:05.120000+05:30", updatedAt="2016-12-31T23:59:60Z"),
    ],
    ids=["metadata-absent", "nulls-and-big-numbers", "timestamps-as-sent"],
)
def test_installation_to_dict_is_the_servers_json(client: Client, server: MockServer, body: Dict[str, Any]) -> None:
    served(server, "getClientInstallation", body)
    installation = client.get_installation()
    assert installation.to_dict() == body
    assert list(installation.to_dict()) == list(body)
    assert installation.metadata == (body.get("metadata") or {})
    assert Installation.from_json(body).to_dict() == body


def test_a_null_the_core_refuses_still_comes_back_from_from_json() -> None:
    body = installation_json(metadata=None)  # the spec requires an object: the core refuses null
    installation = Installation.from_json(body)
    assert installation.metadata == {}
    assert installation.to_dict() == body


def test_introspection_to_dict_is_the_servers_json(client: Client, server: MockServer) -> None:
    body = {
        "data": {"authMethod": "API_KEY", "clientId": "c-1", "scope": "s", "applicationName": None},
        "meta": None,
    }
    served(server, "introspect", body)
    introspection = client.introspect()
    assert introspection.application_name is None and introspection.subject_urn is None
    assert introspection.to_dict() == body
    assert Introspection.from_json(body).to_dict() == body


def test_to_dict_is_a_new_dict_each_time(client: Client, server: MockServer) -> None:
    served(server, "getClientInstallation", installation_json(metadata={"n": [1]}))
    installation = client.get_installation()
    installation.to_dict()["metadata"]["n"].append(2)
    installation.metadata["n"].append(3)
    assert installation.to_dict()["metadata"] == {"n": [1]}


def test_a_model_built_in_python_gives_the_json_of_its_fields() -> None:
    installation = Installation.from_json(installation_json())
    built = Installation(
        id=installation.id,
        application_id=installation.application_id,
        resource=installation.resource,
        status="INACTIVE",
        metadata={"k": "v"},
        error_code=None,
        created_at=installation.created_at,
        updated_at=installation.updated_at,
    )
    assert built.to_dict() == installation_json(status="INACTIVE", metadata={"k": "v"})
