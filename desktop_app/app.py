"""Starting the graphical application: the QApplication, its look, the database, the window.

The storage layer (SQLAlchemy) and the pages are imported by name on a background thread
while the window's frame is painted (``desktop_app.startup``), so this module imports neither.
"""

from __future__ import annotations

import importlib
import logging
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QSystemTrayIcon

from db import __version__
from desktop_app import icons, options
from desktop_app.startup import Opened, StartWindow, StorageLoader

log = logging.getLogger(__name__)


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Touchbase")
    app.setOrganizationName("Touchbase")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("touchbase")
    app.setStyle("Fusion")
    app.setWindowIcon(icons.app_icon())
    apply_style(app)
    return app


def apply_style(app: QApplication) -> None:
    style = resources.files("resources").joinpath("style.qss").read_text("utf-8")
    icon_dir = Path(str(resources.files("resources.icons"))).as_posix()
    app.setStyleSheet(style.replace("@ICONS@", icon_dir))


def run_gui(path: Path) -> int:
    """Paint the window's frame at once, open the database beside it, then build the window
    in the frame's place (``desktop_app.startup``)."""
    app = create_application()
    frame = StartWindow(path)
    hidden = options.get(options.START_IN_TRAY) and QSystemTrayIcon.isSystemTrayAvailable()
    state: dict[str, Any] = {"status": 1}

    def opened(result: Opened) -> None:
        if result.error is not None:
            frame.hide()
            QMessageBox.critical(None, "Touchbase cannot open this database", str(result.error))
            app.quit()
            return
        state["database"] = result.database
        try:
            state["runner"], state["window"] = _build_window(frame, result.database, hidden)
        except Exception as error:
            log.exception("the window could not be built")
            frame.hide()
            QMessageBox.critical(None, "Touchbase could not start", str(error))
            app.quit()
            return
        state["status"] = 0

    loader = StorageLoader(path)
    # Queued: handled by the event loop below, whenever the loading thread is done.
    loader.opened.connect(opened, Qt.ConnectionType.QueuedConnection)
    loader.start()  # SQLAlchemy and the database load while the frame paints
    if not hidden:
        frame.show()
    try:
        status = app.exec()
    finally:
        runner = state.get("runner")
        if runner is not None:
            runner.wait()
        abandoned = loader.wait()  # closed before the database arrived: close it still
        database = state.get("database") or (abandoned.database if abandoned else None)
        if database is not None:
            database.close()
    if "database" not in state and abandoned is not None and abandoned.error is None:
        return int(status)  # the owner closed the window while it was opening
    return int(status) if state["status"] == 0 else 1


def _build_window(frame: QMainWindow, database: Any, hidden: bool) -> tuple[Any, QMainWindow]:
    """The real window, where the frame stood (its modules were imported in the background)."""
    main_window = importlib.import_module("desktop_app.main_window")
    tasks = importlib.import_module("desktop_app.tasks")
    reminders = importlib.import_module("desktop_app.reminders")
    runner = tasks.ThreadRunner()
    window = main_window.MainWindow(database, runner)
    if not hidden and not options.window_state("main_geometry"):
        window.setGeometry(frame.geometry())
    if not reminders.start_hidden(window.reminders):
        window.show()
    frame.close()
    frame.deleteLater()
    window.reminders.start()
    return runner, window
