"""Renders one language's benchmark as markdown: reads, on stdin, the lines a benchmark
program printed (tests/bench/run.sh runs the floor, then the language's program) and
writes the table, with the statistics computed here for every language alike.

A line that starts with `{` is one client's raw results:
  {"client": row name, "name": short name, "role": "sdk" | "reference" | "floor",
   "latency_us": [per-call latency, 1 caller, ...],
   "throughput": {"<callers>": [calls/s of each run, ...], ...}}
Any other line is markdown (notes on the clients), kept in order under the table.
The plan (how many calls, callers, runs) is read from the BENCH_* variables run.sh sets.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
from datetime import datetime, timezone
from typing import Any, Dict, List


def p99(values: List[float]) -> float:
    """The nearest-rank 99th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


def micros(value: float) -> str:
    return f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"


def summary(row: Dict[str, Any], callers: List[str]) -> List[float]:
    """Median and p99 latency, then the median throughput at each caller count."""
    latency = row["latency_us"]
    return [statistics.median(latency), p99(latency)] + [
        statistics.median(row["throughput"][count]) for count in callers
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--title", required=True)
    parser.add_argument("--machine", required=True, help="the line that describes the machine")
    parser.add_argument("--command", required=True, help="the command that produced the results")
    args = parser.parse_args()
    env = os.environ
    callers = env["BENCH_CALLERS"].split()

    rows: List[Dict[str, Any]] = []
    notes: List[str] = []
    for line in sys.stdin:
        if line.startswith("{"):
            rows.append(json.loads(line))
        else:
            notes.append(line.rstrip("\n"))
    floor = next(row for row in rows if row["role"] == "floor")
    sdk = next(row for row in rows if row["role"] == "sdk")
    # The floor last, the SDK first, the references between in the order they came.
    rows.sort(key=lambda row: {"sdk": 0, "reference": 1, "floor": 2}[row["role"]])
    figures = {row["name"]: summary(row, callers) for row in rows}
    base = figures[floor["name"]]

    calls = int(env["BENCH_ROUNDS"]) * int(env["BENCH_ROUND_CALLS"])
    out = [
        f"# {args.title}",
        "",
        args.machine,
        "",
        f"Run: {datetime.now(timezone.utc):%Y-%m-%dT%H:%MZ}, `{args.command}`.",
        "",
        "- `get_installation` is GET /v1/installations/me with the emulator's API key, over keep-alive.",
        f"- Latency: one caller; {calls:,} sequential calls per client ({env['BENCH_ROUNDS']} "
        f"rounds of {env['BENCH_ROUND_CALLS']}, the clients taking turns round by round) after "
        f"{env['BENCH_WARMUP_CALLS']} warm-up calls; median and p99 of the per-call latencies.",
        "- Throughput: calls completed per second by N concurrent callers (how they share a "
        f"client: see the notes), counted over {int(env['BENCH_WINDOW_MS']) / 1000:g} s after "
        f"{int(env['BENCH_WARMUP_MS']) / 1000:g} s of warm-up; {env['BENCH_REPS']} runs per "
        "cell, the clients taking turns; the median run.",
        "- The floor is a Rust program on `std::net::TcpStream`: one HTTP/1.1 connection per "
        "caller, the request's bytes built once, the status line, headers and `Content-Length` "
        "body read, nothing parsed (core/benches/get_installation/floor.rs). It ran in its own "
        "process against the same emulator process, just before the other clients.",
        "- In brackets: the ratio to the floor (for latency, how many times slower; for "
        "throughput, the share of the floor's calls/s).",
        "",
        "| client | median latency, µs | p99 latency, µs | "
        + " | ".join(f"calls/s, {count} caller{'s' if count != '1' else ''}" for count in callers)
        + " |",
        "|---" + "|---:" * (2 + len(callers)) + "|",
    ]
    for row in rows:
        values = figures[row["name"]]
        cells = [micros(v) for v in values[:2]] + [f"{v:,.0f}" for v in values[2:]]
        if row is not floor:
            cells = [f"{cell} ({v / b:.2f}×)" for cell, v, b in zip(cells, values, base)]
        out.append(f"| {row['client']} | " + " | ".join(cells) + " |")
    for row in rows:
        if row["role"] == "reference":
            ratios = [s / r for s, r in zip(figures[sdk["name"]], figures[row["name"]])]
            cells = " | ".join(f"*{r:.2f}×*" for r in ratios)
            out.append(f"| *SDK ÷ {row['name']}* | {cells} |")
    out += [
        "",
        "The emulator serves every connection from one thread (a single-threaded tokio runtime) "
        "on its own core, and all callers share the other core: with 8 and 64 callers the "
        "floor's calls/s is the ceiling of this set-up (the emulator's one thread, or the "
        "client's one core), not of the floor client.",
    ]
    if notes:
        out += [""] + notes
    print("\n".join(out))


if __name__ == "__main__":
    main()
