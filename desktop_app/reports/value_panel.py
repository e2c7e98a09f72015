"""Reports' value section: value of the whole customer base, satisfaction now, and a
calculator showing how keeping more customers each year changes what they are worth.

The figures are read on the background runner; with no customer yet the section says what
will appear instead of a row of zeros."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db import value
from db.engine import Database
from db.feedback import Level
from db.value import BaseValue
from desktop_app.reports.jobs import ValueFigures, read_figures

#: The retention rates the comparison table always shows.
TABLE_RATES = (50, 60, 70, 80, 90)


def _figure(title: str) -> tuple[QFrame, QLabel]:
    card = QFrame()
    card.setObjectName("figureCard")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(14, 10, 14, 10)
    caption = QLabel(title)
    caption.setObjectName("figureCaption")
    caption.setWordWrap(True)
    number = QLabel("—")
    number.setObjectName("figureNumber")
    number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    layout.addWidget(caption)
    layout.addWidget(number)
    return card, number


class ValuePanel(QWidget):
    """The value of the customer base and the retention calculator; ``refresh`` reads the
    figures in the background."""

    def __init__(
        self,
        read: Callable[[Callable[[Database], Any], Callable[[Any], None]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._read = read
        self.base: BaseValue | None = None
        self.currency = ""

        heading = QLabel("Value of your customer base")
        heading.setObjectName("reportsHeading")
        self.intro = QLabel(
            "Lifetime value of your customer base. Predicted value = average order \u00d7 "
            "purchases a year \u00d7 expected years as a customer (\u00d7 margin, if set)."
        )
        self.intro.setWordWrap(True)
        self.intro.setObjectName("hint")
        self.empty = QLabel(
            "Once you record a sale (from a contact's detail pane), this shows what your "
            "customers are worth: historic and predicted value, average order, purchases a "
            "year, and how keeping more customers each year changes their value."
        )
        self.empty.setObjectName("reportsEmptyValue")
        self.empty.setWordWrap(True)
        self.empty.hide()

        self.figures: dict[str, QLabel] = {}
        self.cards = QWidget()
        grid = QGridLayout(self.cards)
        grid.setContentsMargins(0, 0, 0, 0)
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
                ("at_stake_total", "At stake (inactive, win back)"),
            )
        ):
            card, number = _figure(caption)
            self.figures[key] = number
            grid.addWidget(card, i // 4, i % 4)
        self.basis = QLabel()
        self.basis.setObjectName("hint")
        self.basis.setWordWrap(True)
        self.satisfaction = QLabel()
        self.satisfaction.setTextFormat(Qt.TextFormat.RichText)
        self.satisfaction.setWordWrap(True)

        self.calculator = QGroupBox("Retention calculator")
        calc = QVBoxLayout(self.calculator)
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
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(self.empty)
        layout.addWidget(self.intro)
        layout.addWidget(self.cards)
        layout.addWidget(self.basis)
        layout.addWidget(self.satisfaction)
        layout.addWidget(self.calculator)

    def refresh(self) -> None:
        self._read(read_figures, self._on_figures)

    def _on_figures(self, figures: ValueFigures) -> None:
        self.base = base = figures.base
        self.currency = currency = figures.currency
        has_customers = base.customers > 0
        self.empty.setVisible(not has_customers)
        for widget in (self.intro, self.cards, self.basis, self.calculator):
            widget.setVisible(has_customers)
        counts = figures.levels
        self.satisfaction.setVisible(any(counts.values()))
        self.satisfaction.setText(
            "<b>Satisfaction now:</b> "
            + " · ".join(f"{level.label} {counts[level]:,}" for level in Level)
        )

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
            "at_stake_total": money(base.at_stake_total),
        }
        for key, text in shown.items():
            self.figures[key].setText(text)
        margin = "no margin set" if base.margin is None else f"margin {base.margin * 100:g} %"
        self.basis.setText(
            f"Expected {base.expected_years} years as a customer, {margin} "
            "(change them in Settings → Sales)."
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
