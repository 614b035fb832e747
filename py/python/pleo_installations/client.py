"""The client: keyword arguments to the core's configuration JSON, JSON results to models."""

from __future__ import annotations

import json
import uuid
import warnings
from collections import abc
from enum import Enum
from types import TracebackType
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Type, Union

from . import _native, errors
from ._bridge import call_native
from ._checks import check_type, json_object, seconds_to_ms
from .models import Installation, InstallationErrorCode, InstallationStatus, Introspection, _from_text
from .oauth import FileTokenStore, OAuthCredentials, OAuthTokens, TokenStore, _NativeTokenStore

def _enum_value(name: str, value: Union[Enum, str]) -> str:
    check_type(name, value, (str, Enum))
    return str(value.value) if isinstance(value, Enum) else value


class Client:
    """A client of the Pleo Installations API.

    Pass exactly one credential (``api_key``, ``access_token`` or ``oauth``); when none is
    given, ``PLEO_API_KEY`` (else ``PLEO_ACCESS_TOKEN``) is read from the environment.
    ``environment`` is ``"production"`` or ``"staging"``; ``None`` means production, or
    ``PLEO_BASE_URL`` when that is set and no ``base_url`` is given. ``base_url`` and
    ``environment`` exclude each other.

    Timeouts are in seconds; ``None`` leaves the core's default: ``timeout`` 30 s per
    attempt, ``connect_timeout`` 5 s per connection, ``total_timeout`` 90 s per call across
    retries, and ``max_retries`` 2. ``on_tokens_refreshed`` and ``token_store`` need ``oauth``.

    Safe to share between threads; every call releases the GIL while it waits on the
    network. Use it as a context manager, or call :meth:`close`.

    On the main thread, Ctrl-C interrupts a call at once (``KeyboardInterrupt``): the call
    is abandoned, not cancelled, and ends in the background within its own deadline (a
    write may still reach the server); the client stays usable.
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        access_token: Optional[str] = None,
        oauth: Optional[OAuthCredentials] = None,
        environment: Optional[str] = None,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        total_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        user_agent: Optional[str] = None,
        on_tokens_refreshed: Optional[Callable[[OAuthTokens], None]] = None,
        token_store: Union[TokenStore, FileTokenStore, None] = None,
    ) -> None:
        check_type("api_key", api_key, str, optional=True)
        check_type("access_token", access_token, str, optional=True)
        check_type("oauth", oauth, OAuthCredentials, optional=True)
        check_type("environment", environment, str, optional=True)
        check_type("base_url", base_url, str, optional=True)
        check_type("max_retries", max_retries, int, optional=True)
        check_type("user_agent", user_agent, str, optional=True)
        if on_tokens_refreshed is not None and not callable(on_tokens_refreshed):
            raise TypeError(
                f"on_tokens_refreshed must be callable or None, not {type(on_tokens_refreshed).__name__}"
            )

        # What is None is left out: the core applies its defaults and the environment's
        # variables (ClientBuilder::env_fallbacks), and refuses what does not go together.
        options = {
            "base_url": base_url,
            "environment": environment,
            "api_key": api_key,
            "access_token": access_token,
            "oauth": None if oauth is None else oauth._to_config(),
            "timeout_ms": seconds_to_ms("timeout", timeout),
            "connect_timeout_ms": seconds_to_ms("connect_timeout", connect_timeout),
            "total_timeout_ms": seconds_to_ms("total_timeout", total_timeout),
            "max_retries": max_retries,
            "user_agent": user_agent,
        }
        config = {key: value for key, value in options.items() if value is not None}

        hook = None if on_tokens_refreshed is None else _tokens_hook(on_tokens_refreshed)
        store: Union[_native.FileTokenStore, _NativeTokenStore, None] = None
        if isinstance(token_store, FileTokenStore):
            store = token_store._native
        elif token_store is not None:
            store = _NativeTokenStore(token_store)
        self._native: Optional[_native.Client] = call_native(
            _native.Client, json.dumps(config), hook, store
        )
        self._base_url: str = self._native.base_url

    # --- the operations -------------------------------------------------------------

    def get_installation(self, company_id: Union[str, uuid.UUID, None] = None) -> Installation:
        """The installation of this client (in ``company_id``, by default the credential's)."""
        check_type("company_id", company_id, (str, uuid.UUID), optional=True)
        request = {} if company_id is None else {"company_id": str(company_id)}
        return _from_text(Installation, self._call("getClientInstallation", request))

    def create_installation(
        self,
        status: Union[InstallationStatus, str, None] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> Installation:
        """Creates the installation (``ACTIVATED`` unless ``status`` says otherwise)."""
        request: Dict[str, Any] = {}
        if status is not None:
            request["status"] = _enum_value("status", status)
        if metadata is not None:
            request["metadata"] = json_object("metadata", metadata)
        return _from_text(Installation, self._call("createClientInstallation", request))

    def update_installation(
        self,
        status: Union[InstallationStatus, str],
        metadata: Optional[Mapping[str, Any]] = None,
        error_code: Union[InstallationErrorCode, str, None] = None,
    ) -> Installation:
        """Sets the status; replaces ``metadata`` when given; sets or clears the error code."""
        request: Dict[str, Any] = {"status": _enum_value("status", status)}
        if metadata is not None:
            request["metadata"] = json_object("metadata", metadata)
        if error_code is not None:
            request["errorCode"] = _enum_value("error_code", error_code)
        return _from_text(Installation, self._call("updateClientInstallation", request))

    def delete_installation(self) -> None:
        """Deletes the installation (with OAuth, Pleo also revokes every token of the client)."""
        self._call("deleteClientInstallation", {})

    def activate_installation(self) -> Installation:
        """Activates an ``AUTHORIZED`` or ``PENDING_INTEGRATION`` installation."""
        return _from_text(Installation, self._call("activateMyInstallation", {}))

    def complete_installation(self) -> Installation:
        """Deprecated by the API: use :meth:`activate_installation`."""
        warnings.warn(
            "complete_installation() is deprecated by the API; use activate_installation()",
            DeprecationWarning,
            stacklevel=2,
        )
        return _from_text(Installation, self._call("completeInstallationExternalClientOnlyIdempotently", {}))

    def introspect(self) -> Introspection:
        """Which credential is in use."""
        return _from_text(Introspection, self._call("introspect", {}))

    def wait_for_status(
        self,
        statuses: Union[InstallationStatus, str, Iterable[Union[InstallationStatus, str]]],
        timeout: Optional[float] = None,
    ) -> Installation:
        """Polls until the installation has one of ``statuses``; :class:`APITimeoutError` after
        ``timeout`` seconds (``None``: the core's default, 60 s). Ctrl-C ends the wait."""
        if isinstance(statuses, (str, Enum)):
            statuses = [statuses]
        elif not isinstance(statuses, abc.Iterable):
            raise TypeError(f"statuses must be a status or an iterable of them, not {type(statuses).__name__}")
        request: Dict[str, Any] = {"statuses": [_enum_value("statuses", status) for status in statuses]}
        timeout_ms = seconds_to_ms("timeout", timeout)
        if timeout_ms is not None:
            request["timeout_ms"] = timeout_ms
        return _from_text(Installation, self._call("waitForStatus", request))

    def refresh_tokens(self) -> None:
        """Refreshes the OAuth tokens now (``on_tokens_refreshed`` runs as usual)."""
        self._call("refreshTokens", {})

    def call_json(self, operation_id: str, request_json: Optional[str] = None) -> str:
        """Calls any operation by its OpenAPI ``operationId``; JSON in, JSON out (``"null"`` for 204)."""
        check_type("operation_id", operation_id, str)
        check_type("request_json", request_json, str, optional=True)
        return call_native(self._open().call_json, operation_id, request_json or "{}")

    # --- lifetime -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The base URL the client calls."""
        return self._base_url

    def close(self) -> None:
        """Releases the connection pool; later calls raise :class:`InvalidArgumentError`."""
        self._native = None

    def __enter__(self) -> "Client":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "" if self._native is not None else ", closed"
        return f"Client(base_url={self._base_url!r}{state})"

    def _open(self) -> _native.Client:
        native = self._native
        if native is None:
            raise errors.invalid_argument("the client is closed")
        return native

    def _call(self, operation_id: str, request: Mapping[str, Any]) -> str:
        """The result's JSON text (the server's, untouched)."""
        return call_native(self._open().call_json, operation_id, json.dumps(request))


def _tokens_hook(hook: Callable[[OAuthTokens], None]) -> Callable[[str], None]:
    """Adapts the user's hook to the native one, which receives the tokens as JSON."""

    def native_hook(tokens_json: str) -> None:
        hook(OAuthTokens._from_json(json.loads(tokens_json)))

    return native_hook
