"""Child process for the start-up benchmark: open a window, wait for it to show, report.

``bare``: a bare PySide6 window with a 200-row table, the baseline the target is set against.
``floor``: the same window in a process that first imports SQLAlchemy's ORM, the least any
    SQLAlchemy-backed window can cost; it shows how much of the budget the library takes alone.
``app DB``: the real ``touchbase --db DB`` start (the console script's own code path, its
    event loop included), until the main window is shown with the first page of contacts;
    its phases are the moments (since the interpreter started) of the first paint and of
    the first page.
``phases DB``: the same steps called one by one, to time each phase.
Prints ``<seconds since interpreter start> <peak RSS in KiB> <phase>=<seconds> ...``.
"""

from __future__ import annotations

import os
import re
import resource
import sys
import time

START = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
PHASES: dict[str, float] = {}


def _mark(phase: str) -> None:
    PHASES[phase] = time.perf_counter() - START - sum(PHASES.values())


def _peak_kib() -> int:
    """The most this process held resident (Linux's VmHWM). Not ``ru_maxrss``: on Linux that
    carries over the high-water mark of the benchmark that started this process."""
    from pathlib import Path  # only now, after the clock stopped

    status = Path("/proc/self/status").read_text(encoding="ascii")
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _report() -> None:
    elapsed = time.perf_counter() - START
    peak_kib = _peak_kib()
    phases = " ".join(f"{name}={seconds:.4f}" for name, seconds in PHASES.items())
    sys.stdout.write(f"{elapsed:.4f} {peak_kib} {phases}\n")
    sys.stdout.flush()
    os._exit(0)  # skip teardown: it is not part of start-up


def bare() -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableWidget, QTableWidgetItem

    app = QApplication([])
    window = QMainWindow()
    table = QTableWidget(200, 6)
    for row in range(200):
        for column in range(6):
            table.setItem(row, column, QTableWidgetItem(f"cell {row}/{column}"))
    window.setCentralWidget(table)
    window.resize(1280, 800)
    window.show()
    app.processEvents()


def floor() -> None:
    import sqlalchemy.orm  # noqa: F401

    bare()


def app(path: str) -> None:
    """``touchbase --db PATH`` as the console script runs it, event loop and all. A timer
    started with the application notes the first paint (a window of Touchbase's on screen:
    the frame with its sidebar) and reports once the main window shows the first page of
    contacts. Windows are recognised by class name: importing them here would load the
    storage layer before the start being measured."""
    from desktop_app import cli  # noqa: I001
    from desktop_app import app as gui
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def watch() -> None:
        for window in QApplication.topLevelWidgets():
            kind = type(window).__name__
            if not window.isVisible() or kind not in ("StartWindow", "MainWindow"):
                continue
            PHASES.setdefault("first_paint", time.perf_counter() - START)
            page = getattr(window, "contacts_page", None)
            if kind == "MainWindow" and page is not None and page.model.rowCount():
                PHASES["first_page"] = time.perf_counter() - START
                _report()

    create_application = gui.create_application

    def create_and_watch(argv: list[str] | None = None) -> QApplication:
        application = create_application(argv)
        timer = QTimer(application)
        timer.timeout.connect(watch)
        timer.start(2)  # not 0: a busy loop would starve the thread that loads the storage
        return application

    gui.create_application = create_and_watch
    cli.main(["--db", path])
    raise SystemExit("the window closed before it showed the first page")


def phases(path: str) -> None:
    from pathlib import Path

    import sqlalchemy.orm  # noqa: F401 - timed on its own: the largest single import

    _mark("sqlalchemy")
    import PySide6.QtWidgets  # noqa: F401

    _mark("pyside6")
    from db.engine import open_database
    from desktop_app.app import create_application
    from desktop_app.main_window import MainWindow
    from desktop_app.tasks import ThreadRunner

    _mark("touchbase-modules")
    application = create_application()
    # As the app opens a big file: its quick check runs once the window is up.
    database = open_database(Path(path), check=False)
    _mark("open-database")
    window = MainWindow(database, ThreadRunner())
    _mark("build-window")
    window.show()
    application.processEvents()
    assert window.contacts_page.model.rowCount() > 0
    _mark("show")


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "bare":
        bare()
    elif mode == "floor":
        floor()
    elif mode == "app":
        app(sys.argv[2])
    else:
        phases(sys.argv[2])
    _report()
