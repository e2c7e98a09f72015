"""The dialect constructs of ``db.sql`` give what Python gives for the same values."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import String, literal, select

from db.engine import Database
from db.sql import day_number, days_between, epoch_seconds, local_day, local_day_number

pytestmark = pytest.mark.skipif(not hasattr(time, "tzset"), reason="needs time.tzset")


@pytest.fixture(params=["UTC", "Europe/London", "America/New_York", "Pacific/Auckland"])
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The owner's time zone, set for SQLite's 'localtime' and Python's ``astimezone``."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = str(request.param)
    time.tzset()
    yield str(request.param)
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def _moments() -> list[datetime]:
    """Times around local midnights and the changes to and from summer time in 2026."""
    out = []
    for day in (date(2026, 1, 1), date(2026, 3, 8), date(2026, 3, 29), date(2026, 4, 5)):
        for hours in range(-14, 38, 1):
            for minutes in (0, 59):
                out.append(
                    datetime(day.year, day.month, day.day, tzinfo=UTC)
                    + timedelta(hours=hours, minutes=minutes)
                )
    out += [datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 11, 1, 5, 59, tzinfo=UTC)]
    return out


def _stored(moment: datetime) -> str:
    """A time as ``db.types`` stores it: UTC text."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def test_local_day_number_numbers_the_owners_day(database: Database, zone: str) -> None:
    moments = _moments()
    with database.reading() as session:
        for moment in moments:
            stored = literal(_stored(moment), String)
            number, day = session.execute(select(local_day_number(stored), local_day(stored))).one()
            local = moment.astimezone().date()
            assert (number, str(day)) == (day_number(local), local.isoformat()), (zone, moment)


def test_days_between_numbers_match_days_between_dates(database: Database, zone: str) -> None:
    moments = _moments()
    pairs = list(zip(moments, moments[7:], strict=False))
    with database.reading() as session:
        for earlier, later in pairs:
            a, b = literal(_stored(earlier), String), literal(_stored(later), String)
            by_numbers, by_dates = session.execute(
                select(
                    local_day_number(b) - local_day_number(a),
                    days_between(local_day(a), local_day(b)),
                )
            ).one()
            assert by_numbers == by_dates, (zone, earlier, later)
            assert by_numbers == (later.astimezone().date() - earlier.astimezone().date()).days


def test_epoch_seconds_are_seconds_since_1970_of_the_stored_time(database: Database) -> None:
    with database.reading() as session:
        for moment in _moments():
            found = session.scalar(select(epoch_seconds(literal(_stored(moment), String))))
            assert found is not None and abs(found - moment.timestamp()) <= 1, moment
        # A stored day counts from its midnight (UTC), as dates are stored.
        day = session.scalar(select(epoch_seconds(literal("2026-03-29", String))))
        assert day == datetime(2026, 3, 29, tzinfo=UTC).timestamp()


def test_day_number_is_sqlites_julian_day_number() -> None:
    with sqlite3.connect(":memory:") as connection:
        for day in (date(1, 1, 1), date(1970, 1, 1), date(2000, 2, 29), date(2026, 12, 1)):
            (expected,) = connection.execute(
                "SELECT CAST(julianday(?) + 0.5 AS INTEGER)", (day.isoformat(),)
            ).fetchone()
            assert day_number(day) == expected
