"""The stored lifecycle: the status and the last day it holds, kept in step with purchases,
contact edits, thresholds and the passing days, so the list sorts and filters on an index."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, Integer, String, create_engine, literal, select, update

from db import contacts, lifecycle, purchases, sales_settings, touches
from db.clock import local_today
from db.contacts import ContactQuery, SortKey
from db.domain import Direction, Medium
from db.engine import Database
from db.lifecycle import Lifecycle, Thresholds, status
from db.models import Contact, utcnow
from tests.conftest import ContactFactory

TODAY = date(2026, 3, 1)
_ENGINE = create_engine("sqlite://")


@settings(max_examples=300, deadline=None)
@given(
    count=st.integers(0, 3),
    days=st.one_of(st.none(), st.integers(-5, 1600)),
    own=st.one_of(st.none(), st.integers(1, 400)),
)
def test_the_status_holds_through_its_last_day_and_changes_the_day_after(
    count: int, days: int | None, own: int | None
) -> None:
    last = None if days is None else TODAY - timedelta(days=days)
    until_expression = lifecycle.until_sql(
        literal(count), literal(last), literal(own), today=TODAY, thresholds=Thresholds()
    )
    with _ENGINE.connect() as connection:
        until = connection.scalar(select(until_expression))
    thresholds = Thresholds()
    now = status(count, last, TODAY, thresholds, own_interval=own)
    if until is None:
        # Only time-proof statuses have no last day.
        assert now in (Lifecycle.PROSPECTIVE, Lifecycle.WIN_BACK)
        return
    assert until >= TODAY
    assert status(count, last, until, thresholds, own_interval=own) == now
    assert status(count, last, until + timedelta(days=1), thresholds, own_interval=own) != now


def _stored(database: Database, contact_id: int) -> str:
    with database.reading() as session:
        return str(session.scalar(select(Contact.lifecycle).where(Contact.id == contact_id)))


def test_purchases_edits_and_thresholds_keep_the_stored_status(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    assert _stored(database, cid) == "prospective"
    today = local_today()
    purchases.record_purchase(
        database, cid, purchases.PurchaseInput(today - timedelta(days=100), "Cake", Decimal(10))
    )
    assert _stored(database, cid) == "lapsed_short"
    detail = contacts.get_contact(database, cid)
    contacts.update_contact(
        database, cid, contacts.ContactInput(name=detail.name, purchase_interval_days=365)
    )
    assert _stored(database, cid) == "active"
    contacts.update_contact(database, cid, contacts.ContactInput(name=detail.name))
    assert _stored(database, cid) == "lapsed_short"
    form = sales_settings.read(database)
    sales_settings.save(database, dataclasses.replace(form, interval_days=120))
    assert _stored(database, cid) == "active"


def test_the_daily_refresh_brings_ran_out_statuses_up_to_date(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    today = local_today()
    # As if computed long ago: "new" until a day that has passed.
    with database.write_session.begin() as session:
        session.execute(
            update(Contact)
            .where(Contact.id == cid)
            .values(
                purchase_count=1,
                last_purchase_on=today - timedelta(days=100),
                lifecycle="new",
                lifecycle_until=today - timedelta(days=70),
            )
        )
    with database.reading() as session:
        assert not lifecycle.stored_is_current(session, today)
    # Meanwhile the list computes the status, and is right.
    assert contacts.contact_ids(database, ContactQuery(lifecycle="lapsed_short"), 0, 10) == [cid]
    assert lifecycle.bring_up_to_date(database) == 1
    assert _stored(database, cid) == "lapsed_short"
    with database.reading() as session:
        assert lifecycle.stored_is_current(session, today)
    assert lifecycle.bring_up_to_date(database) == 0
    assert contacts.contact_ids(database, ContactQuery(lifecycle="lapsed_short"), 0, 10) == [cid]


def test_sorting_by_the_stored_status_gives_the_computed_order(
    database: Database, contact_factory: ContactFactory
) -> None:
    today = local_today()
    for n, days in enumerate([None, 5, 60, 100, 250, 500, None, 10]):
        cid = contact_factory(name=f"Person {n}")
        if days is not None:
            purchases.record_purchase(
                database,
                cid,
                purchases.PurchaseInput(today - timedelta(days=days), "Tea", Decimal(3)),
            )
    for down in (False, True):
        query = ContactQuery(sort=SortKey.LIFECYCLE, descending=down)
        stored = contacts.contact_ids(database, query, 0, 100)
        computed = contacts.contact_ids(
            database,
            ContactQuery(sort=SortKey.LIFECYCLE, descending=down, today=today + timedelta(days=0)),
            0,
            100,
        )
        assert stored == computed
        # Pages of 3 join up to the whole list.
        paged = [
            i for start in range(0, 9, 3) for i in contacts.contact_ids(database, query, start, 3)
        ]
        assert paged == stored


@settings(max_examples=400, deadline=None)
@given(
    count=st.integers(1, 3),
    days=st.integers(-5, 1600),
    reached_out=st.one_of(st.none(), st.integers(0, 1600)),
    own=st.one_of(st.none(), st.integers(1, 400)),
    season=st.one_of(st.none(), st.sampled_from(["6,7,8", "11,12,1", "3", "1,2,3,4,5,6"])),
    do_not_contact=st.booleans(),
    today=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    where=st.floats(0, 1),
)
def test_the_stored_status_holds_for_inbound_touches_and_seasons_too(
    count: int,
    days: int,
    reached_out: int | None,
    own: int | None,
    season: str | None,
    do_not_contact: bool,
    today: date,
    where: float,
) -> None:
    last = today - timedelta(days=days)
    # As ``db.derived`` keeps it: the later of the last purchase and the last inbound touch.
    interaction = None if reached_out is None else max(last, today - timedelta(days=reached_out))
    thresholds = Thresholds()

    def on(day: date) -> Lifecycle:
        return status(
            count,
            last,
            day,
            thresholds,
            own_interval=own,
            do_not_contact=do_not_contact,
            last_interaction_on=interaction,
            season=season,
        )

    def sql(day: date) -> tuple[str, date | None]:
        columns = (
            literal(count),
            literal(last),
            literal(own, Integer),
        )
        found = lifecycle.status_sql(
            *columns,
            literal(do_not_contact),
            today=day,
            thresholds=thresholds,
            last_interaction_on=literal(interaction, Date),
            season=literal(season, String),
        )
        until = lifecycle.until_sql(
            *columns,
            today=day,
            thresholds=thresholds,
            last_interaction_on=literal(interaction, Date),
            season=literal(season, String),
        )
        with _ENGINE.connect() as connection:
            row = connection.execute(select(found, until)).one()
        return str(row[0]), row[1]

    stored, until = sql(today)
    assert stored == on(today).value
    if until is None:
        for later in (1, 40, 200, 400, 2000):
            assert on(today + timedelta(days=later)) == on(today)
        return
    assert until >= today
    between = today + timedelta(days=round((until - today).days * where))
    assert on(until) == on(between) == on(today)


def test_an_inbound_touch_a_season_and_do_not_contact_keep_the_stored_status(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ines")
    today = local_today()
    purchases.record_purchase(
        database, cid, purchases.PurchaseInput(today - timedelta(days=100), "Cake", Decimal(10))
    )
    assert _stored(database, cid) == "lapsed_short"
    touches.log_touch(
        database,
        touches.TouchInput(
            contact_id=cid,
            medium=Medium.PHONE,
            direction=Direction.INBOUND,
            summary="Asked about the spring menu",
            occurred_at=utcnow() - timedelta(days=2),
        ),
    )
    assert _stored(database, cid) == "active"  # a customer who reaches out has not lapsed
    assert _stored(database, cid) == _computed(database, cid)
    detail = contacts.get_contact(database, cid)
    off_season = ",".join(str(m) for m in range(1, 13) if m != today.month)
    contacts.update_contact(
        database,
        cid,
        contacts.ContactInput(name=detail.name, do_not_contact=True, season=off_season),
    )
    assert _stored(database, cid) == _computed(database, cid)


def _computed(database: Database, contact_id: int) -> str:
    return contacts.rows_for_ids(database, [contact_id])[0].lifecycle
