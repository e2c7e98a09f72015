"""Acting on many selected contacts at once: tag, set the stage, log one touch for all, add a
follow-up to each, move to the trash. Each is one unit of work and one step of Edit → Undo,
and runs in the background behind a progress dialog, so a selection of thousands never
holds up the window."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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

from db import bulk, contacts
from db.clock import local_today
from db.contacts import ValidationError
from db.domain import Medium
from db.engine import Database
from desktop_app import icons
from desktop_app.dialogs import Dialog, show_error
from desktop_app.followups.dialog import FollowupDialog
from desktop_app.journeys.moves import add_stage_menu
from desktop_app.ops import Changes, OpsBus
from desktop_app.undo import run_long_undoable
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


def _in_background(
    ops: OpsBus,
    parent: QWidget,
    *,
    text: str,
    ids: Sequence[int],
    op: Callable[[Database], int],
    changes: Changes,
    failure: str,
) -> int | None:
    """Run ``op`` on the runner as one undoable step named ``text``; its result once it has
    committed (None while it is still running, or when it failed after saying why)."""
    done: list[int] = []

    def failed(error: Exception) -> None:
        message = (
            "\n".join(error.errors.values()) if isinstance(error, ValidationError) else str(error)
        )
        show_error(parent, failure, message)

    run_long_undoable(
        ops,
        parent,
        title=f"{text}…",
        text=text,
        contact_ids=ids,
        op=lambda db, _progress: op(db),
        changes=changes,
        on_done=done.append,
        on_error=failed,
    )
    return done[0] if done else None


def tag(ops: OpsBus, ids: Sequence[int], parent: QWidget) -> int | None:
    names = [t.name for t in contacts.tag_counts(ops.database)]
    name = TagDialog.ask(names, len(ids), parent)
    if name is None:
        return None
    return _in_background(
        ops,
        parent,
        text=f"Tag {many(len(ids))} “{name}”",
        ids=ids,
        op=lambda db: bulk.tag_contacts(db, ids, name),
        changes=Changes(contacts=True, tags=True),
        failure="The tag was not added",
    )


def log_touch(ops: OpsBus, ids: Sequence[int], parent: QWidget) -> int | None:
    answer = BulkTouchDialog.ask(len(ids), parent)
    if answer is None:
        return None
    medium, when, summary = answer
    return _in_background(
        ops,
        parent,
        text=f"Log a touch for {many(len(ids))}",
        ids=ids,
        op=lambda db: bulk.log_touch_for_all(db, ids, medium, when, summary),
        changes=BULK_CHANGES,
        failure="The touches were not logged",
    )


def add_followup(ops: OpsBus, ids: Sequence[int], parent: QWidget) -> int | None:
    today = local_today()
    request = FollowupDialog.ask(many(len(ids)), today, parent)
    if request is None:
        return None
    return _in_background(
        ops,
        parent,
        text=f"Add a follow-up for {many(len(ids))}",
        ids=ids,
        op=lambda db: bulk.add_followup_for_all(
            db,
            ids,
            request.due_on,
            request.reason,
            today=today,
            suggested_medium=request.medium,
        ),
        changes=Changes(followups=True),
        failure="The follow-up was not added",
    )


def add_bulk_actions(
    menu: QMenu, ops: OpsBus, ids: Sequence[int], parent: QWidget, trash: object
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
