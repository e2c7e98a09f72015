"""The log-touch dialog: who, how (six mediums, keys 1 to 6), which way, when, and what.

Built to be used from the keyboard in a few seconds: type part of a name, press the medium's
number (which picks the best match and moves on to the summary), type a line, press Enter.
The dialog saves through ``ops`` itself, so a refused form stays open with its messages.
"""

from __future__ import annotations

import logging
from datetime import datetime
from html import escape
from typing import Any

from PySide6.QtCore import QDateTime, QSize, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from db import contacts, touches
from db.clock import local_today
from db.contacts import ContactNotFoundError, ContactQuery, ContactRow, ValidationError
from db.domain import Direction, Medium
from db.engine import Database
from db.models import utcnow
from db.touches import FollowupRequest, TouchInput, TouchRecord
from desktop_app import icons, theme
from desktop_app.contacts.table_model import followup_text
from desktop_app.dialogs import Dialog, show_error
from desktop_app.ops import Changes, OpsBus, WriteFailedError
from desktop_app.widgets import ContactPicker, FieldError, qdate

log = logging.getLogger(__name__)

TOUCH_CHANGES = Changes(touches=True, followups=True, contacts=True)
_MEDIUM_KEYS = {Qt.Key.Key_1 + n: medium for n, medium in enumerate(Medium)}


def _local_qdatetime(moment: datetime) -> QDateTime:
    """``moment`` on this computer's clock, as the date-time field shows it."""
    local = moment.astimezone()
    return QDateTime(
        qdate(local.date()),
        QTime(local.hour, local.minute, local.second, local.microsecond // 1000),
    )


def medium_for_key(event: QKeyEvent) -> Medium | None:
    """The medium a key press picks (1 to 6, on the main row or the keypad), if any."""
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if modifiers != Qt.KeyboardModifier.NoModifier:
        return None
    return _MEDIUM_KEYS.get(event.key())


class MediumButtons(QWidget):
    """Six large toggles, one per medium; at most one is checked."""

    medium_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[Medium, QToolButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        for number, medium in enumerate(Medium, start=1):
            button = QToolButton()
            button.setObjectName("mediumButton")
            button.setCheckable(True)
            button.setIcon(icons.medium_icon(medium))
            button.setIconSize(QSize(30, 30))
            button.setText(f"{medium.label}\n{number}")
            button.setToolTip(f"{medium.label} (key {number})")
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setMinimumSize(QSize(88, 76))
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            self.group.addButton(button, number)
            self.buttons[medium] = button
            row.addWidget(button)
        self.group.idToggled.connect(self._on_toggled)

    def medium(self) -> Medium | None:
        number = self.group.checkedId()
        return list(Medium)[number - 1] if number > 0 else None

    def set_medium(self, medium: Medium | None) -> None:
        if medium is None:
            checked = self.group.checkedButton()
            if checked is not None:
                self.group.setExclusive(False)
                checked.setChecked(False)
                self.group.setExclusive(True)
                self.medium_changed.emit(None)
            return
        self.buttons[medium].setChecked(True)

    def _on_toggled(self, _number: int, checked: bool) -> None:
        if checked:
            self.medium_changed.emit(self.medium())


#: At most this many namesakes are listed to choose from by number.
NAMESAKES_SHOWN = 6


def contact_label(row: ContactRow) -> str:
    return f"{row.name} — {row.company}" if row.company else row.name


class QuickContactPicker(ContactPicker):
    """A contact picker built for the keyboard.

    While the typed text matches one contact, a medium key (1-6) takes it and picks the
    medium. While it matches several (two Milenas), they are listed under the field with
    their company and stage, numbered, and the first number key chooses among them: nobody is
    picked silently. Digits stay digits while the text could be a phone number (no letters).
    """

    medium_key_pressed = Signal(object)
    #: The contacts the typed text matches (up to ``NAMESAKES_SHOWN`` + 1), as list rows.
    matches_changed = Signal(object)
    #: A medium key or Enter was pressed while several contacts match and none is chosen.
    choice_needed = Signal()

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(database, parent)
        self.matches: list[ContactRow] = []

    def _refresh(self) -> None:
        typed = self.text().strip()
        if self.contact_id is not None or not typed:
            self.matches = []
        else:
            rows = contacts.contact_rows(
                self._database, ContactQuery(text=typed), 0, NAMESAKES_SHOWN + 1
            )
            self.matches = [r for r in rows if r.id != self.exclude_id]
        self.matches_changed.emit(self.matches)

    def set_contact(self, contact_id: int | None, label: str = "") -> None:
        super().set_contact(contact_id, label)
        if contact_id is not None and self.matches:
            self.matches = []
            self.matches_changed.emit(self.matches)

    def choose(self, row: ContactRow) -> None:
        self.set_contact(row.id, contact_label(row))
        self.contact_chosen.emit(row.id)

    def keyPressEvent(self, event: Any) -> None:
        medium = medium_for_key(event)
        named = self.contact_id is not None or any(c.isalpha() for c in self.text())
        if self._timer.isActive():
            self._timer.stop()
            self._refresh()
        several = self.contact_id is None and len(self.matches) > 1
        if medium is not None and named and several:
            # The first number chooses among the namesakes listed; the next one is the medium.
            number = event.key() - Qt.Key.Key_0 if event.key() <= Qt.Key.Key_9 else 0
            if 1 <= number <= min(len(self.matches), NAMESAKES_SHOWN):
                self.choose(self.matches[number - 1])
            else:
                self.choice_needed.emit()
            return
        if medium is not None and named and self.resolve():
            self.medium_key_pressed.emit(medium)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.contact_id is None:
            if several:
                self.choice_needed.emit()
                return
            if self.text():
                if self.resolve():
                    self.contact_chosen.emit(self.contact_id)
                return
        super().keyPressEvent(event)

    def resolve(self) -> bool:
        """Take the one contact the text matches, unless a contact is already chosen."""
        if self.contact_id is not None:
            return True
        if not self.text().strip():
            return False
        self._refresh()
        if len(self.matches) != 1:
            if self.matches:
                self.choice_needed.emit()
            return False
        self.choose(self.matches[0])
        return True


class NamesakeList(QLabel):
    """Under the picker: the contacts the text matches, numbered, with company and stage."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("namesakeList")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.hide()

    def show_matches(self, rows: list[ContactRow], urgent: bool = False) -> None:
        if len(rows) < 2:
            self.hide()
            return
        shown = rows[:NAMESAKES_SHOWN]
        lines = []
        for number, row in enumerate(shown, start=1):
            company = f" — {escape(row.company)}" if row.company else ""
            stage = f" · {escape(row.stage_label)}" if row.stage_label else ""
            lines.append(
                f"<b>{number}</b>&nbsp;&nbsp;{escape(row.name)}{theme.muted_html(company + stage)}"
            )
        more = " (more match: keep typing)" if len(rows) > NAMESAKES_SHOWN else ""
        colour = theme.hex_of("danger" if urgent else "muted")
        ask = (
            f'<span style="color:{colour};">{len(shown)} match: press 1 to {len(shown)} '
            f"to choose{more}</span>"
        )
        self.setText(ask + "<br>" + "<br>".join(lines))
        self.show()


class TouchDialog(Dialog):
    """Log a new touch, or edit one (``touch`` given). ``saved_id`` is the touch saved."""

    touch_saved = Signal(int)

    def __init__(
        self,
        ops: OpsBus,
        parent: QWidget | None = None,
        contact_id: int | None = None,
        touch: TouchRecord | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.touch = touch
        self.saved_id: int | None = None
        self.setWindowTitle("Edit touch" if touch else "Log touch")
        self.setMinimumWidth(720)
        database: Database = ops.database

        self.picker = QuickContactPicker(database)
        self.picker.setPlaceholderText("Who? Type a name, company, email or phone")
        self.picker.contact_chosen.connect(self._on_contact_chosen)
        self.picker.medium_key_pressed.connect(self._on_medium_key)
        self.picker.matches_changed.connect(self.namesakes_changed)
        self.picker.choice_needed.connect(lambda: self.namesakes_changed(self.picker.matches, True))
        self.namesakes = NamesakeList()
        self.contact_info = QLabel()
        self.contact_info.setObjectName("contactInfo")
        self.contact_info.setTextFormat(Qt.TextFormat.RichText)
        self.contact_info.hide()
        self.picker.textEdited.connect(lambda _t: self.contact_info.hide())
        self.contact_error = FieldError()

        self.mediums = MediumButtons()
        self.mediums.medium_changed.connect(self._on_medium_changed)
        self.medium_error = FieldError()
        self.medium_hint = QLabel("Press 1 to 6 to choose")
        self.medium_hint.setObjectName("countLabel")

        self.outbound = QRadioButton("I reached out")
        self.inbound = QRadioButton("They reached me")
        self.outbound.setChecked(True)
        directions = QHBoxLayout()
        directions.addWidget(self.outbound)
        directions.addWidget(self.inbound)
        directions.addStretch(1)

        self.when = QDateTimeEdit(QDateTime.currentDateTime())
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("d MMM yyyy  HH:mm")
        self.when.setMinimumWidth(200)
        self.now_button = QPushButton("Now")
        self.now_button.setFlat(True)
        self.now_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.now_button.clicked.connect(lambda: self.when.setDateTime(QDateTime.currentDateTime()))
        when_row = QHBoxLayout()
        when_row.addWidget(self.when)
        when_row.addWidget(self.now_button)
        when_row.addStretch(1)
        self.when_error = FieldError()

        self.summary = QLineEdit()
        self.summary.setPlaceholderText("What happened, in a line")
        self.summary_error = FieldError()
        self.outcome = QLineEdit()
        self.outcome.setPlaceholderText("Optional: what came of it")
        self.outcome_error = FieldError()
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Optional notes (Ctrl+Enter saves)")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(72)
        self.notes_error = FieldError()

        self.follow_check = QCheckBox("Follow up in")
        self.follow_days = QSpinBox()
        self.follow_days.setRange(1, touches.FOLLOWUP_MAX_DAYS)
        self.follow_days.setValue(7)
        self.follow_days.setSuffix(" days")
        self.follow_days.setFixedWidth(110)
        self.follow_reason = QLineEdit()
        self.follow_reason.setPlaceholderText("Reason, e.g. send the quote")
        self.follow_check.toggled.connect(self._on_follow_toggled)
        follow_row = QHBoxLayout()
        follow_row.addWidget(self.follow_check)
        follow_row.addWidget(self.follow_days)
        follow_row.addWidget(self.follow_reason, 1)
        self.follow_error = FieldError()
        self._on_follow_toggled(False)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(6)
        contact_box = self._stacked(self.picker, self.contact_error)
        contact_box.addWidget(self.namesakes)
        contact_box.addWidget(self.contact_info)
        form.addRow("Contact", contact_box)
        medium_box = QVBoxLayout()
        medium_box.setSpacing(2)
        medium_box.addWidget(self.mediums)
        medium_box.addWidget(self.medium_hint)
        medium_box.addWidget(self.medium_error)
        form.addRow("Medium", medium_box)
        form.addRow("Direction", directions)
        when_box = QVBoxLayout()
        when_box.setSpacing(2)
        when_box.addLayout(when_row)
        when_box.addWidget(self.when_error)
        form.addRow("When", when_box)
        form.addRow("Summary", self._stacked(self.summary, self.summary_error))
        form.addRow("Outcome", self._stacked(self.outcome, self.outcome_error))
        form.addRow("Notes", self._stacked(self.notes, self.notes_error))
        if touch is None:
            follow_box = QVBoxLayout()
            follow_box.setSpacing(2)
            follow_box.addLayout(follow_row)
            follow_box.addWidget(self.follow_error)
            form.addRow("", follow_box)
        else:
            for widget in (self.follow_check, self.follow_days, self.follow_reason):
                widget.hide()

        self.save_button = QPushButton("Save" if touch else "Log touch")
        self.save_button.setObjectName("primaryButton")
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(True)
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton("Cancel")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        hint = QLabel("Enter saves · Esc cancels")
        hint.setObjectName("countLabel")
        buttons.addWidget(hint)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)

        title = QLabel(self.windowTitle())
        title.setObjectName("pageTitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 18)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addLayout(buttons)

        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, self.save)

        if touch is not None:
            self._fill(touch)
        elif contact_id is not None:
            self._preset_contact(contact_id)
        if self.picker.contact_id is None:
            self.picker.setFocus()
        else:
            self.summary.setFocus()

    @staticmethod
    def _stacked(field: QWidget, error: FieldError) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(field)
        box.addWidget(error)
        return box

    # --- filling in -----------------------------------------------------------------------

    def _preset_contact(self, contact_id: int) -> None:
        try:
            contact = contacts.get_contact(self.ops.database, contact_id)
        except ContactNotFoundError:
            return
        label = f"{contact.name} — {contact.company}" if contact.company else contact.name
        self.picker.set_contact(contact_id, label)
        self._show_contact_info(contact_id)

    def _fill(self, touch: TouchRecord) -> None:
        self._preset_contact(touch.contact_id)
        self.mediums.set_medium(touch.medium)
        self.inbound.setChecked(touch.direction == Direction.INBOUND)
        self.outbound.setChecked(touch.direction == Direction.OUTBOUND)
        self.when.setDateTime(_local_qdatetime(touch.occurred_at))
        self.summary.setText(touch.summary)
        self.outcome.setText(touch.outcome)
        self.notes.setPlainText(touch.notes)

    def set_occurred_at(self, moment: datetime) -> None:
        self.when.setDateTime(_local_qdatetime(moment))

    def occurred_at(self) -> datetime:
        local: datetime = self.when.dateTime().toPython()  # type: ignore[assignment]
        return local.astimezone()

    def form_input(self) -> TouchInput:
        return TouchInput(
            contact_id=self.picker.contact_id,
            medium=self.mediums.medium(),
            occurred_at=self.occurred_at(),
            direction=Direction.INBOUND if self.inbound.isChecked() else Direction.OUTBOUND,
            summary=self.summary.text(),
            notes=self.notes.toPlainText(),
            outcome=self.outcome.text(),
        )

    def followup_request(self) -> FollowupRequest | None:
        if self.touch is not None or not self.follow_check.isChecked():
            return None
        return FollowupRequest(self.follow_days.value(), self.follow_reason.text())

    # --- keys and reactions ---------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        medium = medium_for_key(event)
        if medium is not None:
            self._on_medium_key(medium)
            return
        super().keyPressEvent(event)

    def _on_medium_key(self, medium: Medium) -> None:
        self.mediums.set_medium(medium)
        self.summary.setFocus()

    def namesakes_changed(self, rows: list[ContactRow], urgent: bool = False) -> None:
        self.namesakes.show_matches(rows, urgent)
        self._fit_height()

    def _fit_height(self) -> None:
        # The list of namesakes comes and goes: the dialog keeps to the height it needs.
        QTimer.singleShot(0, self, lambda: self.resize(self.width(), self.sizeHint().height()))

    def _show_contact_info(self, contact_id: int) -> None:
        """Once chosen: the contact's stage and next follow-up, to see it is the right one."""
        found = contacts.rows_for_ids(self.ops.database, [contact_id])
        if not found:
            self.contact_info.hide()
            return
        row = found[0]
        parts = []
        if row.stage_label:
            parts.append(theme.chip_html(row.stage_label, "accent"))
        due = row.next_followup_on
        if due is None:
            parts.append(theme.muted_html("No follow-up due"))
        else:
            days = (due - local_today()).days
            when = followup_text(due, local_today())
            text = f"Next follow-up: {escape(when)}"
            if days < 0:
                text = f'<span style="color:{theme.hex_of("danger")};">{text}</span>'
            else:
                text = theme.muted_html(text)
            parts.append(text)
        self.contact_info.setText("&nbsp;&nbsp;".join(parts))
        self.contact_info.show()
        self._fit_height()

    def _on_contact_chosen(self, contact_id: int | None) -> None:
        self.contact_error.show_message(None)
        self.namesakes.hide()
        if contact_id is not None:
            self._show_contact_info(contact_id)
            (
                self.summary if self.mediums.medium() else self.mediums.buttons[Medium.IN_PERSON]
            ).setFocus()

    def _on_medium_changed(self, medium: Medium | None) -> None:
        if medium is not None:
            self.medium_error.show_message(None)

    def _on_follow_toggled(self, checked: bool) -> None:
        self.follow_days.setEnabled(checked)
        self.follow_reason.setEnabled(checked)

    # --- saving ---------------------------------------------------------------------------

    def save(self) -> None:
        data = self.form_input()
        followup = self.followup_request()
        touch = self.touch
        for error in (
            self.contact_error,
            self.medium_error,
            self.when_error,
            self.summary_error,
            self.outcome_error,
            self.notes_error,
            self.follow_error,
        ):
            error.show_message(None)
        try:
            if touch is None:
                self.saved_id = self.ops.run(
                    lambda db: touches.log_touch(db, data, followup=followup, now=utcnow()),
                    TOUCH_CHANGES,
                )
            else:
                self.ops.run(lambda db: touches.update_touch(db, touch.id, data), TOUCH_CHANGES)
                self.saved_id = touch.id
        except ValidationError as exc:
            self._show_errors(exc.errors)
            return
        except WriteFailedError as exc:
            # Nothing was written; the form stays as typed, to try again.
            show_error(self, "The touch was not saved", str(exc))
            return
        self.touch_saved.emit(self.saved_id)
        self.accept()

    def _show_errors(self, errors: dict[str, str]) -> None:
        fields = {
            "contact_id": (self.contact_error, self.picker),
            "medium": (self.medium_error, self.mediums.buttons[Medium.IN_PERSON]),
            "occurred_at": (self.when_error, self.when),
            "summary": (self.summary_error, self.summary),
            "outcome": (self.outcome_error, self.outcome),
            "notes": (self.notes_error, self.notes),
            "followup": (self.follow_error, self.follow_days),
        }
        first: QWidget | None = None
        for name, (label, widget) in fields.items():
            if name in errors:
                label.show_message(errors[name])
                first = first or widget
        if first is not None:
            first.setFocus()

    # --- entry points ---------------------------------------------------------------------

    @classmethod
    def ask(
        cls, ops: OpsBus, parent: QWidget | None = None, contact_id: int | None = None
    ) -> int | None:
        """Log a touch (for ``contact_id``, or with the picker focused); the new touch's id,
        or None if cancelled."""
        dialog = cls(ops, parent, contact_id)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.saved_id
            return None
        finally:
            dialog.deleteLater()

    @classmethod
    def edit(cls, ops: OpsBus, parent: QWidget | None, touch_id: int) -> bool:
        """Edit a stored touch; True if it was saved."""
        try:
            record = touches.get_touch(ops.database, touch_id)
        except touches.TouchNotFoundError:
            return False
        dialog = cls(ops, parent, touch=record)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()
