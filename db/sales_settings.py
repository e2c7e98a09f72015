"""The database's sales settings as one form: read, validated and saved together."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from db import automation, feedback, lifecycle, settings
from db.clock import local_today
from db.value import parse_margin

if TYPE_CHECKING:
    from db.engine import Database

_CURRENCY = re.compile(r"^[A-Z]{3}$")
DAYS_MAX = 3650
REGULAR_MAX = 100


@dataclass(frozen=True)
class SalesSettings:
    currency: str = settings.CURRENCY.default
    interval_days: int = settings.LAPSE_DAYS.default
    new_days: int = settings.NEW_DAYS.default
    long_lapse_days: int = settings.LONG_LAPSE_DAYS.default
    inactive_days: int = settings.INACTIVE_DAYS.default
    margin_percent: str = settings.MARGIN_PERCENT.default
    expected_years: int = settings.EXPECTED_YEARS.default
    stage_automation: bool = settings.STAGE_AUTOMATION.default
    regular_purchases: int = settings.REGULAR_PURCHASES.default
    regular_window_days: int = settings.REGULAR_WINDOW_DAYS.default
    survey_interval_days: int = settings.SURVEY_INTERVAL_DAYS.default
    questions: tuple[str, ...] = feedback.DEFAULT_QUESTIONS


class SalesSettingsError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def read(database: Database) -> SalesSettings:
    with database.reading() as session:
        return SalesSettings(
            currency=settings.get(session, settings.CURRENCY),
            interval_days=settings.get(session, settings.LAPSE_DAYS),
            new_days=settings.get(session, settings.NEW_DAYS),
            long_lapse_days=settings.get(session, settings.LONG_LAPSE_DAYS),
            inactive_days=settings.get(session, settings.INACTIVE_DAYS),
            margin_percent=settings.get(session, settings.MARGIN_PERCENT),
            expected_years=settings.get(session, settings.EXPECTED_YEARS),
            stage_automation=settings.get(session, settings.STAGE_AUTOMATION),
            regular_purchases=settings.get(session, settings.REGULAR_PURCHASES),
            regular_window_days=settings.get(session, settings.REGULAR_WINDOW_DAYS),
            survey_interval_days=settings.get(session, settings.SURVEY_INTERVAL_DAYS),
            questions=tuple(feedback.template_questions(session)),
        )


def validate(form: SalesSettings) -> dict[str, str]:
    """Problems by field name (the ``SalesSettings`` attribute)."""
    errors: dict[str, str] = {}
    if not _CURRENCY.match(form.currency.strip().upper()):
        errors["currency"] = "Use a three-letter ISO code such as USD, EUR or GBP."
    for name in ("interval_days", "new_days", "long_lapse_days", "inactive_days"):
        if not 1 <= getattr(form, name) <= DAYS_MAX:
            errors[name] = f"Between 1 and {DAYS_MAX:,} days."
    if "long_lapse_days" not in errors and form.long_lapse_days <= form.interval_days:
        errors["long_lapse_days"] = "A long-term lapse must be longer than the interval."
    if "inactive_days" not in errors and form.inactive_days <= form.long_lapse_days:
        errors["inactive_days"] = "Inactive must come after a long-term lapse."
    try:
        parse_margin(form.margin_percent)
    except ValueError as exc:
        errors["margin_percent"] = str(exc)
    if not 1 <= form.expected_years <= 100:
        errors["expected_years"] = "Between 1 and 100 years."
    if not 2 <= form.regular_purchases <= REGULAR_MAX:
        errors["regular_purchases"] = f"Between 2 and {REGULAR_MAX} purchases."
    if not 1 <= form.regular_window_days <= DAYS_MAX:
        errors["regular_window_days"] = f"Between 1 and {DAYS_MAX:,} days."
    if not 1 <= form.survey_interval_days <= DAYS_MAX:
        errors["survey_interval_days"] = f"Between 1 and {DAYS_MAX:,} days."
    try:
        feedback.check_questions(form.questions)
    except feedback.FeedbackError as exc:
        errors["questions"] = exc.errors["questions"]
    return errors


def save(database: Database, form: SalesSettings) -> None:
    """Validate and store every sales setting in one unit of work."""
    errors = validate(form)
    if errors:
        raise SalesSettingsError(errors)
    with database.write_session.begin() as session:
        before = lifecycle.read_thresholds(session)
        settings.put(session, settings.CURRENCY, form.currency.strip().upper())
        settings.put(session, settings.LAPSE_DAYS, form.interval_days)
        settings.put(session, settings.NEW_DAYS, form.new_days)
        settings.put(session, settings.LONG_LAPSE_DAYS, form.long_lapse_days)
        settings.put(session, settings.INACTIVE_DAYS, form.inactive_days)
        if lifecycle.read_thresholds(session) != before:
            lifecycle.refresh_all_stored(session, local_today())
        settings.put(session, settings.MARGIN_PERCENT, form.margin_percent.replace("%", "").strip())
        settings.put(session, settings.EXPECTED_YEARS, form.expected_years)
        settings.put(session, settings.STAGE_AUTOMATION, form.stage_automation)
        settings.put(session, settings.SURVEY_INTERVAL_DAYS, form.survey_interval_days)
        settings.put(session, settings.REGULAR_PURCHASES, form.regular_purchases)
        settings.put(session, settings.REGULAR_WINDOW_DAYS, form.regular_window_days)
        if feedback.check_questions(form.questions) != feedback.template_questions(session):
            feedback.save_questions(session, form.questions)
        # New thresholds can put contacts behind their facts (or, on the lifecycle model,
        # off their status): the journey rules run at once, not tomorrow.
        automation.advance_all(session, today=local_today())
