"""Starting the graphical application: the QApplication, its look, the database, the window."""

from __future__ import annotations

import logging
import sys
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QAbstractEventDispatcher
from PySide6.QtWidgets import QApplication, QMessageBox

from db import __version__
from db.engine import Database, DatabaseError, open_database
from desktop_app import icons

log = logging.getLogger(__name__)

# The freedesktop id: names packaging/linux/<id>.desktop and its AppStream metainfo, and is
# the Wayland app id. Under X11, Qt's WM_CLASS is ("touchbase", APPLICATION_NAME): the program
# name and the application name, which the .desktop file's StartupWMClass matches.
DESKTOP_FILE_ID = "app.touchbase.Touchbase"
APPLICATION_NAME = "Touchbase"


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
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
    return app


def apply_style(app: QApplication) -> None:
    style = resources.files("resources").joinpath("style.qss").read_text("utf-8")
    icon_dir = Path(str(resources.files("resources.icons"))).as_posix()
    app.setStyleSheet(style.replace("@ICONS@", icon_dir))


def open_or_explain(path: Path) -> Database | None:
    """Open the database, or tell the person plainly why it cannot be opened."""
    try:
        return open_database(path)
    except DatabaseError as exc:
        QMessageBox.critical(None, "Touchbase cannot open this database", str(exc))
        return None


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


def run_gui(path: Path) -> int:
    app = create_application()
    database = open_or_explain(path)
    if database is None:
        return 1
    from desktop_app.main_window import MainWindow  # noqa: PLC0415
    from desktop_app.tasks import ThreadRunner  # noqa: PLC0415

    runner = ThreadRunner()
    try:
        window = MainWindow(database, runner)
        from desktop_app import reminders  # noqa: PLC0415

        if not reminders.start_hidden(window.reminders):
            window.show()
        window.reminders.start()
        _log_when_ready(database.path)
        status = app.exec()
    finally:
        runner.wait()
        database.close()
    return int(status)
