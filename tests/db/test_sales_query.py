"""The contacts list sorted and filtered by lifecycle, satisfaction, value and purchases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from db.contacts import ContactQuery, SortKey, contact_rows, count_contacts, rows_for_ids
from db.engine import Database
from db.feedback import FeedbackInput, record_feedback
from db.listing import NO_FEEDBACK
from db.purchases import PurchaseInput, record_purchase
from tests.conftest import ContactFactory

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
TODAY = date(2026, 6, 30)


@pytest.fixture
def people(database: Database, contact_factory: ContactFactory) -> dict[str, int]:
    ids = {name: contact_factory(name=name) for name in ("Ann", "Bob", "Cy", "Di", "Ed")}

    def buy(name: str, on: date, amount: str) -> None:
        record_purchase(
            database, ids[name], PurchaseInput(on, "Bread", amount), now=NOW, today=TODAY
        )

    def ask(name: str, score: int) -> None:
        record_feedback(
            database, ids[name], FeedbackInput(TODAY, (("Q", score),)), now=NOW, today=TODAY
        )

    buy("Bob", date(2026, 6, 20), "50")  # new
    buy("Cy", date(2026, 5, 1), "500")  # active (60 days)
    buy("Di", date(2026, 3, 1), "20")
    buy("Di", date(2026, 6, 1), "20")  # repeat
    buy("Ed", date(2025, 1, 1), "1000")  # inactive: win back
    ask("Bob", 5)
    ask("Cy", 1)
    ask("Ed", 3)
    return ids


def names(database: Database, **fields: object) -> list[str]:
    query = ContactQuery(today=TODAY, **fields)  # type: ignore[arg-type]
    rows = contact_rows(database, query, 0, 100)
    assert count_contacts(database, query) == len(rows)
    return [r.name for r in rows]


@pytest.mark.parametrize(
    ("sort", "ascending", "descending"),
    [
        (SortKey.VALUE, "Ann Di Bob Cy Ed", "Ed Cy Bob Di Ann"),
        (SortKey.PURCHASES, "Ann Bob Cy Ed Di", "Di Ed Cy Bob Ann"),
        (SortKey.LIFECYCLE, "Ann Bob Cy Di Ed", "Ed Di Cy Bob Ann"),
        (SortKey.SATISFACTION, "Cy Ed Bob Ann Di", "Bob Ed Cy Ann Di"),
    ],
)
def test_sorting(
    database: Database, people: dict[str, int], sort: SortKey, ascending: str, descending: str
) -> None:
    assert names(database, sort=sort) == ascending.split()
    assert names(database, sort=sort, descending=True) == descending.split()


@pytest.mark.parametrize(
    ("lifecycle", "expected"),
    [
        ("prospective", ["Ann"]),
        ("new", ["Bob"]),
        ("active", ["Cy"]),
        ("repeat", ["Di"]),
        ("win_back", ["Ed"]),
        ("lapsed_short", []),
    ],
)
def test_lifecycle_filter(
    database: Database, people: dict[str, int], lifecycle: str, expected: list[str]
) -> None:
    assert names(database, lifecycle=lifecycle) == expected


def test_satisfaction_filter_and_row_cells(database: Database, people: dict[str, int]) -> None:
    assert names(database, satisfaction="dissatisfied") == ["Cy"]
    assert names(database, satisfaction=NO_FEEDBACK) == ["Ann", "Di"]
    assert names(database, satisfaction="satisfied", lifecycle="win_back") == ["Ed"]
    (row,) = rows_for_ids(database, [people["Di"]])
    assert (row.purchase_count, row.lifetime_value, row.satisfaction) == (2, Decimal(40), None)


def test_a_seasonal_override_is_saved_and_changes_the_lifecycle(
    database: Database, contact_factory: ContactFactory
) -> None:
    from dataclasses import fields, replace  # noqa: PLC0415

    from db.contacts import ContactInput, ValidationError, get_contact, update_contact  # noqa: PLC0415

    cid = contact_factory(name="Seasonal")
    for on in (date(2025, 1, 10), date(2026, 1, 12)):
        record_purchase(database, cid, PurchaseInput(on, "Tree", "80"), now=NOW, today=TODAY)
    # January two years running: recognised as seasonal, so out of season not lapsed.
    assert names(database, lifecycle="seasonal") == ["Seasonal"]

    detail = get_contact(database, cid)
    form = ContactInput(**{f.name: getattr(detail, f.name) for f in fields(ContactInput)})
    update_contact(database, cid, replace(form, purchase_interval_days=365))
    assert get_contact(database, cid).purchase_interval_days == 365
    assert names(database, lifecycle="repeat") == ["Seasonal"]
    with pytest.raises(ValidationError) as caught:
        update_contact(database, cid, replace(form, purchase_interval_days=0))
    assert "purchase_interval_days" in caught.value.errors


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (ContactQuery(centre_of_influence=True), "ix_contact_live_centres"),
        (ContactQuery(referred=True), "ix_contact_live_referred"),
    ],
)
def test_the_flag_filters_read_a_page_from_their_own_index(
    database: Database, query: ContactQuery, index: str
) -> None:
    # A page of a filter that keeps few contacts must not walk every contact by name.
    from sqlalchemy import select  # noqa: PLC0415

    from db import listing  # noqa: PLC0415
    from db.models import Contact  # noqa: PLC0415

    statement = listing._order(query, listing.filtered(query, select(Contact.id)))
    with database.reading() as session:
        compiled = statement.limit(200).compile(session.get_bind())
        plan = session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {compiled}",
            tuple(compiled.params[name] for name in compiled.positiontup or ()),
        )
        details = " ".join(str(row[3]) for row in plan)
    assert f"USING INDEX {index}" in details
