"""The open database and its window: ``Launcher`` owns both.

Opening another database, creating one or restoring a backup closes the window and its
database and builds a new window on the chosen file; if the new one cannot be opened, the
current one stays. At start-up ``desktop_app.app`` hands it the database the start-up thread
opened (``desktop_app.startup``); this module and the window's are imported once it has.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QRect, QTimer
from PySide6.QtWidgets import QApplication

from db import backups, errors
from db.backups import BackupError
from db.engine import Database, quick_check
from db.errors import describe
from desktop_app import database_files, options, reminders
from desktop_app.dialogs import show_error
from desktop_app.main_window import MainWindow
from desktop_app.startup import checked_before_opening
from desktop_app.tasks import Task, TaskRunner, ThreadRunner

log = logging.getLogger(__name__)


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
        #: Where the first window goes when none was saved: the start-up frame's place.
        self.first_geometry: QRect | None = None

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

    def start_with(self, database: Database) -> bool:
        """Show the first window on a database opened already (``desktop_app.startup``)."""
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

    def close(self) -> None:
        """At the end: let the runners finish, then close the database."""
        for runner in (self.runner, self.background):
            if isinstance(runner, ThreadRunner):
                runner.wait()
        if self.database is not None:
            self.database.close()
            self.database = None

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
        self.database = database
        window = MainWindow(database, self.runner)
        if first and self.first_geometry is not None and not options.window_state("main_geometry"):
            window.setGeometry(self.first_geometry)
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
            QTimer.singleShot(1000, self, lambda: self._after_start(database))

    def _after_start(self, database: Database) -> None:
        if self.database is not database:
            return
        if checked_before_opening(database.path):
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
