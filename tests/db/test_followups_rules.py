"""Follow-up rules against a fixed clock: cadence, manual, plan and snooze together (no Qt)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from db import followups, journeys, stages
from db.domain import FollowupSource, FollowupStatus, Medium
from db.engine import Database
from db.models import Contact, Followup
from tests.conftest import ContactFactory

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)


def stage_id(database: Database, key: str) -> int:
    with database.reading() as session:
        return next(s.id for s in journeys.active_stages(session) if s.key == key)


def place(
    database: Database,
    cid: int,
    key: str = "customer",
    *,
    entered: datetime = NOW - timedelta(days=30),
    touched: datetime | None = None,
) -> None:
    """Put a contact on a stage since ``entered``, last touched at ``touched``."""
    with database.write_session.begin() as session:
        stages.move_contacts(session, [cid], stage_id(database, key), now=entered)
        session.execute(update(Contact).where(Contact.id == cid).values(last_touch_at=touched))
        followups.refresh_next_followup(session, [cid])


def log_touch(database: Database, cid: int, when: datetime) -> int:
    """What logging a touch does to follow-ups (db.touches calls the same helper)."""
    with database.write_session.begin() as session:
        session.execute(update(Contact).where(Contact.id == cid).values(last_touch_at=when))
        return followups.complete_on_touch(session, cid, when)


def next_on(database: Database, cid: int) -> date | None:
    with database.reading() as session:
        return session.scalar(select(Contact.next_followup_on).where(Contact.id == cid))


def cadence_on(database: Database, cid: int) -> date | None:
    with database.reading() as session:
        return session.scalar(select(Contact.cadence_due_on).where(Contact.id == cid))


def statuses(database: Database, cid: int) -> list[tuple[str, str]]:
    with database.reading() as session:
        return [
            (f.source, f.status)
            for f in session.scalars(
                select(Followup).where(Followup.contact_id == cid).order_by(Followup.id)
            )
        ]


def test_cadence_counts_from_the_last_touch_and_a_touch_moves_it(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    place(database, cid, touched=NOW - timedelta(days=20))
    # Customer stage: every 12 days, so 8 days overdue.
    assert next_on(database, cid) == TODAY - timedelta(days=8)

    log_touch(database, cid, NOW)

    assert next_on(database, cid) == TODAY + timedelta(days=12)


def test_own_cadence_overrides_the_stage(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    with database.write_session.begin() as session:
        session.execute(update(Contact).where(Contact.id == cid).values(cadence_days=30))
    place(database, cid, touched=NOW - timedelta(days=20))
    assert next_on(database, cid) == TODAY + timedelta(days=10)


def test_the_earlier_of_manual_and_cadence_applies_and_a_touch_completes_it(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    place(database, cid, touched=NOW - timedelta(days=2))
    followups.add_followup(
        database, cid, TODAY + timedelta(days=3), "Send the proposal", today=TODAY
    )
    assert next_on(database, cid) == TODAY + timedelta(days=3)

    log_touch(database, cid, NOW + timedelta(days=3))

    assert statuses(database, cid) == [("manual", "done")]
    assert next_on(database, cid) == TODAY + timedelta(days=15)


def test_a_manual_follow_up_in_the_past_or_with_a_long_reason_is_refused(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    with pytest.raises(followups.FollowupValidationError) as caught:
        followups.add_followup(database, cid, TODAY - timedelta(days=1), "x" * 301, today=TODAY)
    assert set(caught.value.errors) == {"due_on", "reason"}
    assert statuses(database, cid) == []


def test_do_not_contact_and_trashed_contacts_get_no_follow_up(
    database: Database, contact_factory: ContactFactory
) -> None:
    quiet = contact_factory(do_not_contact=True)
    place(database, quiet, touched=NOW - timedelta(days=20))
    assert next_on(database, quiet) is None
    with pytest.raises(followups.FollowupError, match="do not contact"):
        followups.add_followup(database, quiet, TODAY, "call", today=TODAY)


def test_snoozing_a_cadence_follow_up_keeps_the_rule(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    place(database, cid, touched=NOW - timedelta(days=20))

    followups.snooze(database, cid, TODAY + timedelta(days=1), today=TODAY)

    assert next_on(database, cid) == TODAY + timedelta(days=1)
    # The cadence itself still says when the relationship went quiet (for "at risk").
    assert cadence_on(database, cid) == TODAY - timedelta(days=8)
    assert statuses(database, cid) == [("cadence", "open")]

    # A touch during the snooze completes it and restarts the cadence from the touch.
    log_touch(database, cid, NOW)
    assert statuses(database, cid) == [("cadence", "done")]
    assert next_on(database, cid) == TODAY + timedelta(days=12)


def test_snooze_moves_every_earlier_follow_up_of_the_contact(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    place(database, cid, touched=NOW - timedelta(days=20))
    with database.write_session.begin() as session:
        followups.create_followup(session, cid, TODAY - timedelta(days=3), "overdue call")
        followups.create_followup(session, cid, TODAY + timedelta(days=20), "later")

    followups.snooze(database, cid, TODAY + timedelta(days=7), today=TODAY)

    assert next_on(database, cid) == TODAY + timedelta(days=7)
    with database.reading() as session:
        later = session.scalars(select(Followup).where(Followup.reason == "later")).one()
    assert later.snoozed_until is None


def test_snooze_must_be_after_today(database: Database, contact_factory: ContactFactory) -> None:
    cid = contact_factory()
    place(database, cid, touched=NOW - timedelta(days=20))
    with pytest.raises(followups.FollowupError, match="after today"):
        followups.snooze(database, cid, TODAY, today=TODAY)


def test_marking_a_cadence_done_restarts_it_from_that_day(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    place(database, cid, touched=NOW - timedelta(days=20))

    done = followups.mark_done(database, cid, through=TODAY, now=NOW)

    assert done == 1
    assert statuses(database, cid) == [("cadence", "done")]
    assert cadence_on(database, cid) == TODAY + timedelta(days=12)
    assert next_on(database, cid) == TODAY + timedelta(days=12)


def test_a_stage_change_recomputes_and_drops_a_stale_stand_in(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    place(database, cid, touched=None, entered=NOW - timedelta(days=20))
    followups.snooze(database, cid, TODAY + timedelta(days=2), today=TODAY)

    stages.set_stage(
        database, [cid], stage_id(database, "prospect"), reason="Wants a new quote", now=NOW
    )

    # Never touched: the cadence counts from entering the new stage (7 days for prospects).
    assert statuses(database, cid) == [("cadence", "cancelled")]
    assert next_on(database, cid) == TODAY + timedelta(days=7)


def test_the_100_day_plan_skip_and_cancel(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    place(database, cid, touched=NOW)
    with database.write_session.begin() as session:
        plan = followups.start_plan(session, cid, TODAY)
    assert [f.due_on - TODAY for f in plan] == [
        timedelta(days=d) for d, *_ in followups.DEFAULT_PLAN_STEPS
    ]
    assert next_on(database, cid) == TODAY + timedelta(days=1)

    followups.cancel_followup(database, plan[0].id)  # skip "affirm"
    assert next_on(database, cid) == TODAY + timedelta(days=3)

    assert followups.cancel_plan(database, cid) == 5
    assert next_on(database, cid) == TODAY + timedelta(days=12)
    assert followups.contact_followups(database, cid) == []


def test_plan_template_edits_are_validated_and_saved_in_order(database: Database) -> None:
    steps = [
        followups.PlanStepData(0, "Thank you card", Medium.MAIL, "Handwritten."),
        followups.PlanStepData(30, "Check in", Medium.PHONE),
    ]
    followups.save_plan_template(database, steps)
    assert followups.plan_template(database) == steps

    bad = [followups.PlanStepData(30, "Check in"), followups.PlanStepData(10, "Too early")]
    assert followups.validate_plan(bad) == {1: "Day 10 comes before the step above (day 30)."}
    assert followups.validate_plan([followups.PlanStepData(5, " ")]) == {
        0: "Give the step a title."
    }
    with pytest.raises(followups.FollowupError):
        followups.save_plan_template(database, bad)
    assert followups.plan_template(database) == steps


def test_completing_one_follow_up_by_hand(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    place(database, cid, touched=NOW)
    fid = followups.add_followup(database, cid, TODAY + timedelta(days=2), "Quote", today=TODAY)
    [info] = followups.contact_followups(database, cid)
    assert (info.id, info.source, info.reason) == (fid, FollowupSource.MANUAL, "Quote")

    followups.complete_followup(database, fid, now=NOW)

    assert statuses(database, cid) == [("manual", FollowupStatus.DONE.value)]
    with pytest.raises(followups.FollowupError):
        followups.complete_followup(database, fid, now=NOW)
