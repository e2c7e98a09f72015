"""The lifecycle rule on a fixed clock, in Python and in SQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, literal, select, update

from db import lifecycle
from db import settings as db_settings
from db.engine import Database
from db.lifecycle import Lifecycle, Thresholds, status
from db.models import Contact
from tests.conftest import ContactFactory

TODAY = date(2026, 6, 30)
DEFAULTS = Thresholds()  # 90-day interval, new for 30, long lapse 180, inactive 365


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.mark.parametrize(
    ("count", "days", "expected"),
    [
        (0, None, Lifecycle.PROSPECTIVE),
        (1, 0, Lifecycle.NEW),
        (1, 30, Lifecycle.NEW),
        (1, 31, Lifecycle.ACTIVE),
        (1, 90, Lifecycle.ACTIVE),
        (2, 0, Lifecycle.REPEAT),
        (5, 90, Lifecycle.REPEAT),
        (1, 91, Lifecycle.LAPSED_SHORT),
        (4, 180, Lifecycle.LAPSED_SHORT),
        (4, 181, Lifecycle.LAPSED_LONG),
        (1, 365, Lifecycle.LAPSED_LONG),
        (1, 366, Lifecycle.WIN_BACK),
    ],
)
def test_status_at_each_boundary(count: int, days: int | None, expected: Lifecycle) -> None:
    last = None if days is None else ago(days)
    assert status(count, last, TODAY, DEFAULTS) is expected


def test_one_customer_through_the_year() -> None:
    """A single purchase on 1 January, seen on later days."""
    bought = date(2026, 1, 1)
    seen = {
        day: status(1, bought, day, DEFAULTS)
        for day in (date(2026, 1, 1), date(2026, 2, 15), date(2026, 5, 1), date(2026, 8, 1))
    }
    assert list(seen.values()) == [
        Lifecycle.NEW,
        Lifecycle.ACTIVE,
        Lifecycle.LAPSED_SHORT,
        Lifecycle.LAPSED_LONG,
    ]
    assert status(1, bought, date(2027, 1, 2), DEFAULTS) is Lifecycle.WIN_BACK
    # Buying again brings them straight back as a repeat customer.
    assert status(2, date(2027, 1, 2), date(2027, 1, 2), DEFAULTS) is Lifecycle.REPEAT


def test_inactive_contacts_split_by_do_not_contact() -> None:
    old = ago(400)
    assert status(3, old, TODAY, DEFAULTS) is Lifecycle.WIN_BACK
    assert status(3, old, TODAY, DEFAULTS, do_not_contact=True) is Lifecycle.DO_NOT_CONTACT
    # The flag does not change anything before a contact is inactive.
    assert status(3, ago(10), TODAY, DEFAULTS, do_not_contact=True) is Lifecycle.REPEAT


def test_seasonal_override_stretches_every_threshold() -> None:
    yearly = 365
    assert DEFAULTS.for_interval(yearly) == (30, 365, 730, 1480)
    # After 200 days a default customer has lapsed; a once-a-year buyer is still active.
    assert status(2, ago(200), TODAY, DEFAULTS) is Lifecycle.LAPSED_LONG
    assert status(2, ago(200), TODAY, DEFAULTS, own_interval=yearly) is Lifecycle.REPEAT
    assert status(2, ago(400), TODAY, DEFAULTS, own_interval=yearly) is Lifecycle.LAPSED_SHORT
    assert status(2, ago(800), TODAY, DEFAULTS, own_interval=yearly) is Lifecycle.LAPSED_LONG
    assert status(2, ago(1500), TODAY, DEFAULTS, own_interval=yearly) is Lifecycle.WIN_BACK
    # A short override shortens them too, but each stays at least the one before it.
    assert DEFAULTS.for_interval(14) == (14, 14, 28, 56)


def test_future_purchase_counts_as_today() -> None:
    assert status(1, TODAY + timedelta(days=3), TODAY, DEFAULTS) is Lifecycle.NEW


def test_labels_name_inactive_kinds() -> None:
    assert Lifecycle.WIN_BACK.label == "Inactive — win back"
    assert Lifecycle.WIN_BACK.inactive and not Lifecycle.LAPSED_LONG.inactive
    assert Lifecycle.LAPSED_LONG.lapsed


thresholds_strategy = st.builds(
    Thresholds,
    interval=st.integers(1, 400),
    new_days=st.integers(1, 400),
    long_lapse=st.integers(1, 800),
    inactive=st.integers(1, 1600),
)

_ENGINE = create_engine("sqlite://")


@settings(max_examples=300, deadline=None)
@given(
    count=st.integers(0, 4),
    days=st.one_of(st.none(), st.integers(-5, 3000)),
    own=st.one_of(st.none(), st.integers(1, 500)),
    dnc=st.booleans(),
    thresholds=thresholds_strategy,
)
def test_sql_agrees_with_python(
    count: int, days: int | None, own: int | None, dnc: bool, thresholds: Thresholds
) -> None:
    last = None if days is None else ago(days)
    expression = lifecycle.status_sql(
        literal(count),
        literal(last),
        literal(own),
        literal(dnc),
        today=TODAY,
        thresholds=thresholds,
    )
    with _ENGINE.connect() as connection:
        in_sql = connection.scalar(select(expression))
    expected = status(count, last, TODAY, thresholds, own_interval=own, do_not_contact=dnc)
    assert in_sql == expected.value


def test_contact_expression_reads_the_stored_settings(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    with database.write_session.begin() as session:
        session.execute(
            update(Contact)
            .where(Contact.id == cid)
            .values(purchase_count=1, last_purchase_on=ago(100))
        )
    expression = lifecycle.contact_status_sql(TODAY)
    with database.reading() as session:
        assert session.scalar(select(expression).where(Contact.id == cid)) == "lapsed_short"
    with database.write_session.begin() as session:
        db_settings.put(session, db_settings.LAPSE_DAYS, 120)
    with database.reading() as session:
        assert session.scalar(select(expression).where(Contact.id == cid)) == "active"
        assert lifecycle.read_thresholds(session).interval == 120
