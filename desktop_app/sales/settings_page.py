"""The "Sales" tab of the settings dialog: currency, lifecycle, value, automation, survey."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db import sales_settings
from db.feedback import MAX_QUESTIONS
from db.sales_settings import SalesSettings
from desktop_app.ops import Changes, OpsBus
from desktop_app.widgets import FieldError


def _days(value: int, suffix: str = " days") -> QSpinBox:
    box = QSpinBox()
    box.setRange(1, sales_settings.DAYS_MAX)
    box.setSuffix(suffix)
    box.setValue(value)
    box.setMinimumWidth(110)
    box.setMaximumWidth(140)
    return box


class SalesSettingsPage(QWidget):
    title = "Sales"

    def __init__(self, ops: OpsBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        current = sales_settings.read(ops.database)
        self.errors: dict[str, FieldError] = {}

        self.currency = QLineEdit(current.currency)
        self.currency.setMaxLength(3)
        self.currency.setMaximumWidth(80)
        self.interval_days = _days(current.interval_days)
        self.new_days = _days(current.new_days)
        self.long_lapse_days = _days(current.long_lapse_days)
        self.inactive_days = _days(current.inactive_days)
        self.margin_percent = QLineEdit(current.margin_percent)
        self.margin_percent.setPlaceholderText("none")
        self.margin_percent.setMaximumWidth(80)
        self.expected_years = QSpinBox()
        self.expected_years.setRange(1, 100)
        self.expected_years.setSuffix(" years")
        self.expected_years.setValue(current.expected_years)
        self.expected_years.setMaximumWidth(140)
        self.stage_automation = QCheckBox(
            "Sales and qualification move contacts forward on the journey"
        )
        self.stage_automation.setChecked(current.stage_automation)
        self.stage_automation.setToolTip(
            "Three of four criteria, a first sale, a repeat purchase, another product and "
            "regular buying each move a contact to the stage the journey model names; only "
            "ever forward, and the reason is recorded. On the lifecycle model the stage "
            "follows the lifecycle status."
        )
        self.regular_purchases = QSpinBox()
        self.regular_purchases.setRange(2, sales_settings.REGULAR_MAX)
        self.regular_purchases.setSuffix(" purchases")
        self.regular_purchases.setValue(current.regular_purchases)
        self.regular_purchases.setMaximumWidth(160)
        self.regular_window_days = _days(current.regular_window_days)
        self.survey_interval_days = _days(current.survey_interval_days)
        self.questions = [QLineEdit() for _ in range(MAX_QUESTIONS)]
        for edit, text in zip(self.questions, current.questions, strict=False):
            edit.setText(text)
        for i, edit in enumerate(self.questions, start=1):
            edit.setPlaceholderText(f"Question {i} (optional)")

        money = QGroupBox("Money and value")
        form = QFormLayout(money)
        self._row(form, "Currency", self.currency, "currency")
        margin_row = QHBoxLayout()
        margin_row.addWidget(self.margin_percent)
        margin_row.addWidget(QLabel("% gross margin (leave empty for none)"))
        margin_row.addStretch(1)
        self._row(form, "Margin", margin_row, "margin_percent")
        self._row(form, "Expected years as a customer", self.expected_years, "expected_years")

        life = QGroupBox("Lifecycle")
        form = QFormLayout(life)
        self._row(form, "Expected interval between purchases", self.interval_days, "interval_days")
        self._row(form, "A first purchase is new for", self.new_days, "new_days")
        self._row(form, "Long-term lapse after", self.long_lapse_days, "long_lapse_days")
        self._row(form, "Inactive after", self.inactive_days, "inactive_days")
        hint = QLabel(
            "Counted from the last purchase, or from the customer's last inbound touch if "
            "later. A contact's own interval stretches these by the same ratio; a customer "
            "who buys in the same months each year shows as seasonal out of season."
        )
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        form.addRow("", hint)

        journey = QGroupBox("Journey automation")
        form = QFormLayout(journey)
        form.addRow("", self.stage_automation)
        regular_row = QHBoxLayout()
        regular_row.addWidget(self.regular_purchases)
        regular_row.addWidget(QLabel("within"))
        regular_row.addWidget(self.regular_window_days)
        regular_row.addStretch(1)
        self._row(form, "A regular buyer makes at least", regular_row, "regular_purchases")
        self.errors["regular_window_days"] = FieldError()
        form.addRow("", self.errors["regular_window_days"])
        regular_hint = QLabel(
            "Regular buying makes a loyal customer (Loyal customer, Loyalty). One repeat "
            "purchase does not."
        )
        regular_hint.setWordWrap(True)
        regular_hint.setStyleSheet("color:#64748b;")
        form.addRow("", regular_hint)

        survey = QGroupBox("Feedback survey (each question scored 1 to 5)")
        form = QFormLayout(survey)
        for i, edit in enumerate(self.questions, start=1):
            form.addRow(f"{i}.", edit)
        self.errors["questions"] = FieldError()
        form.addRow("", self.errors["questions"])
        self._row(form, "Warn when asked again within", self.survey_interval_days,
                  "survey_interval_days")  # fmt: skip

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(money)
        layout.addWidget(life)
        layout.addWidget(journey)
        layout.addWidget(survey)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _row(self, form: QFormLayout, label: str, field: object, name: str) -> None:
        form.addRow(label, field)  # type: ignore[call-overload]
        error = FieldError()
        self.errors[name] = error
        form.addRow("", error)

    def form(self) -> SalesSettings:
        return SalesSettings(
            currency=self.currency.text(),
            interval_days=self.interval_days.value(),
            new_days=self.new_days.value(),
            long_lapse_days=self.long_lapse_days.value(),
            inactive_days=self.inactive_days.value(),
            margin_percent=self.margin_percent.text(),
            expected_years=self.expected_years.value(),
            stage_automation=self.stage_automation.isChecked(),
            regular_purchases=self.regular_purchases.value(),
            regular_window_days=self.regular_window_days.value(),
            survey_interval_days=self.survey_interval_days.value(),
            questions=tuple(edit.text() for edit in self.questions),
        )

    def validate(self) -> str | None:
        problems = sales_settings.validate(self.form())
        for name, error in self.errors.items():
            error.show_message(problems.get(name))
        return next(iter(problems.values()), None)

    def apply(self) -> None:
        form = self.form()
        self.ops.run(
            lambda db: sales_settings.save(db, form),
            Changes(settings=True, contacts=True, stages=True),
        )
