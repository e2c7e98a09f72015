"""The stored lifecycle: the status and the last day it holds, kept in step with purchases,
contact edits, thresholds and the passing days, so the list sorts and filters on an index."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, literal, select, update

from db import contacts, lifecycle, purchases, sales_settings
from db.clock import local_today
from db.contacts import ContactQuery, SortKey
from db.engine import Database
from db.lifecycle import Lifecycle, Thresholds, status
from db.models import Contact
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
