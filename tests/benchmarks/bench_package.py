"""``make bench``, second part: the standalone package beside running from source.

When ``make package`` has built dist/touchbase, prints its size on disk and, on the
benchmark database, how long each start takes from launching the process until the main
window is on screen and the event loop first idle (the moment ``touchbase --verbose`` logs
"Touchbase is ready on"), for the built program and for the ``touchbase`` command of this checkout's
environment, measured the same way, taking turns. ``--version`` times the bare start of each
(the interpreter and the command line, no window). Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
BUILT = ROOT / "dist" / "touchbase" / ("touchbase.exe" if sys.platform == "win32" else "touchbase")
SOURCE = Path(sys.executable).with_name("touchbase")
CONTACTS = int(os.environ.get("BENCH_CONTACTS", "100000"))
DATABASE = ROOT / "bench-data" / f"bench-{CONTACTS}.sqlite"
RUNS = 7
READY = "Touchbase is ready on"
TIMEOUT = 300


def folder_size(folder: Path) -> tuple[int, int]:
    """Bytes and files, symbolic links not followed (as an archive would hold them)."""
    total = files = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            files += 1
    return total, files


def version_start(program: Path) -> float:
    started = time.perf_counter()
    subprocess.run([str(program), "--version"], check=True, capture_output=True)
    return time.perf_counter() - started


def window_start(program: Path, database: Path, env: dict[str, str]) -> float:
    """Seconds from launch until the app logs that its window is up and its loop runs."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(program), "--verbose", "--db", str(database)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    with process:
        assert process.stderr is not None
        for line in process.stderr:
            if READY in line:
                elapsed = time.perf_counter() - started
                break
            if time.perf_counter() - started > TIMEOUT:
                raise SystemExit(f"{program} did not open its window in {TIMEOUT} s")
        else:
            raise SystemExit(f"{program} exited before opening its window")
        process.terminate()
        process.wait(timeout=60)
    return elapsed


def _older_than_schema() -> str:
    """Why the built program is too old for this checkout's schema ("" when it is not)."""
    built = BUILT.stat().st_mtime
    migrations = ROOT / "db" / "migrations" / "versions"
    newer = sorted(p.name for p in migrations.glob("*.py") if p.stat().st_mtime > built)
    return f"{BUILT.relative_to(ROOT)} was built before {newer[-1]}" if newer else ""


def main() -> None:
    if not BUILT.exists():
        print("\nstandalone package: none built (make package), nothing to compare")
        return
    if not DATABASE.exists():
        print(f"\nstandalone package: {DATABASE} is missing; run tests/benchmarks/bench.py first")
        return
    stale = _older_than_schema()
    if stale:
        # An older build cannot open the benchmark database at this schema: it would wait
        # on its "newer version" message until each run timed out.
        print(f"\nstandalone package: {stale}; run make package first")
        return
    size, files = folder_size(BUILT.parent)
    with tempfile.TemporaryDirectory() as config:
        # A settings folder of its own: the owner's "start minimised" must not hide the window.
        env = {**os.environ, "TOUCHBASE_CONFIG_DIR": config}
        versions: dict[str, list[float]] = {"built": [], "source": []}
        windows: dict[str, list[float]] = {"built": [], "source": []}
        for _ in range(RUNS):
            for name, program in (("built", BUILT), ("source", SOURCE)):
                versions[name].append(version_start(program))
                windows[name].append(window_start(program, DATABASE, env))

    def row(what: str, built: str, source: str, ratio: str) -> None:
        print(f"{what:<34}{built:>12}{source:>12}{ratio:>9}")

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:,.0f} ms"

    print()
    print(f"Standalone package ({BUILT.parent.relative_to(ROOT)}), median of {RUNS} runs")
    row("", "built", "source", "ratio")
    row("size on disk", f"{size / 2**20:,.0f} MiB", "", f"{files:,} files")
    for what, values in (
        (f"window up, {DATABASE.name}", windows),
        ("touchbase --version", versions),
    ):
        ratio = statistics.median(values["built"]) / statistics.median(values["source"])
        row(what, ms(values["built"]), ms(values["source"]), f"{ratio:.2f}x")


if __name__ == "__main__":
    main()
