"""The detail pane's journey section: the contact's stage (changeable here), what to do at
that stage, days in stage, and overdue, stuck and at-risk badges. (Qualification, referrals
and the centre-of-influence flag are already in the pane's own details, with links.)"""

from __future__ import annotations

from datetime import date
from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db import automation, board, journeys
from db.clock import local_today
from db.contacts import ContactDetail
from db.engine import Database
from db.journeys import StageInfo
from desktop_app.journeys.badges import badge_html, card_badges
from desktop_app.journeys.moves import move_to_stage
from desktop_app.ops import Changes, OpsBus

# The contacts page re-shows the pane after contact changes; a model switch is on us.
SECTION_CHANGES = ("settings",)

#: What the section reads for a contact: the active stages, its card and any contradiction.
_Read = tuple[list[StageInfo], "board.Card | None", "automation.Conflict | None"]


class StageSection(QWidget):
    """Shows where the contact stands and moves it along the journey."""

    def __init__(
        self, ops: OpsBus, parent: QWidget | None = None, *, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("stageSection")
        self.ops = ops
        self._fixed_today = today
        self.contact: ContactDetail | None = None
        self._stages: list[StageInfo] = []

        heading = QLabel("JOURNEY")
        heading.setObjectName("sectionTitle")
        self.stage_box = QComboBox()
        self.stage_box.setAccessibleName("Stage")
        self.stage_box.activated.connect(self._on_stage_chosen)
        self.badges = QLabel()
        self.badges.setTextFormat(Qt.TextFormat.RichText)
        self.days = QLabel()
        self.days.setObjectName("stageDays")
        self.days.setWordWrap(True)
        self.description = QLabel()
        self.description.setObjectName("stageDescription")
        self.description.setWordWrap(True)

        # A stage that contradicts the contact's facts, and the one-click fix.
        self.conflict: automation.Conflict | None = None
        self.conflict_box = QFrame()
        self.conflict_box.setObjectName("stageConflict")
        conflict_title = QLabel("<b>Stage does not fit the facts</b>")
        conflict_title.setObjectName("stageConflictText")
        self.conflict_text = QLabel()
        self.conflict_text.setObjectName("stageConflictText")
        self.conflict_text.setWordWrap(True)
        self.fix_button = QPushButton()
        self.fix_button.setAccessibleName("Fix the stage")
        self.fix_button.clicked.connect(self.fix_stage)
        conflict_layout = QVBoxLayout(self.conflict_box)
        conflict_layout.setContentsMargins(10, 8, 10, 8)
        conflict_layout.setSpacing(4)
        conflict_layout.addWidget(conflict_title)
        conflict_layout.addWidget(self.conflict_text)
        fix_row = QHBoxLayout()
        fix_row.addWidget(self.fix_button)
        fix_row.addStretch(1)
        conflict_layout.addLayout(fix_row)
        self.conflict_box.hide()

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Stage", self.stage_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 14, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.days)
        layout.addWidget(self.badges)
        layout.addWidget(self.conflict_box)
        layout.addWidget(self.description)
        ops.changed.connect(self._on_changed)

    @property
    def today(self) -> date:
        return self._fixed_today or local_today()

    def show_contact(self, contact: ContactDetail | None) -> None:
        if contact is None:
            self.contact = None
            return
        self._show(contact, self._read(self.ops.database, contact))

    def read(self, database: Database, contact: ContactDetail) -> object:
        return self._read(database, contact)

    def _read(self, database: Database, contact: ContactDetail) -> _Read:
        """The active stages, the contact's card and whether its stage contradicts its facts
        (on the runner when it is selected)."""
        if contact.deleted_at is not None:
            return journeys.current_stages(database), None, None
        card = board.contact_card(database, contact.id, today=self.today)
        conflict = automation.conflict_of(database, contact.id, self.today)
        return journeys.current_stages(database), card, conflict

    def show_read(self, contact: ContactDetail, data: object) -> None:
        self._show(contact, cast("_Read", data))

    def _show(self, contact: ContactDetail, read: _Read) -> None:
        self.contact = contact
        self._stages, card, conflict = read
        self.stage_box.blockSignals(True)
        self.stage_box.clear()
        for choice in self._stages:
            self.stage_box.addItem(choice.label, choice.id)
        index = self.stage_box.findData(contact.stage_id)
        if index < 0:
            self.stage_box.addItem(contact.stage_label or "No stage", None)
            index = self.stage_box.count() - 1
        self.stage_box.setCurrentIndex(index)
        self.stage_box.blockSignals(False)
        trashed = contact.deleted_at is not None
        self.stage_box.setEnabled(not trashed)

        stage = next((s for s in self._stages if s.id == contact.stage_id), None)
        self.description.setText(stage.description if stage else "")
        self.description.setVisible(bool(stage and stage.description))
        if card is not None and card.days_in_stage is not None:
            limit = f" (stuck after {stage.dwell_days})" if stage and stage.dwell_days else ""
            self.days.setText(f"{card.days_in_stage:,} days in this stage{limit}")
        else:
            self.days.setText("")
        chips = card_badges(card) if card is not None else []
        self.badges.setText(" ".join(badge_html(key) for key in chips))
        self.badges.setVisible(bool(chips))
        self._show_conflict(conflict)

    def _show_conflict(self, conflict: automation.Conflict | None) -> None:
        self.conflict = conflict
        self.conflict_box.setVisible(conflict is not None)
        if conflict is None:
            return
        self.conflict_text.setText(conflict.message)
        self.fix_button.setText(f"Move to {conflict.target_label}")
        self.fix_button.setToolTip(
            "Move the contact to the stage its facts call for; the move is recorded with why."
        )

    def fix_stage(self) -> None:
        """The one-click fix: move the contact to the stage its facts call for."""
        contact, conflict = self.contact, self.conflict
        if contact is None or conflict is None:
            return
        day = self.today
        self.ops.run(
            lambda database: automation.fix_stages(database, [contact.id], day),
            Changes(contacts=True, stages=True),
        )

    def _on_stage_chosen(self, index: int) -> None:
        contact = self.contact
        stage_id = self.stage_box.itemData(index)
        stage = next((s for s in self._stages if s.id == stage_id), None)
        if contact is None or stage is None or stage.id == contact.stage_id:
            return
        if move_to_stage(self.ops, [contact.id], stage, self, what=contact.name) is None:
            # Cancelled: show the stage the contact still stands on.
            self.show_contact(contact)

    def _on_changed(self, changes: Changes) -> None:
        if self.contact is not None and changes.touch(*SECTION_CHANGES):
            from db.contacts import ContactNotFoundError, get_contact  # noqa: PLC0415

            try:
                self.show_contact(get_contact(self.ops.database, self.contact.id))
            except ContactNotFoundError:
                self.contact = None
