"""OAuth: credentials and tokens, token stores written in Python, and the PKCE helpers."""

from __future__ import annotations

import json
import os
from collections import abc
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ContextManager, Dict, Iterable, Optional, Protocol, Union

from . import _native
from ._bridge import call_native
from ._checks import check_type
from .models import format_datetime, parse_datetime


@dataclass(frozen=True)
class OAuthTokens:
    """The tokens of an OAuth session; ``repr`` never shows them."""

    access_token: str = field(repr=False)
    #: Pleo rotates it on every refresh: persist the new one.
    refresh_token: str = field(repr=False)
    #: When the access token expires (aware), if known.
    expires_at: Optional[datetime] = None

    def __post_init__(self) -> None:
        check_type("access_token", self.access_token, str)
        check_type("refresh_token", self.refresh_token, str)
        check_type("expires_at", self.expires_at, datetime, optional=True)

    @classmethod
    def _from_json(cls, data: Dict[str, Any]) -> OAuthTokens:
        expires_at = data.get("expires_at")
        return cls(
            access_token=data["access_token"],
            refresh_token=data["refresh_token"],
            expires_at=None if expires_at is None else parse_datetime(expires_at),
        )

    def _to_json(self) -> Dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": None if self.expires_at is None else format_datetime(self.expires_at),
        }


@dataclass(frozen=True)
class OAuthCredentials:
    """An OAuth client's credentials and its current tokens, refreshed by the client as they expire.

    Give ``expires_at`` (aware datetime) or ``expires_in`` (seconds), or neither when unknown.
    ``token_url`` defaults to the environment's token endpoint.
    """

    client_id: str
    client_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: Optional[datetime] = None
    expires_in: Optional[int] = None
    token_url: Optional[str] = None

    def __post_init__(self) -> None:
        for name in ("client_id", "client_secret", "access_token", "refresh_token"):
            check_type(name, getattr(self, name), str)
        check_type("expires_at", self.expires_at, datetime, optional=True)
        check_type("expires_in", self.expires_in, int, optional=True)
        check_type("token_url", self.token_url, str, optional=True)

    @classmethod
    def from_tokens(
        cls, client_id: str, client_secret: str, tokens: OAuthTokens, token_url: Optional[str] = None
    ) -> OAuthCredentials:
        """Credentials for tokens from :func:`exchange_code` or a token store."""
        check_type("tokens", tokens, OAuthTokens)
        return cls(
            client_id=client_id,
            client_secret=client_secret,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=tokens.expires_at,
            token_url=token_url,
        )

    def _to_config(self) -> Dict[str, Any]:
        config: Dict[str, Any] = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
        }
        if self.expires_at is not None:
            config["expires_at"] = format_datetime(self.expires_at)
        if self.expires_in is not None:
            config["expires_in"] = self.expires_in
        if self.token_url is not None:
            config["token_url"] = self.token_url
        return config


class TokenStore(Protocol):
    """Shared storage for one OAuth session's tokens (a file, a database row, a Redis key).

    Before refreshing, the client takes :meth:`lock`, :meth:`load`\\ s again and uses tokens
    another process stored instead of refreshing; new tokens are written with
    :meth:`compare_and_swap` while the lock is held. An exception raised here fails the
    call, with that exception as the ``__cause__`` of the SDK's error.
    """

    def load(self) -> Optional[OAuthTokens]:
        """The stored tokens, if any."""
        ...

    def lock(self, wait: float) -> ContextManager[object]:
        """An exclusive lock across every process using the store; raises ``TimeoutError``
        when it could not be had within ``wait`` seconds."""
        ...

    def compare_and_swap(self, expected_refresh_token: str, tokens: OAuthTokens) -> bool:
        """Stores ``tokens`` if the stored refresh token is still ``expected_refresh_token``
        (or nothing is stored); tells whether it did."""
        ...


class FileTokenStore:
    """The SDK's own token store: a JSON file (written by atomic rename, mode 0600) with an
    advisory lock on ``<path>.lock``. Give every process of one installation (cron runs,
    ``multiprocessing`` workers) the same path: exactly one of them refreshes."""

    def __init__(self, path: Union[str, os.PathLike[str]]) -> None:
        check_type("path", path, (str, os.PathLike))
        self._native = _native.FileTokenStore(os.fspath(path))

    def __repr__(self) -> str:
        return f"FileTokenStore({self.path!r})"

    @property
    def path(self) -> str:
        """Where the tokens are stored."""
        return self._native.path

    def load(self) -> Optional[OAuthTokens]:
        """The stored tokens, or None when the file does not exist yet. Raises
        :class:`PleoError` (kind ``internal``; ``timeout`` for a lock not free in time) when
        the file cannot be read or is not valid, an ``OSError`` being its ``__cause__``."""
        found = call_native(self._native.load)
        return None if found is None else OAuthTokens._from_json(json.loads(found))

    def save(self, tokens: OAuthTokens) -> None:
        """Writes ``tokens`` (under the lock, without comparing): after a code exchange, or
        after the user authorised again. Raises :class:`PleoError` as :meth:`load` does."""
        check_type("tokens", tokens, OAuthTokens)
        call_native(self._native.save, json.dumps(tokens._to_json()))


class _Held:
    """A lock taken from a :class:`TokenStore`, released by the native side."""

    def __init__(self, manager: ContextManager[object]) -> None:
        self._manager = manager

    def release(self) -> None:
        self._manager.__exit__(None, None, None)


class _NativeTokenStore:
    """Adapts a :class:`TokenStore` to the native side, which speaks JSON."""

    def __init__(self, store: TokenStore) -> None:
        for method in ("load", "lock", "compare_and_swap"):
            if not callable(getattr(store, method, None)):
                raise TypeError(
                    f"token_store must have a {method}() method (see TokenStore), {type(store).__name__} has none"
                )
        self._store = store

    def load(self) -> Optional[str]:
        tokens = self._store.load()
        if tokens is None:
            return None
        check_type("token_store.load()", tokens, OAuthTokens, optional=True)
        return json.dumps(tokens._to_json())

    def lock(self, wait: float) -> _Held:
        manager = self._store.lock(wait)
        manager.__enter__()
        return _Held(manager)

    def compare_and_swap(self, expected_refresh_token: str, tokens_json: str) -> bool:
        tokens = OAuthTokens._from_json(json.loads(tokens_json))
        swapped = self._store.compare_and_swap(expected_refresh_token, tokens)
        check_type("token_store.compare_and_swap()", swapped, bool)
        return swapped


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the user's browser, and what to keep until the callback arrives."""

    url: str
    #: Keep it secret, for :func:`exchange_code`.
    code_verifier: str = field(repr=False)
    #: Compare it with the ``state`` of the callback (CSRF).
    state: str


def _oauth_call(function: str, request: Dict[str, Any]) -> Any:
    return json.loads(call_native(_native.oauth_call, function, json.dumps(request)))


def _add_options(request: Dict[str, Any], **options: Optional[str]) -> None:
    """Adds the string options that are set to ``request``, checking their types."""
    for name, value in options.items():
        check_type(name, value, str, optional=True)
        if value is not None:
            request[name] = value


def authorization_url(
    client_id: str,
    redirect_uri: str,
    *,
    scopes: Optional[Iterable[str]] = None,
    state: Optional[str] = None,
    environment: Optional[str] = None,
    base_url: Optional[str] = None,
    authorize_url: Optional[str] = None,
) -> AuthorizationRequest:
    """The PKCE (S256) authorisation URL, with a fresh code verifier and state."""
    check_type("client_id", client_id, str)
    check_type("redirect_uri", redirect_uri, str)
    request: Dict[str, Any] = {"client_id": client_id, "redirect_uri": redirect_uri}
    if scopes is not None:
        if isinstance(scopes, str):
            scopes = scopes.split()
        check_type("scopes", scopes, abc.Iterable)
        scope_list = list(scopes)
        for scope in scope_list:
            check_type("scopes[]", scope, str)
        request["scopes"] = scope_list
    _add_options(request, state=state, environment=environment, base_url=base_url, authorize_url=authorize_url)
    result = _oauth_call("authorizationUrl", request)
    return AuthorizationRequest(url=result["url"], code_verifier=result["code_verifier"], state=result["state"])


def exchange_code(
    client_id: str,
    client_secret: str,
    code: str,
    code_verifier: str,
    redirect_uri: str,
    *,
    environment: Optional[str] = None,
    base_url: Optional[str] = None,
    token_url: Optional[str] = None,
) -> OAuthTokens:
    """Trades the callback's ``code`` for tokens (server side only). Ctrl-C interrupts it as
    it does a client's call."""
    request: Dict[str, Any] = {}
    for name, value in (
        ("client_id", client_id),
        ("client_secret", client_secret),
        ("code", code),
        ("code_verifier", code_verifier),
        ("redirect_uri", redirect_uri),
    ):
        check_type(name, value, str)
        request[name] = value
    _add_options(request, environment=environment, base_url=base_url, token_url=token_url)
    return OAuthTokens._from_json(_oauth_call("exchangeCode", request))


def code_challenge(code_verifier: str) -> str:
    """The S256 challenge of a code verifier: base64url(sha256(verifier)), unpadded."""
    check_type("code_verifier", code_verifier, str)
    return str(_oauth_call("codeChallenge", {"code_verifier": code_verifier})["code_challenge"])


def new_code_verifier() -> str:
    """A fresh random code verifier."""
    return str(_oauth_call("newCodeVerifier", {})["code_verifier"])
