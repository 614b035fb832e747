"""Configuration and arguments: wrong types name the argument, bad values are InvalidArgumentError,
the environment fills in what was not passed, and no secret shows in a repr."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from pleo_installations import Client, FileTokenStore, InvalidArgumentError, OAuthCredentials, OAuthTokens
from pleo_installations.testing import MockServer


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("api_key", 42),
        ("access_token", b"bytes"),
        ("oauth", {"client_id": "x"}),
        ("environment", 1),
        ("base_url", 1.5),
        ("timeout", "30"),
        ("connect_timeout", True),
        ("total_timeout", []),
        ("max_retries", 2.0),
        ("user_agent", 7),
        ("on_tokens_refreshed", "not callable"),
    ],
)
def test_wrong_option_types(option: str, value: Any) -> None:
    options: Dict[str, Any] = {"api_key": "k", "base_url": "http://127.0.0.1:9", option: value}
    with pytest.raises(TypeError, match=option):
        Client(**options)


def test_positional_arguments_are_refused() -> None:
    with pytest.raises(TypeError):
        Client("key")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda c: c.get_installation(123), "company_id"),
        (lambda c: c.create_installation(status=5), "status"),
        (lambda c: c.create_installation(metadata=["a"]), "metadata"),
        (lambda c: c.create_installation(metadata={"a": object()}), "metadata"),
        (lambda c: c.create_installation(metadata={"a": float("nan")}), "metadata"),
        (lambda c: c.update_installation(None), "status"),
        (lambda c: c.update_installation("ACTIVATED", error_code=1), "error_code"),
        (lambda c: c.wait_for_status(5), "statuses"),
        (lambda c: c.wait_for_status(["ACTIVATED"], timeout="1"), "timeout"),
        (lambda c: c.call_json(1, "{}"), "operation_id"),
        (lambda c: c.call_json("introspect", {}), "request_json"),
    ],
)
def test_wrong_argument_types(client: Client, call: Any, argument: str) -> None:
    with pytest.raises(TypeError, match=argument):
        call(client)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"api_key": "k", "access_token": "t"}, "credential"),
        ({}, "credential"),
        ({"api_key": "k", "timeout": -1}, "timeout"),
        ({"api_key": "k", "connect_timeout": float("nan")}, "connect_timeout"),
        ({"api_key": "k", "max_retries": -1}, "max_retries"),
        ({"api_key": "k", "max_retries": 99}, "max_retries"),
        ({"api_key": "k", "max_retries": 2**70}, "max_retries"),
        ({"api_key": "k", "timeout": 1e20}, "timeout"),
        ({"api_key": "k", "timeout": 0}, "timeout"),
        ({"api_key": "k", "environment": "moon"}, "environment"),
        ({"api_key": "k", "environment": "staging", "base_url": "http://127.0.0.1:9"}, "not both"),
        ({"api_key": "k", "on_tokens_refreshed": print}, "need an OAuth credential"),
        ({"api_key": "k", "token_store": FileTokenStore("unused.json")}, "need an OAuth credential"),
        ({"api_key": "k", "base_url": "http://example.com"}, "http"),
        ({"api_key": "k", "base_url": "not a url"}, "base_url"),
    ],
)
def test_bad_configuration(monkeypatch: pytest.MonkeyPatch, options: Dict[str, Any], message: str) -> None:
    for name in ("PLEO_API_KEY", "PLEO_ACCESS_TOKEN", "PLEO_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(InvalidArgumentError, match=message):
        Client(**options)


def test_environment_variables(monkeypatch: pytest.MonkeyPatch, server: MockServer) -> None:
    monkeypatch.setenv("PLEO_API_KEY", server.api_key)
    monkeypatch.setenv("PLEO_BASE_URL", server.url)
    monkeypatch.delenv("PLEO_ACCESS_TOKEN", raising=False)
    with Client() as client:
        assert client.base_url == server.url
        assert client.introspect().auth_method == "API_KEY"
    monkeypatch.delenv("PLEO_API_KEY")
    monkeypatch.setenv("PLEO_ACCESS_TOKEN", server.access_token)
    with Client() as client:
        assert client.introspect().auth_method == "OAUTH2"
    # Passed values win over the environment; the API key over the access token.
    with Client(api_key=server.api_key, base_url=server.url) as client:
        assert client.introspect().auth_method == "API_KEY"
    monkeypatch.setenv("PLEO_API_KEY", server.api_key)
    with Client() as client:
        assert client.introspect().auth_method == "API_KEY"
    # An explicit environment keeps PLEO_BASE_URL out.
    assert Client(environment="production").base_url == "https://external.pleo.io"


def test_staging_and_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLEO_BASE_URL", raising=False)
    assert Client(api_key="k").base_url == "https://external.pleo.io"
    assert Client(api_key="k", environment="staging").base_url == "https://external.staging.pleo.io"


def test_closed_client(server: MockServer) -> None:
    client = Client(base_url=server.url, api_key=server.api_key)
    with client:
        client.introspect()
    with pytest.raises(InvalidArgumentError, match="closed"):
        client.introspect()
    assert "closed" in repr(client)


def test_no_secret_in_reprs() -> None:
    credentials = OAuthCredentials(
        client_id="client-1",
        client_secret="s3cret-client",
        access_token="s3cret-access",
        refresh_token="s3cret-refresh",
        expires_in=60,
    )
    tokens = OAuthTokens(access_token="s3cret-access", refresh_token="s3cret-refresh")
    client = Client(api_key="s3cret-key", base_url="http://127.0.0.1:9")
    for text in (repr(credentials), str(credentials), repr(tokens), repr(client)):
        assert "s3cret" not in text, text
    assert "client-1" in repr(credentials)


def test_oauth_credentials_check_their_types() -> None:
    with pytest.raises(TypeError, match="client_secret"):
        OAuthCredentials(client_id="c", client_secret=None, access_token="a", refresh_token="r")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expires_at"):
        OAuthTokens(access_token="a", refresh_token="r", expires_at="tomorrow")  # type: ignore[arg-type]
