"""The database as a file the owner handles: opening, creating, the recent list, restoring a
backup, checking it, and what to do when one cannot be opened as it is (damaged, read-only).

Every question is a dialog behind an ``ask`` classmethod, so tests answer it without blocking.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db import backups
from db.backups import BackupError, BackupInfo
from db.engine import (
    Database,
    DatabaseDamagedError,
    DatabaseError,
    DatabaseReadOnlyError,
    open_damaged_readonly,
    open_database,
)
from desktop_app import options, paths
from desktop_app.dialogs import Confirm, Dialog, show_error
from desktop_app.startup import checked_before_opening

log = logging.getLogger(__name__)

FILE_FILTER = "Touchbase databases (*.sqlite *.db);;All files (*)"
RECENT_LIMIT = 8


# --- the recent list ---------------------------------------------------------------------------


def recent_databases() -> list[Path]:
    """Databases opened lately, the latest first (those that still exist)."""
    raw = options.get(options.RECENT_DATABASES)
    found = [Path(line) for line in raw.splitlines() if line.strip()]
    return [p for p in found if p.exists()][:RECENT_LIMIT]


def remember(path: Path) -> None:
    """Put ``path`` first in the recent list, and make it the one to open next time."""
    others = [p for p in recent_databases() if p != path]
    options.put(options.RECENT_DATABASES, "\n".join(str(p) for p in [path, *others]))
    options.put(options.LAST_DATABASE, str(path))


def when(moment: datetime) -> str:
    """A backup's moment as the owner reads it, in local time."""
    return moment.astimezone().strftime("%a %d %b %Y, %H:%M")


def size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, size // 1024):,} KB"
    return f"{size / (1024 * 1024):,.1f} MB"


def _contacts(info: BackupInfo) -> str:
    if info.contacts is None:
        return "contacts unknown"
    return f"{info.contacts:,} contact{'s' if info.contacts != 1 else ''}"


def describe_backup(info: BackupInfo) -> str:
    count = "?" if info.contacts is None else f"{info.contacts:,}"
    return f"{when(info.taken_at)} ({info.reason}), {count} contacts"


# --- questions -----------------------------------------------------------------------------------


class ChooseDatabaseFile:
    """File → Open database… and New database…: where the file is, or is to be."""

    @classmethod
    def ask_open(cls, parent: QWidget | None, folder: Path) -> Path | None:
        chosen, _ = QFileDialog.getOpenFileName(
            parent, "Open a Touchbase database", str(folder), FILE_FILTER
        )
        return Path(chosen) if chosen else None

    @classmethod
    def ask_new(cls, parent: QWidget | None, folder: Path) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(
            parent,
            "Create a new Touchbase database",
            str(folder / "touchbase.sqlite"),
            FILE_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix else path.with_suffix(".sqlite")


class DamagedDialog:
    """A database failed its quick check: restore the latest good backup, or look read-only."""

    RESTORE = "restore"
    READ_ONLY = "read-only"

    @classmethod
    def ask(cls, parent: QWidget | None, path: Path, latest: BackupInfo | None) -> str | None:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("The database is damaged")
        box.setText(f"{path.name} is damaged")
        restore = None
        if latest is not None:
            text = (
                "Part of the file cannot be read, so Touchbase will not write to it.\n\n"
                f"The latest good backup is from {describe_backup(latest)}. Restoring it "
                "keeps a copy of the damaged file in the backups folder.\n\n"
                "Or open the damaged file read-only, to look at it and export what can "
                "still be read."
            )
            restore = box.addButton("Restore the backup", QMessageBox.ButtonRole.AcceptRole)
        else:
            text = (
                "Part of the file cannot be read, so Touchbase will not write to it, and "
                "there is no good backup of it.\n\nOpen it read-only to look at it and export "
                "what can still be read."
            )
        box.setInformativeText(text)
        read_only = box.addButton("Open read-only", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(restore or read_only)
        box.exec()
        clicked = box.clickedButton()
        if restore is not None and clicked is restore:
            return cls.RESTORE
        if clicked is read_only:
            return cls.READ_ONLY
        return None


class CreateDatabase:
    @classmethod
    def ask(cls, parent: QWidget | None, path: Path) -> bool:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("No database there")
        box.setText(f"There is no database at {path}.")
        box.setInformativeText("Create a new, empty database there?")
        create = box.addButton("Create it", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is create


class ReadOnlyNotice:
    @classmethod
    def show(cls, parent: QWidget | None, path: Path) -> None:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Opened read-only")
        box.setText(f"{path.name} cannot be changed here")
        box.setInformativeText(
            "It is on a read-only drive, or in a folder you may not change. Touchbase opened "
            "it read-only: you can look at everything and export reports, but changes cannot "
            "be saved. Copy it to your own folder to work on it."
        )
        box.exec()


def open_for_window(path: Path, parent: QWidget | None, *, create: bool) -> Database | None:
    """Open ``path`` for the window, handling every way it can go wrong with a question or a
    plain message. None when nothing was opened."""
    path = path.expanduser()
    if not path.exists() and not create:
        show_error(parent, "There is no database there", f"{path} does not exist.")
        return None
    try:
        return open_database(path, create=create, check=checked_before_opening(path))
    except DatabaseError as exc:
        return recover(path, parent, exc)


def recover(path: Path, parent: QWidget | None, error: Exception) -> Database | None:
    """After ``path`` failed to open with ``error``: a damaged file is offered its latest good
    backup or a read-only look, a file that cannot be written opens read-only, and anything
    else is explained. The database opened instead, or None."""
    path = path.expanduser()
    if isinstance(error, DatabaseDamagedError):
        return _open_damaged(path, parent)
    if isinstance(error, DatabaseReadOnlyError):
        try:
            database = open_database(path, readonly=True)
        except DatabaseError as exc:
            show_error(parent, "Touchbase cannot open this database", str(exc))
            return None
        ReadOnlyNotice.show(parent, path)
        return database
    show_error(parent, "Touchbase cannot open this database", str(error))
    return None


def open_damaged(path: Path, parent: QWidget | None) -> Database | None:
    """Ask what to do with a damaged database (restore its latest good backup, or look at it
    read-only) and open what the owner chose."""
    return _open_damaged(path, parent)


def _open_damaged(path: Path, parent: QWidget | None) -> Database | None:
    folder = backups.folder_for_file(path.resolve())
    latest = backups.latest_good_backup(path.resolve(), folder)
    choice = DamagedDialog.ask(parent, path, latest)
    try:
        if choice == DamagedDialog.RESTORE and latest is not None:
            backups.restore(path, latest.path)
            return open_database(path)
        if choice == DamagedDialog.READ_ONLY:
            return open_damaged_readonly(path)
    except (DatabaseError, BackupError) as exc:
        show_error(parent, "Touchbase cannot open this database", str(exc))
    return None


# --- restoring -----------------------------------------------------------------------------------


class RestoreDialog(Dialog):
    """File → Restore from backup…: the backups, newest first, with date and contact count."""

    def __init__(self, db_path: Path, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        self.setMinimumSize(560, 360)
        self.chosen: Path | None = None
        self.backups = backups.list_backups(db_path, folder)
        intro = QLabel(
            "Choose the backup to go back to. The database as it is now is backed up first, "
            "so restoring can itself be undone."
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(self.backups), 3)
        self.table.setHorizontalHeaderLabels(["Taken", "Why", "Contacts"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        for row, info in enumerate(self.backups):
            count = "unreadable" if info.contacts is None else f"{info.contacts:,}"
            for column, text in enumerate((when(info.taken_at), info.reason.capitalize(), count)):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        self.table.doubleClicked.connect(lambda _i: self._restore_selected())
        self.empty = QLabel(f"There are no backups of this database in {folder} yet.")
        self.empty.setWordWrap(True)
        self.empty.setVisible(not self.backups)
        self.table.setVisible(bool(self.backups))
        self.other_file = QPushButton("Choose another file…")
        self.other_file.clicked.connect(self._choose_file)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = buttons.addButton("Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.other_file, QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.setEnabled(bool(self.backups))
        buttons.accepted.connect(self._restore_selected)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(buttons)
        if self.backups:
            self.table.selectRow(0)

    def _restore_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.choose(self.backups[rows[0].row()].path)

    def _choose_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Restore from a backup file", "", FILE_FILTER)
        if chosen:
            self.choose(Path(chosen))

    def choose(self, path: Path) -> None:
        """Check the file and confirm; closes the dialog with it chosen if the owner agrees."""
        try:
            info = backups.inspect_backup(path)
        except BackupError as exc:
            show_error(self, "This file cannot be restored", str(exc))
            return
        if not Confirm.ask(
            self,
            "Restore this backup?",
            f"The database goes back to the backup taken {when(info.taken_at)} "
            f"({_contacts(info)}). What changed since then is kept in a backup of the "
            "database as it is now.",
            "Restore",
        ):
            return
        self.chosen = path
        self.accept()

    @classmethod
    def ask(cls, db_path: Path, folder: Path, parent: QWidget | None = None) -> Path | None:
        dialog = cls(db_path, folder, parent)
        return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None


def default_folder() -> Path:
    """Where the Open and New dialogs start."""
    return paths.data_dir()
