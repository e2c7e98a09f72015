"""Importing a CSV file at size: 100,000 rows of a Google Contacts-like export into an empty
database, beside a bare baseline in the same run (``csv.reader`` and ``executemany`` into one
bare SQLite table, no checks, no indexes, no search index). Target: under 5 s.

Two ways, as people import: the wizard's (a preview reads and checks every row and keeps
them; the import the owner then starts writes them), and the command line's (``touchbase
import FILE``: no preview, the file read and checked by a helper process while the rows are
written).

``python tests/benchmarks/bench_import.py [ROWS]`` prints the figures (``make bench`` calls
``measure_import``).
"""

from __future__ import annotations

import csv
import os
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROWS = 100_000
HEADERS = [
    "First Name",
    "Last Name",
    "Organization Name",
    "Organization Title",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Address 1 - City",
    "Address 1 - Country",
    "Notes",
    "Labels",
]


@dataclass(frozen=True)
class ImportFigures:
    rows: int
    preview: float
    ours: float
    #: Processor time of the import alone: on a busy machine it says what wall time hides.
    #: It includes the helper process that reads a large file (``db.importing.pipeline``).
    ours_cpu: float
    baseline: float
    baseline_cpu: float
    #: The part of ``ours_cpu`` spent in the helper process.
    helper_cpu: float = 0.0
    #: Processor time of the preview: it reads and checks every row, and keeps them for the
    #: import that follows (``db.importing.pipeline.Spool``), which then needs no helper.
    preview_cpu: float = 0.0
    #: The command line's import in one step, with no preview: wall and processor time (the
    #: helper process's included).
    one_step: float = 0.0
    one_step_cpu: float = 0.0


def write_file(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for i in range(rows):
            writer.writerow(
                [
                    f"Given{i}",
                    f"Family{i % 7919}",
                    f"Company {i % 5003}",
                    "Owner" if i % 4 == 0 else "",
                    "* Work",
                    f"person{i}@example.com" + (f" ::: p{i}@home.example" if i % 10 == 0 else ""),
                    "Mobile",
                    f"+1 555 {i // 10000 % 1000:03d} {i % 10000:04d}",
                    "Springfield",
                    "US",
                    "Met at the fair\nlikes rye" if i % 3 == 0 else "",
                    "* myContacts ::: Customers",
                ]
            )


def baseline(path: Path, db_path: Path) -> tuple[float, float]:
    """The least an import can cost: read the file, insert the cells into one bare table."""
    started, cpu = time.perf_counter(), time.process_time()
    connection = sqlite3.connect(db_path)
    connection.execute(f"CREATE TABLE contact ({', '.join(f'c{i}' for i in range(len(HEADERS)))})")
    with path.open(newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        next(reader)
        placeholders = ", ".join("?" * len(HEADERS))
        connection.executemany(f"INSERT INTO contact VALUES ({placeholders})", reader)
    connection.commit()
    connection.close()
    return time.perf_counter() - started, time.process_time() - cpu


def measure_import(rows: int = ROWS) -> ImportFigures:
    from db.engine import open_database
    from db.importing import service

    with tempfile.TemporaryDirectory(prefix="touchbase-bench-import-") as folder:
        path = Path(folder) / "contacts.csv"
        write_file(path, rows)
        bare, bare_cpu = baseline(path, Path(folder) / "bare.sqlite")
        with open_database(Path(folder) / "touchbase.sqlite") as database:
            started, cpu = time.perf_counter(), time.process_time()
            source = service.open_source(path)
            preview = service.preview(database, source)
            previewed, previewed_cpu = time.perf_counter() - started, time.process_time() - cpu
            started, cpu, helper = time.perf_counter(), time.process_time(), _children_cpu()
            summary = service.run_import(database, source, service.ImportOptions(tag="bench"))
            imported, imported_cpu = time.perf_counter() - started, time.process_time() - cpu
            helper = _children_cpu() - helper
        assert summary.created == preview.new == rows, (summary, preview.new)
        with open_database(Path(folder) / "one-step.sqlite") as database:
            started, cpu, helper_before = time.perf_counter(), time.process_time(), _children_cpu()
            summary = service.run_import(
                database, service.open_source(path), service.ImportOptions(tag="bench")
            )
            one_step = time.perf_counter() - started
            one_step_cpu = time.process_time() - cpu + _children_cpu() - helper_before
        assert summary.created == rows, summary
    return ImportFigures(
        rows,
        previewed,
        imported,
        imported_cpu + helper,
        bare,
        bare_cpu,
        helper_cpu=helper,
        preview_cpu=previewed_cpu,
        one_step=one_step,
        one_step_cpu=one_step_cpu,
    )


def _children_cpu() -> float:
    """Processor time of the child processes that have ended (the import's helper is waited
    for before ``run_import`` returns)."""
    times = os.times()
    return times.children_user + times.children_system


if __name__ == "__main__":
    figures = measure_import(int(sys.argv[1]) if len(sys.argv) > 1 else ROWS)
    print(
        f"import {figures.rows:,} CSV rows: {figures.ours:.2f} s, {figures.ours_cpu:.2f} s CPU"
        f" ({figures.helper_cpu:.2f} s of it in the helper process;"
        f" preview {figures.preview:.2f} s, {figures.preview_cpu:.2f} s CPU)"
    )
    print(
        f"in one step, no preview (touchbase import): {figures.one_step:.2f} s,"
        f" {figures.one_step_cpu:.2f} s CPU"
    )
    print(
        f"bare csv.reader + executemany: {figures.baseline:.2f} s, {figures.baseline_cpu:.2f} s CPU"
    )
