"""The plan every Python benchmark follows, read from the variables tests/bench/run.sh sets
(BENCH_*, described in core/benches/get_installation/plan.rs), and the emulator's address."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Dict, List


@dataclass(frozen=True)
class Plan:
    url: str
    key: str
    endpoint: str
    env: Dict[str, int]
    counts: List[int]
    warmup_s: float
    window_s: float


def read_plan() -> Plan:
    url = os.environ["PLEO_BASE_URL"]
    return Plan(
        url=url,
        key=os.environ["PLEO_API_KEY"],
        endpoint=url + "/v1/installations/me",
        env={
            name: int(os.environ[name])
            for name in ("BENCH_WARMUP_CALLS", "BENCH_ROUNDS", "BENCH_ROUND_CALLS", "BENCH_REPS")
        },
        counts=[int(count) for count in os.environ["BENCH_CALLERS"].split()],
        warmup_s=int(os.environ["BENCH_WARMUP_MS"]) / 1000,
        window_s=int(os.environ["BENCH_WINDOW_MS"]) / 1000,
    )
