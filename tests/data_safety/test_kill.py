"""Kill a writing Touchbase (SIGKILL) at random moments, many times: the database always passes
SQLite's integrity check, and every change the process said it committed is there.

The moment is chosen from the process's own progress lines, never by sleeping, so the test
neither waits longer than it must nor depends on the machine's speed.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EDIT_RUNS = 12
DEMO_RUNS = 6
DEMO_CONTACTS = 150
IMPORT_RUNS = 6
IMPORT_ROWS = 4000

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def _start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.data_safety.writer", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _kill_after(process: subprocess.Popen[str], wanted: int, prefix: str) -> list[str]:
    """Read lines until ``wanted`` lines start with ``prefix`` (or the process ends), then
    SIGKILL it at once. Returns every line read."""
    assert process.stdout is not None
    seen: list[str] = []
    count = 0
    for line in process.stdout:
        seen.append(line.strip())
        if line.startswith(prefix):
            count += 1
            if count >= wanted:
                break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    seen.extend(line.strip() for line in process.stdout)  # what was buffered before the kill
    assert process.stderr is not None
    errors = process.stderr.read()
    process.stdout.close()
    process.stderr.close()
    # 0: it finished before the kill (a demo asked to be killed after its last line).
    if process.returncode not in (-signal.SIGKILL, 0):
        pytest.fail(f"the writer failed by itself: {errors}")
    return seen


def _healthy(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)  # recovers the -wal, as the next Touchbase would
    assert [r[0] for r in conn.execute("PRAGMA integrity_check")] == ["ok"]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    return conn


def test_killing_a_stream_of_edits_never_loses_a_committed_one(tmp_path: Path) -> None:
    rng = random.Random(12)
    path = tmp_path / "edits.sqlite"
    kept = 0
    for run in range(EDIT_RUNS):
        # One file for every run: each process opens what the last one left when killed.
        wanted = rng.randint(1, 25)
        lines = _kill_after(_start("edits", str(path), str(run)), wanted, "committed")
        committed = [int(line.split()[1]) for line in lines if line.startswith("committed")]
        assert committed, "the writer was killed after it said it committed something"
        last = max(committed)
        with closing(_healthy(path)) as conn:
            rows = conn.execute(
                "SELECT name, notes, (SELECT count(*) FROM touch WHERE contact_id = contact.id)"
                " FROM contact WHERE name LIKE ?",
                (f"Run {run} edit %",),
            ).fetchall()
            total = conn.execute("SELECT count(*) FROM contact").fetchone()[0]
        found = {int(name.rsplit(" ", 1)[1]): (notes, touched) for name, notes, touched in rows}
        # Every change it said it committed is there, whole ...
        for n in range(1, last + 1):
            assert n in found, f"run {run}: committed contact {n} is missing"
            notes, touched = found[n]
            if n % 2 == 0:
                assert touched == 1, f"run {run}: the touch of contact {n} is missing"
            if n % 3 == 0:
                assert notes == "edited", f"run {run}: the edit of contact {n} is missing"
        # ... and at most the one in flight when it died came with them.
        assert set(found) <= set(range(1, last + 2))
        # Nothing from earlier runs went missing either.
        assert total >= kept + last
        kept = total


def test_killing_demo_generation_leaves_all_of_it_or_none(tmp_path: Path) -> None:
    rng = random.Random(7)
    for run in range(DEMO_RUNS):
        path = tmp_path / f"demo-{run}.sqlite"
        # 51 progress lines in all (0 and every 2%): kill somewhere along the way, sometimes
        # only after the commit.
        wanted = rng.randint(1, 52)
        lines = _kill_after(_start("demo", str(path), str(DEMO_CONTACTS)), wanted, "progress")
        if "open" not in lines:
            continue  # killed before the database was made: nothing to check
        with closing(_healthy(path)) as conn:
            count = conn.execute("SELECT count(*) FROM contact").fetchone()[0]
            touches = conn.execute("SELECT count(*) FROM touch").fetchone()[0]
        if "done" in lines:
            assert count == DEMO_CONTACTS
        assert count in (0, DEMO_CONTACTS), "sample data is added whole or not at all"
        assert (touches == 0) == (count == 0)


def test_killing_an_import_leaves_all_of_it_or_none(tmp_path: Path) -> None:
    rng = random.Random(3)
    source = tmp_path / "customers.csv"
    lines = ["Name,E-mail,Phone,Company"]
    lines += [
        f"Imported {n:05d},imported{n}@example.com,+1 555 02{n:05d},Harbour Bakery"
        for n in range(IMPORT_ROWS)
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "import.sqlite"
    # Contacts already there, as in a real database (so a backup is taken first, too).
    seeded = _kill_after(_start("edits", str(path), "seed"), 3, "committed")
    before = max(int(x.split()[1]) for x in seeded if x.startswith("committed"))
    for _run in range(IMPORT_RUNS):
        wanted = rng.randint(1, 12)
        out = _kill_after(_start("import", str(path), str(source)), wanted, "progress")
        with closing(_healthy(path)) as conn:
            imported = conn.execute(
                "SELECT count(*) FROM contact WHERE name LIKE 'Imported %'"
            ).fetchone()[0]
            total = conn.execute("SELECT count(*) FROM contact").fetchone()[0]
            tagged = conn.execute(
                "SELECT count(*) FROM contact_tag JOIN tag ON tag.id = contact_tag.tag_id"
                " WHERE tag.name = 'kill-test'"
            ).fetchone()[0]
        if "done" in out:
            assert imported == IMPORT_ROWS
        assert imported in (0, IMPORT_ROWS), "an import is applied whole or not at all"
        assert total in (before, before + 1, before + IMPORT_ROWS, before + IMPORT_ROWS + 1)
        assert tagged >= imported
        if imported:
            break  # a finished import: later runs would only skip its rows as duplicates
