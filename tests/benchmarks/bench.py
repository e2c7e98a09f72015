"""``make bench``: Touchbase at real size, each figure beside a bare baseline.

Builds (once) a 100,000-contact, 1,000,000-touch database with ``touchbase demo``, then
measures start-up to the first page of contacts against a bare PySide6 window, search-as-you-
type latency against bare sqlite3 FTS queries, peak memory, and the exports against a bare
sqlite3 + csv.writer loop. Figures are printed, never
asserted: targets are in the table so a person can judge them.
"""

from __future__ import annotations

import compileall
import importlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bench-data"
CONTACTS = int(os.environ.get("BENCH_CONTACTS", "100000"))
TOUCHES_PER_CONTACT = float(os.environ.get("BENCH_TOUCHES_PER_CONTACT", "10"))
RUNS = 9
TYPED = ("smith", "anna", "bakery", "555", "wholesale", "maria gar")


def build(path: Path) -> None:
    if path.exists():
        print(f"using existing {path} ({path.stat().st_size / 2**20:,.0f} MiB)")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"building {path}: {CONTACTS:,} contacts, ~{TOUCHES_PER_CONTACT:g} touches each …")
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop_app",
            "--db",
            str(path),
            "demo",
            "--contacts",
            str(CONTACTS),
            "--touches-per-contact",
            str(TOUCHES_PER_CONTACT),
        ],
        check=True,
    )
    print(f"built in {time.perf_counter() - started:,.1f} s")


def upgrade(path: Path) -> None:
    """Bring a database built by an older Touchbase to the current schema before timing: a
    migration happens once, not at every start. Its safety copy is dropped (the benchmark
    database can always be built again)."""
    from db.engine import open_database

    with open_database(path) as database:
        if database.backup_path is not None:
            print(f"upgraded {path.name} to the current schema")
            database.backup_path.unlink()


@dataclass
class Startup:
    """One kind of start, over RUNS processes: medians, and the highest peak memory."""

    wall: float
    inner: float
    peak_kib: int
    phases: dict[str, float]


def compile_bytecode() -> None:
    """Compile Touchbase's modules once, as Python does on a person's first start.

    An environment with PYTHONDONTWRITEBYTECODE (common in containers and CI) never caches
    bytecode, so every start would recompile every module; that is not a start a person sees.
    """
    for package in ("db", "desktop_app"):
        compileall.compile_dir(ROOT / package, quiet=1)


def startups(kinds: dict[str, list[str]]) -> dict[str, Startup]:
    """Start each kind of window RUNS times, taking turns, so that a busy moment on the machine
    falls on all of them alike."""
    runs: dict[str, list[list[str]]] = {name: [] for name in kinds}
    walls: dict[str, list[float]] = {name: [] for name in kinds}
    for _ in range(RUNS):
        for name, args in kinds.items():
            started = time.perf_counter()
            out = subprocess.run(
                [sys.executable, str(Path(__file__).with_name("_startup.py")), *args],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            walls[name].append(time.perf_counter() - started)
            runs[name].append(out)
    results = {}
    for name, outs in runs.items():
        phases: dict[str, list[float]] = {}
        for out in outs:
            for item in out[2:]:
                phase, seconds = item.split("=")
                phases.setdefault(phase, []).append(float(seconds))
        # A moment inside the process, seen from outside: add the interpreter's own start.
        for out, wall in zip(outs, walls[name], strict=True):
            start = wall - float(out[0])
            for item in out[2:]:
                phase, seconds = item.split("=")
                if phase in ("first_paint", "first_page"):
                    phases.setdefault(f"{phase}_wall", []).append(start + float(seconds))
        results[name] = Startup(
            wall=statistics.median(walls[name]),
            inner=statistics.median(float(out[0]) for out in outs),
            peak_kib=max(int(out[1]) for out in outs),
            phases={phase: statistics.median(values) for phase, values in phases.items()},
        )
    return results


def keystrokes(path: Path) -> tuple[list[float], list[float], list[float]]:
    """Per keystroke: the contacts list answering (the first page of ids, and the cells of the
    rows a window shows) vs bare FTS; and the exact match count, which the app runs in the
    background while the list is already shown."""
    from db import contacts
    from db.contacts import ContactQuery
    from db.engine import open_database
    from desktop_app.app import create_application
    from desktop_app.contacts.table_model import Column, ContactTableModel
    from desktop_app.tasks import ThreadRunner

    create_application()
    ours, bare, counts = [], [], []
    raw = sqlite3.connect(path)
    runner = ThreadRunner()
    with open_database(path) as database:
        model = ContactTableModel(database, runner=runner)
        for word in TYPED:
            for end in range(1, len(word) + 1):
                typed = word[:end]
                started = time.perf_counter()
                model.set_query(ContactQuery(text=typed))
                for row in range(min(30, model.rowCount())):  # what a window shows
                    model.index(row, Column.NAME).data()
                ours.append((time.perf_counter() - started) * 1000)
                runner.wait()
                started = time.perf_counter()
                contacts.count_contacts(database, ContactQuery(text=typed))
                counts.append((time.perf_counter() - started) * 1000)
                match = " ".join(f'"{t}"*' for t in typed.split())
                started = time.perf_counter()
                raw.execute(
                    "SELECT rowid FROM contact_fts WHERE contact_fts MATCH ? LIMIT 200", (match,)
                ).fetchall()
                bare.append((time.perf_counter() - started) * 1000)
            model.set_query(ContactQuery())
            runner.wait()
    raw.close()
    return ours, bare, counts


def scripted_run(path: Path) -> dict[str, Any]:
    """The scripted run of real use (``scripted.py``) in its own process, on a copy of the
    database (the run empties a trash and remaps the journey model)."""
    copy = DATA / "scripted-run.sqlite"
    drop_copy(copy)  # what an interrupted run left
    shutil.copyfile(path, copy)
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("scripted.py")), str(copy), "5000", "10000"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    drop_copy(copy)
    figures: dict[str, Any] = json.loads(out[-1])
    return figures


def drop_copy(copy: Path) -> None:
    """A benchmark's copy of the database, with the backups the app took of it while it ran
    (before emptying the trash, before changing the journey model: half a gigabyte each at
    100,000 contacts, which would pile up run after run)."""
    from db import backups

    for info in backups.list_backups(copy, backups.folder_for_file(copy), count=False):
        info.path.unlink(missing_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)


def print_scripted(figures: dict[str, Any]) -> None:
    """The scripted run: the worst event-loop stall of each action, keystrokes and memory."""
    stalls: dict[str, float] = figures["stalls"]
    keys: list[float] = figures["keystrokes"]
    print()
    print("Scripted run on the real window (5 ms stall probe; target: no stall over 50 ms)")
    busy: dict[str, float] = figures.get("stall_busy", {})
    print(f"  {'action':<44}{'worst stall':>12}{'GUI thread busy in it':>24}")
    for action, stall in stalls.items():
        mark = "  over 50 ms" if stall > 50 else ""
        print(f"  {action:<44}{stall:>9.0f} ms{busy.get(action, 0.0):>21.0f} ms{mark}")
    worst = max(stalls, key=lambda a: stalls[a])
    over = sum(1 for stall in stalls.values() if stall > 50)
    print(f"  worst: {stalls[worst]:,.0f} ms ({worst}); {over} of {len(stalls)} actions over 50 ms")
    print(
        f"  search keystroke to painted rows: median {statistics.median(keys):.1f} ms, "
        f"p90 {statistics.quantiles(keys, n=10)[-1]:.1f} ms (target ≤ 5 / ≤ 10 ms)"
    )
    print(
        f"  memory through the run: highest {max(figures['rss_mib']):,.0f} MiB resident, "
        f"peak {figures['peak_mib']:,.0f} MiB (target < 200 MiB)\n"
        f"  beside it, Reports' helper processes: highest {max(figures['helpers_mib']):,.0f} MiB "
        "resident (they exit after ten idle minutes)"
    )
    print()


def _today_figures(path: Path) -> list[float]:
    """The Today list's timings, where the follow-ups benchmark is part of this tree."""
    try:
        module = importlib.import_module("bench_today")  # beside this script
    except ModuleNotFoundError:
        return []
    return list(module.measure_today(path))


def _reports_figures(path: Path) -> dict[str, dict[str, float | str]]:
    """Opening Reports cold, warm and warm after a change, where that benchmark is part of
    this tree."""
    try:
        module = importlib.import_module("bench_reports")  # beside this script
    except ModuleNotFoundError:
        return {}
    # On a copy: the third way logs a touch, and the benchmark's database stays as built.
    copy = DATA / "reports-run.sqlite"
    drop_copy(copy)  # what an interrupted run left
    shutil.copyfile(path, copy)
    try:
        return dict(module.measure_all(copy))
    finally:
        drop_copy(copy)


def _export_figures(path: Path) -> None:
    """The exports beside a bare sqlite3 + csv.writer loop (``bench_export``, beside this
    script)."""
    module = importlib.import_module("bench_export")
    print()
    print(f"{'exports (median of 3)':<31}{'Touchbase':>10}{'bare':>11}{'speed':>8}")
    module.print_figures(module.measure_export(path))


def _import_figures() -> Any:
    """Importing a 100,000-row CSV file, beside csv.reader + executemany into a bare table."""
    try:
        module = importlib.import_module("bench_import")  # beside this script
    except ModuleNotFoundError:
        return None
    return module.measure_import()


def main() -> None:
    path = DATA / f"bench-{CONTACTS}.sqlite"
    build(path)
    upgrade(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)

    compile_bytecode()
    started = startups(
        {
            "bare": ["bare"],
            "floor": ["floor"],
            "app": ["app", str(path)],
            "phases": ["phases", str(path)],
        }
    )
    bare_start, floor_start, app_start = started["bare"], started["floor"], started["app"]
    ours, bare, counts = keystrokes(path)
    today = _today_figures(path)
    reports = _reports_figures(path)
    imported = _import_figures()
    scripted = scripted_run(path)

    def row(what: str, value: str, baseline: str, ratio: str, target: str) -> None:
        print(f"{what:<34}{value:>12}{baseline:>12}{ratio:>9}   {target}")

    print()
    print(f"Touchbase benchmark: {CONTACTS:,} contacts ({path.name}), median of {RUNS} runs")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (a busy machine slows all)")
    row("", "Touchbase", "baseline", "ratio", "target")
    first_paint = app_start.phases["first_paint_wall"]
    first_page = app_start.phases["first_page_wall"]
    row(
        "first paint (frame with sidebar)",
        f"{first_paint * 1000:,.0f} ms",
        f"{bare_start.wall * 1000:,.0f} ms",
        f"{first_paint / bare_start.wall:.2f}x",
        "≤ 2x a bare PySide6 window",
    )
    row(
        "first page of contacts, interactive",
        f"{first_page * 1000:,.0f} ms",
        f"{floor_start.wall * 1000:,.0f} ms",
        f"{first_page / floor_start.wall:.2f}x",
        "≤ 1.5x bare window + SQLAlchemy",
    )
    row(
        "  bare window + SQLAlchemy import",
        f"{floor_start.wall * 1000:,.0f} ms",
        f"{bare_start.wall * 1000:,.0f} ms",
        f"{floor_start.wall / bare_start.wall:.2f}x",
        "the least a SQLAlchemy app pays",
    )
    print("  phases, called one by one:")
    for name, seconds in started["phases"].phases.items():
        row(f"    {name}", f"{seconds * 1000:,.0f} ms", "", "", "")
    row(
        "search keystroke, median",
        f"{statistics.median(ours):.2f} ms",
        f"{statistics.median(bare):.2f} ms",
        f"{statistics.median(ours) / statistics.median(bare):.1f}x",
        "≤ 5 ms",
    )
    row(
        "search keystroke, 90th percentile",
        f"{statistics.quantiles(ours, n=10)[-1]:.2f} ms",
        f"{statistics.quantiles(bare, n=10)[-1]:.2f} ms",
        "",
        "≤ 10 ms",
    )
    row("search keystroke, worst", f"{max(ours):.2f} ms", f"{max(bare):.2f} ms", "", "")
    row(
        "match count (background), median",
        f"{statistics.median(counts):.2f} ms",
        "",
        "",
        "status line only",
    )
    if today:
        row(
            "Today list, median",
            f"{statistics.median(today):.2f} ms",
            "",
            "",
            "< 50 ms",
        )
    if imported is not None:
        row(
            f"import {imported.rows:,} CSV rows, previewed",
            f"{imported.ours:,.2f} s",
            f"{imported.baseline:,.2f} s",
            f"{imported.ours / imported.baseline:.1f}x",
            "< 5 s",
        )
        row(
            "  processor time",
            f"{imported.ours_cpu:,.2f} s",
            f"{imported.baseline_cpu:,.2f} s",
            f"{imported.ours_cpu / imported.baseline_cpu:.1f}x",
            "",
        )
        row(
            "  its preview (reads, writes nothing)",
            f"{imported.preview:,.2f} s",
            "",
            "",
            "",
        )
        row(
            "  in one step (touchbase import)",
            f"{imported.one_step:,.2f} s",
            f"{imported.baseline:,.2f} s",
            f"{imported.one_step / imported.baseline:.1f}x",
            "< 5 s",
        )
        row(
            "    processor time, helper's included",
            f"{imported.one_step_cpu:,.2f} s",
            "",
            "",
            "",
        )
    for mode, label in (
        ("cold", "right after the first page"),
        ("warm", "after a few seconds idle"),
        ("changed", "warm, after a change"),
    ):
        if mode not in reports:
            continue
        figures = reports[mode]
        row(
            f"Reports open {mode}: longest stall",
            f"{figures['stall_ms']:.0f} ms",
            "",
            "",
            "≤ 50 ms",
        )
        row(
            "  GUI thread busy in that stall",
            f"{figures['stall_gui_cpu_ms']:.0f} ms",
            "",
            "",
            f"(the rest is the machine: load {figures['load']})",
        )
        if "idle_stall_ms" in figures:
            row(
                "  stall while idle before it",
                f"{figures['idle_stall_ms']:.0f} ms",
                "",
                "",
                "helpers starting, reading ahead",
            )
        row("  first chart drawn", f"{figures.get('first_chart_ms', 0):,.0f} ms", "", "", label)
        row(
            "  last chart drawn", f"{figures.get('last_chart_ms', 0):,.0f} ms", "", "", "≤ 1,000 ms"
        )
    print_scripted(scripted)
    row(
        "peak resident memory",
        f"{app_start.peak_kib / 1024:,.0f} MiB",
        f"{bare_start.peak_kib / 1024:,.0f} MiB",
        f"{app_start.peak_kib / bare_start.peak_kib:.2f}x",
        "< 200 MiB",
    )
    _export_figures(path)


if __name__ == "__main__":
    main()
