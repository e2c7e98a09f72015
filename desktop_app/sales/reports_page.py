"""The Reports place: value of the whole customer base, satisfaction now, and a calculator
showing how keeping more customers each year changes what they are worth."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db import feedback, purchases, value
from db.feedback import Level
from db.value import BaseValue
from desktop_app import icons
from desktop_app.ops import Changes, OpsBus

#: The retention rates the comparison table always shows.
TABLE_RATES = (50, 60, 70, 80, 90)


def _figure(title: str) -> tuple[QFrame, QLabel]:
    card = QFrame()
    card.setObjectName("figureCard")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(14, 10, 14, 10)
    caption = QLabel(title)
    caption.setObjectName("figureCaption")
    number = QLabel("—")
    number.setObjectName("figureNumber")
    number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    layout.addWidget(caption)
    layout.addWidget(number)
    return card, number


class ReportsPage(QWidget):
    """Refreshes itself (when shown) after purchases, feedback or settings change."""

    #: The person asked to export a report (the main window asks which and where).
    export_requested = Signal()

    def __init__(self, ops: OpsBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self._stale = True
        self.base: BaseValue | None = None
        self.currency = ""

        title = QLabel("Reports")
        title.setObjectName("pageTitle")
        self.export_button = QPushButton(icons.icon("export"), "Export to CSV…")
        self.export_button.setToolTip("Write any report as a CSV file (Ctrl+Shift+E)")
        self.export_button.clicked.connect(self.export_requested.emit)
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addStretch(1)
        heading.addWidget(self.export_button)
        intro = QLabel(
            "Lifetime value of your customer base. Predicted value = average order \u00d7 "
            "purchases a year \u00d7 expected years as a customer (\u00d7 margin, if set)."
        )
        intro.setWordWrap(True)
        intro.setObjectName("hint")

        self.figures: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setSpacing(10)
        for i, (key, caption) in enumerate(
            (
                ("customers", "Customers"),
                ("purchases", "Purchases"),
                ("historic_total", "Historic value"),
                ("predicted_total", "Predicted value"),
                ("average_order", "Average order"),
                ("per_year", "Purchases a year per customer"),
                ("average_historic", "Historic value per customer"),
                ("average_predicted", "Predicted value per customer"),
            )
        ):
            card, number = _figure(caption)
            self.figures[key] = number
            grid.addWidget(card, i // 4, i % 4)
        self.basis = QLabel()
        self.basis.setObjectName("hint")
        self.satisfaction = QLabel()
        self.satisfaction.setTextFormat(Qt.TextFormat.RichText)

        calculator = QGroupBox("Retention calculator")
        calc = QVBoxLayout(calculator)
        inputs = QHBoxLayout()
        self.retention = QSpinBox()
        self.retention.setRange(0, 95)
        self.retention.setSuffix(" %")
        self.retention.setValue(70)
        self.retention.valueChanged.connect(self._on_retention)
        inputs.addWidget(QLabel("If you keep"))
        inputs.addWidget(self.retention)
        inputs.addWidget(QLabel("of your customers each year:"))
        inputs.addStretch(1)
        self.result = QLabel()
        self.result.setObjectName("retentionResult")
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setWordWrap(True)
        self.table = QTableWidget(len(TABLE_RATES), 4)
        self.table.setHorizontalHeaderLabels(
            ["Kept each year", "Years as a customer", "Value per customer", "Whole base"]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((130, 160, 170)):
            self.table.setColumnWidth(column, width)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setFixedHeight(44 + 30 * len(TABLE_RATES))
        calc.addLayout(inputs)
        calc.addWidget(self.result)
        calc.addWidget(self.table)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(12)
        layout.addLayout(heading)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.basis)
        layout.addWidget(self.satisfaction)
        layout.addWidget(calculator)
        layout.addStretch(1)
        ops.changed.connect(self._on_changed)

    def _on_changed(self, changes: Changes) -> None:
        if changes.touch("purchases", "feedback", "settings", "contacts"):
            self._stale = True
            if self.isVisible():
                self.refresh()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        database = self.ops.database
        self._stale = False
        self.base = base = value.base_value(database)
        self.currency = currency = purchases.currency(database)

        def money(amount: Decimal) -> str:
            return value.display(amount, currency)

        shown = {
            "customers": f"{base.customers:,}",
            "purchases": f"{base.purchases:,}",
            "historic_total": money(base.historic_total),
            "predicted_total": money(base.predicted_total),
            "average_order": money(base.average_order),
            "per_year": f"{base.purchases_per_year:.2f}",
            "average_historic": money(base.average_historic),
            "average_predicted": money(base.average_predicted),
        }
        for key, text in shown.items():
            self.figures[key].setText(text)
        margin = "no margin set" if base.margin is None else f"margin {base.margin * 100:g} %"
        self.basis.setText(
            f"Expected {base.expected_years} years as a customer, {margin} "
            "(change them in Settings → Sales)."
        )
        counts = feedback.level_counts(database)
        self.satisfaction.setText(
            "<b>Satisfaction now:</b> "
            + " · ".join(f"{level.label} {counts[level]:,}" for level in Level)
        )
        self._on_retention(self.retention.value())

    def _on_retention(self, percent: int) -> None:
        base = self.base
        if base is None:
            return
        rates = [Decimal(percent) / 100, *(Decimal(r) / 100 for r in TABLE_RATES)]
        chosen, *rows = value.retention_scenarios(base, rates)
        self.result.setText(
            f"a customer stays about <b>{chosen.years:.1f} years</b> and is worth "
            f"<b>{value.display(chosen.per_customer, self.currency)}</b>; your "
            f"{base.customers:,} customers together "
            f"<b>{value.display(chosen.whole_base, self.currency)}</b>."
        )
        for row, scenario in enumerate(rows):
            cells = (
                f"{int(scenario.retention * 100)} %",
                f"{scenario.years:.1f}",
                value.display(scenario.per_customer, self.currency),
                value.display(scenario.whole_base, self.currency),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
