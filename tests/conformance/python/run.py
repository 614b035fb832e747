"""One scenario of the conformance suite (tests/conformance/README.md) run through the Python
SDK's public API: admin requests with urllib, the configuration as keyword arguments of
``Client`` (or ``AsyncClient``, each call then awaited on a loop of its own), each call
through its typed method (results back to the API's JSON with ``to_dict()``), every step
checked."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
import urllib.error
import urllib.request
import warnings
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from patterns import mismatch, normalise_result, substitute

from pleo_installations import AsyncClient, Client, OAuthCredentials, PleoError
from pleo_installations.testing import MockServer

#: What an admin step without a body sends (a step's ``"body": null`` sends JSON null).
NO_BODY = object()

#: The error fields an outcome file holds.
ERROR_OUTCOME = ("kind", "status", "attempts", "retryable", "retry_after")


class StepFailedError(Exception):
    """A step did not meet its expectation; the message says how."""


AnyClient = Union[Client, AsyncClient]

#: The logger the SDK's events reach, and the ``logging`` level of each ``log_level``.
EVENTS = logging.getLogger("pleo_installations.events")
LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}
#: A ``logging`` level's name in the README's words.
LEVEL_NAMES = {logging.DEBUG: "debug", logging.INFO: "info", logging.WARNING: "warn", logging.ERROR: "error"}


class Collector(logging.Handler):
    """Keeps each event record as (level, line) until a logs step takes them."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.lines: List[Tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((LEVEL_NAMES.get(record.levelno, record.levelname.lower()), record.getMessage()))


class Run:
    """One scenario's state: the emulator, the API under test (``Client``, or ``AsyncClient``
    when ``asynchronous``), the client of the last client step, saved answers."""

    def __init__(self, server: MockServer, asynchronous: bool = False) -> None:
        self.server = server
        self.api = AsyncClient if asynchronous else Client
        self.client: Optional[AnyClient] = None
        self.saved: Dict[str, Any] = {}
        self.collector: Optional[Collector] = None

    def scenario(self, steps: List[Dict[str, Any]]) -> List[Any]:
        """The outcomes of the steps, in order, up to and including the first that fails."""
        try:
            admin_request(self.server.url, "POST /__mock/reset")
        except StepFailedError as e:
            return [{"failed": f"reset: {e}"}]
        outcomes: List[Any] = []
        try:
            for index, step in enumerate(steps):
                try:
                    outcomes.append(self.step(substitute(step, {**self.saved, "base_url": self.server.url})))
                except Exception as e:  # an unexpected exception fails the step as a mismatch does
                    reason = str(e) if isinstance(e, StepFailedError) else f"{type(e).__name__}: {e}"
                    outcomes.append({"failed": f"step {index}: {reason}"})
                    break
        finally:
            self.replace_client(None)
            self.collect(None)
        return outcomes

    def step(self, step: Dict[str, Any]) -> Any:
        if "admin" in step:
            return self.admin_step(step)
        if "client" in step:
            return self.client_step(step)
        if "logs" in step:
            return self.logs_step(step)
        return self.call_step(step)

    def admin_step(self, step: Dict[str, Any]) -> Any:
        answer = admin_request(self.server.url, step["admin"], step.get("body", NO_BODY))
        if "expect" in step:
            found = mismatch(step["expect"], answer)
            if found:
                raise StepFailedError(f"{step['admin']}: {found}")
        if "save" in step:
            self.saved[step["save"]] = answer
        return "admin"

    def client_step(self, step: Dict[str, Any]) -> Any:
        self.replace_client(None)
        self.collect(step.get("log_level"))
        try:
            client = self.api(**client_arguments(step["client"], self.server.url))
        except PleoError as error:
            if "error" not in step:
                raise StepFailedError(f"building the client: {error}") from None
            return {"error": expected_error(step["error"], error)}
        self.replace_client(client)
        if "error" in step:
            raise StepFailedError("the client was built, an error was expected")
        return "client"

    def call_step(self, step: Dict[str, Any]) -> Any:
        if self.client is None:
            raise StepFailedError("a call before any client step")
        error: Optional[PleoError] = None
        started = time.monotonic()
        try:
            result = settled(CALLS[step["call"]](self.client, step.get("request") or {}))
        except PleoError as raised:
            error = raised
        check_time(step, int((time.monotonic() - started) * 1000))
        if error is not None:
            if "error" not in step:
                raise StepFailedError(f"expected a result, got {error}")
            return {"error": expected_error(step["error"], error)}
        if "error" in step:
            raise StepFailedError(f"expected an error, got {json.dumps(result)}")
        found = mismatch(step["result"], result)
        if found:
            raise StepFailedError(f"result: {found}")
        return {"result": normalise_result(result)}

    def logs_step(self, step: Dict[str, Any]) -> Any:
        """The events collected since the client step or the last logs step, matched."""
        lines = self.collector.lines if self.collector else []
        events = [log_event(level, line) for level, line in lines]
        lines.clear()
        found = mismatch(step["logs"], events)
        if found:
            raise StepFailedError(f"logs: {found} in {json.dumps(events)}")
        return {"logs": events}

    def collect(self, level: Optional[str]) -> None:
        """Collects the events up to ``level`` from now on (none when ``None``)."""
        if self.collector is not None:
            EVENTS.removeHandler(self.collector)
            EVENTS.setLevel(logging.NOTSET)
            self.collector = None
        if level is not None:
            self.collector = Collector(LOG_LEVELS[level])
            EVENTS.addHandler(self.collector)
            EVENTS.setLevel(LOG_LEVELS[level])

    def replace_client(self, client: Optional[AnyClient]) -> None:
        if isinstance(self.client, Client):
            self.client.close()
        elif self.client is not None:
            asyncio.run(self.client.aclose())
        self.client = client


def log_event(level: str, line: str) -> Dict[str, str]:
    """An event line as the README's object: event, level and each field as a string, the
    volatile ones masked."""
    event, *fields = line.split(" ")
    found = {"event": event, "level": level}
    for field in fields:
        key, _, value = field.partition("=")
        found[key] = "<volatile>" if key in ("elapsed_ms", "request_id") else value
    return found


def check_time(step: Dict[str, Any], elapsed_ms: int) -> None:
    """Checks ``max_ms`` and ``min_ms`` against the call's wall time."""
    if "max_ms" in step and elapsed_ms > step["max_ms"]:
        raise StepFailedError(f"took {elapsed_ms} ms, more than max_ms {step['max_ms']}")
    if "min_ms" in step and elapsed_ms < step["min_ms"]:
        raise StepFailedError(f"took {elapsed_ms} ms, less than min_ms {step['min_ms']}")


def expected_error(pattern: Any, error: PleoError) -> Dict[str, Any]:
    """The error's outcome, once its JSON matches ``pattern``."""
    full = error_json(error)
    found = mismatch(pattern, full)
    if found:
        raise StepFailedError(f"error: {found} ({error})")
    return {key: full[key] for key in ERROR_OUTCOME}


def error_json(error: PleoError) -> Dict[str, Any]:
    """The error JSON of API.md, from the exception's fields."""
    return {
        "kind": error.kind,
        "message": error.message,
        "status": error.status,
        "request_id": error.request_id,
        "retryable": error.retryable,
        "attempts": error.attempts,
        "body": error.body,
        "retry_after": error.retry_after,
    }


def admin_request(base_url: str, request: str, body: Any = NO_BODY) -> Any:
    """Sends ``METHOD /path`` (with ``body`` as JSON unless it is ``NO_BODY``) to the
    emulator's admin API; its answer's JSON, or None for an empty one. Fails unless it is 2xx."""
    method, path = request.split(" ", 1)
    data = None if body is NO_BODY else json.dumps(body).encode()
    sent = urllib.request.Request(base_url + path, data=data, method=method)
    if data is not None:
        sent.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(sent, timeout=10) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as e:
        raise StepFailedError(f"{request}: {e.code}: {e.read().decode(errors='replace')}") from None
    return json.loads(text) if text else None


# --- the configuration and the calls, mapped onto the typed API ------------------------

#: Configuration keys that are the constructor's keyword arguments as they are.
_SAME_NAME = ("base_url", "environment", "api_key", "access_token", "max_retries", "user_agent")
#: Configuration keys in milliseconds, and the keyword arguments in seconds they become.
_IN_SECONDS = {"timeout_ms": "timeout", "connect_timeout_ms": "connect_timeout", "total_timeout_ms": "total_timeout"}


def client_arguments(config: Dict[str, Any], base_url: str) -> Dict[str, Any]:
    """The keyword arguments of ``Client`` for a configuration JSON object, with the
    emulator's URL unless it names a base URL or an environment."""
    arguments: Dict[str, Any] = {}
    if "base_url" not in config and "environment" not in config:
        arguments["base_url"] = base_url
    for key, value in config.items():
        if key in _SAME_NAME:
            arguments[key] = value
        elif key in _IN_SECONDS:
            arguments[_IN_SECONDS[key]] = _seconds(value)
        elif key == "oauth":
            arguments["oauth"] = oauth_credentials(value)
        else:
            raise StepFailedError(f"Python's Client has no argument for {key!r}")
    return arguments


def oauth_credentials(config: Dict[str, Any]) -> OAuthCredentials:
    """The ``oauth`` configuration object as ``OAuthCredentials`` (``expires_at`` parsed)."""
    fields = dict(config)
    if fields.get("expires_at") is not None:
        fields["expires_at"] = datetime.fromisoformat(fields["expires_at"].replace("Z", "+00:00"))
    return OAuthCredentials(**fields)


def _seconds(milliseconds: Optional[int]) -> Optional[float]:
    return None if milliseconds is None else milliseconds / 1000


def settled(value: Any) -> Any:
    """A call's outcome as the API's JSON: awaited first (an ``AsyncClient``'s coroutine, on a
    loop of its own), then ``to_dict()`` (None stays None)."""
    if inspect.isawaitable(value):
        value = asyncio.run(_awaited(value))
    return None if value is None else value.to_dict()


async def _awaited(value: Any) -> Any:
    return await value


async def _warned(call: Any) -> Any:
    """Awaits ``call`` when it is a coroutine; what it gives otherwise."""
    return await call if inspect.isawaitable(call) else call


def _complete(client: AnyClient, request: Dict[str, Any]) -> Any:
    """complete_installation(), which must warn that it is deprecated (the warning is
    expected, so it is caught here rather than shown)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        installation = asyncio.run(_warned(client.complete_installation()))
    if not any(issubclass(warning.category, DeprecationWarning) for warning in caught):
        raise StepFailedError("complete_installation() gave no DeprecationWarning")
    return installation


#: Each operation through its typed method: a model, None, or (``AsyncClient``) a coroutine.
CALLS: Dict[str, Callable[[Any, Dict[str, Any]], Any]] = {
    "getClientInstallation": lambda client, request: client.get_installation(company_id=request.get("company_id")),
    "createClientInstallation": lambda client, request: client.create_installation(
        status=request.get("status"), metadata=request.get("metadata")
    ),
    "updateClientInstallation": lambda client, request: client.update_installation(
        request["status"], metadata=request.get("metadata"), error_code=request.get("errorCode")
    ),
    "deleteClientInstallation": lambda client, request: client.delete_installation(),
    "activateMyInstallation": lambda client, request: client.activate_installation(),
    "completeInstallationExternalClientOnlyIdempotently": _complete,
    "introspect": lambda client, request: client.introspect(),
    "waitForStatus": lambda client, request: client.wait_for_status(
        request["statuses"], timeout=_seconds(request.get("timeout_ms"))
    ),
    "refreshTokens": lambda client, request: client.refresh_tokens(),
}
