"""The Python row of `make soak`: one client makes SOAK_CALLS (100 000) get_installation
calls against the emulator at PLEO_BASE_URL with PLEO_API_KEY, and prints one JSON line with
the wall time and the resident memory (VmRSS) after a warm-up of SOAK_WARMUP (1 000) calls
and at the end, each measured after a full garbage collection. tests/soak/run.sh runs it."""

from __future__ import annotations

import gc
import json
import os
import time

from pleo_installations import Client


def rss_kib() -> int:
    """This process's resident memory in KiB (VmRSS of /proc/self/status)."""
    gc.collect()
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    calls = int(os.environ.get("SOAK_CALLS", "100000"))
    warmup = int(os.environ.get("SOAK_WARMUP", "1000"))
    with Client(base_url=os.environ["PLEO_BASE_URL"], api_key=os.environ["PLEO_API_KEY"]) as client:
        for _ in range(warmup):
            client.get_installation()
        rss_start = rss_kib()
        started = time.monotonic()
        for _ in range(calls):
            client.get_installation()
        seconds = time.monotonic() - started
        rss_end = rss_kib()
    row = {
        "binding": "Python",
        "calls": calls,
        "seconds": round(seconds, 2),
        "rss_start_kib": rss_start,
        "rss_end_kib": rss_end,
    }
    print(json.dumps(row))


if __name__ == "__main__":
    main()
