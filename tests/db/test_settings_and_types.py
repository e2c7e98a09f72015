"""Database settings, the column types that keep money exact and times in UTC, and domain rules."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import StatementError

from db import settings
from db.domain import Medium, Qualification, qualification
from db.engine import Database, open_database
from db.models import Purchase, Setting, Touch
from db.types import Money, UTCDateTime
from tests.conftest import ContactFactory

# --- Settings -------------------------------------------------------------------------------


@pytest.fixture
def unseeded(db_path: Path) -> Iterator[Database]:
    """A database with no settings stored at all."""
    with open_database(db_path, seed=False) as database:
        yield database


def test_every_setting_has_its_default_until_stored(unseeded: Database) -> None:
    with unseeded.reading() as session:
        assert session.scalar(select(func.count()).select_from(Setting)) == 0
        for spec in settings.ALL:
            assert settings.get(session, spec) == spec.default


def test_declared_defaults() -> None:
    assert settings.ACTIVE_MODEL.default == "customer_development"
    assert settings.LAPSE_DAYS.default == 90  # docs/domain.md §4
    assert settings.INACTIVE_DAYS.default == 365
    assert settings.SURVEY_INTERVAL_DAYS.default == 90  # docs/domain.md §5
    assert settings.STAGE_AUTOMATION.default is True
    assert settings.SAMPLE_DATA_OFFERED.default is False


def test_setting_keys_are_unique_and_described() -> None:
    keys = [spec.key for spec in settings.ALL]
    assert len(keys) == len(set(keys))
    assert all(spec.description for spec in settings.ALL)


def test_settings_round_trip(unseeded: Database) -> None:
    with unseeded.write_session.begin() as session:
        settings.put(session, settings.CURRENCY, "EUR")
        settings.put(session, settings.LAPSE_DAYS, 45)
        settings.put(session, settings.STAGE_AUTOMATION, False)
        settings.put(session, settings.SAMPLE_DATA_OFFERED, True)
    with unseeded.reading() as session:
        assert settings.get(session, settings.CURRENCY) == "EUR"
        assert settings.get(session, settings.LAPSE_DAYS) == 45
        assert settings.get(session, settings.STAGE_AUTOMATION) is False
        assert settings.get(session, settings.SAMPLE_DATA_OFFERED) is True
        assert settings.get(session, settings.INACTIVE_DAYS) == 365  # untouched


def test_storing_again_replaces_the_value(unseeded: Database) -> None:
    for value in (30, 60, 120):
        with unseeded.write_session.begin() as session:
            settings.put(session, settings.LAPSE_DAYS, value)
    with unseeded.reading() as session:
        assert settings.get(session, settings.LAPSE_DAYS) == 120
        rows = session.scalar(select(func.count()).where(Setting.key == settings.LAPSE_DAYS.key))
        assert rows == 1


def test_a_setting_is_saved_only_with_its_unit_of_work(unseeded: Database) -> None:
    with pytest.raises(RuntimeError), unseeded.write_session.begin() as session:
        settings.put(session, settings.CURRENCY, "GBP")
        raise RuntimeError("cancelled")
    with unseeded.reading() as session:
        assert settings.get(session, settings.CURRENCY) == "USD"


@pytest.mark.parametrize(
    ("spec", "raw"),
    [
        (settings.LAPSE_DAYS, '"ninety"'),
        (settings.LAPSE_DAYS, "true"),  # a bool is not a number of days
        (settings.LAPSE_DAYS, "12.5"),
        (settings.STAGE_AUTOMATION, "1"),
        (settings.CURRENCY, "42"),
        (settings.CURRENCY, "null"),
    ],
)
def test_a_stored_value_of_the_wrong_type_reads_as_the_default(
    unseeded: Database, spec: settings.SettingSpec[object], raw: str
) -> None:
    with unseeded.write_session.begin() as session:
        session.add(Setting(key=spec.key, value=raw))
    with unseeded.reading() as session:
        value = settings.get(session, spec)
    assert value == spec.default
    assert type(value) is type(spec.default)


# --- Money ----------------------------------------------------------------------------------


def _purchase(contact_id: int, amount: object, day: int = 1) -> Purchase:
    return Purchase(
        contact_id=contact_id,
        purchased_on=date(2024, 3, day),
        product="Sourdough subscription",
        amount=amount,
        currency="EUR",
    )


def test_money_is_exact_through_sql_sums(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_id = contact_factory()
    with database.write_session.begin() as session:
        session.add_all(
            [_purchase(contact_id, Decimal("0.1")), _purchase(contact_id, Decimal("0.2"))]
        )
    with database.reading() as session:
        total = session.scalar(select(func.sum(Purchase.amount)))
        amounts = list(session.scalars(select(Purchase.amount).order_by(Purchase.id)))
    assert amounts == [Decimal("0.1"), Decimal("0.2")]
    assert all(isinstance(a, Decimal) for a in amounts)
    assert isinstance(total, Decimal)
    assert total == Decimal("0.3")


def test_money_is_stored_as_whole_ten_thousandths(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_id = contact_factory()
    with database.write_session.begin() as session:
        session.add(_purchase(contact_id, Decimal("1234.5678")))
    with database.reading() as session:
        raw = session.execute(text("SELECT amount, typeof(amount) FROM purchase")).one()
    assert tuple(raw) == (12345678, "integer")


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("0"),
        Decimal("0.0001"),
        Decimal("19.99"),
        Decimal("-5.25"),  # a refund
        Decimal("12.3456"),
        Decimal("99999999999.9999"),
        Decimal("1E+3"),
        Decimal("7.10"),
    ],
)
def test_money_round_trips_exactly(
    database: Database, contact_factory: ContactFactory, amount: Decimal
) -> None:
    contact_id = contact_factory()
    with database.write_session.begin() as session:
        session.add(_purchase(contact_id, amount))
    with database.reading() as session:
        stored = session.scalar(select(Purchase.amount))
    assert stored == amount


def test_money_accepts_whole_numbers_and_decimal_strings(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_id = contact_factory()
    with database.write_session.begin() as session:
        session.add_all([_purchase(contact_id, 25), _purchase(contact_id, "0.35", day=2)])
    with database.reading() as session:
        assert session.scalar(select(func.sum(Purchase.amount))) == Decimal("25.35")


@pytest.mark.parametrize("amount", [Decimal("0.00001"), Decimal("19.99999")])
def test_money_with_more_than_four_decimals_is_refused_and_not_saved(
    database: Database, contact_factory: ContactFactory, amount: object
) -> None:
    contact_id = contact_factory()
    with pytest.raises(StatementError) as refused, database.write_session.begin() as session:
        session.add(_purchase(contact_id, amount))
    assert "more than four decimal places" in str(refused.value)
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Purchase)) == 0


def test_money_type_directly() -> None:
    money = Money()
    dialect = sqlite.dialect()
    assert money.process_bind_param(None, dialect) is None
    assert money.process_result_value(None, dialect) is None
    assert money.process_bind_param(Decimal("0.0001"), dialect) == 1
    assert money.process_result_value(1, dialect) == Decimal("0.0001")
    with pytest.raises(ValueError, match="more than four decimal places"):
        money.process_bind_param(Decimal("1.23456"), dialect)


# --- Datetimes ------------------------------------------------------------------------------


def _touch(contact_id: int, when: datetime) -> Touch:
    return Touch(contact_id=contact_id, medium=Medium.PHONE.value, occurred_at=when)


def test_datetimes_come_back_aware_and_in_utc(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_id = contact_factory()
    oslo_summer = timezone(timedelta(hours=2))
    when = datetime(2024, 6, 1, 12, 30, 15, 250000, tzinfo=oslo_summer)
    with database.write_session.begin() as session:
        session.add(_touch(contact_id, when))
    with database.reading() as session:
        stored = session.scalar(select(Touch.occurred_at))
        raw = session.scalar(text("SELECT occurred_at FROM touch"))
    assert stored == when
    assert stored is not None
    assert stored.tzinfo is UTC
    assert (stored.hour, stored.minute) == (10, 30)
    assert str(raw).startswith("2024-06-01 10:30:15.25")  # naive UTC text on disk


def test_utc_text_sorts_in_time_order_across_zones(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_id = contact_factory()
    earlier_in_tokyo = datetime(2024, 1, 1, 18, 0, tzinfo=timezone(timedelta(hours=9)))  # 09:00Z
    later_in_new_york = datetime(2024, 1, 1, 5, 0, tzinfo=timezone(timedelta(hours=-5)))  # 10:00Z
    with database.write_session.begin() as session:
        session.add_all(
            [_touch(contact_id, later_in_new_york), _touch(contact_id, earlier_in_tokyo)]
        )
    with database.reading() as session:
        ordered = list(session.scalars(select(Touch.occurred_at).order_by(Touch.occurred_at)))
    assert ordered == [earlier_in_tokyo, later_in_new_york]


def test_naive_datetimes_are_refused(database: Database, contact_factory: ContactFactory) -> None:
    contact_id = contact_factory()
    with pytest.raises(StatementError) as refused, database.write_session.begin() as session:
        session.add(_touch(contact_id, datetime(2024, 6, 1, 12, 0)))  # noqa: DTZ001
    assert "naive datetime" in str(refused.value)
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Touch)) == 0


def test_utc_datetime_type_directly() -> None:
    kind = UTCDateTime()
    dialect = sqlite.dialect()
    assert kind.process_bind_param(None, dialect) is None
    with pytest.raises(ValueError, match="naive datetime"):
        kind.process_bind_param(datetime(2024, 1, 1), dialect)  # noqa: DTZ001
    back = kind.process_result_value(datetime(2024, 1, 1, 8), dialect)  # noqa: DTZ001
    assert back == datetime(2024, 1, 1, 8, tzinfo=UTC)


# --- Domain rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("criteria", list(itertools.product([False, True], repeat=4)))
def test_qualification_follows_the_three_and_four_of_four_rule(
    criteria: tuple[bool, bool, bool, bool],
) -> None:
    need, budget, urgency, decision_maker = criteria
    result = qualification(
        has_need=need, has_budget=budget, has_urgency=urgency, is_decision_maker=decision_maker
    )
    met = sum(criteria)
    expected = {4: Qualification.QUALIFIED, 3: Qualification.PROSPECT}.get(
        met, Qualification.SUSPECT
    )
    assert result is expected


def test_qualification_labels() -> None:
    assert [q.label for q in Qualification] == ["Suspect", "Prospect", "Qualified prospect"]


def test_the_six_mediums_in_their_shown_order() -> None:
    assert [m.label for m in Medium] == ["In person", "Email", "Phone", "Mail", "Video", "Gift"]
    assert [m.value for m in Medium] == ["in_person", "email", "phone", "mail", "video", "gift"]


@pytest.mark.parametrize(
    ("amount", "message"),
    [(0.1, "not float"), (Decimal("Infinity"), "not an amount"), (Decimal("NaN"), "not an amount")],
)
def test_money_refuses_floats_and_non_numbers_and_saves_nothing(
    database: Database, contact_factory: ContactFactory, amount: object, message: str
) -> None:
    contact_id = contact_factory()
    with pytest.raises(StatementError) as refused, database.write_session.begin() as session:
        session.add(_purchase(contact_id, amount))
    assert message in str(refused.value)
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Purchase)) == 0


def test_several_settings_are_read_together_with_their_defaults(database: Database) -> None:
    with database.write_session.begin() as session:
        settings.put(session, settings.LAPSE_DAYS, 60)
    with database.reading() as session:
        got = settings.get_many(session, settings.LAPSE_DAYS, settings.INACTIVE_DAYS)
    assert got == (60, settings.INACTIVE_DAYS.default)
