"""Settings stored in the database itself (they belong to the data, not to the computer).

Every such setting is declared here once with its type and default; nothing else reads the
``setting`` table directly. Window state and other per-computer preferences live in
``desktop_app.options`` instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from db.models import Setting

if TYPE_CHECKING:
    from db.engine import Database

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
REGULAR_PURCHASES = SettingSpec(
    "journey.regular_purchases", 3, "Purchases within the window that make a regular buyer"
)
REGULAR_WINDOW_DAYS = SettingSpec(
    "journey.regular_window_days", 365, "Days of the regular-buying window"
)
#: Where backups go ("" for the ``backups`` folder beside the database).
BACKUP_FOLDER = SettingSpec("backups.folder", "", "Folder for backups")
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
        REGULAR_PURCHASES,
        REGULAR_WINDOW_DAYS,
        BACKUP_FOLDER,
        PHONE_REGION,
    ),
)


def get(session: Session, spec: SettingSpec[T]) -> T:
    raw = session.scalar(select(Setting.value).where(Setting.key == spec.key))
    return spec.default if raw is None else spec.decode(raw)


#: ``get_many``'s statement, built once: it runs on every page of a list and every keystroke
#: of a search, where building it again cost more than the read.
_MANY = select(Setting.key, Setting.value).where(Setting.key.in_(bindparam("keys", expanding=True)))


def get_many(session: Session, *specs: SettingSpec[Any]) -> tuple[Any, ...]:
    """Several settings in one read (for code that runs on every page of a list)."""
    rows = session.execute(_MANY, {"keys": [s.key for s in specs]})
    stored = {row.key: row.value for row in rows}
    return tuple(
        spec.default if (raw := stored.get(spec.key)) is None else spec.decode(raw)
        for spec in specs
    )


def read(database: Database, spec: SettingSpec[T]) -> T:
    """One setting, in a read of its own (for the app, which holds no session)."""
    with database.reading() as session:
        return get(session, spec)


def write(database: Database, spec: SettingSpec[T], value: T) -> None:
    """Store one setting in a unit of work of its own."""
    with database.write_session.begin() as session:
        put(session, spec, value)


def put(session: Session, spec: SettingSpec[T], value: T) -> None:
    """Store a setting; the caller's unit of work commits it."""
    row = session.get(Setting, spec.key)
    raw = json.dumps(value)
    if row is None:
        session.add(Setting(key=spec.key, value=raw))
    else:
        row.value = raw
