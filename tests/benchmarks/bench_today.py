"""The Today list at size: the counts of every list and the first page of each, as the Today
page loads them on start, after each change and at midnight. Target: under 50 ms at 100,000
contacts and 1,000,000 touches.

``python tests/benchmarks/bench_today.py DATABASE`` prints the figures for an existing
database (``make bench`` builds one and calls ``measure_today``).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

RUNS = 7
PAGE = 25


def measure_today(path: Path) -> list[float]:
    """Milliseconds for each of a few full loads of the Today lists (after one warm-up)."""
    from db import today
    from db.engine import open_database

    day = datetime.now(UTC).astimezone().date()
    timings: list[float] = []
    with open_database(path) as database:
        for run in range(RUNS + 1):
            started = time.perf_counter()
            today.counts(database, day)
            for section in today.Section:
                today.section_items(database, section, day, limit=PAGE)
            if run:  # the first run warms SQLite's page cache
                timings.append((time.perf_counter() - started) * 1000)
    return timings


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: bench_today.py DATABASE", file=sys.stderr)
        return 2
    path = Path(argv[0])
    from db import today
    from db.engine import open_database

    with open_database(path) as database:
        counts = today.counts(database, datetime.now(UTC).astimezone().date())
    timings = measure_today(path)
    print(
        f"Today list ({', '.join(f'{s.label.lower()} {counts.shown(s)}' for s in today.Section)})"
    )
    print(
        f"  median {statistics.median(timings):.1f} ms, best {min(timings):.1f} ms, "
        f"worst {max(timings):.1f} ms over {len(timings)} runs (target < 50 ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
