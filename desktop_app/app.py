"""Starting the graphical application: the QApplication, its look, the database, the window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from db import __version__
from db.engine import Database, DatabaseError, open_database
from desktop_app import icons, options, theme

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
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: _on_system_scheme(app))
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


def open_or_explain(path: Path) -> Database | None:
    """Open the database, or tell the person plainly why it cannot be opened."""
    try:
        return open_database(path)
    except DatabaseError as exc:
        QMessageBox.critical(None, "Touchbase cannot open this database", str(exc))
        return None


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
        status = app.exec()
    finally:
        runner.wait()
        database.close()
    return int(status)
