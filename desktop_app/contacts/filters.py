"""The contacts table's journey filters: stage, stuck, at risk, qualification, referred by
someone and centre of influence, chosen from a “Filter” button and shown as removable chips.

The filters only describe a query (``apply`` fills in ``ContactQuery``); SQLite does the
filtering (``db.listing``), so they cost the same at any size.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QHBoxLayout, QMenu, QPushButton, QToolButton, QWidget

from db import automation, journeys
from db.clock import local_today
from db.contacts import ContactQuery
from db.domain import Qualification
from desktop_app import icons
from desktop_app.ops import Changes, OpsBus


@dataclass(frozen=True)
class Filters:
    stage_id: int | None = None
    stage_label: str = ""
    stuck: bool = False
    at_risk: bool = False
    qualification: Qualification | None = None
    referred: bool = False
    centre_of_influence: bool = False
    contradicts: bool = False

    def chips(self) -> list[tuple[str, str]]:
        """(field to clear, text) for each active filter."""
        chips = []
        if self.stage_id is not None:
            chips.append(("stage_id", f"Stage: {self.stage_label}"))
        if self.stuck:
            chips.append(("stuck", "Stuck"))
        if self.at_risk:
            chips.append(("at_risk", "At risk"))
        if self.qualification is not None:
            chips.append(("qualification", self.qualification.label))
        if self.referred:
            chips.append(("referred", "Referred by someone"))
        if self.centre_of_influence:
            chips.append(("centre_of_influence", "Centre of influence"))
        if self.contradicts:
            chips.append(("contradicts", "Stage does not fit the facts"))
        return chips


_CLEARED: dict[str, dict[str, object]] = {
    "stage_id": {"stage_id": None, "stage_label": ""},
    "stuck": {"stuck": False},
    "at_risk": {"at_risk": False},
    "qualification": {"qualification": None},
    "referred": {"referred": False},
    "centre_of_influence": {"centre_of_influence": False},
    "contradicts": {"contradicts": False},
}


class FilterBar(QWidget):
    """A “Filter” button with a menu, followed by a chip per active filter."""

    changed = Signal()

    def __init__(self, ops: OpsBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self._filters = Filters()
        self.button = QToolButton()
        self.button.setObjectName("filterButton")
        self.button.setText("Filter")
        self.button.setIcon(icons.icon("chevron-down"))
        self.button.setToolButtonStyle(self.button.toolButtonStyle().ToolButtonTextBesideIcon)
        self.button.setToolTip("Show only contacts at a stage, stuck, at risk, qualified, …")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.button)
        self.menu.aboutToShow.connect(self._fill_menu)
        self.button.setMenu(self.menu)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._layout.addWidget(self.button)
        self.chip_buttons: list[QPushButton] = []
        # With the contradiction filter on: move every contact it lists to a fitting stage.
        self.fix_all_button = QPushButton("Fix all")
        self.fix_all_button.setToolTip(
            "Move every contact listed to the stage its purchases and qualification call "
            "for; each move is recorded with the reason."
        )
        self.fix_all_button.clicked.connect(self.fix_all)
        self.fix_all_button.hide()
        self._layout.addWidget(self.fix_all_button)
        ops.changed.connect(self._on_changed)

    # --- state ----------------------------------------------------------------------------

    @property
    def filters(self) -> Filters:
        return self._filters

    def active(self) -> bool:
        return self._filters != Filters()

    def set_filters(self, filters: Filters) -> None:
        if filters == self._filters:
            return
        self._filters = filters
        self._show_chips()
        self.changed.emit()

    def change(self, **fields: object) -> None:
        self.set_filters(dataclasses.replace(self._filters, **fields))  # type: ignore[arg-type]

    def clear(self) -> None:
        self.set_filters(Filters())

    def apply(self, query: ContactQuery) -> ContactQuery:
        f = self._filters
        return dataclasses.replace(
            query,
            stage_id=f.stage_id,
            stuck=f.stuck,
            at_risk=f.at_risk,
            qualification=f.qualification.value if f.qualification else None,
            referred=f.referred,
            centre_of_influence=f.centre_of_influence,
            contradicts=f.contradicts,
        )

    # --- the menu and the chips -----------------------------------------------------------

    def _fill_menu(self) -> None:
        menu = self.menu
        menu.clear()
        f = self._filters
        stage_menu = menu.addMenu("Stage")
        group = QActionGroup(stage_menu)
        stages = journeys.current_stages(self.ops.database)
        for stage in stages:
            action = stage_menu.addAction(stage.label)
            action.setCheckable(True)
            action.setChecked(stage.id == f.stage_id)
            action.setToolTip(stage.description)
            group.addAction(action)
            action.triggered.connect(
                lambda _c=False, s=stage: self.change(stage_id=s.id, stage_label=s.label)
            )
        for field, label, tip in (
            ("stuck", "Stuck", "Longer in their stage than its dwell limit"),
            ("at_risk", "At risk", "Loyal contacts whose touch cadence is overdue"),
            (
                "contradicts",
                "Stage does not fit the facts",
                "Contacts whose stage contradicts their purchases or qualification",
            ),
        ):
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(bool(getattr(f, field)))
            action.setToolTip(tip)
            action.toggled.connect(lambda on, name=field: self.change(**{name: on}))
        qualification_menu = menu.addMenu("Qualification")
        levels = QActionGroup(qualification_menu)
        for level in Qualification:
            action = qualification_menu.addAction(level.label)
            action.setCheckable(True)
            action.setChecked(level == f.qualification)
            levels.addAction(action)
            action.triggered.connect(lambda _c=False, q=level: self.change(qualification=q))
        menu.addSeparator()
        for field, label in (
            ("referred", "Referred by someone"),
            ("centre_of_influence", "Centre of influence"),
        ):
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(bool(getattr(f, field)))
            action.toggled.connect(lambda on, name=field: self.change(**{name: on}))
        menu.addSeparator()
        clear = menu.addAction("Clear filters")
        clear.setEnabled(self.active())
        clear.triggered.connect(self.clear)

    def _show_chips(self) -> None:
        for chip in self.chip_buttons:
            self._layout.removeWidget(chip)
            chip.hide()
            chip.deleteLater()
        self.chip_buttons = []
        for field, text in self._filters.chips():
            chip = QPushButton(f"{text}  ✕")
            chip.setObjectName("filterChip")
            chip.setToolTip(f"Remove the “{text}” filter")
            chip.clicked.connect(lambda _c=False, name=field: self.change(**_CLEARED[name]))
            self._layout.addWidget(chip)
            self.chip_buttons.append(chip)
        self.button.setText(f"Filter ({len(self.chip_buttons)})" if self.chip_buttons else "Filter")
        self._layout.removeWidget(self.fix_all_button)
        self._layout.addWidget(self.fix_all_button)
        self.fix_all_button.setVisible(self._filters.contradicts)
        # Place the new chips now, not at the next event: never drawn over the button.
        self._layout.activate()

    def fix_all(self) -> None:
        day = local_today()
        self.ops.run(
            lambda db: automation.fix_all_stages(db, day), Changes(contacts=True, stages=True)
        )

    def _on_changed(self, changes: Changes) -> None:
        # A model switch or an edited model can take the filtered stage away.
        if self._filters.stage_id is None or not changes.touch("settings", "stages"):
            return
        stages = {s.id: s.label for s in journeys.current_stages(self.ops.database)}
        if self._filters.stage_id not in stages:
            self.change(stage_id=None, stage_label="")
        elif stages[self._filters.stage_id] != self._filters.stage_label:
            self.change(stage_label=stages[self._filters.stage_id])
