"""Child process for the start-up benchmark: open a window, wait for it to show, report.

``app DB``: the Touchbase main window on DB, until the first page of contacts is loaded.
``bare``: a bare PySide6 window with a 200-row table, the baseline.
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


def touchbase(path: str) -> None:
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
    app = create_application()
    database = open_database(Path(path))
    _mark("open-database")
    window = MainWindow(database, ThreadRunner())
    _mark("build-window")
    window.show()
    app.processEvents()
    assert window.contacts_page.model.rowCount() > 0
    _mark("show")
    database.close()


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare()
    else:
        touchbase(sys.argv[2])
    elapsed = time.perf_counter() - START
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    phases = " ".join(f"{name}={seconds:.4f}" for name, seconds in PHASES.items())
    sys.stdout.write(f"{elapsed:.4f} {peak_kib} {phases}\n")
    sys.stdout.flush()
    os._exit(0)  # skip teardown: it is not part of start-up
