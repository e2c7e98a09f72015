"""A contact's timeline: every kind of entry, newest first, paged by keyset without gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from db import contacts, stages, timeline, touches
from db.domain import Medium
from db.engine import Database
from db.followups import create_followup
from db.journeys import active_stages
from db.models import Feedback, Purchase
from db.timeline import EntryKind
from db.touches import TouchInput
from tests.conftest import ContactFactory

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def log(database: Database, cid: int, at: datetime, medium: Medium = Medium.PHONE) -> int:
    return touches.log_touch(
        database, TouchInput(cid, medium, at, summary=f"{medium.label} {at:%d %b}"), now=NOW
    )


def test_every_kind_appears_newest_first(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contacts.create_contact(
        database, contacts.ContactInput(name="Ada"), now=datetime(2025, 12, 1, tzinfo=UTC)
    )
    other = contact_factory(name="Bob")
    log(database, other, NOW - timedelta(days=1))
    log(database, cid, datetime(2026, 1, 5, 9, 30, tzinfo=UTC), Medium.EMAIL)
    with database.reading() as session:
        customer = active_stages(session)[2]
    stages.set_stage(
        database, [cid], customer.id, reason="Signed", now=datetime(2026, 2, 1, tzinfo=UTC)
    )
    with database.write_session.begin() as session:
        session.add(
            Purchase(
                contact_id=cid,
                purchased_on=date(2026, 2, 3),
                product="Sourdough course",
                amount=Decimal("120.50"),
                currency="EUR",
            )
        )
        session.add(Feedback(contact_id=cid, received_on=date(2026, 2, 20), level="satisfied"))
        create_followup(
            session, cid, date(2026, 3, 20), "Send photos", now=datetime(2026, 2, 21, tzinfo=UTC)
        )

    page = timeline.timeline_page(database, cid)

    assert page.next_cursor is None
    got = [(e.kind, e.title) for e in page.entries]
    assert got[:6] == [
        (EntryKind.FOLLOWUP_DUE, "Due: Send photos"),
        (EntryKind.FOLLOWUP_SET, "Follow-up set: Send photos"),
        (EntryKind.FEEDBACK, "Feedback: Satisfied"),
        (EntryKind.PURCHASE, "Bought Sourdough course"),
        (EntryKind.STAGE, f"Suspect → {customer.label}"),
        (EntryKind.TOUCH, "Email 05 Jan"),
    ]
    assert got[6][0] == EntryKind.STAGE and got[6][1].startswith("Started as")
    assert len(got) == 7  # nothing of Bob's
    purchase = page.entries[3]
    assert purchase.detail == "120.50 EUR" and purchase.day == date(2026, 2, 3)
    assert purchase.day_only
    assert page.entries[5].medium == Medium.EMAIL
    assert page.entries[4].detail == "Signed (by hand)"


def test_pages_follow_each_other_without_gaps_or_repeats(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    start = datetime(2025, 1, 1, tzinfo=UTC)
    made = set()
    for n in range(57):
        # Pairs at the same instant test the tie-break on the id.
        made.add(log(database, cid, start + timedelta(days=n // 2)))

    seen: list[tuple[datetime, int]] = []
    cursor = None
    pages = 0
    while True:
        page = timeline.timeline_page(database, cid, cursor, limit=10)
        pages += 1
        seen.extend((e.at, e.id) for e in page.entries if e.kind == EntryKind.TOUCH)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert pages == 6  # 57 touches and the "Added" stage change, 10 a page
    assert {i for _at, i in seen} == made
    assert len(seen) == len(made)
    assert seen == sorted(seen, reverse=True)


def test_an_empty_contact_has_only_its_start(
    database: Database, contact_factory: ContactFactory
) -> None:
    page = timeline.timeline_page(database, contact_factory())
    assert [e.kind for e in page.entries] == [EntryKind.STAGE]
