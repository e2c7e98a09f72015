"""The follow-up dialog ("follow up on … because …") and the snooze date picker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from db import followups
from db.domain import Medium
from desktop_app import icons
from desktop_app.dialogs import Dialog
from desktop_app.widgets import FieldError, pydate, qdate


@dataclass(frozen=True)
class FollowupRequest:
    due_on: date
    reason: str
    medium: Medium | None


class FollowupDialog(Dialog):
    """Ask for the day, the reason and a suggested medium of a new follow-up."""

    def __init__(self, contact_name: str, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today
        self.setWindowTitle("Add follow-up")
        self.setMinimumWidth(420)
        heading = QLabel(f"Follow up with <b>{contact_name}</b>")
        self.due = QDateEdit(qdate(today + timedelta(days=3)))
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("ddd d MMM yyyy")
        self.due.setMinimumDate(qdate(today))
        self.due_error = FieldError()
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Send the proposal")
        self.reason.setMaxLength(followups.REASON_MAX + 50)
        self.reason_error = FieldError()
        self.medium = QComboBox()
        self.medium.addItem("No suggestion", None)
        for medium in Medium:
            self.medium.addItem(icons.medium_icon(medium), medium.label, medium.value)

        form = QFormLayout()
        form.addRow("Day", self.due)
        form.addRow("", self.due_error)
        form.addRow("Reason", self.reason)
        form.addRow("", self.reason_error)
        form.addRow("Suggested medium", self.medium)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add follow-up")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def request(self) -> FollowupRequest:
        value = self.medium.currentData()
        return FollowupRequest(
            pydate(self.due.date()),
            self.reason.text().strip(),
            None if value is None else Medium(value),
        )

    def validate(self) -> bool:
        r = self.request()
        errors = followups.validate_followup(r.due_on, r.reason, today=self.today)
        self.due_error.show_message(errors.get("due_on"))
        self.reason_error.show_message(errors.get("reason"))
        return not errors

    def accept(self) -> None:
        if self.validate():
            super().accept()

    @classmethod
    def ask(
        cls, contact_name: str, today: date, parent: QWidget | None = None
    ) -> FollowupRequest | None:
        dialog = cls(contact_name, today, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.request()


class SnoozeDialog(Dialog):
    """Pick the day a snoozed follow-up should come back."""

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Snooze until")
        self.day = QDateEdit(qdate(today + timedelta(days=2)))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd d MMM yyyy")
        self.day.setMinimumDate(qdate(today + timedelta(days=1)))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Remind me again on"))
        layout.addWidget(self.day)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, today: date, parent: QWidget | None = None) -> date | None:
        dialog = cls(today, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return pydate(dialog.day.date())
