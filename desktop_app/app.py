"""Starting the graphical application: the QApplication, its look, the database, the window.

The window's frame is painted first, while a background thread imports the storage layer
(SQLAlchemy) and opens the database (``desktop_app.startup``); so this module imports none of
them. Then the window's modules are imported, on the GUI thread, and
``desktop_app.launcher.Launcher`` builds the real window in the frame's place and owns the
database from there on (switching, restoring, checking and backing it up).
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QAbstractEventDispatcher, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon, QWidget

from db import __version__
from desktop_app import collector, icons, memory, options, theme
from desktop_app.dialogs import show_error
from desktop_app.error_log import log_unexpected
from desktop_app.startup import Opened, StartWindow, StorageLoader

log = logging.getLogger(__name__)

# The freedesktop id: names packaging/linux/<id>.desktop and its AppStream metainfo, and is
# the Wayland app id. Under X11, Qt's WM_CLASS is ("touchbase", APPLICATION_NAME): the program
# name and the application name, which the .desktop file's StartupWMClass matches.
DESKTOP_FILE_ID = "app.touchbase.Touchbase"
APPLICATION_NAME = "Touchbase"


def create_application(argv: list[str] | None = None) -> QApplication:
    memory.limit_heaps()  # before any thread starts: Qt's, the runner's, the loader's
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        collector.pin(existing)
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APPLICATION_NAME)
    app.setOrganizationName(APPLICATION_NAME)
    app.setOrganizationDomain("touchbase.app")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(DESKTOP_FILE_ID)
    app.setStyle("Fusion")
    app.setWindowIcon(icons.app_icon())
    apply_style(app)
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: _on_system_scheme(app))
    collector.pin(app)  # cycles are collected on the GUI thread only, from here on
    return app


def apply_style(app: QApplication) -> None:
    """The look the owner chose (light, dark or the system's), kept in step with the system's
    colour scheme while "system" is chosen."""
    theme.apply(app, theme.resolve(options.get(options.THEME)))


def _on_system_scheme(app: QApplication) -> None:
    if options.get(options.THEME) == "system":
        theme.apply(app, theme.system_scheme())


def choose_theme(app: QApplication, choice: str) -> None:
    """Remember the owner's choice under View → Appearance and apply it at once."""
    options.put(options.THEME, choice)
    theme.apply(app, theme.resolve(choice))


class UnexpectedErrorBox:
    @classmethod
    def show(cls, parent: QWidget | None, summary: str, log_path: Path | None) -> None:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("Something went wrong")
        box.setText("Touchbase ran into a problem it did not expect")
        where = (
            f"The details are written to {log_path}; please send that file along if you "
            "report the problem."
            if log_path is not None
            else "The details could not be written to the log."
        )
        box.setInformativeText(
            f"{summary}\n\nWhat you saved before is safe; the last action may not have been "
            f"finished.\n\n{where}"
        )
        box.exec()


def handle_exception(
    kind: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """The app's ``sys.excepthook``: plain words for a failure the owner can act on, and for
    anything else a dialog naming the log it was written to."""
    parent = QApplication.activeWindow()
    # Only the storage raises StorageError, so it has loaded when one arrives.
    storage_errors = sys.modules.get("db.errors")
    if storage_errors is not None and isinstance(exc, storage_errors.StorageError):
        show_error(parent, "The change was not saved", str(exc))
        return
    if isinstance(exc, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    log_path = log_unexpected(exc.with_traceback(tb))
    UnexpectedErrorBox.show(parent, f"{kind.__name__}: {exc}", log_path)


def start_path(path: Path, *, explicit: bool) -> Path:
    """The database to open: the one named, else the one open last time, else the default."""
    if explicit:
        return path
    last = options.get(options.LAST_DATABASE)
    return Path(last) if last and Path(last).exists() else path


def _log_when_ready(path: Path) -> None:
    """Log once the windows are on screen (exposed, so painted) and the event loop first waits
    for the owner: the packaged-app test and the package benchmark wait for this line."""
    dispatcher = QAbstractEventDispatcher.instance()  # the application's: it exists by now

    def ready() -> None:
        shown = [w.windowHandle() for w in QApplication.topLevelWidgets() if w.isVisible()]
        if not shown or not all(handle is not None and handle.isExposed() for handle in shown):
            return
        dispatcher.aboutToBlock.disconnect(ready)
        log.info("Touchbase is ready on %s", path)

    dispatcher.aboutToBlock.connect(ready)


def _may_create(path: Path, *, explicit: bool) -> bool:
    """Whether to go on with ``path``: an existing file, the owner's own data folder (the
    first start makes it without asking), or a named file the owner agrees to create."""
    if path.exists():
        return True
    if not explicit:
        path.parent.mkdir(parents=True, exist_ok=True)
        return True
    # Only for a named file that is not there: the question comes before any window.
    files = importlib.import_module("desktop_app.database_files")
    return bool(files.CreateDatabase.ask(None, path))


def run_gui(path: Path, *, explicit: bool = True) -> int:
    """Paint the window's frame at once, open the database beside it, then build the window
    in the frame's place; ``explicit``: the owner named ``path`` (else the last database
    opened is preferred, and the default one is made without asking)."""
    app = create_application()
    sys.excepthook = handle_exception
    path = start_path(path, explicit=explicit)
    if not _may_create(path, explicit=explicit):
        return 1
    frame = StartWindow(path)
    hidden = options.get(options.START_IN_TRAY) and QSystemTrayIcon.isSystemTrayAvailable()
    state: dict[str, Any] = {"status": 1}
    # No collection until the window is built; never on the loading thread (collector).
    collecting = collector.pin(app)
    collecting.pause()

    def opened(result: Opened) -> None:
        try:
            show(result)
        finally:
            # The window is built, and what start-up made is left out of full collections
            # (``MainWindow``).
            collecting.start()

    def show(result: Opened) -> None:
        # The window's modules are imported here, on the GUI thread (desktop_app.startup).
        try:
            launching = importlib.import_module("desktop_app.launcher")
            tasks = importlib.import_module("desktop_app.tasks")
        except Exception as error:
            log.exception("the window's modules could not be loaded")
            frame.hide()
            show_error(None, "Touchbase could not start", str(error))
            state["failed"] = True  # the database is closed below, as for an abandoned start
            app.quit()
            return
        database = result.database
        if database is None:
            files = importlib.import_module("desktop_app.database_files")
            database = files.recover(path, frame if frame.isVisible() else None, result.error)
        if database is None:
            app.quit()
            return
        runner = tasks.ThreadRunner()
        launcher = launching.Launcher(runner, tasks.ThreadRunner())
        state["launcher"] = launcher
        launcher.first_geometry = frame.geometry() if frame.isVisible() else None
        # The reads the window asks for while it is built start once it is on screen.
        runner.hold()
        try:
            shown = launcher.start_with(database)
        except Exception as error:
            log.exception("the window could not be built")
            frame.hide()
            show_error(None, "Touchbase could not start", str(error))
            shown = False
        finally:
            QTimer.singleShot(0, runner.release)
        frame.close()
        frame.deleteLater()
        if not shown or launcher.database is None:
            app.quit()
            return
        _log_when_ready(launcher.database.path)
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
        collecting.start()
        abandoned = loader.wait()  # closed before the database arrived: close it still
        launcher = state.get("launcher")
        if launcher is not None:
            launcher.close()
        elif abandoned is not None and abandoned.database is not None:
            abandoned.database.close()
    opening = "launcher" not in state and "failed" not in state
    if opening and abandoned is not None and abandoned.error is None:
        return int(status)  # the owner closed the window while it was opening
    return int(status) if state["status"] == 0 else 1
