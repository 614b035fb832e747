"""What the Ctrl-C worker costs: get_installation's latency from the main thread (whose calls
run on a worker, see src/blocking.rs) and from another thread (which runs them itself),
alternating run by run in one process against the emulator at PLEO_BASE_URL (API key
PLEO_API_KEY, default the emulator's). Prints the medians of the runs' medians (µs) and the
median of the paired differences.

    taskset -c 0 pleo-installations mock --port 8080 &    # or a testing.MockServer
    PLEO_BASE_URL=http://127.0.0.1:8080 taskset -c 1 py/.venv/bin/python py/bench/main_thread.py
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import threading
import time
from typing import List

from pleo_installations import Client, ConflictError

CALLS = int(os.environ.get("BENCH_CALLS", "1000"))
RUNS = int(os.environ.get("BENCH_RUNS", "15"))


def median_latency(client: Client) -> float:
    samples = []
    for _ in range(CALLS):
        start = time.perf_counter_ns()
        client.get_installation()
        samples.append((time.perf_counter_ns() - start) / 1e3)
    return statistics.median(samples)


def on_another_thread(client: Client) -> float:
    result: List[float] = []
    thread = threading.Thread(target=lambda: result.append(median_latency(client)))
    thread.start()
    thread.join()
    return result[0]


def main() -> None:
    client = Client(base_url=os.environ["PLEO_BASE_URL"], api_key=os.environ.get("PLEO_API_KEY", "pleo-mock-api-key"))
    with contextlib.suppress(ConflictError):  # already there
        client.create_installation()
    median_latency(client), on_another_thread(client)  # warm up
    main_runs, other_runs = [], []
    for _ in range(RUNS):
        main_runs.append(median_latency(client))
        other_runs.append(on_another_thread(client))
    differences = [main - other for main, other in zip(main_runs, other_runs)]
    print(
        json.dumps(
            {
                "main_thread_us": round(statistics.median(main_runs), 1),
                "other_thread_us": round(statistics.median(other_runs), 1),
                "main_minus_other_us": round(statistics.median(differences), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
