"""The clients, blocking and asyncio: keyword arguments to the core's configuration JSON,
JSON results to models. Both build their requests with the same functions below."""

from __future__ import annotations

import asyncio
import json
import uuid
import warnings
from collections import abc
from enum import Enum
from types import TracebackType
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Tuple, Type, Union

from . import _native, errors
from ._bridge import call_native
from ._checks import check_type, json_object, seconds_to_ms
from .models import Installation, InstallationErrorCode, InstallationStatus, Introspection, _from_text
from .oauth import FileTokenStore, OAuthCredentials, OAuthTokens, TokenStore, _NativeTokenStore

_Request = Tuple[str, Dict[str, Any]]
"""An operation id and its request, as the core's JSON door takes them."""

_Statuses = Union[InstallationStatus, str, Iterable[Union[InstallationStatus, str]]]


def _enum_value(name: str, value: Union[Enum, str]) -> str:
    check_type(name, value, (str, Enum))
    return str(value.value) if isinstance(value, Enum) else value


def _get_request(company_id: Union[str, uuid.UUID, None]) -> _Request:
    check_type("company_id", company_id, (str, uuid.UUID), optional=True)
    return "getClientInstallation", {} if company_id is None else {"company_id": str(company_id)}


def _create_request(status: Union[InstallationStatus, str, None], metadata: Optional[Mapping[str, Any]]) -> _Request:
    request: Dict[str, Any] = {}
    if status is not None:
        request["status"] = _enum_value("status", status)
    if metadata is not None:
        request["metadata"] = json_object("metadata", metadata)
    return "createClientInstallation", request


def _update_request(
    status: Union[InstallationStatus, str],
    metadata: Optional[Mapping[str, Any]],
    error_code: Union[InstallationErrorCode, str, None],
) -> _Request:
    request: Dict[str, Any] = {"status": _enum_value("status", status)}
    if metadata is not None:
        request["metadata"] = json_object("metadata", metadata)
    if error_code is not None:
        request["errorCode"] = _enum_value("error_code", error_code)
    return "updateClientInstallation", request


def _wait_request(statuses: _Statuses, timeout: Optional[float]) -> _Request:
    if isinstance(statuses, (str, Enum)):
        statuses = [statuses]
    elif not isinstance(statuses, abc.Iterable):
        raise TypeError(f"statuses must be a status or an iterable of them, not {type(statuses).__name__}")
    request: Dict[str, Any] = {"statuses": [_enum_value("statuses", status) for status in statuses]}
    timeout_ms = seconds_to_ms("timeout", timeout)
    if timeout_ms is not None:
        request["timeout_ms"] = timeout_ms
    return "waitForStatus", request


def _json_request(operation_id: str, request_json: Optional[str]) -> Tuple[str, str]:
    check_type("operation_id", operation_id, str)
    check_type("request_json", request_json, str, optional=True)
    return operation_id, request_json or "{}"


def _warn_completion() -> None:
    warnings.warn(
        "complete_installation() is deprecated by the API; use activate_installation()",
        DeprecationWarning,
        stacklevel=3,
    )


class _Configured:
    """What both clients share: the configuration, checked, and the native client."""

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
        ca_bundle: Optional[str] = None,
        proxy: Optional[str] = None,
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
        check_type("ca_bundle", ca_bundle, str, optional=True)
        check_type("proxy", proxy, str, optional=True)
        if on_tokens_refreshed is not None and not callable(on_tokens_refreshed):
            raise TypeError(f"on_tokens_refreshed must be callable or None, not {type(on_tokens_refreshed).__name__}")

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
            "ca_bundle": ca_bundle,
            "proxy": proxy,
        }
        config = {key: value for key, value in options.items() if value is not None}

        hook = None if on_tokens_refreshed is None else _tokens_hook(on_tokens_refreshed)
        store: Union[_native.FileTokenStore, _NativeTokenStore, None] = None
        if isinstance(token_store, FileTokenStore):
            store = token_store._native
        elif token_store is not None:
            store = _NativeTokenStore(token_store)
        self._native: Optional[_native.Client] = call_native(_native.Client, json.dumps(config), hook, store)
        self._base_url: str = self._native.base_url

    @property
    def base_url(self) -> str:
        """The base URL the client calls."""
        return self._base_url

    def __repr__(self) -> str:
        state = "" if self._native is not None else ", closed"
        return f"{type(self).__name__}(base_url={self._base_url!r}{state})"

    def _open(self) -> _native.Client:
        native = self._native
        if native is None:
            raise errors.invalid_argument("the client is closed")
        return native


class Client(_Configured):
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

    # --- the operations -------------------------------------------------------------

    def get_installation(self, company_id: Union[str, uuid.UUID, None] = None) -> Installation:
        """The installation of this client (in ``company_id``, by default the credential's)."""
        return _from_text(Installation, self._call(*_get_request(company_id)))

    def create_installation(
        self,
        status: Union[InstallationStatus, str, None] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> Installation:
        """Creates the installation (``ACTIVATED`` unless ``status`` says otherwise)."""
        return _from_text(Installation, self._call(*_create_request(status, metadata)))

    def update_installation(
        self,
        status: Union[InstallationStatus, str],
        metadata: Optional[Mapping[str, Any]] = None,
        error_code: Union[InstallationErrorCode, str, None] = None,
    ) -> Installation:
        """Sets the status; replaces ``metadata`` when given; sets or clears the error code."""
        return _from_text(Installation, self._call(*_update_request(status, metadata, error_code)))

    def delete_installation(self) -> None:
        """Deletes the installation (with OAuth, Pleo also revokes every token of the client)."""
        self._call("deleteClientInstallation", {})

    def activate_installation(self) -> Installation:
        """Activates an ``AUTHORIZED`` or ``PENDING_INTEGRATION`` installation."""
        return _from_text(Installation, self._call("activateMyInstallation", {}))

    def complete_installation(self) -> Installation:
        """Deprecated by the API: use :meth:`activate_installation`."""
        _warn_completion()
        return _from_text(Installation, self._call("completeInstallationExternalClientOnlyIdempotently", {}))

    def introspect(self) -> Introspection:
        """Which credential is in use."""
        return _from_text(Introspection, self._call("introspect", {}))

    def wait_for_status(self, statuses: _Statuses, timeout: Optional[float] = None) -> Installation:
        """Polls until the installation has one of ``statuses``; :class:`APITimeoutError` after
        ``timeout`` seconds (``None``: the core's default, 60 s). Ctrl-C ends the wait."""
        return _from_text(Installation, self._call(*_wait_request(statuses, timeout)))

    def refresh_tokens(self) -> None:
        """Refreshes the OAuth tokens now (``on_tokens_refreshed`` runs as usual)."""
        self._call("refreshTokens", {})

    def call_json(self, operation_id: str, request_json: Optional[str] = None) -> str:
        """Calls any operation by its OpenAPI ``operationId``; JSON in, JSON out (``"null"`` for 204)."""
        return call_native(self._open().call_json, *_json_request(operation_id, request_json))

    # --- lifetime -------------------------------------------------------------------

    def close(self) -> None:
        """Releases the connection pool; later calls raise :class:`InvalidArgumentError`."""
        self._native = None

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()

    def _call(self, operation_id: str, request: Mapping[str, Any]) -> str:
        """The result's JSON text (the server's, untouched)."""
        return call_native(self._open().call_json, operation_id, json.dumps(request) if request else "{}")


class AsyncClient(_Configured):
    """The asyncio client: the methods of :class:`Client`, as coroutines, with the same
    keyword arguments.

    Calls run on the SDK's own small runtime, not a thread each, and never block the event
    loop: any number of them can be awaited at once. Cancelling the task that awaits one
    (``asyncio.wait_for``, a ``TaskGroup``, ``task.cancel()``) cancels the call and abandons
    its request. ``on_tokens_refreshed`` and a ``token_store`` stay plain (blocking)
    callables: they run on an SDK thread, never on the event loop. Use it with
    ``async with``, or call :meth:`aclose`.
    """

    async def get_installation(self, company_id: Union[str, uuid.UUID, None] = None) -> Installation:
        """As :meth:`Client.get_installation`."""
        return _from_text(Installation, await self._call(*_get_request(company_id)))

    async def create_installation(
        self,
        status: Union[InstallationStatus, str, None] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> Installation:
        """As :meth:`Client.create_installation`."""
        return _from_text(Installation, await self._call(*_create_request(status, metadata)))

    async def update_installation(
        self,
        status: Union[InstallationStatus, str],
        metadata: Optional[Mapping[str, Any]] = None,
        error_code: Union[InstallationErrorCode, str, None] = None,
    ) -> Installation:
        """As :meth:`Client.update_installation`."""
        return _from_text(Installation, await self._call(*_update_request(status, metadata, error_code)))

    async def delete_installation(self) -> None:
        """As :meth:`Client.delete_installation`."""
        await self._call("deleteClientInstallation", {})

    async def activate_installation(self) -> Installation:
        """As :meth:`Client.activate_installation`."""
        return _from_text(Installation, await self._call("activateMyInstallation", {}))

    async def complete_installation(self) -> Installation:
        """Deprecated by the API: use :meth:`activate_installation`."""
        _warn_completion()
        return _from_text(Installation, await self._call("completeInstallationExternalClientOnlyIdempotently", {}))

    async def introspect(self) -> Introspection:
        """As :meth:`Client.introspect`."""
        return _from_text(Introspection, await self._call("introspect", {}))

    async def wait_for_status(self, statuses: _Statuses, timeout: Optional[float] = None) -> Installation:
        """As :meth:`Client.wait_for_status`."""
        return _from_text(Installation, await self._call(*_wait_request(statuses, timeout)))

    async def refresh_tokens(self) -> None:
        """As :meth:`Client.refresh_tokens`."""
        await self._call("refreshTokens", {})

    async def call_json(self, operation_id: str, request_json: Optional[str] = None) -> str:
        """As :meth:`Client.call_json`."""
        return await self._start(*_json_request(operation_id, request_json))

    # --- lifetime -------------------------------------------------------------------

    async def aclose(self) -> None:
        """Releases the connection pool; later calls raise :class:`InvalidArgumentError`."""
        self._native = None

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    async def _call(self, operation_id: str, request: Mapping[str, Any]) -> str:
        """The result's JSON text (the server's, untouched)."""
        return await self._start(operation_id, json.dumps(request) if request else "{}")

    async def _start(self, operation_id: str, request_json: str) -> str:
        """Starts the call on the SDK's runtime and awaits its result; a cancelled wait
        cancels the call."""
        loop = asyncio.get_running_loop()
        result: asyncio.Future[str] = loop.create_future()

        def deliver(ok: bool, payload: Union[str, BaseException]) -> None:
            loop.call_soon_threadsafe(_settle, result, ok, payload)

        handle = self._open().start_json(operation_id, request_json, deliver)
        result.add_done_callback(lambda done: handle.cancel() if done.cancelled() else None)
        return await result


def _settle(result: asyncio.Future[str], ok: bool, payload: Union[str, BaseException]) -> None:
    """Settles an asyncio call's future on its loop, unless it was cancelled meanwhile."""
    if result.done():
        return
    if ok:
        assert isinstance(payload, str)
        result.set_result(payload)
    elif isinstance(payload, _native.NativeError):
        error_json, cause = payload.args
        exception = errors.from_json(error_json)
        exception.__cause__ = cause
        result.set_exception(exception)
    else:
        assert isinstance(payload, BaseException)
        result.set_exception(payload)


def _tokens_hook(hook: Callable[[OAuthTokens], None]) -> Callable[[str], None]:
    """Adapts the user's hook to the native one, which receives the tokens as JSON."""

    def native_hook(tokens_json: str) -> None:
        hook(OAuthTokens._from_json(json.loads(tokens_json)))

    return native_hook
