"""Settings → Database: where this database lives, how big it is, and its backups.

Facts an owner can use (the file and a way to show it, its size and contact count) and the
backups: their folder (which can be a synced drive), the last one taken, and Back up now.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db import backups, contacts
from desktop_app.database_files import size_text, when
from desktop_app.dialogs import show_error
from desktop_app.ops import Changes, OpsBus
from desktop_app.tasks import ImmediateRunner, Progress, run_with_progress
from desktop_app.widgets import FieldError


class ChooseBackupFolder:
    @classmethod
    def ask(cls, parent: QWidget | None, start: Path) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(parent, "Choose where backups go", str(start))
        return Path(chosen) if chosen else None


def _value(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setObjectName("settingsValue")
    return label


def database_size(path: Path) -> int:
    """The file and what is still in its -wal: the space it takes on disk."""
    total = 0
    for side in ("", "-wal"):
        with contextlib.suppress(OSError):
            total += path.with_name(path.name + side).stat().st_size
    return total


class DatabasePage(QWidget):
    title = "Database"

    def __init__(self, ops: OpsBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        database = ops.database
        path = database.path
        self.default_folder = backups.default_folder(path)
        self.folder = backups.folder_for(database)

        file_box = QGroupBox("This database")
        file_form = QFormLayout(file_box)
        self.location = _value(str(path))
        show = QPushButton("Show in folder")
        show.clicked.connect(lambda: self._show_folder(path.parent))
        location_row = QHBoxLayout()
        location_row.addWidget(self.location, 1)
        location_row.addWidget(show)
        file_form.addRow("File", location_row)
        self.size_label = _value(size_text(database_size(path)))
        file_form.addRow("Size", self.size_label)
        count = contacts.count_contacts(database, contacts.ContactQuery())
        self.contact_count = _value(f"{count:,}")
        file_form.addRow("Contacts", self.contact_count)
        if database.readonly:
            file_form.addRow("", _value("Open read-only: nothing can be changed."))

        backup_box = QGroupBox("Backups")
        backup_form = QFormLayout(backup_box)
        intro = _value(
            "Touchbase backs up this database when it starts (at most every 30 minutes), "
            "before upgrades, restores and big changes. Old backups are thinned to about a "
            "year's worth. A folder on a synced drive keeps them off this computer too."
        )
        backup_form.addRow(intro)
        self.folder_label = _value()
        change = QPushButton("Change…")
        change.clicked.connect(self._choose_folder)
        self.reset_folder = QPushButton("Beside the database")
        self.reset_folder.clicked.connect(lambda: self._set_folder(self.default_folder))
        show_backups = QPushButton("Show in folder")
        show_backups.clicked.connect(lambda: self._show_folder(self.folder))
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(change)
        folder_row.addWidget(self.reset_folder)
        folder_row.addWidget(show_backups)
        backup_form.addRow("Folder", folder_row)
        self.folder_error = FieldError()
        backup_form.addRow("", self.folder_error)
        self.last_backup = _value()
        backup_form.addRow("Last backup", self.last_backup)
        self.backup_now = QPushButton("Back up now")
        self.backup_now.clicked.connect(self.back_up_now)
        self.backup_now.setEnabled(not database.readonly)
        now_row = QHBoxLayout()
        now_row.addWidget(self.backup_now)
        now_row.addStretch(1)
        backup_form.addRow("", now_row)

        layout = QVBoxLayout(self)
        layout.addWidget(file_box)
        layout.addWidget(backup_box)
        layout.addStretch(1)
        self._saved_folder = self.folder
        self._show_backup_facts()

    def _show_folder(self, folder: Path) -> None:
        if not folder.is_dir():
            show_error(self, "The folder does not exist yet", f"{folder} has not been made yet.")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _choose_folder(self) -> None:
        chosen = ChooseBackupFolder.ask(self, self.folder)
        if chosen is not None:
            self._set_folder(chosen)

    def _set_folder(self, folder: Path) -> None:
        self.folder = folder
        self._show_backup_facts()
        self.validate()

    def _show_backup_facts(self) -> None:
        self.folder_label.setText(str(self.folder))
        self.reset_folder.setVisible(self.folder != self.default_folder)
        newest = next(
            iter(backups.list_backups(self.ops.database.path, self.folder, count=False)), None
        )
        self.last_backup.setText(
            "None yet" if newest is None else f"{when(newest.taken_at)} ({newest.reason})"
        )

    def back_up_now(self) -> None:
        if self.folder != self._saved_folder and self.validate() is None:
            self.apply()  # back up where the page says backups go
        database = self.ops.database

        def work(_progress: Progress) -> Path:
            return backups.take_backup(database, backups.BY_HAND)

        def done(_path: Path) -> None:
            self.backup_now.setEnabled(True)
            self._show_backup_facts()

        def failed(error: Exception) -> None:
            self.backup_now.setEnabled(True)
            show_error(self, "The backup was not made", str(error))

        self.backup_now.setEnabled(False)
        runner = self.ops.runner or ImmediateRunner()
        run_with_progress(self, runner, "Backing up…", work, on_done=done, on_error=failed)

    def validate(self) -> str | None:
        problem = None
        if self.folder != self._saved_folder:
            existing = next((p for p in (self.folder, *self.folder.parents) if p.exists()), None)
            if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK):
                problem = f"Touchbase cannot write to {self.folder}; choose another folder."
        self.folder_error.show_message(problem)
        return problem

    def apply(self) -> None:
        if self.folder == self._saved_folder:
            return
        folder = None if self.folder == self.default_folder else self.folder
        self.ops.run(lambda db: backups.set_folder(db, folder), Changes(settings=True))
        self._saved_folder = self.folder
