"""The Follow-ups tab of Settings: the 100-day plan template and starting in the tray.

It is listed in ``desktop_app.settings.dialog.PAGES``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db import followups
from db.domain import Medium
from db.followups import PlanStepData
from desktop_app import icons, options
from desktop_app.ops import Changes, OpsBus
from desktop_app.widgets import FieldError

DAY, TITLE, MEDIUM, SCRIPT = range(4)


class FollowupsSettingsPage(QWidget):
    title = "Follow-ups"

    def __init__(self, ops: OpsBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        intro = QLabel(
            "<b>The 100-day plan</b><br>A customer's first purchase starts these follow-ups, "
            "counted in days from the purchase. Plans already started keep their steps."
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Day", "Step", "Medium", "Script"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(40)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(DAY, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(DAY, 84)
        header.resizeSection(TITLE, 180)
        header.resizeSection(MEDIUM, 150)
        header.setStretchLastSection(True)
        self.plan_error = FieldError()

        self.add_button = QPushButton(icons.icon("add"), "Add step")
        self.add_button.clicked.connect(self.add_step)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_step)
        self.up_button = QPushButton("Move up")
        self.up_button.clicked.connect(lambda: self.move_step(-1))
        self.down_button = QPushButton("Move down")
        self.down_button.clicked.connect(lambda: self.move_step(1))
        self.default_button = QPushButton("Restore the default plan")
        self.default_button.setFlat(True)
        self.default_button.clicked.connect(self.restore_default)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.default_button)

        self.start_in_tray = QCheckBox("Start Touchbase minimised to the tray icon")
        self.start_in_tray.setChecked(options.get(options.START_IN_TRAY))
        tray_hint = QLabel(
            "Reminders keep coming while it runs. Where the desktop has no tray, the window "
            "opens as usual."
        )
        tray_hint.setObjectName("countLabel")
        tray_hint.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.plan_error)
        layout.addLayout(buttons)
        layout.addSpacing(12)
        layout.addWidget(QLabel("<b>Reminders</b>"))
        layout.addWidget(self.start_in_tray)
        layout.addWidget(tray_hint)
        self.set_steps(followups.plan_template(ops.database))

    # --- the table ------------------------------------------------------------------------

    def set_steps(self, steps: list[PlanStepData]) -> None:
        self.table.setRowCount(0)
        for step in steps:
            self._append(step)

    def _append(self, step: PlanStepData) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        day = QSpinBox()
        day.setRange(0, followups.PLAN_MAX_DAYS)
        day.setToolTip("Days after the first purchase")
        day.setValue(step.day_offset)
        self.table.setCellWidget(row, DAY, day)
        title = QTableWidgetItem(step.title)
        # The step's phase rides along with its title, so editing the plan keeps it.
        title.setData(Qt.ItemDataRole.UserRole, step.phase)
        self.table.setItem(row, TITLE, title)
        medium = QComboBox()
        medium.addItem("Any", None)
        for m in Medium:
            medium.addItem(icons.medium_icon(m), m.label, m.value)
        medium.setCurrentIndex(
            max(0, medium.findData(None if step.medium is None else step.medium.value))
        )
        self.table.setCellWidget(row, MEDIUM, medium)
        self.table.setItem(row, SCRIPT, QTableWidgetItem(step.script))

    def steps(self) -> list[PlanStepData]:
        result = []
        for row in range(self.table.rowCount()):
            day = self.table.cellWidget(row, DAY)
            medium = self.table.cellWidget(row, MEDIUM)
            assert isinstance(day, QSpinBox) and isinstance(medium, QComboBox)
            title = self.table.item(row, TITLE)
            script = self.table.item(row, SCRIPT)
            value = medium.currentData()
            result.append(
                PlanStepData(
                    day.value(),
                    title.text() if title is not None else "",
                    None if value is None else Medium(value),
                    script.text() if script is not None else "",
                    title.data(Qt.ItemDataRole.UserRole) if title is not None else None,
                )
            )
        return result

    def add_step(self) -> None:
        steps = self.steps()
        last = steps[-1].day_offset if steps else 0
        self._append(PlanStepData(last + 7, "New step"))
        self.table.selectRow(self.table.rowCount() - 1)
        item = self.table.item(self.table.rowCount() - 1, TITLE)
        if item is not None:
            self.table.editItem(item)

    def remove_step(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def move_step(self, delta: int) -> None:
        row = self.table.currentRow()
        target = row + delta
        steps = self.steps()
        if row < 0 or not 0 <= target < len(steps):
            return
        steps[row], steps[target] = steps[target], steps[row]
        self.set_steps(steps)
        self.table.selectRow(target)

    def restore_default(self) -> None:
        self.set_steps(
            [
                PlanStepData(day, title, medium, script, phase)
                for day, title, medium, script, phase in followups.DEFAULT_PLAN_STEPS
            ]
        )

    # --- the settings page protocol -------------------------------------------------------

    def validate(self) -> str | None:
        errors = followups.validate_plan(self.steps())
        if not errors:
            self.plan_error.show_message(None)
            return None
        row = min(errors)
        message = f"Step {row + 1}: {errors[row]}"
        self.plan_error.show_message(message)
        self.table.selectRow(row)
        return message

    def apply(self) -> None:
        options.put(options.START_IN_TRAY, self.start_in_tray.isChecked())
        steps = self.steps()
        if steps != followups.plan_template(self.ops.database):
            self.ops.run(lambda db: followups.save_plan_template(db, steps), Changes(settings=True))
