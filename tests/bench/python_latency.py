"""Median latency of the Python SDK's get_installation next to requests.Session doing the
same request, against one emulator, in one run (`make bench-python`).

The emulator runs in its own process pinned to one core, this process on another.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from typing import Callable, Dict, List

import requests

from pleo_installations import Client

SERVE = """
import os, sys
core = int(sys.argv[1])
if core >= 0:
    os.sched_setaffinity(0, {core})
from pleo_installations.testing import MockServer
server = MockServer()
server.seed_installation("ACTIVATED")
print(server.url, server.api_key, flush=True)
sys.stdin.read()
"""


def pin(core: int) -> int:
    """Pins this process to ``core`` when the machine has it; returns the core or -1."""
    if core < 0 or not hasattr(os, "sched_setaffinity") or core >= (os.cpu_count() or 1) or (os.cpu_count() or 1) < 2:
        return -1
    os.sched_setaffinity(0, {core})
    return core


def measure(call: Callable[[], object], count: int) -> List[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - started) / 1000)
    return samples


def percentile(samples: List[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server-core", type=int, default=0)
    parser.add_argument("--client-core", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--out")
    args = parser.parse_args()

    cores = os.cpu_count() or 1
    server_core = args.server_core if cores > 1 else -1
    emulator = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(server_core)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert emulator.stdout is not None
        url, api_key = emulator.stdout.readline().split()
        client_core = pin(args.client_core)
        sdk = Client(base_url=url, api_key=api_key)
        def with_requests(trust_env: bool) -> Callable[[], object]:
            session = requests.Session()
            session.auth = (api_key, "")
            session.trust_env = trust_env  # False skips the proxy and netrc look-ups per request

            def call() -> object:
                response = session.get(url + "/v1/installations/me", timeout=30)
                response.raise_for_status()
                return response.json()

            return call

        clients: Dict[str, Callable[[], object]] = {
            "requests.Session + .json()": with_requests(True),
            "requests.Session(trust_env=False) + .json()": with_requests(False),
            "SDK get_installation (dataclass)": sdk.get_installation,
            "SDK call_json (str)": lambda: sdk.call_json("getClientInstallation", "{}"),
        }
        samples: Dict[str, List[float]] = {name: [] for name in clients}
        for call in clients.values():
            measure(call, args.warmup)
        for _ in range(args.rounds):  # interleaved, so that drift hits every client alike
            for name, call in clients.items():
                samples[name] += measure(call, args.calls)
    finally:
        assert emulator.stdin is not None
        emulator.stdin.close()
        emulator.wait(10)

    baseline = statistics.median(samples["requests.Session + .json()"])
    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
        platform.machine(),
    )
    pinned = (
        f"emulator pinned to core {server_core}, client to core {client_core}"
        if client_core >= 0
        else "not pinned (one core, or no sched_setaffinity)"
    )
    lines = [
        "# Python latency: `get_installation` vs `requests.Session`",
        "",
        f"Machine: {cores} cores, {cpu}; Python {platform.python_version()}; {pinned}.",
        f"Run: {datetime.now(timezone.utc):%Y-%m-%dT%H:%MZ}, `make bench-python` (release build of the binding).",
        "",
        "GET /v1/installations/me against the emulator (its own process), keep-alive, API key;",
        f"{args.rounds} interleaved rounds x {args.calls} calls per client after {args.warmup} warm-up calls.",
        "",
        "| client | median (µs) | p90 (µs) | p99 (µs) | median vs requests |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, values in samples.items():
        median = statistics.median(values)
        lines.append(
            f"| {name} | {median:.1f} | {percentile(values, 0.9):.1f} | "
            f"{percentile(values, 0.99):.1f} | {median / baseline:.2f}x |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w") as out:
            out.write(text)


if __name__ == "__main__":
    main()
