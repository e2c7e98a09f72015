"""Child process for the start-up benchmark: open a window, wait for it to show, report.

``app DB``: the Touchbase main window on DB, until the first page of contacts is loaded.
``bare``: a bare PySide6 window with a 200-row table, the baseline.
Prints ``<seconds since interpreter start> <peak RSS in KiB>``.
"""

from __future__ import annotations

import os
import resource
import sys
import time

START = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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

    from db.engine import open_database
    from desktop_app.app import create_application
    from desktop_app.main_window import MainWindow
    from desktop_app.tasks import ThreadRunner

    app = create_application()
    database = open_database(Path(path))
    window = MainWindow(database, ThreadRunner())
    window.show()
    app.processEvents()
    assert window.contacts_page.model.rowCount() > 0
    database.close()


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare()
    else:
        touchbase(sys.argv[2])
    elapsed = time.perf_counter() - START
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stdout.write(f"{elapsed:.4f} {peak_kib}\n")
    sys.stdout.flush()
    os._exit(0)  # skip teardown: it is not part of start-up
