"""OAuth: the code flow with PKCE, refreshes with the hook, token stores written in Python."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import multiprocessing
import os
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, List, Optional, Tuple, Type

import pytest

from pleo_installations import (
    APITimeoutError,
    AuthMethod,
    Client,
    FileTokenStore,
    InvalidArgumentError,
    OAuthCredentials,
    OAuthTokens,
    PleoError,
    authorization_url,
    code_challenge,
    exchange_code,
    new_code_verifier,
)
from pleo_installations.testing import MockServer


def credentials(server: MockServer, expires_in: Optional[int] = 3600) -> OAuthCredentials:
    oauth = server.oauth_client
    access, refresh = server.issue_tokens()
    return OAuthCredentials(
        client_id=oauth.client_id,
        client_secret=oauth.client_secret,
        access_token=access,
        refresh_token=refresh,
        expires_in=expires_in,
    )


def test_pkce_helpers() -> None:
    verifier = new_code_verifier()
    assert 43 <= len(verifier) <= 128 and verifier != new_code_verifier()
    digest = hashlib.sha256(verifier.encode()).digest()
    assert code_challenge(verifier) == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    with pytest.raises(InvalidArgumentError, match="verifier"):
        code_challenge("too short")
    with pytest.raises(TypeError, match="code_verifier"):
        code_challenge(None)  # type: ignore[arg-type]


def test_authorization_url_defaults_to_production() -> None:
    request = authorization_url("client-1", "https://app.example/callback", scopes=["export:read"], state="s1")
    assert request.url.startswith("https://auth.pleo.io/oauth/authorize?")
    assert "code_challenge_method=S256" in request.url and "state=s1" in request.url
    assert request.state == "s1" and request.code_verifier not in repr(request)
    with pytest.raises(InvalidArgumentError, match="at most one"):
        authorization_url("c", "https://a/cb", environment="staging", base_url="https://x")
    with pytest.raises(TypeError, match="scopes"):
        authorization_url("c", "https://a/cb", scopes=5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="state"):
        authorization_url("c", "https://a/cb", state=1)  # type: ignore[arg-type]


def test_code_flow(server: MockServer) -> None:
    oauth = server.oauth_client
    request = authorization_url(oauth.client_id, oauth.redirect_uri, scopes=["export:read"], base_url=server.url)
    consent = server.consent(request.url)
    assert consent.state == request.state
    tokens = exchange_code(
        oauth.client_id,
        oauth.client_secret,
        consent.code,
        request.code_verifier,
        oauth.redirect_uri,
        token_url=server.token_url,
    )
    assert tokens.expires_at is not None and tokens.expires_at > datetime.now(timezone.utc)
    client_credentials = OAuthCredentials.from_tokens(oauth.client_id, oauth.client_secret, tokens)
    with Client(base_url=server.url, oauth=client_credentials) as client:
        introspection = client.introspect()
    assert introspection.auth_method is AuthMethod.OAUTH2 and introspection.scope == "export:read"
    with pytest.raises(PleoError) as caught:  # codes are single use
        exchange_code(
            oauth.client_id,
            oauth.client_secret,
            consent.code,
            request.code_verifier,
            oauth.redirect_uri,
            token_url=server.token_url,
        )
    assert caught.value.kind == "reauthentication_required"


def test_refresh_calls_the_hook(server: MockServer) -> None:
    seen: List[OAuthTokens] = []
    start = credentials(server)
    with Client(base_url=server.url, oauth=start, on_tokens_refreshed=seen.append) as client:
        client.introspect()
        assert seen == []
        server.expire_access_tokens()
        assert client.introspect().auth_method is AuthMethod.OAUTH2  # 401, refresh, replay
        client.refresh_tokens()
    assert len(seen) == 2 and server.oauth_stats().refreshes == 2
    assert seen[0].refresh_token != start.refresh_token
    assert seen[1].refresh_token != seen[0].refresh_token
    assert seen[1].expires_at is not None and seen[1].expires_at.tzinfo is not None


def test_a_failing_hook_fails_the_call_with_its_exception_as_cause(server: MockServer) -> None:
    raised: List[BaseException] = []

    def hook(tokens: OAuthTokens) -> None:
        error = OSError("disk full")
        raised.append(error)
        raise error

    with Client(base_url=server.url, oauth=credentials(server), on_tokens_refreshed=hook) as client:
        with pytest.raises(PleoError) as caught:
            client.refresh_tokens()
    assert caught.value.kind == "internal"
    assert caught.value.__cause__ is raised[0]


def test_the_text_of_a_hooks_error_stays_out_of_the_sdk_error(server: MockServer) -> None:
    def hook(tokens: OAuthTokens) -> None:
        raise KeyError("rt_secret")  # what a hook's error may quote: a token

    with Client(base_url=server.url, oauth=credentials(server), on_tokens_refreshed=hook) as client:
        with pytest.raises(PleoError) as caught:
            client.refresh_tokens()
    error = caught.value
    assert "rt_secret" not in str(error) and "rt_secret" not in repr(error)
    assert isinstance(error.__cause__, KeyError) and error.__cause__.args == ("rt_secret",)


#: Exceptions that are not errors of the call: they must leave the SDK as they were raised.
BASE_EXCEPTIONS: List[Type[BaseException]] = [SystemExit, KeyboardInterrupt]


@pytest.mark.parametrize("raised", BASE_EXCEPTIONS)
def test_a_base_exception_from_the_hook_passes_through(server: MockServer, raised: Type[BaseException]) -> None:
    exception = raised()
    seen: List[OAuthTokens] = []

    def hook(tokens: OAuthTokens) -> None:
        seen.append(tokens)
        if len(seen) == 1:
            raise exception

    with Client(base_url=server.url, oauth=credentials(server), on_tokens_refreshed=hook) as client:
        with pytest.raises(raised) as caught:
            client.refresh_tokens()
        assert caught.value is exception
        assert client.introspect().auth_method is AuthMethod.OAUTH2  # still usable
    assert len(seen) == 2 and seen[1] == seen[0]  # the tokens handed to it again


class MemoryStore:
    """A token store in memory, for one process: what a Redis or SQL store would do."""

    def __init__(self, tokens: Optional[OAuthTokens] = None) -> None:
        self.tokens = tokens
        self.mutex = threading.Lock()
        self.swaps: List[Tuple[str, OAuthTokens]] = []

    def load(self) -> Optional[OAuthTokens]:
        return self.tokens

    @contextlib.contextmanager
    def lock(self, wait: float) -> Iterator[None]:
        if not self.mutex.acquire(timeout=wait):
            raise TimeoutError("store busy")
        try:
            yield
        finally:
            self.mutex.release()

    def compare_and_swap(self, expected_refresh_token: str, tokens: OAuthTokens) -> bool:
        if self.tokens is not None and self.tokens.refresh_token != expected_refresh_token:
            return False
        self.swaps.append((expected_refresh_token, tokens))
        self.tokens = tokens
        return True


def test_a_python_token_store_keeps_the_refreshed_tokens(server: MockServer) -> None:
    start = credentials(server)
    store = MemoryStore()
    with Client(base_url=server.url, oauth=start, token_store=store) as client:
        client.refresh_tokens()
        assert client.introspect().auth_method is AuthMethod.OAUTH2
    assert store.tokens is not None and store.tokens.refresh_token != start.refresh_token
    assert store.swaps[-1][0] == start.refresh_token
    assert not store.mutex.locked()


def test_tokens_another_process_stored_are_used_instead_of_refreshing(server: MockServer) -> None:
    due = credentials(server, expires_in=0)
    access, refresh = server.issue_tokens()
    in_an_hour = datetime.now(timezone.utc) + timedelta(hours=1)
    store = MemoryStore(OAuthTokens(access_token=access, refresh_token=refresh, expires_at=in_an_hour))
    with Client(base_url=server.url, oauth=due, token_store=store) as client:
        client.introspect()
    assert server.journal()[-1].header("authorization") == f"Bearer {access}"
    assert server.oauth_stats().refreshes == 0 and store.swaps == []


def test_store_errors_keep_their_cause(server: MockServer) -> None:
    class GoesDown(MemoryStore):
        down = False

        def compare_and_swap(self, expected_refresh_token: str, tokens: OAuthTokens) -> bool:
            if self.down:
                raise ConnectionRefusedError("redis is down")
            return super().compare_and_swap(expected_refresh_token, tokens)

    store = GoesDown()
    with Client(base_url=server.url, oauth=credentials(server), token_store=store) as client:
        store.down = True  # after the client seeded it
        with pytest.raises(PleoError) as caught:
            client.refresh_tokens()
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)
    assert "redis is down" not in str(caught.value)  # a store's error text may quote a token


@pytest.mark.parametrize("raised", BASE_EXCEPTIONS)
@pytest.mark.parametrize("method", ["load", "lock", "compare_and_swap"])
def test_a_base_exception_from_a_store_passes_through(
    server: MockServer, method: str, raised: Type[BaseException]
) -> None:
    exception = raised()

    def raising(*args: object) -> None:
        raise exception

    store = MemoryStore()
    with Client(base_url=server.url, oauth=credentials(server), token_store=store) as client:
        setattr(store, method, raising)  # after the client seeded it
        with pytest.raises(raised) as caught:
            client.refresh_tokens()
        assert caught.value is exception
        assert not store.mutex.locked()
        delattr(store, method)
        client.refresh_tokens()  # still usable


def test_the_hook_and_a_store_run_on_the_calling_thread(server: MockServer) -> None:
    # As a store on sqlite3 (whose connections refuse other threads) or thread-local state needs.
    threads: List[Tuple[str, int]] = []

    class Recording(MemoryStore):
        def load(self) -> Optional[OAuthTokens]:
            threads.append(("load", threading.get_ident()))
            return super().load()

        def compare_and_swap(self, expected_refresh_token: str, tokens: OAuthTokens) -> bool:
            threads.append(("compare_and_swap", threading.get_ident()))
            return super().compare_and_swap(expected_refresh_token, tokens)

    def hook(tokens: OAuthTokens) -> None:
        threads.append(("hook", threading.get_ident()))

    def refresh_on(client: Client) -> None:
        threads.clear()
        client.refresh_tokens()

    with Client(
        base_url=server.url, oauth=credentials(server), on_tokens_refreshed=hook, token_store=Recording()
    ) as client:
        refresh_on(client)  # from the main thread, whose calls run on a worker (Ctrl-C)
        assert {name for name, _ in threads} == {"load", "compare_and_swap", "hook"}
        assert {ident for _, ident in threads} == {threading.main_thread().ident}
        other = threading.Thread(target=refresh_on, args=(client,))
        other.start()
        other.join()
        assert len(threads) == 3 and {ident for _, ident in threads} == {other.ident}


def test_a_busy_store_lock_is_a_timeout(server: MockServer) -> None:
    store = MemoryStore()
    with Client(base_url=server.url, oauth=credentials(server), token_store=store, total_timeout=0.3) as client:
        with store.mutex:
            with pytest.raises(APITimeoutError):
                client.refresh_tokens()


def test_token_store_type_is_checked(server: MockServer) -> None:
    with pytest.raises(TypeError, match="token_store"):
        Client(base_url=server.url, oauth=credentials(server), token_store=object())  # type: ignore[arg-type]


_shared: Optional[Client] = None


def _introspect_in_child(_: int) -> str:
    assert _shared is not None
    return str(_shared.introspect().auth_method)


@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
def test_a_file_store_shared_by_processes_refreshes_once(server: MockServer, tmp_path: Path) -> None:
    global _shared
    store = FileTokenStore(tmp_path / "tokens.json")
    start = credentials(server)
    with Client(base_url=server.url, oauth=start, token_store=store) as client:
        stored = store.load()  # the client seeded the empty store
        assert stored is not None and stored.refresh_token == start.refresh_token
        assert oct((tmp_path / "tokens.json").stat().st_mode & 0o777) == "0o600"
        server.expire_access_tokens()
        _shared = client
        try:
            with multiprocessing.get_context("fork").Pool(3) as pool:
                assert pool.map(_introspect_in_child, range(6)) == ["OAUTH2"] * 6
        finally:
            _shared = None
        assert client.introspect().auth_method is AuthMethod.OAUTH2  # adopts what a child stored
    assert server.oauth_stats().refreshes == 1
    refreshed = store.load()
    assert refreshed is not None and refreshed.refresh_token != start.refresh_token


def test_file_store_save_and_load(tmp_path: Path) -> None:
    store = FileTokenStore(str(tmp_path / "t.json"))
    assert store.load() is None and store.path.endswith("t.json")
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    store.save(OAuthTokens(access_token="a", refresh_token="r", expires_at=when))
    assert store.load() == OAuthTokens(access_token="a", refresh_token="r", expires_at=when)
    (tmp_path / "t.json").write_text("not json")
    with pytest.raises(PleoError, match="not valid") as caught:
        store.load()
    assert caught.value.kind == "internal"
    with pytest.raises(TypeError, match="path"):
        FileTokenStore(42)  # type: ignore[arg-type]


def test_file_store_io_errors_are_sdk_errors_with_their_cause(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "missing-directory" / "t.json")
    with pytest.raises(PleoError) as caught:
        store.save(OAuthTokens(access_token="a", refresh_token="r"))
    assert caught.value.kind == "internal"
    assert isinstance(caught.value.__cause__, FileNotFoundError)
    (tmp_path / "a-directory.json").mkdir()
    with pytest.raises(PleoError, match="is not a regular file"):
        FileTokenStore(tmp_path / "a-directory.json").load()


def test_other_threads_run_while_the_client_waits_for_the_store_lock(server: MockServer, tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "tokens.json")
    built: List[object] = []
    # The store refuses a lock file others could write: make it as the store would (0600).
    descriptor = os.open(tmp_path / "tokens.json.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # as another process holding the store's lock

        def build() -> None:
            try:
                with Client(base_url=server.url, oauth=credentials(server), token_store=store, total_timeout=3):
                    built.append("built")
            except PleoError as e:
                built.append(e)

        builder = threading.Thread(target=build)
        builder.start()
        # Holding the GIL while waiting for the lock, the build would keep this thread from
        # waking up and releasing the lock until it timed out.
        time.sleep(0.3)
        assert builder.is_alive() and not built
        fcntl.flock(lock_file, fcntl.LOCK_UN)
    builder.join()
    assert built == ["built"]


def test_a_store_failing_while_seeded_fails_the_construction_with_its_cause(server: MockServer) -> None:
    class Unreachable(MemoryStore):
        def load(self) -> Optional[OAuthTokens]:
            raise ConnectionRefusedError("redis is down")

        def compare_and_swap(self, expected_refresh_token: str, tokens: OAuthTokens) -> bool:
            raise ConnectionRefusedError("redis is down")

    with pytest.raises(PleoError) as caught:
        Client(base_url=server.url, oauth=credentials(server), token_store=Unreachable())
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)
