"""get_installation (GET /v1/installations/me with the API key, keep-alive) against the
emulator at PLEO_BASE_URL: latency with one caller, throughput with several, for the
Python SDK (one Client shared by every thread), the standard library's ``http.client`` (one
keep-alive ``HTTPConnection`` per thread: the fastest pure-Python client), requests (one
Session per thread, since a Session is not documented as thread-safe) and httpx (one Client
shared by every thread, as its documentation allows). Callers are threads.

`make bench-python` runs it through tests/bench/run.sh, which starts the emulator and sets
the plan (BENCH_*, described in core/benches/get_installation/plan.rs). Prints one JSON
line of raw results per client for tests/bench/report.py, and notes on the clients.
"""

from __future__ import annotations

import base64
import http.client
import json
import platform
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass
from importlib.metadata import version
from typing import Callable, Dict, List

import httpx
import requests
from plan import read_plan

from pleo_installations import Client

Call = Callable[[], object]


@dataclass
class Contender:
    name: str
    client: str
    role: str
    new_caller: Callable[[], Call]


def latencies(contenders: List[Contender], env: Dict[str, int]) -> List[List[float]]:
    """Each contender's per-call latencies (µs), one caller, the clients taking turns."""
    callers = [contender.new_caller() for contender in contenders]
    for call in callers:
        for _ in range(env["BENCH_WARMUP_CALLS"]):
            call()
    samples: List[List[float]] = [[] for _ in contenders]
    for _ in range(env["BENCH_ROUNDS"]):
        for call, values in zip(callers, samples):
            for _ in range(env["BENCH_ROUND_CALLS"]):
                start = time.perf_counter_ns()
                call()
                values.append((time.perf_counter_ns() - start) / 1e3)
    return samples


def throughput(contender: Contender, callers: int, warmup_s: float, window_s: float) -> float:
    """Calls per second of `callers` threads, counting the calls that end in the window."""
    counted = time.perf_counter() + warmup_s
    end = counted + window_s
    counts = [0] * callers

    def caller(index: int) -> None:
        call = contender.new_caller()
        while True:
            call()
            now = time.perf_counter()
            if now >= end:
                return
            if now >= counted:
                counts[index] += 1

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / window_s


def main() -> None:
    plan = read_plan()
    url, key, endpoint, env, counts = plan.url, plan.key, plan.endpoint, plan.env, plan.counts
    warmup_s, window_s = plan.warmup_s, plan.window_s

    sdk = Client(base_url=url, api_key=key)

    def requests_caller() -> Call:
        session = requests.Session()
        session.auth = (key, "")

        def call() -> object:
            response = session.get(endpoint, headers={"accept": "application/json"}, timeout=30)
            response.raise_for_status()
            return response.json()

        return call

    shared_httpx = httpx.Client(auth=(key, ""), timeout=30)

    def httpx_call() -> object:
        response = shared_httpx.get(endpoint, headers={"accept": "application/json"})
        response.raise_for_status()
        return response.json()

    address = urllib.parse.urlsplit(url)
    basic = {
        "authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode(),
        "accept": "application/json",
    }

    def http_client_caller() -> Call:
        connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=30)

        def call() -> object:
            connection.request("GET", "/v1/installations/me", headers=basic)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
            return json.loads(body)

        return call

    contenders = [
        Contender("SDK", "SDK `get_installation` (dataclass)", "sdk", lambda: sdk.get_installation),
        Contender("http.client", "`http.client.HTTPConnection` + `json.loads`", "reference", http_client_caller),
        Contender("requests", "`requests.Session` + `.json()`", "reference", requests_caller),
        Contender("httpx", "`httpx.Client` + `.json()`", "reference", lambda: httpx_call),
    ]
    samples = latencies(contenders, env)
    runs: List[Dict[str, List[float]]] = [{} for _ in contenders]
    for count in counts:
        for _ in range(env["BENCH_REPS"]):
            for contender, per_count in zip(contenders, runs):
                value = throughput(contender, count, warmup_s, window_s)
                per_count.setdefault(str(count), []).append(value)
    for contender, values, per_count in zip(contenders, samples, runs):
        row = {"client": contender.client, "name": contender.name, "role": contender.role}
        print(json.dumps({**row, "latency_us": values, "throughput": per_count}))
    print(
        f"- Python {platform.python_version()}, release build of the binding; callers are threads."
        "\n- SDK: one `Client` shared by every thread; the GIL is released during the call."
        f"\n- A second `Client(...)` takes {construction(url, key):.1f} µs (median of 200; no CA store"
        " is read for an `http://` URL, nor for `https://` before the first call)."
        "\n- http.client: one keep-alive `HTTPConnection` per thread, the body parsed with"
        " `json.loads`."
        f"\n- requests {version('requests')}: one `Session` per thread (a Session is not documented"
        " as thread-safe), with its defaults (`trust_env` on: proxy and netrc look-ups per call)."
        f"\n- httpx {version('httpx')}: one `Client` shared by every thread, with its default pool"
        " (at most 100 connections, 20 of them kept alive when idle: with 64 callers, some calls"
        " open a new connection)."
    )


def construction(url: str, key: str) -> float:
    """The median time, in µs, to construct one more client (the first one already built)."""
    times = []
    for _ in range(200):
        start = time.perf_counter_ns()
        Client(base_url=url, api_key=key).close()
        times.append((time.perf_counter_ns() - start) / 1e3)
    return statistics.median(times)


if __name__ == "__main__":
    main()
