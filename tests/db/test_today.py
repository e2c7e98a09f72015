"""The Today lists, counts, due follow-ups and notices against a fixed day (no Qt)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from db import followups, today
from db.domain import FollowupSource, Medium
from db.engine import Database
from db.models import Contact, Followup
from db.today import Section
from tests.conftest import ContactFactory
from tests.db.test_followups_rules import NOW, TODAY, log_touch, place


def names(items: list[today.TodayItem]) -> list[str]:
    return [i.name for i in items]


def test_overdue_oldest_first_with_days_then_today_and_the_next_week(
    database: Database, contact_factory: ContactFactory
) -> None:
    old = contact_factory(name="Ada Old")
    recent = contact_factory(name="Ben Recent")
    due = contact_factory(name="Cy Today")
    soon = contact_factory(name="Di Soon")
    far = contact_factory(name="Ed Far")
    place(database, old, touched=NOW - timedelta(days=30))  # 18 days overdue
    place(database, recent, touched=NOW - timedelta(days=14))  # 2 days overdue
    place(database, due, touched=NOW - timedelta(days=12))
    place(database, soon, touched=NOW - timedelta(days=7))
    place(database, far, touched=NOW)

    overdue = today.section_items(database, Section.OVERDUE, TODAY)
    assert names(overdue) == ["Ada Old", "Ben Recent"]
    assert [i.days_overdue(i.today) for i in overdue] == [18, 2]
    assert overdue[0].source is FollowupSource.CADENCE
    assert overdue[0].reason == "Last touch 30 days ago; keep in touch every 12 days"
    assert overdue[0].suggested_medium is Medium.PHONE  # the customer stage's first medium
    assert overdue[0].stage == "Customer"
    assert names(today.section_items(database, Section.DUE_TODAY, TODAY)) == ["Cy Today"]
    assert names(today.section_items(database, Section.UPCOMING, TODAY)) == ["Di Soon"]
    assert today.counts(database, TODAY) == today.TodayCounts(
        overdue=2, due_today=1, at_risk=0, stuck=0, upcoming=1
    )


def test_a_manual_follow_up_explains_the_row(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Fay")
    place(database, cid, touched=NOW)
    followups.add_followup(
        database, cid, TODAY, "Send the proposal", today=TODAY, suggested_medium=Medium.EMAIL
    )
    [item] = today.section_items(database, Section.DUE_TODAY, TODAY)
    assert (item.reason, item.source, item.suggested_medium) == (
        "Send the proposal",
        FollowupSource.MANUAL,
        Medium.EMAIL,
    )
    assert item.followup_id is not None


def test_logging_a_touch_clears_the_contact_from_today(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    place(database, cid, touched=NOW - timedelta(days=30))
    followups.add_followup(database, cid, TODAY, "Call back", today=TODAY)
    assert today.counts(database, TODAY).needs_attention == 1

    log_touch(database, cid, NOW)

    assert today.counts(database, TODAY).needs_attention == 0


def test_snoozed_contacts_leave_overdue_until_the_day(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Gus")
    place(database, cid, touched=NOW - timedelta(days=30))
    followups.snooze(database, cid, TODAY + timedelta(days=1), today=TODAY)

    assert today.counts(database, TODAY).overdue == 0
    [item] = today.section_items(database, Section.UPCOMING, TODAY)
    assert item.reason.endswith("(snoozed from 2026-02-12)")
    tomorrow = TODAY + timedelta(days=1)
    assert names(today.section_items(database, Section.DUE_TODAY, tomorrow)) == ["Gus"]


def test_at_risk_loyal_customers_and_stuck_contacts(
    database: Database, contact_factory: ContactFactory
) -> None:
    loyal_late = contact_factory(name="Hal Loyal")
    loyal_fine = contact_factory(name="Ivy Loyal")
    stuck = contact_factory(name="Jo Prospect")
    quiet = contact_factory(name="Kit Quiet", do_not_contact=True)
    place(database, loyal_late, "loyal_customer", touched=NOW - timedelta(days=13))
    place(database, loyal_fine, "loyal_customer", touched=NOW - timedelta(days=3))
    place(database, stuck, "prospect", entered=NOW - timedelta(days=50), touched=NOW)
    place(database, quiet, "prospect", entered=NOW - timedelta(days=50))

    at_risk = today.section_items(database, Section.AT_RISK, TODAY)
    assert names(at_risk) == ["Hal Loyal"]
    assert at_risk[0].reason == "Drifting away: last touch 13 days ago; keep in touch every 12 days"
    [item] = today.section_items(database, Section.STUCK, TODAY)
    assert item.name == "Jo Prospect"
    assert item.reason == "In Prospect for 50 days (stuck after 45)"
    assert item.due_on == TODAY - timedelta(days=5)


def test_due_followups_lists_rows_and_cadences_oldest_first(
    database: Database, contact_factory: ContactFactory
) -> None:
    a = contact_factory(name="Ann")
    b = contact_factory(name="Bob")
    place(database, a, touched=NOW - timedelta(days=20))
    place(database, b, touched=NOW)
    with database.write_session.begin() as session:
        followups.start_plan(session, b, TODAY - timedelta(days=3))

    due = list(today.due_followups(database, due_by=TODAY))

    assert [(d.name, d.due_on, d.source) for d in due] == [
        ("Ann", TODAY - timedelta(days=8), FollowupSource.CADENCE),
        ("Bob", TODAY - timedelta(days=2), FollowupSource.PLAN),
        ("Bob", TODAY, FollowupSource.PLAN),
    ]
    assert due[0].days_overdue(TODAY) == 8
    assert due[1].reason == "Affirm the decision"


def test_each_due_follow_up_is_noticed_once(
    database: Database, contact_factory: ContactFactory
) -> None:
    a = contact_factory(name="Ann")
    b = contact_factory(name="Bob")
    place(database, a, touched=NOW - timedelta(days=20))
    place(database, b, touched=NOW)
    followups.add_followup(database, b, TODAY, "Call back", today=TODAY)

    first = today.take_new_notices(database, TODAY, now=NOW)
    again = today.take_new_notices(database, TODAY, now=NOW)

    assert (first.count, sorted(first.names)) == (2, ["Ann", "Bob"])
    assert again.count == 0
    # The cadence reminder is remembered by a stand-in; the next day's list is unchanged.
    assert today.counts(database, TODAY).overdue == 1
    with database.reading() as session:
        assert session.scalar(select(Contact.next_followup_on).where(Contact.id == a)) == (
            TODAY - timedelta(days=8)
        )
    # A new follow-up falling due later is noticed then.
    followups.add_followup(database, b, TODAY + timedelta(days=1), "Send it", today=TODAY)
    assert today.take_new_notices(database, TODAY + timedelta(days=1), now=NOW).count == 1


def test_do_not_contact_gets_no_notice(database: Database, contact_factory: ContactFactory) -> None:
    cid = contact_factory()
    place(database, cid, touched=NOW - timedelta(days=20))
    with database.write_session.begin() as session:
        session.execute(update(Contact).values(do_not_contact=True))
        followups.refresh_next_followup(session, [cid])
        session.add(Followup(contact_id=cid, due_on=TODAY, reason="x"))
    assert today.take_new_notices(database, TODAY, now=NOW).count == 0
    assert today.counts(database, TODAY).needs_attention == 0


def test_lists_that_read_the_table_are_counted_up_to_a_cap(
    database: Database, contact_factory: ContactFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(today, "COUNT_CAP", 1)
    for _ in range(3):
        cid = contact_factory()
        place(database, cid, "prospect", entered=NOW - timedelta(days=50), touched=NOW)
    counts = today.counts(database, TODAY)
    assert counts.shown(Section.STUCK) == "1+"
    assert len(today.section_items(database, Section.STUCK, TODAY)) == 3
