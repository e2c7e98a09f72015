"""Opening Reports at size: the longest the event loop is held up, and the time until the last
chart is drawn. Targets: no stall over 50 ms; every chart within 1 second.

A fresh process opens the real window on the database (background runner as in the app),
then starts a 5 ms repeating timer (the stall probe) and switches to Reports, the first time in
the process, as a person would. The longest gap between two ticks of the probe is the longest
the window could not respond. Three ways, each in its own process (``MODES``):

- *cold*: Reports is opened as soon as the window shows its first page of contacts, before the
  app has been idle long enough to start the Reports helpers (``WARM_UP_AFTER_MS``): the
  helper processes start, import matplotlib and read every chart while the person waits;
- *warm*: the app has been idle ``WARM_SETTLE_S`` seconds first, as after a person has looked
  at their contacts for a moment; the helpers started in that time and read the default
  period's charts ahead (the probe runs in that idle time too, from ``IDLE_PROBE_FROM_MS``, and its
  longest stall is printed apart: starting the helpers must not stall the window either);
- *warm, after a change*: as *warm*, but a touch is logged just before Reports is opened, so
  nothing read ahead may be used and every chart is read again (the helpers are started).

``python tests/benchmarks/bench_reports.py DATABASE`` prints the figures for an existing
database (``make bench`` builds one and calls ``measure_reports``); it logs a touch in the
database for the third way, so give it a copy. With ``BENCH_REPORTS_TRACE=1`` each child also
writes to its standard error when each chart came, and for every pause over 30 ms how much
processor time each of the app's threads used in it and how long each waited for a core
(Linux); ``gui_waiting_ms`` is how long the window's thread waited for a core in all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

#: Longest wait for the last chart before giving up.
PATIENCE_S = 120.0
#: How long the app is idle before Reports is opened "warm".
WARM_SETTLE_S = 6.0
#: When the probe starts in the idle time before a warm opening (after the first page).
IDLE_PROBE_FROM_MS = 1000
#: The ways Reports is opened: (key, what it is called in the output).
MODES = (
    ("cold", "cold: opened right after the first page"),
    ("warm", f"warm: opened after {WARM_SETTLE_S:.0f} s idle"),
    ("changed", "warm, just after a touch was logged (nothing read ahead is used)"),
)


def _schedstat(task: Path) -> tuple[float, float]:
    """A thread's processor time so far and its time waiting for a core, in ms (Linux)."""
    on_cpu, waiting = (task / "schedstat").read_text().split()[:2]
    return int(on_cpu) / 1e6, int(waiting) / 1e6


def _threads_cpu() -> dict[str, float]:
    """Each of this process's threads' processor time so far in ms, by name, and its time
    waiting for a core (Linux only; the trace's way of telling which thread ran in a stall)."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    spent: dict[str, float] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            on_cpu, waiting = _schedstat(task)
            comm = (task / "comm").read_text().strip()
        except (OSError, ValueError, IndexError):
            continue
        name = f"{names.get(int(task.name), comm)} ({task.name})"
        spent[name] = on_cpu
        spent[f"{name} waiting for a core"] = waiting
    return spent


def _main_waiting() -> float:
    """How long this process's main thread has waited for a core so far, in ms (Linux)."""
    return _schedstat(Path(f"/proc/self/task/{os.getpid()}"))[1]


def _child(path: Path, mode: str) -> None:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from db import touches
    from db.domain import Direction, Medium
    from db.engine import open_database
    from desktop_app.app import create_application
    from desktop_app.main_window import MainWindow
    from desktop_app.ops import Changes
    from desktop_app.tasks import ThreadRunner

    app = QApplication.instance() or QApplication([])
    create_application()
    runner = ThreadRunner()
    figures: dict[str, float | str] = {}
    with open_database(path) as database:
        window = MainWindow(database, runner)
        window.resize(1366, 768)
        window.show()
        clock = QElapsedTimer()
        gaps: list[float] = []
        #: CPU time the GUI thread itself used during each gap: a long gap in which it used
        #: little was the machine (other processes) or another thread holding the interpreter.
        busy: list[float] = []
        last = [0.0]
        probe = QTimer()
        probe.setInterval(5)

        cpu = [time.thread_time(), time.process_time()]
        tracing = bool(os.environ.get("BENCH_REPORTS_TRACE"))
        threads_cpu: list[dict[str, float]] = [_threads_cpu() if tracing else {}]
        opened_waiting = [0.0]

        def tick() -> None:
            now = clock.nsecsElapsed() / 1e6
            gaps.append(now - last[0])
            thread, process = time.thread_time(), time.process_time()
            busy.append((thread - cpu[0]) * 1000)
            if tracing:
                now_threads = _threads_cpu()
                if now - last[0] > 30:
                    sys.stderr.write(
                        f"stall {now - last[0]:.0f} ms ending at {now:.0f} ms; CPU in it: "
                        f"GUI thread {(thread - cpu[0]) * 1000:.0f} ms, "
                        f"process {(process - cpu[1]) * 1000:.0f} ms\n"
                    )
                    for name, spent in sorted(now_threads.items()):
                        used = spent - threads_cpu[0].get(name, 0.0)
                        if used >= 1:
                            sys.stderr.write(f"    {name}: {used:.0f} ms\n")
                threads_cpu[0] = now_threads
            cpu[:] = [thread, process]
            last[0] = now

        probe.timeout.connect(tick)

        def finish(reason: str) -> None:
            probe.stop()
            longest = max(range(len(gaps)), key=gaps.__getitem__) if gaps else None
            figures["stall_ms"] = gaps[longest] if longest is not None else 0.0
            if tracing:
                figures["gui_waiting_ms"] = _main_waiting() - opened_waiting[0]
            figures["stall_gui_cpu_ms"] = busy[longest] if longest is not None else 0.0
            figures["gui_busy_max_ms"] = max(busy) if busy else 0.0
            figures["load"] = " ".join(f"{v:.1f}" for v in os.getloadavg())
            figures["ticks"] = len(gaps)
            figures["end"] = reason
            app.quit()

        def drawn() -> None:
            figures["last_chart_ms"] = clock.nsecsElapsed() / 1e6
            # Keep probing a moment: work right after the last chart counts too.
            QTimer.singleShot(300, lambda: finish("drawn"))

        def open_reports() -> None:
            if mode == "changed":
                touch = touches.TouchInput(
                    window.contacts_page.model.contact_id(0),
                    Medium.EMAIL,
                    datetime.now(UTC),
                    Direction.OUTBOUND,
                    summary="Opening Reports after a change",
                )
                window.ops.run(
                    lambda db: touches.log_touch(db, touch),
                    Changes(touches=True, contacts=True, followups=True),
                )
            if gaps:  # the idle time before: the helpers started and read ahead in it
                longest = max(range(len(gaps)), key=gaps.__getitem__)
                figures["idle_stall_ms"] = gaps[longest]
                figures["idle_stall_gui_cpu_ms"] = busy[longest]
                gaps.clear()
                busy.clear()
            clock.start()
            if tracing:
                sys.stderr.write(f"opening Reports at {time.perf_counter():.3f} s\n")
                opened_waiting[0] = _main_waiting()
            last[0] = 0.0
            cpu[:] = [time.thread_time(), time.process_time()]
            probe.start()
            started = time.perf_counter()
            window.show_place("reports")
            figures["show_place_ms"] = (time.perf_counter() - started) * 1000
            wait_for_page()

        def wait_for_page() -> None:
            place = window.page_for("reports")
            page: Any = getattr(place, "page", place)
            if page is None:  # still loading its modules
                QTimer.singleShot(5, wait_for_page)
                return
            signal = getattr(page, "charts_drawn", None)
            if signal is None:  # a Reports page without charts: probe for a while
                QTimer.singleShot(3000, lambda: finish("no charts"))
            else:
                page.chart_drawn.connect(first)
                signal.connect(drawn)

        def first(name: str) -> None:
            figures.setdefault("first_chart_ms", clock.nsecsElapsed() / 1e6)
            if tracing:
                sys.stderr.write(f"{name} drawn at {clock.nsecsElapsed() / 1e6:.0f} ms\n")

        def start_idle_probe() -> None:
            last[0] = clock.nsecsElapsed() / 1e6
            cpu[:] = [time.thread_time(), time.process_time()]
            probe.start()

        def when_first_page() -> None:
            if not window.contacts_page.model.rowCount():
                QTimer.singleShot(5, when_first_page)
                return
            figures["first_page_ms"] = clock.nsecsElapsed() / 1e6
            if mode != "cold":
                # Probe the idle time too, from a second after the first page (the window's
                # own start-up work is over; the helpers start later): starting them must not
                # stall the window either.
                QTimer.singleShot(IDLE_PROBE_FROM_MS, start_idle_probe)
            QTimer.singleShot(0 if mode == "cold" else int(WARM_SETTLE_S * 1000), open_reports)
            QTimer.singleShot(int((WARM_SETTLE_S + PATIENCE_S) * 1000), lambda: finish("timed out"))

        clock.start()
        QTimer.singleShot(0, when_first_page)
        app.exec()
        runner.wait()
    sys.stdout.write(json.dumps(figures) + "\n")


def measure_reports(
    path: Path, python: str = sys.executable, mode: str = "warm"
) -> dict[str, float | str]:
    """The figures of one fresh process opening Reports on ``path`` (``mode``: see ``MODES``)."""
    done = subprocess.run(
        [python, __file__, "--child", str(path), mode],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def measure_all(path: Path, python: str = sys.executable) -> dict[str, dict[str, float | str]]:
    """The figures of every way of opening Reports, each in a fresh process."""
    return {mode: measure_reports(path, python, mode) for mode, _label in MODES}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        _child(Path(argv[1]), argv[2] if len(argv) > 2 else "warm")
        return 0
    if len(argv) != 1:
        print("usage: bench_reports.py DATABASE", file=sys.stderr)
        return 2
    print("Opening Reports (first time in the process)")
    for mode, label in MODES:
        figures = measure_reports(Path(argv[0]), mode=mode)
        print(f"  {label}")
        print(
            f"    longest event-loop stall {figures['stall_ms']:.0f} ms (target ≤ 50 ms), the "
            f"GUI thread busy {figures['stall_gui_cpu_ms']:.0f} ms of it; longest GUI-thread "
            f"work between two probe ticks {figures['gui_busy_max_ms']:.0f} ms; show_place "
            f"{figures['show_place_ms']:.0f} ms; load average {figures['load']}"
        )
        if "idle_stall_ms" in figures:
            print(
                f"    before that, while idle (the Reports helpers starting and reading ahead): "
                f"longest stall {figures['idle_stall_ms']:.0f} ms, the GUI thread busy "
                f"{figures['idle_stall_gui_cpu_ms']:.0f} ms of it"
            )
        if "last_chart_ms" in figures:
            print(
                f"    first chart drawn after {figures['first_chart_ms']:,.0f} ms, last after "
                f"{figures['last_chart_ms']:,.0f} ms (target ≤ 1,000 ms)"
            )
        else:
            print(f"    charts: {figures['end']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
