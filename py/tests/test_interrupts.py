"""Ctrl-C during a blocking call: KeyboardInterrupt arrives at once, and the client still works.

Each case runs in a child process (a real SIGINT, sent by a timer thread while the main
thread waits in the SDK), which prints what it saw as JSON."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from typing import Any, Dict

import pytest

#: How long the emulator holds the interrupted request.
DELAY = 8.0
#: When the child sends itself SIGINT, after the call started.
SIGNAL_AFTER = 0.4


def python(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Runs ``python -c *args`` with Ctrl-C's default disposition: Python installs its
    ``KeyboardInterrupt`` handler only where SIGINT is not ignored, and a background job of a
    shell without job control (as some CI runners start ``make test``) inherits it ignored."""
    return subprocess.run(
        [sys.executable, "-c", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


CHILD = textwrap.dedent(
    """
    import json, os, signal, sys, threading, time
    from pleo_installations import Client, OAuthCredentials, authorization_url, exchange_code
    from pleo_installations.testing import MockServer

    case, delay, signal_after = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    server = MockServer()
    client = Client(base_url=server.url, api_key=server.api_key, total_timeout=4 * delay)
    server.seed_installation("PENDING_INTEGRATION")
    if case == "get":
        server.push_fault(delay=delay, operation="getClientInstallation")
        call = client.get_installation
    elif case == "wait_for_status":
        call = lambda: client.wait_for_status("ACTIVATED", timeout=delay)
    elif case == "refresh_tokens":
        oauth = server.oauth_client
        access, refresh = server.issue_tokens()
        credentials = OAuthCredentials(client_id=oauth.client_id, client_secret=oauth.client_secret,
                                       access_token=access, refresh_token=refresh, expires_in=3600)
        client = Client(base_url=server.url, oauth=credentials, total_timeout=4 * delay)
        server.push_fault(delay=delay, operation="oauthToken")
        call = client.refresh_tokens
    elif case == "exchange_code":
        oauth = server.oauth_client
        request = authorization_url(oauth.client_id, oauth.redirect_uri, base_url=server.url)
        code = server.consent(request.url).code
        server.push_fault(delay=delay, operation="oauthToken")
        call = lambda: exchange_code(oauth.client_id, oauth.client_secret, code, request.code_verifier,
                                     oauth.redirect_uri, token_url=server.token_url)
    elif case == "store_lock":
        import contextlib
        class SlowStore:
            slow = False
            def load(self): return None
            @contextlib.contextmanager
            def lock(self, wait):
                if self.slow:
                    time.sleep(delay)  # runs on this (the main) thread: Ctrl-C interrupts it
                yield
            def compare_and_swap(self, expected, tokens): return True
        oauth = server.oauth_client
        access, refresh = server.issue_tokens()
        credentials = OAuthCredentials(client_id=oauth.client_id, client_secret=oauth.client_secret,
                                       access_token=access, refresh_token=refresh, expires_in=3600)
        store = SlowStore()
        client = Client(base_url=server.url, oauth=credentials, token_store=store, total_timeout=4 * delay)
        store.slow = True
        call = client.refresh_tokens
    sent = []
    def interrupt():
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)
    threading.Timer(signal_after, interrupt).start()
    started = time.monotonic()
    try:
        call()
        outcome = "returned"
    except KeyboardInterrupt:
        outcome = "interrupted"
    except BaseException as e:
        outcome = type(e).__name__ + ": " + str(e)
    ended = time.monotonic()
    # The same client again (the interrupted request is still held by the emulator).
    if case == "store_lock":
        store.slow = False
    oauth_client = case in ("refresh_tokens", "store_lock")
    status = str(client.introspect().auth_method) if oauth_client else str(client.get_installation().status)
    print(json.dumps({
        "outcome": outcome,
        "after_signal": ended - sent[0] if sent else None,
        "elapsed": ended - started,
        "next_call": status,
        "next_call_took": time.monotonic() - ended,
    }))
    """
)


def run_child(case: str) -> Dict[str, Any]:
    child = python(CHILD, case, str(DELAY), str(SIGNAL_AFTER), timeout=4 * DELAY)
    assert "SystemError" not in child.stderr, child.stderr
    assert child.returncode == 0, child.stderr
    seen: Dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return seen


@pytest.mark.parametrize("case", ["get", "wait_for_status", "refresh_tokens", "exchange_code", "store_lock"])
def test_ctrl_c_interrupts_a_blocking_call_and_the_client_stays_usable(case: str) -> None:
    seen = run_child(case)
    assert seen["outcome"] == "interrupted", seen
    # Within a few hundred milliseconds of the signal, not at the end of the delay.
    assert seen["after_signal"] is not None and seen["after_signal"] < 1.0, seen
    assert seen["next_call"] in ("PENDING_INTEGRATION", "OAUTH2"), seen
    assert seen["next_call_took"] < 1.0, seen


EXIT_CHILD = textwrap.dedent(
    """
    import logging, os, signal, threading, time
    from pleo_installations import Client
    from pleo_installations.testing import MockServer

    logging.basicConfig(level=logging.DEBUG)  # the abandoned call's records need Python

    class SlowExit:
        def __del__(self):
            time.sleep(1.5)  # the interpreter is finalizing when the abandoned call ends

    server = MockServer()
    client = Client(base_url=server.url, api_key=server.api_key, max_retries=0)
    server.push_fault(delay=0.5, operation="introspect")
    threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
    slow_exit = SlowExit()
    try:
        client.introspect()
    except KeyboardInterrupt:
        print("interrupted")
    """
)


def test_a_call_abandoned_to_ctrl_c_may_end_while_the_interpreter_exits() -> None:
    child = python(EXIT_CHILD)
    assert child.stdout.strip() == "interrupted", child.stderr
    assert child.returncode == 0, child.stderr
    assert "panicked" not in child.stderr and "Fatal" not in child.stderr, child.stderr


ABANDONED_CHILD = textwrap.dedent(
    """
    import os, signal, threading, time
    from pleo_installations import Client, OAuthCredentials
    from pleo_installations.testing import MockServer

    server = MockServer()
    oauth = server.oauth_client
    access, refresh = server.issue_tokens()
    credentials = OAuthCredentials(client_id=oauth.client_id, client_secret=oauth.client_secret,
                                   access_token=access, refresh_token=refresh, expires_in=3600)
    hooked = []
    client = Client(base_url=server.url, oauth=credentials,
                    on_tokens_refreshed=lambda tokens: hooked.append(threading.get_ident()))
    server.push_fault(delay=1.0, operation="oauthToken")
    threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
    try:
        client.refresh_tokens()
    except KeyboardInterrupt:
        print("interrupted")
    time.sleep(2.0)  # the refresh ends in the background, and hands over its tokens
    print(len(hooked), hooked[0] != threading.main_thread().ident if hooked else None)
    """
)


def test_the_hook_of_an_abandoned_call_still_gets_the_refreshed_tokens() -> None:
    # Pleo rotates refresh tokens: the ones a refresh got must reach the application even
    # when its call was interrupted (the main thread has moved on: it runs on the worker).
    child = python(ABANDONED_CHILD)
    assert child.returncode == 0, child.stderr
    assert child.stdout.split() == ["interrupted", "1", "True"], child.stdout + child.stderr
