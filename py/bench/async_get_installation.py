"""get_installation (GET /v1/installations/me with the API key, keep-alive) against the
emulator at PLEO_BASE_URL through asyncio: latency with one caller, throughput with several,
for the SDK's ``AsyncClient`` and for ``httpx.AsyncClient``, each shared by every caller.
Callers are tasks on one event loop.

`make bench-python` runs it through tests/bench/run.sh, which starts the emulator and sets
the plan (BENCH_*, described in core/benches/get_installation/plan.rs). Prints one JSON
line of raw results per client for tests/bench/report.py, and notes on the clients.
"""

from __future__ import annotations

import asyncio
import json
import platform
import time
from dataclasses import dataclass
from importlib.metadata import version
from typing import Awaitable, Callable, Dict, List

import httpx
from plan import read_plan

from pleo_installations import AsyncClient

Call = Callable[[], Awaitable[object]]


@dataclass
class Contender:
    name: str
    client: str
    role: str
    call: Call


async def latencies(contenders: List[Contender], env: Dict[str, int]) -> List[List[float]]:
    """Each contender's per-call latencies (µs), one caller, the clients taking turns."""
    for contender in contenders:
        for _ in range(env["BENCH_WARMUP_CALLS"]):
            await contender.call()
    samples: List[List[float]] = [[] for _ in contenders]
    for _ in range(env["BENCH_ROUNDS"]):
        for contender, values in zip(contenders, samples):
            for _ in range(env["BENCH_ROUND_CALLS"]):
                start = time.perf_counter_ns()
                await contender.call()
                values.append((time.perf_counter_ns() - start) / 1e3)
    return samples


async def throughput(call: Call, callers: int, warmup_s: float, window_s: float) -> float:
    """Calls per second of `callers` tasks, counting the calls that end in the window."""
    counted = time.perf_counter() + warmup_s
    end = counted + window_s
    calls = 0

    async def caller() -> None:
        nonlocal calls
        while True:
            await call()
            now = time.perf_counter()
            if now >= end:
                return
            if now >= counted:
                calls += 1

    await asyncio.gather(*(caller() for _ in range(callers)))
    return calls / window_s


async def main() -> None:
    plan = read_plan()
    url, key, endpoint, env, counts = plan.url, plan.key, plan.endpoint, plan.env, plan.counts
    warmup_s, window_s = plan.warmup_s, plan.window_s

    sdk = AsyncClient(base_url=url, api_key=key)
    # As many connections as callers, so that no call waits for the pool.
    limits = httpx.Limits(max_connections=max(counts), max_keepalive_connections=max(counts))
    shared_httpx = httpx.AsyncClient(auth=(key, ""), timeout=30, limits=limits)

    async def httpx_call() -> object:
        response = await shared_httpx.get(endpoint, headers={"accept": "application/json"})
        response.raise_for_status()
        return response.json()

    contenders = [
        Contender("SDK", "SDK `AsyncClient.get_installation` (dataclass)", "sdk", sdk.get_installation),
        Contender("httpx", "`httpx.AsyncClient` + `.json()`", "reference", httpx_call),
    ]
    samples = await latencies(contenders, env)
    runs: List[Dict[str, List[float]]] = [{} for _ in contenders]
    for count in counts:
        for _ in range(env["BENCH_REPS"]):
            for contender, per_count in zip(contenders, runs):
                value = await throughput(contender.call, count, warmup_s, window_s)
                per_count.setdefault(str(count), []).append(value)
    for contender, values, per_count in zip(contenders, samples, runs):
        row = {"client": contender.client, "name": contender.name, "role": contender.role}
        print(json.dumps({**row, "latency_us": values, "throughput": per_count}))
    await shared_httpx.aclose()
    await sdk.aclose()
    print(
        f"- Python {platform.python_version()}, release build of the binding; callers are tasks on"
        " one asyncio event loop."
        "\n- SDK: one `AsyncClient` shared by every task; each call is a future on the SDK's runtime"
        " (two threads) whose result the loop receives through `call_soon_threadsafe`."
        f"\n- httpx {version('httpx')}: one `AsyncClient` shared by every task, its pool as large as"
        " the largest number of callers."
    )


if __name__ == "__main__":
    asyncio.run(main())
