"""Every exception class and its fields, each produced by the server or the client."""

from __future__ import annotations

import json

import pytest

from pleo_installations import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    Client,
    ConflictError,
    DecodeError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    PleoError,
    RateLimitError,
    ReauthenticationRequiredError,
    ServerError,
    errors,
)
from pleo_installations.testing import MockServer


def one_try(server: MockServer, **options: object) -> Client:
    return Client(base_url=server.url, api_key=server.api_key, max_retries=0, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "cls", "kind"),
    [
        (400, BadRequestError, "bad_request"),
        (422, BadRequestError, "bad_request"),
        (403, PermissionDeniedError, "permission_denied"),
        (429, RateLimitError, "rate_limited"),
        (500, ServerError, "server"),
        (503, ServerError, "server"),
    ],
)
def test_status_faults(server: MockServer, status: int, cls: type, kind: str) -> None:
    server.push_fault(status=status)
    with one_try(server) as client, pytest.raises(cls) as caught:
        client.introspect()
    error = caught.value
    assert isinstance(error, PleoError)
    assert error.kind == kind and error.status == status and error.attempts == 1
    assert error.request_id == server.journal()[0].request_id
    assert error.request_id is not None and error.request_id.startswith("mock-")
    assert error.body is not None and json.loads(error.body)["status"] == status
    assert f"HTTP {status}" in str(error) and error.request_id in str(error)


def test_retries_are_counted(server: MockServer) -> None:
    server.push_fault(status=503, times=4)
    with Client(base_url=server.url, api_key=server.api_key) as client:  # the core's default: 2 retries
        with pytest.raises(ServerError) as caught:
            client.introspect()
    assert caught.value.attempts == 3 and caught.value.retryable


def test_authentication(server: MockServer) -> None:
    with Client(base_url=server.url, api_key="wrong-key") as client:
        with pytest.raises(AuthenticationError) as caught:
            client.introspect()
    assert caught.value.status == 401 and caught.value.kind == "authentication"
    assert "wrong-key" not in str(caught.value) and "wrong-key" not in repr(caught.value)


def test_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.get_installation()
    assert caught.value.status == 404 and caught.value.kind == "not_found"


def test_conflict(client: Client) -> None:
    client.create_installation()
    with pytest.raises(ConflictError) as caught:
        client.create_installation()
    assert caught.value.status == 409 and caught.value.kind == "conflict"


def test_decode(server: MockServer) -> None:
    server.push_fault(malformed=True)
    with one_try(server) as client, pytest.raises(DecodeError) as caught:
        client.introspect()
    assert caught.value.kind == "decode" and caught.value.status == 200


def test_timeout_is_a_builtin_timeout(server: MockServer) -> None:
    server.push_fault(delay=2.0)
    with one_try(server, timeout=0.2) as client, pytest.raises(TimeoutError) as caught:
        client.introspect()
    assert isinstance(caught.value, APITimeoutError)
    assert caught.value.kind == "timeout" and caught.value.status is None


def test_connection(server: MockServer) -> None:
    url = server.url
    server.stop()
    with Client(base_url=url, api_key="k", max_retries=0) as client:
        with pytest.raises(APIConnectionError) as caught:
            client.introspect()
    assert caught.value.kind == "connection" and caught.value.status is None


def test_invalid_argument_is_a_value_error(client: Client) -> None:
    with pytest.raises(ValueError) as caught:
        client.get_installation("not-a-uuid")
    assert isinstance(caught.value, InvalidArgumentError)
    assert caught.value.kind == "invalid_argument" and "not-a-uuid" in str(caught.value)
    with pytest.raises(InvalidArgumentError, match="UNKNOWN"):
        client.update_installation("UNKNOWN")
    with pytest.raises(InvalidArgumentError, match="unknown operation"):
        client.call_json("noSuchOperation", "{}")
    with pytest.raises(InvalidArgumentError, match="invalid request JSON"):
        client.call_json("getClientInstallation", "{not json")


def test_reauthentication_required(server: MockServer) -> None:
    from pleo_installations import OAuthCredentials

    oauth = server.oauth_client
    credentials = OAuthCredentials(
        client_id=oauth.client_id,
        client_secret=oauth.client_secret,
        access_token="at_unknown",
        refresh_token="rt_unknown",
    )
    with Client(base_url=server.url, oauth=credentials, max_retries=0) as client:
        with pytest.raises(ReauthenticationRequiredError) as caught:
            client.refresh_tokens()
    assert caught.value.kind == "reauthentication_required"
    assert "rt_unknown" not in str(caught.value) and "rt_unknown" not in repr(caught.value)


def test_every_kind_maps_to_its_class() -> None:
    expected = {
        "invalid_argument": InvalidArgumentError,
        "authentication": AuthenticationError,
        "permission_denied": PermissionDeniedError,
        "not_found": NotFoundError,
        "conflict": ConflictError,
        "bad_request": BadRequestError,
        "rate_limited": RateLimitError,
        "server": ServerError,
        "timeout": APITimeoutError,
        "connection": APIConnectionError,
        "decode": DecodeError,
        "reauthentication_required": ReauthenticationRequiredError,
        "internal": PleoError,
        "a_kind_from_the_future": PleoError,
    }
    for kind, cls in expected.items():
        error = errors.from_json(
            json.dumps(
                {
                    "kind": kind,
                    "message": "m",
                    "status": 418,
                    "request_id": "r",
                    "retryable": True,
                    "attempts": 3,
                    "body": "b",
                    "retry_after": 1.5,
                }
            )
        )
        assert type(error) is cls, kind
        assert (error.kind, error.status, error.request_id, error.body, error.attempts) == (
            kind,
            418,
            "r",
            "b",
            3,
        )
        assert error.retryable is True and error.retry_after == 1.5
