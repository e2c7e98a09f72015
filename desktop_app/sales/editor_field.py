"""The contact editor's "Buys every" field: the per-contact expected purchase interval."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSpinBox, QVBoxLayout, QWidget

from db.contacts import INTERVAL_MAX


def purchase_interval_field() -> tuple[QSpinBox, QWidget]:
    """The spin box (0 means the usual interval) and the widget holding it for a form row."""
    box = QSpinBox()
    box.setRange(0, INTERVAL_MAX)
    box.setSpecialValueText("the usual interval (Settings)")
    box.setSuffix(" days")
    box.setMaximumWidth(260)
    box.setToolTip(
        "For seasonal buyers: how many days usually pass between their purchases. Lifecycle "
        "(active, lapsed, inactive) and predicted value follow it."
    )
    hint = QLabel("Set for seasonal buyers, e.g. 365 for once a year.")
    hint.setObjectName("hint")
    widget = QWidget()
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(box)
    layout.addWidget(hint)
    return box, widget
