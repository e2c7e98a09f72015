"""The Follow-ups section of the contact detail pane: the next follow-up and why, the open
follow-ups (100-day plan steps included) with done / skip / remove, cancel the plan, and
"Add follow-up…"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db import automation, followups
from db.clock import local_today
from db.contacts import ContactDetail
from db.domain import FollowupSource
from db.engine import Database
from db.followups import ContactSchedule, FollowupInfo
from desktop_app import theme
from desktop_app.contacts.detail import reread_by_pane
from desktop_app.dialogs import show_error
from desktop_app.followups.actions import add_followup
from desktop_app.journeys.moves import offer_phase
from desktop_app.ops import Changes, OpsBus
from desktop_app.undo import run_undoable

SOURCE_LABELS = {
    FollowupSource.MANUAL: "set by hand",
    FollowupSource.PLAN: "100-day plan",
    FollowupSource.CADENCE: "cadence",
}


def when(day: date, today: date) -> str:
    days = (day - today).days
    shown = f"{day:%a %-d %b}" if day.year == today.year else f"{day:%-d %b %Y}"
    if days < 0:
        return f"{shown} · {-days} day{'s' if days != -1 else ''} overdue"
    if days == 0:
        return f"{shown} · today"
    return f"{shown} · in {days} day{'s' if days != 1 else ''}"


class FollowupRow(QFrame):
    def __init__(self, info: FollowupInfo, section: FollowupsSection) -> None:
        super().__init__()
        self.info = info
        self.setObjectName("followupRow")
        reason = info.reason or "Keep in touch"
        self.text = QLabel(
            f"<b>{when(info.effective_due, section.today())}</b><br>{reason}"
            f" <span style='color:{theme.hex_of('muted')}'>({SOURCE_LABELS[info.source]}"
            + (f", snoozed from {info.due_on:%-d %b}" if info.snoozed_until else "")
            + ")</span>"
        )
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.done_button = QPushButton("Done")
        self.done_button.setToolTip("Tick it off")
        self.done_button.clicked.connect(lambda: section.complete(info.id))
        label = "Skip" if info.source is FollowupSource.PLAN else "Remove"
        self.drop_button = QPushButton(label)
        self.drop_button.setToolTip(
            "Skip this step of the plan" if label == "Skip" else "Remove this follow-up"
        )
        self.drop_button.clicked.connect(lambda: section.cancel(info.id))
        # A cadence never goes away, it is only done (and restarts) or snoozed.
        self.drop_button.setVisible(info.source is not FollowupSource.CADENCE)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 2, 0, 2)
        row.addWidget(self.text, 1)
        row.addWidget(self.done_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.drop_button, 0, Qt.AlignmentFlag.AlignTop)


class FollowupsSection(QWidget):
    """Shows and changes one contact's follow-ups; loads its own data."""

    def __init__(
        self,
        ops: OpsBus,
        today_fn: Callable[[], date] = local_today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.today = today_fn
        self.contact: ContactDetail | None = None
        self.schedule: ContactSchedule | None = None
        self.rows: list[FollowupRow] = []

        title = QLabel("FOLLOW-UPS")
        title.setObjectName("sectionTitle")
        # As the pane's own section titles (EMAIL, PHONE, ...) look.
        self.next_label = QLabel()
        self.next_label.setWordWrap(True)
        self.next_label.setObjectName("followupNext")
        self.add_button = QPushButton("Add follow-up…")
        self.add_button.clicked.connect(self.add_followup)
        self.cancel_plan_button = QPushButton("Cancel the 100-day plan")
        self.cancel_plan_button.setFlat(True)
        self.cancel_plan_button.clicked.connect(self.cancel_plan)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setSpacing(2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.cancel_plan_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(title)
        layout.addWidget(self.next_label)
        layout.addLayout(self._rows_layout)
        layout.addLayout(buttons)
        ops.changed.connect(self._on_changed)

    def show_contact(self, contact: ContactDetail | None) -> None:
        self.contact = contact
        self.reload()

    def read(self, database: Database, contact: ContactDetail) -> object:
        if contact.deleted_at is not None or contact.do_not_contact:
            return None
        return followups.contact_schedule(database, contact.id)

    def show_read(self, contact: ContactDetail, data: object) -> None:
        self.contact = contact
        self.reload(cast("ContactSchedule | None", data))

    def reload(self, read: ContactSchedule | None = None) -> None:
        """Show the contact's follow-ups (``read``: its schedule, already read)."""
        for row in self.rows:
            self._rows_layout.removeWidget(row)
            row.deleteLater()
        self.rows = []
        contact = self.contact
        self.schedule = None
        if contact is None:
            return
        if contact.deleted_at is not None:
            self.setVisible(False)  # nothing is due for a contact in the trash
            return
        if contact.do_not_contact:
            self.next_label.setText("Marked do not contact: no follow-ups or reminders.")
            self.add_button.setEnabled(False)
            self.cancel_plan_button.hide()
            return
        self.add_button.setEnabled(True)
        self.schedule = schedule = read or followups.contact_schedule(self.ops.database, contact.id)
        self.next_label.setText(self._next_text(schedule))
        for info in schedule.open:
            row = FollowupRow(info, self)
            self._rows_layout.addWidget(row)
            self.rows.append(row)
        self.cancel_plan_button.setVisible(
            any(i.source is FollowupSource.PLAN for i in schedule.open)
        )

    def _next_text(self, schedule: ContactSchedule) -> str:
        if schedule.next_followup_on is None:
            return "No follow-up planned (the stage has no cadence)."
        today = self.today()
        stands_in = any(i.source is FollowupSource.CADENCE for i in schedule.open)
        firsts = [i for i in schedule.open if i.effective_due == schedule.next_followup_on]
        if firsts:
            why = SOURCE_LABELS[firsts[0].source]
        elif not stands_in and schedule.cadence_due_on == schedule.next_followup_on:
            why = "cadence"
        else:
            why = ""
        return f"Next follow-up: {when(schedule.next_followup_on, today)}" + (
            f" ({why})" if why else ""
        )

    # --- actions --------------------------------------------------------------------------

    def _run(self, op: Callable[[Database], object], text: str = "Change a follow-up") -> bool:
        contact = self.contact
        try:
            if contact is None:
                self.ops.run(op, Changes(followups=True))
            else:
                run_undoable(self.ops, text, [contact.id], op, Changes(followups=True))
        except followups.FollowupError as exc:
            show_error(self, "The follow-up could not be changed", str(exc))
            return False
        return True

    def add_followup(self) -> None:
        contact = self.contact
        if contact is not None:
            add_followup(self, self.ops, contact.id, self.today())

    def complete(self, followup_id: int) -> None:
        contact = self.contact
        offer = automation.phase_offer(self.ops.database, followup_id)
        if not self._run(
            lambda db: followups.complete_followup(db, followup_id), "Mark a follow-up done"
        ):
            return
        if offer is not None and contact is not None:
            offer_phase(self, self.ops, offer, contact.name)

    def cancel(self, followup_id: int) -> None:
        self._run(lambda db: followups.cancel_followup(db, followup_id), "Cancel a follow-up")

    def cancel_plan(self) -> None:
        contact = self.contact
        if contact is not None:
            self._run(lambda db: followups.cancel_plan(db, contact.id), "Cancel the 100-day plan")

    def _on_changed(self, changes: Changes) -> None:
        if reread_by_pane(self, changes):
            return
        if self.contact is not None and changes.touch(
            "followups", "touches", "stages", "contacts", "settings"
        ):
            self.reload()
