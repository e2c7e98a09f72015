"""Settings stored in the database itself (they belong to the data, not to the computer).

Every such setting is declared here once with its type and default; nothing else reads the
``setting`` table directly. Window state and other per-computer preferences live in
``desktop_app.options`` instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Setting

T = TypeVar("T")


@dataclass(frozen=True)
class SettingSpec(Generic[T]):
    key: str
    default: T
    description: str

    def decode(self, raw: str) -> T:
        value = json.loads(raw)
        if self.default is not None and (
            not isinstance(value, type(self.default))
            # bool is an int to isinstance, but ``true`` is not a number of days.
            or isinstance(value, bool) != isinstance(self.default, bool)
        ):
            return self.default
        return cast(T, value)


ACTIVE_MODEL = SettingSpec("journey.active_model", "customer_development", "Active journey model")
CURRENCY = SettingSpec("money.currency", "USD", "Currency of purchases (ISO 4217 code)")
LAPSE_DAYS = SettingSpec("lifecycle.lapse_days", 90, "Expected days between purchases")
INACTIVE_DAYS = SettingSpec("lifecycle.inactive_days", 365, "Days without purchase to inactive")
STAGE_AUTOMATION = SettingSpec("journey.stage_automation", True, "Purchases move stages")
SURVEY_INTERVAL_DAYS = SettingSpec("feedback.survey_interval_days", 90, "Over-survey warning")
SAMPLE_DATA_OFFERED = SettingSpec("app.sample_data_offered", False, "First-start offer was made")
PLAN_TEMPLATE_SEEDED = SettingSpec("plan.template_seeded", False, "Default 100-day plan was added")
NEW_DAYS = SettingSpec("lifecycle.new_days", 30, "Days a first purchase counts as new")
LONG_LAPSE_DAYS = SettingSpec(
    "lifecycle.long_lapse_days", 180, "Days without purchase to long lapse"
)
#: Gross margin in percent as text ("" for none), so it stays an exact decimal.
MARGIN_PERCENT = SettingSpec("value.margin_percent", "", "Margin applied to predicted value")
EXPECTED_YEARS = SettingSpec("value.expected_years", 3, "Expected years as a customer")
FEEDBACK_TEMPLATE_SAVED = SettingSpec("feedback.template_saved", False, "Survey questions edited")
#: Two-letter region (ISO 3166-1, "GB") that phone numbers without a country code belong to,
#: so "020 7946 0958" and "+44 20 7946 0958" compare equal; "" takes this computer's locale.
PHONE_REGION = SettingSpec("contacts.phone_region", "", "Default region of phone numbers")

ALL: tuple[SettingSpec[object], ...] = cast(
    tuple[SettingSpec[object], ...],
    (
        ACTIVE_MODEL,
        CURRENCY,
        LAPSE_DAYS,
        INACTIVE_DAYS,
        STAGE_AUTOMATION,
        SURVEY_INTERVAL_DAYS,
        SAMPLE_DATA_OFFERED,
        PLAN_TEMPLATE_SEEDED,
        NEW_DAYS,
        LONG_LAPSE_DAYS,
        MARGIN_PERCENT,
        EXPECTED_YEARS,
        FEEDBACK_TEMPLATE_SAVED,
        PHONE_REGION,
    ),
)


def get(session: Session, spec: SettingSpec[T]) -> T:
    raw = session.scalar(select(Setting.value).where(Setting.key == spec.key))
    return spec.default if raw is None else spec.decode(raw)


def get_many(session: Session, *specs: SettingSpec[Any]) -> tuple[Any, ...]:
    """Several settings in one read (for code that runs on every page of a list)."""
    rows = session.execute(
        select(Setting.key, Setting.value).where(Setting.key.in_([s.key for s in specs]))
    )
    stored = {row.key: row.value for row in rows}
    return tuple(
        spec.default if (raw := stored.get(spec.key)) is None else spec.decode(raw)
        for spec in specs
    )


def put(session: Session, spec: SettingSpec[T], value: T) -> None:
    """Store a setting; the caller's unit of work commits it."""
    row = session.get(Setting, spec.key)
    raw = json.dumps(value)
    if row is None:
        session.add(Setting(key=spec.key, value=raw))
    else:
        row.value = raw
