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
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Dict, List, Mapping, Optional, Tuple, Type, Union

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
    body: str
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


class MockServer:
    """A stateful emulator of the Installations API and of Pleo's OAuth server, on
    ``127.0.0.1`` and a free port, until :meth:`shutdown` (or the end of a ``with`` block)."""

    def __init__(self) -> None:
        self._native = _native.MockServer()
        self.url: str = self._native.url
        """The base URL, e.g. ``http://127.0.0.1:41234``."""
        self.api_key: str = self._native.api_key
        """The API key it accepts (``pleo-mock-api-key``)."""
        self.access_token: str = self._native.access_token
        """The static bearer token it accepts (``pleo-mock-access-token``)."""

    def __enter__(self) -> MockServer:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.shutdown()

    def __repr__(self) -> str:
        return f"MockServer(url={self.url!r})"

    def shutdown(self) -> None:
        """Stops it: the port closes and open connections are cut. Idempotent."""
        self._native.shutdown()

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
        """Queues a fault for the next ``times`` matching requests (FIFO): an error
        ``status`` (with ``retry_after`` and ``body``), a ``delay`` in seconds, a dropped
        connection or a ``malformed`` body; only for ``operation`` (an operationId, or
        ``oauthToken``/``oauthAuthorize``) when given."""
        check_type("status", status, int, optional=True)
        check_type("retry_after", retry_after, str, optional=True)
        check_type("body", body, str, optional=True)
        check_type("drop", drop, bool)
        check_type("malformed", malformed, bool)
        check_type("operation", operation, str, optional=True)
        check_type("times", times, int)
        fault: Dict[str, Any] = {"times": times}
        for key, value in (
            ("status", status),
            ("retry_after", retry_after),
            ("body", body),
            ("delay_ms", seconds_to_ms("delay", delay)),
            ("operation", operation),
        ):
            if value is not None:
                fault[key] = value
        if drop:
            fault["drop"] = True
        if malformed:
            fault["malformed"] = True
        self._native.push_fault(json.dumps(fault))

    def clear_faults(self) -> None:
        """Forgets every queued fault."""
        self._native.clear_faults()

    def pending_faults(self) -> int:
        """How many faults are still queued."""
        return self._native.pending_faults()

    # --- journal and state ----------------------------------------------------------

    def journal(self) -> List[RecordedRequest]:
        """The API requests received so far, oldest first."""
        return [
            RecordedRequest(
                method=entry["method"],
                path=entry["path"],
                operation=entry["operation"],
                headers=tuple((name, value) for name, value in entry["headers"]),
                body=entry["body"],
                request_id=entry["request_id"],
                peer=entry["peer"],
            )
            for entry in json.loads(self._native.journal())
        ]

    def clear_journal(self) -> None:
        """Forgets the recorded requests."""
        self._native.clear_journal()

    def reset(self) -> None:
        """Forgets installations, faults, journal and OAuth codes, tokens and counters."""
        self._native.reset()

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
        result: Dict[str, Any] = json.loads(self._native.seed(json.dumps(seed)))
        return result

    def installation(
        self, credential: Optional[str] = None, company_id: Optional[str] = None
    ) -> Optional[Dict[str, Any]]:
        """The installation of ``credential``'s client (by default the API key's) as the
        API's JSON, or None."""
        check_type("credential", credential, str, optional=True)
        check_type("company_id", company_id, str, optional=True)
        found = self._native.installation(self.api_key if credential is None else credential, company_id)
        return None if found is None else dict(json.loads(found))

    # --- OAuth ----------------------------------------------------------------------

    def oauth_client(self) -> OAuthClientInfo:
        """The emulator's OAuth client."""
        client = json.loads(self._native.oauth_client())
        return OAuthClientInfo(
            client_id=client["client_id"],
            client_secret=client["client_secret"],
            redirect_uri=client["redirect_uris"][0],
            scope=client["scope"],
        )

    @property
    def token_url(self) -> str:
        """``<url>/oauth/token``."""
        return self.url + "/oauth/token"

    def consent(self, authorize_url: str) -> Consent:
        """Plays the user's browser on the consent page of ``authorize_url``."""
        check_type("authorize_url", authorize_url, str)
        result = json.loads(self._native.consent(authorize_url))
        return Consent(code=result["code"], state=result["state"], callback=result["callback"])

    def issue_tokens(self, client_id: Optional[str] = None) -> Tuple[str, str]:
        """A new token family as after a code exchange: ``(access_token, refresh_token)``."""
        check_type("client_id", client_id, str, optional=True)
        return self._native.issue_tokens(self.oauth_client().client_id if client_id is None else client_id)

    def advance_clock(self, seconds: float) -> None:
        """Moves the clock of token and code expiry forward."""
        check_type("seconds", seconds, (int, float))
        self._native.advance_clock(float(seconds))

    def expire_access_tokens(self) -> None:
        """Makes every access token issued so far expire now."""
        self._native.expire_access_tokens()

    def token_requests(self) -> int:
        """How many requests the token endpoint received."""
        return self._native.token_requests()

    def refresh_count(self) -> int:
        """How many refresh grants succeeded."""
        return self._native.refresh_count()
