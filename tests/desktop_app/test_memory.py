"""Memory a long write freed goes back to the system (``desktop_app.memory``)."""

from __future__ import annotations

import ctypes
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from db.engine import Database
from desktop_app import memory
from desktop_app.ops import EVERYTHING, OpsBus
from desktop_app.tasks import Progress
from tests.desktop_app.conftest import HeldRunner


def _resident_mib() -> float:
    pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    return pages * 4096 / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's heap")
def test_freed_heap_pages_are_returned_to_the_system() -> None:
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    # 160 MiB in small blocks (the heap, not mmap), then one block above them all, so freeing
    # them leaves a hole glibc keeps for itself rather than trimming the heap's top.
    blocks = [libc.malloc(512) for _ in range(320_000)]
    for block in blocks:
        ctypes.memset(block, 1, 512)
    pin = libc.malloc(512)
    for block in blocks:
        libc.free(block)
    kept = _resident_mib()
    assert memory.give_back()
    returned = kept - _resident_mib()
    libc.free(pin)
    assert returned > 100


_THREADS_ALLOCATING = """
import ctypes, sys, threading
from desktop_app import memory
if sys.argv[1] == "limited":
    assert memory.limit_heaps()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
together = threading.Barrier(6)
def work():
    together.wait()
    blocks = [libc.malloc(4096) for _ in range(200)]
    together.wait()
threads = [threading.Thread(target=work) for _ in range(6)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
libc.malloc_stats()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's heaps")
def test_the_apps_threads_share_two_heaps() -> None:
    def heaps(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", _THREADS_ALLOCATING, mode],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        # malloc_stats writes one "Arena N:" block per heap to standard error.
        return sum(1 for line in done.stderr.splitlines() if line.startswith("Arena "))

    assert heaps("free") > memory.HEAPS  # without the limit, six busy threads take more
    assert heaps("limited") == memory.HEAPS


def test_the_app_limits_the_heaps_before_it_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app import app  # noqa: PLC0415

    asked: list[str] = []

    def limit_heaps() -> bool:
        asked.append("limit")
        return True

    monkeypatch.setattr(memory, "limit_heaps", limit_heaps)
    app.create_application()
    assert asked == ["limit"]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What happened, in order: "given back" each time memory is given back."""
    happened: list[str] = []

    def give_back() -> bool:
        happened.append("given back")
        return True

    monkeypatch.setattr(memory, "give_back", give_back)
    return happened


def test_a_long_write_gives_memory_back_when_it_ends_or_fails(
    qtbot: QtBot, database: Database, calls: list[str]
) -> None:
    ops = OpsBus(database)
    parent = QWidget()
    qtbot.addWidget(parent)
    results: list[int] = []
    errors: list[Exception] = []

    def op(_db: Database, _progress: Progress) -> int:
        calls.append("op")
        return 7

    # A view reads again when told of the change; what that read leaves goes back after it.
    ops.changed.connect(lambda _c: ops.read(lambda _db: calls.append("view read"), lambda _r: None))
    ops.run_long(parent, "Working", op, EVERYTHING, on_done=results.append)
    assert calls == ["op", "given back", "view read", "given back"]
    assert results == [7]

    def fails(_db: Database, _progress: Progress) -> int:
        raise OSError(28, "No space left on device")

    calls.clear()
    ops.run_long(parent, "Working", fails, EVERYTHING, on_error=errors.append)
    assert calls == ["given back"]  # nothing changed: no view reads again
    assert len(errors) == 1


def test_after_a_long_write_on_the_runner_memory_goes_back_after_the_views_reads(
    qtbot: QtBot, database: Database, calls: list[str]
) -> None:
    runner = HeldRunner()
    ops = OpsBus(database, runner)
    parent = QWidget()
    qtbot.addWidget(parent)
    ops.changed.connect(lambda _c: ops.read(lambda _db: calls.append("view read"), lambda _r: None))
    ops.run_long(parent, "Working", lambda _db, _p: calls.append("op"), EVERYTHING)
    runner.run()  # the write, then what its end queued
    runner.run()
    assert calls == ["op", "given back", "view read", "given back"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_the_peak_is_this_processs_own_not_the_one_that_started_it() -> None:
    # The parent holds 200 MiB when it starts the child: getrusage's ru_maxrss in the child
    # carries that over exec; the child's own high-water mark does not.
    parent = bytearray(200 * 2**20)
    parent[::4096] = b"x" * len(parent[::4096])
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource; from desktop_app import memory; "
            "print(memory.peak_resident_mib(), "
            "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    del parent
    own, inherited = (float(x) for x in done.stdout.split())
    assert own < 150 < inherited
