"""The emulator of the API in-process, for your own tests.

.. code-block:: python

    from pleo_installations import Client
    from pleo_installations.testing import MockServer

    def test_sync_activates():
        with MockServer() as server, Client(base_url=server.url, api_key=server.api_key) as client:
            server.seed_installation("AUTHORIZED")
            server.push_fault(status=503)          # the next request gets a 503 (and is retried)
            assert client.activate_installation().status == "ACTIVATED"
            assert [r.operation for r in server.journal()] == ["activateMyInstallation"] * 2

Every method goes through one door, :meth:`MockServer.admin`: the emulator's admin API
(``mock/README.md``, "Admin HTTP API") without HTTP. Node's ``pleo-installations/testing`` has
the same methods on the same door; durations are in seconds here, as everywhere in the
Python SDK (Node's are in milliseconds, as everywhere in the Node SDK).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Tuple, Type, Union
from urllib.parse import urlencode

from . import _native
from ._checks import check_type, json_object, seconds_to_ms
from .models import InstallationStatus


@dataclass(frozen=True)
class RecordedRequest:
    """One API request as the emulator received it (secrets included: it is your test's)."""

    method: str
    #: With the query string.
    path: str
    #: The operationId it matched, or None (404/405).
    operation: Optional[str]
    #: In the order received; names are lower case.
    headers: Tuple[Tuple[str, str], ...] = field(repr=False)
    #: As kept: cut to the journal's bound per body when ``body_truncated``.
    body: str
    #: Whether ``body`` is only the start of the body.
    body_truncated: bool
    #: The whole body's size in bytes (None when it was refused for its size).
    body_size: Optional[int]
    request_id: str
    #: The client's address; requests over one keep-alive connection share it.
    peer: str

    def header(self, name: str) -> Optional[str]:
        """The first header called ``name`` (case-insensitive), or None."""
        lower = name.lower()
        return next((value for key, value in self.headers if key == lower), None)

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)


@dataclass(frozen=True)
class JournalStats:
    """What the journal holds, its bounds, and what it dropped or cut since the last clear."""

    entries: int
    bytes: int
    max_entries: int
    max_bytes: int
    max_body_bytes: int
    #: Entries dropped to stay within the bounds.
    dropped: int
    #: Entries kept with their body cut.
    truncated: int


@dataclass(frozen=True)
class Fault:
    """A fault for the next ``times`` matching requests: an error ``status`` (with
    ``retry_after`` and ``body``), a ``delay`` in seconds, a dropped connection or a
    ``malformed`` body; only for ``operation`` (an operationId, or
    ``oauthToken``/``oauthAuthorize``) when given."""

    status: Optional[int] = None
    retry_after: Optional[str] = None
    body: Optional[str] = None
    delay: Optional[float] = None
    drop: bool = False
    malformed: bool = False
    operation: Optional[str] = None
    times: int = 1

    def _to_wire(self) -> Dict[str, Any]:
        check_type("status", self.status, int, optional=True)
        check_type("retry_after", self.retry_after, str, optional=True)
        check_type("body", self.body, str, optional=True)
        check_type("drop", self.drop, bool)
        check_type("malformed", self.malformed, bool)
        check_type("operation", self.operation, str, optional=True)
        check_type("times", self.times, int)
        wire: Dict[str, Any] = {"times": self.times}
        for key, value in (
            ("status", self.status),
            ("retry_after", self.retry_after),
            ("body", self.body),
            ("delay_ms", seconds_to_ms("delay", self.delay)),
            ("operation", self.operation),
        ):
            if value is not None:
                wire[key] = value
        if self.drop:
            wire["drop"] = True
        if self.malformed:
            wire["malformed"] = True
        return wire


@dataclass(frozen=True)
class OAuthClientInfo:
    """The emulator's OAuth client (fake credentials, fine to print)."""

    client_id: str
    client_secret: str
    redirect_uri: str
    scope: str


@dataclass(frozen=True)
class Consent:
    """What the browser came back with after the user consented."""

    code: str
    state: Optional[str]
    callback: str


class IssuedTokens(NamedTuple):
    """A new token family; unpacks as ``access_token, refresh_token = ...``."""

    access_token: str
    refresh_token: str


@dataclass(frozen=True)
class OAuthStats:
    """What the token endpoint counted since the start or the last reset."""

    #: Requests ``POST /oauth/token`` received, failed and faulted ones included.
    token_requests: int
    #: ``refresh_token`` grants that succeeded.
    refreshes: int


class MockServer:
    """A stateful emulator of the Installations API and of Pleo's OAuth server, on
    ``127.0.0.1`` and a free port, until :meth:`stop` (or the end of a ``with`` block)."""

    def __init__(self) -> None:
        self._native = _native.MockServer()
        info = self.admin("GET", "/__mock/info")
        self.url: str = info["url"]
        """The base URL, e.g. ``http://127.0.0.1:41234``."""
        self.api_key: str = info["api_key"]
        """The API key it accepts (``pleo-mock-api-key``)."""
        self.access_token: str = info["access_token"]
        """The static bearer token it accepts (``pleo-mock-access-token``)."""
        self.authorize_url: str = info["authorize_url"]
        """Its OAuth authorisation endpoint, ``<url>/oauth/authorize``."""
        self.token_url: str = info["token_url"]
        """Its OAuth token endpoint, ``<url>/oauth/token``."""
        client = info["oauth_clients"][0]
        self.oauth_client = OAuthClientInfo(
            client_id=client["client_id"],
            client_secret=client["client_secret"],
            redirect_uri=client["redirect_uris"][0],
            scope=client["scope"],
        )
        """The default OAuth client."""

    def __enter__(self) -> MockServer:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"MockServer(url={self.url!r})"

    def stop(self) -> None:
        """Stops it: the port closes and open connections are cut. Idempotent."""
        self._native.stop()

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        """The admin API without HTTP: ``admin("POST", "/__mock/faults", {"status": 503})``
        does what that request would, and returns the answer's JSON as Python data.
        ``ValueError`` with the API's message when it refuses; ``RuntimeError`` once stopped."""
        check_type("method", method, str)
        check_type("path", path, str)
        text = "" if body is None else json.dumps(body)
        return json.loads(self._native.admin(method, path, text))

    # --- faults ---------------------------------------------------------------------

    def push_fault(
        self,
        *,
        status: Optional[int] = None,
        retry_after: Optional[str] = None,
        body: Optional[str] = None,
        delay: Optional[float] = None,
        drop: bool = False,
        malformed: bool = False,
        operation: Optional[str] = None,
        times: int = 1,
    ) -> None:
        """Queues one :class:`Fault` (FIFO), given by its fields."""
        self.push_faults(
            [Fault(status, retry_after, body, delay, drop, malformed, operation, times)],
        )

    def push_faults(self, faults: Iterable[Fault]) -> None:
        """Queues several faults, in order: all of them, or none if one is invalid."""
        wire = []
        for index, fault in enumerate(faults):
            check_type(f"faults[{index}]", fault, Fault)
            wire.append(fault._to_wire())
        self.admin("POST", "/__mock/faults", wire)

    def clear_faults(self) -> None:
        """Forgets every queued fault."""
        self.admin("DELETE", "/__mock/faults")

    def pending_faults(self) -> int:
        """How many faults are still queued (one with ``times=n`` counts once)."""
        return len(self.admin("GET", "/__mock/faults"))

    # --- journal and state ----------------------------------------------------------

    def journal(self) -> List[RecordedRequest]:
        """The API requests received so far, oldest first, within the journal's bounds."""
        return [
            RecordedRequest(
                method=entry["method"],
                path=entry["path"],
                operation=entry["operation"],
                headers=tuple((name, value) for name, value in entry["headers"]),
                body=entry["body"],
                body_truncated=entry["body_truncated"],
                body_size=entry["body_size"],
                request_id=entry["request_id"],
                peer=entry["peer"],
            )
            for entry in self.admin("GET", "/__mock/journal")
        ]

    def journal_stats(self) -> JournalStats:
        """How much the journal holds, and has dropped or cut."""
        return JournalStats(**self.admin("GET", "/__mock/journal/stats"))

    def clear_journal(self) -> None:
        """Forgets the recorded requests."""
        self.admin("DELETE", "/__mock/journal")

    def reset(self) -> None:
        """Forgets installations, faults, journal and OAuth codes, tokens and counters."""
        self.admin("POST", "/__mock/reset")

    def seed_installation(
        self,
        status: Union[InstallationStatus, str],
        *,
        credential: Optional[str] = None,
        company_id: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        error_code: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Puts an installation in place directly (any non-empty status, known or not) for
        ``credential``'s client (by default the API key's); returns the API's JSON of it."""
        check_type("status", status, str)
        check_type("credential", credential, str, optional=True)
        check_type("company_id", company_id, str, optional=True)
        check_type("error_code", error_code, str, optional=True)
        seed: Dict[str, Any] = {
            "credential": self.api_key if credential is None else credential,
            "status": str(status),
        }
        if company_id is not None:
            seed["company_id"] = company_id
        if metadata is not None:
            seed["metadata"] = json_object("metadata", metadata)
        if error_code is not None:
            seed["errorCode"] = error_code
        result: Dict[str, Any] = self.admin("POST", "/__mock/installations", seed)
        return result

    def installation(
        self, credential: Optional[str] = None, company_id: Optional[str] = None
    ) -> Optional[Dict[str, Any]]:
        """The installation of ``credential``'s client (by default the API key's) in
        ``company_id`` (by default the credential's company) as the API's JSON, or None."""
        check_type("credential", credential, str, optional=True)
        check_type("company_id", company_id, str, optional=True)
        query = {"credential": self.api_key if credential is None else credential}
        if company_id is not None:
            query["company_id"] = company_id
        found = self.admin("GET", "/__mock/installations?" + urlencode(query))
        return dict(found[0]["installation"]) if found else None

    # --- OAuth ----------------------------------------------------------------------

    def consent(self, authorize_url: str) -> Consent:
        """Plays the user's browser on the consent page of ``authorize_url``."""
        check_type("authorize_url", authorize_url, str)
        result = self.admin("POST", "/__mock/oauth/consent", {"authorize_url": authorize_url})
        return Consent(code=result["code"], state=result["state"], callback=result["callback"])

    def issue_tokens(self, client_id: Optional[str] = None) -> IssuedTokens:
        """A new token family as after a code exchange (by default for :attr:`oauth_client`)."""
        check_type("client_id", client_id, str, optional=True)
        issued = self.admin("POST", "/__mock/oauth/tokens", {"client_id": client_id})
        return IssuedTokens(issued["access_token"], issued["refresh_token"])

    def advance_clock(self, seconds: float) -> None:
        """Moves the clock of token and code expiry forward by ``seconds``."""
        check_type("seconds", seconds, (int, float))
        advance_ms = seconds_to_ms("seconds", seconds)
        self.admin("POST", "/__mock/clock", {"advance_ms": advance_ms})

    def expire_access_tokens(self) -> int:
        """Makes every access token issued so far expire now; returns how many were live."""
        expired: int = self.admin("POST", "/__mock/expire-access-tokens")["expired"]
        return expired

    def oauth_stats(self) -> OAuthStats:
        """What the token endpoint counted."""
        return OAuthStats(**self.admin("GET", "/__mock/oauth/stats"))
