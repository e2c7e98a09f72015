"""Lifecycle and satisfaction filters for the contacts page (two small combo boxes)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QWidget

from db.feedback import Level
from db.lifecycle import Lifecycle
from db.listing import NO_FEEDBACK

ALL_LIFECYCLES = "Any lifecycle"
ALL_LEVELS = "Any satisfaction"


class SalesFilters(QWidget):
    """Emits ``changed`` when either choice changes; ``None`` means no filter."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lifecycle_combo = QComboBox()
        self.lifecycle_combo.setObjectName("lifecycleFilter")
        self.lifecycle_combo.addItem(ALL_LIFECYCLES, None)
        for status in Lifecycle:
            self.lifecycle_combo.addItem(status.label, status.value)
        self.satisfaction_combo = QComboBox()
        self.satisfaction_combo.setObjectName("satisfactionFilter")
        self.satisfaction_combo.addItem(ALL_LEVELS, None)
        for level in Level:
            self.satisfaction_combo.addItem(level.label, level.value)
        self.satisfaction_combo.addItem("No feedback yet", NO_FEEDBACK)
        for combo in (self.lifecycle_combo, self.satisfaction_combo):
            combo.currentIndexChanged.connect(self._on_choice)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.lifecycle_combo)
        layout.addWidget(self.satisfaction_combo)

    def lifecycle(self) -> str | None:
        value = self.lifecycle_combo.currentData()
        return None if value is None else str(value)

    def satisfaction(self) -> str | None:
        value = self.satisfaction_combo.currentData()
        return None if value is None else str(value)

    @property
    def active(self) -> bool:
        return self.lifecycle() is not None or self.satisfaction() is not None

    def set_lifecycle(self, value: str | None) -> None:
        self.lifecycle_combo.setCurrentIndex(max(self.lifecycle_combo.findData(value), 0))

    def set_satisfaction(self, value: str | None) -> None:
        self.satisfaction_combo.setCurrentIndex(max(self.satisfaction_combo.findData(value), 0))

    def reset(self) -> None:
        self.blockSignals(True)
        self.set_lifecycle(None)
        self.set_satisfaction(None)
        self.blockSignals(False)
        self.changed.emit()

    def _on_choice(self, _index: int) -> None:
        self.changed.emit()
