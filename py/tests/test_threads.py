"""One client shared by many threads, with the GIL free while a call waits on the network."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import List

from pleo_installations import Client
from pleo_installations.testing import MockServer


def test_a_slow_call_does_not_stall_python_threads(client: Client, server: MockServer) -> None:
    server.push_fault(delay=1.0, operation="introspect")
    done = threading.Event()

    def slow() -> None:
        client.introspect()
        done.set()

    caller = threading.Thread(target=slow)
    caller.start()
    time.sleep(0.1)  # the call is now waiting on the emulator
    ticks = 0
    started = time.monotonic()
    while time.monotonic() - started < 0.5:
        ticks += 1
    assert not done.is_set(), "the delayed call returned early"
    # Holding the GIL for the whole call would leave this thread (almost) no ticks.
    assert ticks > 10_000, ticks
    # Another call on the same client goes through while the slow one is pending.
    quick_started = time.monotonic()
    assert client.introspect().auth_method == "API_KEY"
    assert time.monotonic() - quick_started < 0.5
    assert not done.is_set()
    caller.join(5)
    assert done.is_set()


THREADS = 16
CALLS = 1000


def test_sixteen_threads_make_a_thousand_calls_each_on_one_client(client: Client, server: MockServer) -> None:
    client.create_installation()

    def work(_: int) -> List[str]:
        return [client.get_installation().status for _ in range(CALLS)]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))
    # Any failed call would have raised out of pool.map.
    assert results == [["ACTIVATED"] * CALLS] * THREADS
    # The journal keeps its last 10 000 entries: every one is one of these calls.
    journal = server.journal()
    assert len(journal) == 10_000
    assert {entry.operation for entry in journal} == {"getClientInstallation"}
