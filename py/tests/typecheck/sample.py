"""Uses the whole public API, so that `mypy --strict` checks the package's typing as users
see it (`make test-python` type-checks it; test_sample.py runs it)."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
import uuid
from datetime import datetime, timedelta, timezone
from typing import Iterator, List, Optional, Type

import pleo_installations
from pleo_installations import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    AuthMethod,
    AuthorizationRequest,
    BadRequestError,
    Client,
    ConflictError,
    DecodeError,
    FileTokenStore,
    Installation,
    InstallationErrorCode,
    InstallationStatus,
    Introspection,
    InvalidArgumentError,
    NotFoundError,
    OAuthCredentials,
    OAuthTokens,
    PermissionDeniedError,
    PleoError,
    RateLimitError,
    ReauthenticationRequiredError,
    ServerError,
    TokenStore,
    authorization_url,
    code_challenge,
    exchange_code,
    new_code_verifier,
)
from pleo_installations.testing import Consent, MockServer, OAuthClientInfo, RecordedRequest

ERRORS: List[Type[PleoError]] = [
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DecodeError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ReauthenticationRequiredError,
    ServerError,
]


class FileLikeStore:
    """A TokenStore in memory."""

    def __init__(self) -> None:
        self.tokens: Optional[OAuthTokens] = None
        self._mutex = threading.Lock()

    def load(self) -> Optional[OAuthTokens]:
        return self.tokens

    @contextlib.contextmanager
    def lock(self, wait: float) -> Iterator[None]:
        if not self._mutex.acquire(timeout=wait):
            raise TimeoutError("busy")
        try:
            yield
        finally:
            self._mutex.release()

    def compare_and_swap(self, expected_refresh_token: str, tokens: OAuthTokens) -> bool:
        if self.tokens is not None and self.tokens.refresh_token != expected_refresh_token:
            return False
        self.tokens = tokens
        return True


def api_key_calls(server: MockServer) -> None:
    with Client(base_url=server.url, api_key=server.api_key, timeout=10.0, connect_timeout=2, max_retries=1) as client:
        server.push_fault(status=503, retry_after="0", operation="createClientInstallation")
        created: Installation = client.create_installation(InstallationStatus.AUTHORIZED, {"k": "v"})
        journal: List[RecordedRequest] = server.journal()
        assert journal[0].header("user-agent") is not None
        updated = client.update_installation("PENDING_INTEGRATION", error_code=InstallationErrorCode.AUTH_ERROR)
        when: datetime = updated.updated_at
        assert when >= created.created_at
        assert client.activate_installation().status is InstallationStatus.ACTIVATED
        waited = client.wait_for_status([InstallationStatus.ACTIVATED], timeout=5.0)
        assert waited.id == created.id
        introspection: Introspection = client.introspect()
        assert introspection.auth_method is AuthMethod.API_KEY
        assert client.call_json("getClientInstallation", "{}").startswith("{")
        company = uuid.UUID((introspection.subject_urn or "").rsplit(":", 1)[-1])
        assert client.get_installation(company) == client.get_installation()
        client.delete_installation()
        try:
            client.get_installation()
        except PleoError as error:
            assert type(error) in ERRORS and error.status == 404 and error.request_id
        server.seed_installation("AUTHORIZED")
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            assert client.complete_installation().status == "ACTIVATED"


def oauth_calls(server: MockServer) -> None:
    oauth: OAuthClientInfo = server.oauth_client
    request: AuthorizationRequest = authorization_url(oauth.client_id, oauth.redirect_uri, base_url=server.url)
    consent: Consent = server.consent(request.url)
    tokens: OAuthTokens = exchange_code(
        oauth.client_id,
        oauth.client_secret,
        consent.code,
        request.code_verifier,
        oauth.redirect_uri,
        base_url=server.url,
    )
    assert code_challenge(new_code_verifier())
    seen: List[OAuthTokens] = []
    store: TokenStore = FileLikeStore()
    credentials = OAuthCredentials.from_tokens(oauth.client_id, oauth.client_secret, tokens)
    with Client(base_url=server.url, oauth=credentials, on_tokens_refreshed=seen.append, token_store=store) as client:
        client.refresh_tokens()
        assert client.introspect().auth_method is AuthMethod.OAUTH2
    assert seen and seen[0].expires_at is not None
    assert seen[0].expires_at < datetime.now(timezone.utc) + timedelta(days=1)
    access, refresh = server.issue_tokens()
    again = OAuthCredentials(oauth.client_id, oauth.client_secret, access, refresh, expires_in=3600)
    with tempfile.TemporaryDirectory() as directory:
        file_store = FileTokenStore(os.path.join(directory, "tokens.json"))
        with Client(base_url=server.url, oauth=again, token_store=file_store) as client:
            server.expire_access_tokens()
            client.introspect()
        saved = file_store.load()
        assert saved is not None and saved.refresh_token != refresh
    assert server.oauth_stats().refreshes == 2 and server.oauth_stats().token_requests >= 3


def main() -> None:
    logging.getLogger("pleo_installations").setLevel(logging.WARNING)
    with MockServer() as server:
        api_key_calls(server)
        server.reset()
        oauth_calls(server)
        server.advance_clock(1.0)
        server.clear_faults()
        server.clear_journal()
        assert server.pending_faults() == 0 and server.installation() is None
    print(f"pleo_installations {pleo_installations.__version__}: the whole API ran")


if __name__ == "__main__":
    main()
