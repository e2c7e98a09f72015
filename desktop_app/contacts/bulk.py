"""Acting on many selected contacts at once: tag, set the stage, log one touch for all, add a
follow-up to each, move to the trash. Each is one unit of work and one step of Edit → Undo."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from db import bulk, contacts, followups
from db.clock import local_today
from db.contacts import ValidationError
from db.domain import Medium
from desktop_app import icons
from desktop_app.dialogs import Dialog, show_error
from desktop_app.followups.dialog import FollowupDialog
from desktop_app.journeys.moves import add_stage_menu
from desktop_app.ops import Changes, OpsBus
from desktop_app.undo import run_undoable
from desktop_app.widgets import FieldError


def many(count: int) -> str:
    return "1 contact" if count == 1 else f"{count:,} contacts"


class TagDialog(Dialog):
    """Which tag to give the selected contacts (the tags in use are offered as you type)."""

    def __init__(self, names: list[str], count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tag contacts")
        self.tag = QComboBox()
        self.tag.setEditable(True)
        self.tag.addItems(names)
        self.tag.setCurrentText("")
        line = self.tag.lineEdit()
        assert line is not None
        line.setPlaceholderText("A tag, e.g. newsletter")
        self.error = FieldError()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(f"Tag {many(count)}")
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Tag", self.tag)
        form.addRow("", self.error)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.tag.setFocus()

    def _on_ok(self) -> None:
        if not self.tag.currentText().strip():
            self.error.show_message("Type the tag to add.")
            return
        self.accept()

    @classmethod
    def ask(cls, names: list[str], count: int, parent: QWidget | None = None) -> str | None:
        dialog = cls(names, count, parent)
        return (
            dialog.tag.currentText().strip()
            if dialog.exec() == QDialog.DialogCode.Accepted
            else None
        )


class BulkTouchDialog(Dialog):
    """One touch for many (a mailing): the medium, when, and a line about it."""

    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Log one touch for all")
        self.medium = QComboBox()
        for medium in Medium:
            self.medium.addItem(icons.medium_icon(medium), medium.label, medium.value)
        self.medium.setCurrentIndex(list(Medium).index(Medium.EMAIL))
        self.when = QDateTimeEdit(QDateTime.currentDateTime())
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("d MMM yyyy  HH:mm")
        self.summary = QLineEdit()
        self.summary.setPlaceholderText("What went out, e.g. spring newsletter")
        self.error = FieldError()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(f"Log for {many(count)}")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        note = QLabel(
            "Each contact gets this touch in its own stage; what was due by that day is done."
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Medium", self.medium)
        form.addRow("&When", self.when)
        form.addRow("&Summary", self.summary)
        form.addRow("", self.error)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.summary.setFocus()

    def values(self) -> tuple[Medium, datetime, str]:
        local: datetime = self.when.dateTime().toPython()  # type: ignore[assignment]
        return Medium(self.medium.currentData()), local.astimezone(UTC), self.summary.text()

    @classmethod
    def ask(cls, count: int, parent: QWidget | None = None) -> tuple[Medium, datetime, str] | None:
        dialog = cls(count, parent)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


BULK_CHANGES = Changes(contacts=True, tags=True, touches=True, followups=True)


def tag(ops: OpsBus, ids: Sequence[int], parent: QWidget | None) -> int | None:
    names = [t.name for t in contacts.tag_counts(ops.database)]
    name = TagDialog.ask(names, len(ids), parent)
    if name is None:
        return None
    try:
        return run_undoable(
            ops,
            f"Tag {many(len(ids))} “{name}”",
            ids,
            lambda db: bulk.tag_contacts(db, ids, name),
            Changes(contacts=True, tags=True),
        )
    except ValidationError as exc:
        show_error(parent, "The tag was not added", "\n".join(exc.errors.values()))
        return None


def log_touch(ops: OpsBus, ids: Sequence[int], parent: QWidget | None) -> int | None:
    answer = BulkTouchDialog.ask(len(ids), parent)
    if answer is None:
        return None
    medium, when, summary = answer
    try:
        return run_undoable(
            ops,
            f"Log a touch for {many(len(ids))}",
            ids,
            lambda db: bulk.log_touch_for_all(db, ids, medium, when, summary),
            BULK_CHANGES,
        )
    except ValidationError as exc:
        show_error(parent, "The touches were not logged", "\n".join(exc.errors.values()))
        return None


def add_followup(ops: OpsBus, ids: Sequence[int], parent: QWidget | None) -> int | None:
    today = local_today()
    request = FollowupDialog.ask(many(len(ids)), today, parent)
    if request is None:
        return None
    try:
        return run_undoable(
            ops,
            f"Add a follow-up for {many(len(ids))}",
            ids,
            lambda db: bulk.add_followup_for_all(
                db,
                ids,
                request.due_on,
                request.reason,
                today=today,
                suggested_medium=request.medium,
            ),
            Changes(followups=True),
        )
    except followups.FollowupError as exc:
        show_error(parent, "The follow-up was not added", str(exc))
        return None


def add_bulk_actions(
    menu: QMenu, ops: OpsBus, ids: Sequence[int], parent: QWidget | None, trash: object
) -> None:
    """The actions on a selection, for the contacts' context menu and Edit menu."""
    chosen = list(ids)
    menu.addAction(icons.icon("tag"), f"Tag {many(len(chosen))}…", lambda: tag(ops, chosen, parent))
    add_stage_menu(menu, ops, chosen, parent)
    menu.addAction(
        icons.icon("note"),
        f"Log one touch for {many(len(chosen))}…",
        lambda: log_touch(ops, chosen, parent),
    )
    menu.addAction(
        icons.icon("bell"),
        f"Add a follow-up for {many(len(chosen))}…",
        lambda: add_followup(ops, chosen, parent),
    )
    menu.addSeparator()
    assert callable(trash)
    menu.addAction(
        icons.icon("delete"), f"Move {many(len(chosen))} to the trash", lambda: trash(chosen)
    )
