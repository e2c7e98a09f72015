"""Child process for the start-up benchmark: open a window, wait for it to show, report.

``bare``: a bare PySide6 window with a 200-row table, the baseline the target is set against.
``floor``: the same window in a process that first imports SQLAlchemy's ORM, the least any
    SQLAlchemy-backed window can cost; it shows how much of the budget the library takes alone.
``app DB``: the real ``touchbase --db DB`` start (the console script's own code path, its
    event loop included), until the main window is shown with the first page of contacts.
``phases DB``: the same steps called one by one, to time each phase.
Prints ``<seconds since interpreter start> <peak RSS in KiB> <phase>=<seconds> ...``.
"""

from __future__ import annotations

import os
import resource
import sys
import time

START = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
PHASES: dict[str, float] = {}


def _mark(phase: str) -> None:
    PHASES[phase] = time.perf_counter() - START - sum(PHASES.values())


def _report() -> None:
    elapsed = time.perf_counter() - START
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
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
    """``touchbase --db PATH`` as the console script runs it, event loop and all; a timer
    started with the application reports as soon as the main window shows the first page of
    contacts."""
    # In the console script's order: the command line (and SQLAlchemy) before the window.
    from desktop_app import cli  # noqa: I001
    from desktop_app import app as gui
    from desktop_app.main_window import MainWindow
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def first_page_shown() -> None:
        for window in QApplication.topLevelWidgets():
            if (
                isinstance(window, MainWindow)
                and window.isVisible()
                and window.contacts_page.model.rowCount()
            ):
                _report()

    create_application = gui.create_application

    def create_and_watch(argv: list[str] | None = None) -> QApplication:
        application = create_application(argv)
        watch = QTimer(application)
        watch.timeout.connect(first_page_shown)
        watch.start(0)
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
