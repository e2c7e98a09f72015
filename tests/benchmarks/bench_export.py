"""Exports at size, each beside a bare ``sqlite3`` + ``csv.writer`` loop over the same rows in
the same run. Target: the touch log at 80% or more of the bare loop's speed.

The bare loops read the same rows in the same order with the same query plan (the touch log's
"+" sort), writing the raw values; what they leave out is exactly what an export adds: labels,
local times, neutralised text, and the path through SQLAlchemy.

``python tests/benchmarks/bench_export.py DATABASE`` prints the figures for an existing
database (``make bench`` builds one and calls ``measure_export``).
"""

from __future__ import annotations

import csv
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

RUNS = 3

BARE_TOUCHES = """
SELECT contact.id, contact.name, touch.medium, touch.direction, touch.occurred_at, stage.label,
       touch.summary, touch.notes, touch.outcome
FROM touch JOIN contact ON contact.id = touch.contact_id
LEFT OUTER JOIN stage ON stage.id = touch.stage_id
WHERE contact.deleted_at IS NULL
ORDER BY +touch.occurred_at, touch.id
"""

BARE_CONTACTS = """
SELECT c.id, c.name, c.company, c.title,
       (SELECT group_concat(e.address || ' ' || e.label, ';') FROM contact_email e
        WHERE e.contact_id = c.id),
       (SELECT group_concat(p.number || ' ' || p.label, ';') FROM contact_phone p
        WHERE p.contact_id = c.id),
       c.street, c.city, c.region, c.postal_code, c.country, c.notes,
       (SELECT group_concat(t.name, ', ') FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id
        WHERE ct.contact_id = c.id),
       s.label, c.referred_by_id, c.centre_of_influence, c.do_not_contact, c.has_need,
       c.has_budget, c.has_urgency, c.is_decision_maker, c.purchase_interval_days,
       c.satisfaction, c.last_touch_at, c.next_followup_on, c.purchase_count, c.lifetime_value
FROM contact LEFT OUTER JOIN stage s ON s.id = c.stage_id
WHERE c.deleted_at IS NULL ORDER BY c.name, c.id
""".replace("FROM contact LEFT", "FROM contact c LEFT")


@dataclass(frozen=True)
class Figure:
    what: str
    rows: int
    ours: float
    bare: float | None


def _bare(path: Path, sql: str, out: Path) -> int:
    with sqlite3.connect(path) as raw, out.open("w", encoding="utf-8", newline="") as f:
        f.write("\ufeff")  # the byte-order mark, as the export writes it
        writer = csv.writer(f)
        cursor = raw.execute(sql)
        writer.writerow([d[0] for d in cursor.description])
        count = 0
        for row in cursor:
            writer.writerow(row)
            count += 1
    return count


def _timed(run: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    rows = run()
    return time.perf_counter() - started, rows


def measure_export(path: Path) -> list[Figure]:
    """Median seconds of RUNS exports of each kind, taking turns with the bare loop so that a
    busy moment on the machine falls on both alike (after one warm-up of SQLite's cache)."""
    from db.engine import open_database
    from db.export import ExportOptions, load_reports, write_csv
    from db.vcard import write_vcards

    reports = load_reports()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder, open_database(path) as database:
        out = Path(folder) / "out.csv"

        def ours(name: str) -> Callable[[], int]:
            return lambda: write_csv(
                reports[name].build(database, ExportOptions()), out, database_path=database.path
            )

        for name, sql in (("touches", BARE_TOUCHES), ("contacts", BARE_CONTACTS)):
            _bare(path, sql, out)  # warm-up
            mine: list[float] = []
            bare: list[float] = []
            rows = 0
            for _ in range(RUNS):
                seconds, rows = _timed(ours(name))
                mine.append(seconds)
                bare.append(_timed(lambda sql=sql: _bare(path, sql, out))[0])  # type: ignore[misc]
            figures.append(Figure(name, rows, statistics.median(mine), statistics.median(bare)))
        vcf = Path(folder) / "out.vcf"
        seconds, rows = _timed(lambda: write_vcards(database, vcf, database_path=database.path))
        figures.append(Figure("contacts as vCard", rows, seconds, None))
    return figures


def print_figures(figures: list[Figure]) -> None:
    for f in figures:
        speed = f"{f.rows / f.ours:,.0f} rows/s"
        if f.bare is None:
            print(f"export {f.what:<24}{f.ours:>8.2f} s {'':>10}{'':>9}   {speed}")
            continue
        ratio = f.bare / f.ours  # our speed as a share of the bare loop's
        target = "≥ 80% of bare speed" if f.what == "touches" else ""
        print(
            f"export {f.what:<24}{f.ours:>8.2f} s{f.bare:>9.2f} s{ratio:>8.0%}   "
            f"{f.rows:,} rows, {speed}  {target}"
        )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: bench_export.py DATABASE", file=sys.stderr)
        return 2
    print(f"{'':<31}{'Touchbase':>10}{'bare':>11}{'speed':>8}")
    print_figures(measure_export(Path(argv[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
