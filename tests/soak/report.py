"""The table of `make soak`'s memory soak: reads the JSON lines the soak programs print
(binding, calls, seconds, rss_start_kib, rss_end_kib), writes tests/soak/results.md with the
machine line given, prints it, and exits 1 when a binding's resident memory grew by more
than the bound between the end of its warm-up and its last call.

Usage: report.py BOUND_MIB OUT MACHINE_LINE < rows"""

from __future__ import annotations

import json
import sys
import time


def main() -> int:
    bound_mib, out, machine = float(sys.argv[1]), sys.argv[2], sys.argv[3]
    rows = [json.loads(line) for line in sys.stdin if line.strip()]
    lines = [
        "# Soak: `get_installation` calls, one client per binding",
        "",
        machine,
        f"Run: {time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())}, `make soak`; release builds; "
        "the emulator (`pleo-installations mock`) in its own process. RSS is VmRSS after a "
        "1 000-call warm-up and after the last call (Python and Node: after a full garbage "
        f"collection). A binding fails when it grew by more than {bound_mib:g} MiB: a leak "
        f"of {bound_mib * 1024 * 1024 / 100_000:.0f} bytes per call would.",
        "",
        "| binding | calls | wall time | calls/s | RSS start | RSS end | growth | per call | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    failed = []
    for row in rows:
        growth_kib = row["rss_end_kib"] - row["rss_start_kib"]
        ok = growth_kib <= bound_mib * 1024
        if not ok:
            failed.append(row["binding"])
        lines.append(
            f"| {row['binding']} | {row['calls']:,} | {row['seconds']:.1f} s "
            f"| {row['calls'] / row['seconds']:,.0f} "
            f"| {row['rss_start_kib'] / 1024:.1f} MiB | {row['rss_end_kib'] / 1024:.1f} MiB "
            f"| {growth_kib:+,} KiB | {growth_kib * 1024 / row['calls']:+.1f} B "
            f"| {'ok' if ok else 'FAIL'} |"
        )
    text = "\n".join(lines) + "\n"
    with open(out, "w") as f:
        f.write(text)
    print(text)
    if failed:
        print(f"soak: resident memory grew by more than {bound_mib:g} MiB: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
