"""Starting the graphical application: the QApplication, its look, the database, the window.

``Launcher`` owns the open database and its window. Opening another database, creating one or
restoring a backup closes the window and its database and builds a new window on the chosen
file; if the new one cannot be opened, the current one stays.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractEventDispatcher, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from db import __version__, backups, errors
from db.backups import BackupError
from db.engine import Database, DatabaseError, quick_check
from db.errors import StorageError, describe
from desktop_app import database_files, icons, options, theme
from desktop_app.dialogs import show_error
from desktop_app.error_log import log_unexpected
from desktop_app.tasks import Task, TaskRunner, ThreadRunner

if TYPE_CHECKING:
    from desktop_app.main_window import MainWindow

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
    if isinstance(exc, StorageError):
        show_error(parent, "The change was not saved", str(exc))
        return
    if isinstance(exc, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    log_path = log_unexpected(exc.with_traceback(tb))
    UnexpectedErrorBox.show(parent, f"{kind.__name__}: {exc}", log_path)


class Launcher(QObject):
    """The open database and its window; switches both when the owner picks another."""

    def __init__(self, runner: TaskRunner, background: TaskRunner | None = None) -> None:
        super().__init__()
        self.runner = runner
        #: For the start-up backup and check: whole-file reads that must not hold up the
        #: runner the views use (WAL lets them read alongside).
        self.background = background or runner
        self.window: MainWindow | None = None
        self.database: Database | None = None

    def start(self, path: Path, *, explicit: bool) -> bool:
        """Open the first database; False if there is none to show."""
        if not path.exists():
            if not explicit:
                # The owner's own data folder: the first start makes it without asking.
                path.parent.mkdir(parents=True, exist_ok=True)
            elif not database_files.CreateDatabase.ask(None, path):
                return False
        database = database_files.open_for_window(path, None, create=True)
        if database is None:
            return False
        return self._show(database, first=True)

    def open_other(self, path: Path) -> None:
        if self.database is not None and path.resolve() == self.database.path:
            return
        database = database_files.open_for_window(path, self.window, create=False)
        if database is not None:
            self._replace(database)

    def create_new(self, path: Path) -> None:
        if path.exists():
            show_error(
                self.window,
                "That file already exists",
                f"{path} already exists. Choose a new name, or use File → Open database… "
                "to open it.",
            )
            return
        database = database_files.open_for_window(path, self.window, create=True)
        if database is not None:
            self._replace(database)

    def restore(self, backup: Path) -> None:
        """Put ``backup`` in place of the open database and reopen it."""
        current = self.database
        if current is None:
            return
        path = current.path
        parent = self.window
        self._close_current()
        try:
            before = backups.restore(path, backup)
        except BackupError as exc:
            show_error(parent, "The backup was not restored", str(exc))
            before = None
            restored = False
        else:
            restored = True
        database = database_files.open_for_window(path, parent, create=False)
        if database is None or not self._show(database, first=False):
            QApplication.quit()
            return
        if restored and self.window is not None:
            kept = f" The database as it was is kept in {before.name}." if before else ""
            self.window.show_status(f"Restored the backup.{kept}", timeout=15_000)

    def _replace(self, database: Database) -> None:
        previous = self.database.path if self.database is not None else None
        self._close_current()
        if self._show(database, first=False):
            return
        # The new one could not be shown: go back to the one that was open.
        back = (
            None
            if previous is None
            else database_files.open_for_window(previous, None, create=False)
        )
        if back is None or not self._show(back, first=False):
            QApplication.quit()

    def _close_current(self) -> None:
        old = self.window
        self.window = None
        if old is not None:
            old.save_state()
            old.hide()
            old.deleteLater()
        for runner in (self.runner, self.background):
            if isinstance(runner, ThreadRunner):
                runner.wait()
        if self.database is not None:
            self.database.close()
            self.database = None

    def _show(self, database: Database, *, first: bool) -> bool:
        """Build the window on ``database``; False (and the database closed) if even reading
        it fails, after saying why."""
        try:
            self._build(database, first=first)
        except Exception as exc:
            plain = describe(exc)
            if plain is None:
                raise
            log.exception("could not show %s", database.path)
            self._close_current()
            database.close()
            if plain == errors.DAMAGED:
                folder = backups.folder_for_file(database.path)
                plain = (
                    f"Part of {database.path.name} cannot be read, so Touchbase cannot show it, "
                    "not even read-only. Open it again and choose “Restore the backup”, or "
                    f"restore one of the backups in {folder} from the command line:\n\n"
                    f'touchbase --db "{database.path}" restore BACKUP-FILE'
                )
            show_error(None, "Touchbase cannot show this database", plain)
            return False
        return True

    def _build(self, database: Database, *, first: bool) -> None:
        # Imported once the database is open, so a refusal costs no window code.
        from desktop_app import reminders  # noqa: PLC0415
        from desktop_app.main_window import MainWindow  # noqa: PLC0415

        self.database = database
        window = MainWindow(database, self.runner)
        window.open_requested.connect(self.open_other)
        window.new_requested.connect(self.create_new)
        window.restore_requested.connect(self.restore)
        self.window = window
        if not database.readonly:
            database_files.remember(database.path)
        if not (first and reminders.start_hidden(window.reminders)):
            window.show()
        window.reminders.start()
        if not database.readonly:
            # After the first paint: the check and the backup read the whole file.
            QTimer.singleShot(1000, lambda: self._after_start(database))

    def _after_start(self, database: Database) -> None:
        if self.database is not database:
            return
        if database_files.checked_before_opening(database.path):
            self._automatic_backup(database)
            return
        check = Task(lambda _progress: quick_check(database.path))
        check.finished.connect(lambda problems: self._on_checked(database, problems))
        self.background.submit(check)

    def _automatic_backup(self, database: Database) -> None:
        backup = Task(lambda _progress: backups.take_automatic_backup(database))
        backup.failed.connect(self._on_backup_failed)
        self.background.submit(backup)

    def _on_checked(self, database: Database, problems: list[str]) -> None:
        if self.database is not database:
            return
        if not problems:
            self._automatic_backup(database)  # never a backup of a damaged file over good ones
            return
        log.error("quick_check of %s failed after opening: %s", database.path, problems[:20])
        path = database.path
        parent = self.window
        self._close_current()
        replacement = database_files.open_damaged(path, parent)
        if replacement is None or not self._show(replacement, first=False):
            QApplication.quit()

    def _on_backup_failed(self, error: object) -> None:
        log.warning("the start-up backup failed: %s", error)
        if self.window is not None:
            self.window.show_status(f"The automatic backup failed: {error}", timeout=30_000)


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


def run_gui(path: Path, *, explicit: bool = True) -> int:
    app = create_application()
    sys.excepthook = handle_exception
    runner = ThreadRunner()
    background = ThreadRunner()
    launcher = Launcher(runner, background)
    try:
        if not launcher.start(start_path(path, explicit=explicit), explicit=explicit):
            return 1
        if launcher.database is not None:
            _log_when_ready(launcher.database.path)
        status = app.exec()
    except DatabaseError as exc:
        show_error(None, "Touchbase cannot open this database", str(exc))
        return 1
    finally:
        runner.wait()
        background.wait()
        if launcher.database is not None:
            launcher.database.close()
    return int(status)
