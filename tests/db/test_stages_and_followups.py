"""Stage moves and the next-follow-up rule they keep in step (no Qt)."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text, update

from db import followups, journeys, stages
from db.contacts import (
    ContactDetail,
    ContactInput,
    get_contact,
    restore_contacts,
    trash_contacts,
    update_contact,
)
from db.engine import Database, open_database
from db.models import Contact, Followup, PlanStep, StageChange
from tests.conftest import ContactFactory

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _as_input(detail: ContactDetail) -> ContactInput:
    return ContactInput(**{f.name: getattr(detail, f.name) for f in fields(ContactInput)})


def _stage_ids(database: Database) -> list[int]:
    with database.reading() as session:
        return [s.id for s in journeys.active_stages(session)]


def _changes(database: Database, contact_id: int) -> list[tuple[int | None, int | None, bool]]:
    with database.reading() as session:
        return [
            (c.from_stage_id, c.to_stage_id, c.automatic)
            for c in session.scalars(
                select(StageChange)
                .where(StageChange.contact_id == contact_id)
                .order_by(StageChange.id)
            )
        ]


def test_a_move_is_recorded_and_changes_the_stage(
    database: Database, contact_factory: ContactFactory
) -> None:
    suspect, prospect, *_ = _stage_ids(database)
    cid = contact_factory()

    moved = stages.set_stage(database, [cid], prospect, reason="asked for a quote", now=NOW)

    assert moved == [cid]
    assert get_contact(database, cid).stage_id == prospect
    assert _changes(database, cid) == [(None, suspect, True), (suspect, prospect, False)]
    with database.reading() as session:
        contact = session.get(Contact, cid)
        assert contact is not None
        assert contact.stage_entered_at == NOW


def test_contacts_already_there_or_in_the_trash_do_not_move(
    database: Database, contact_factory: ContactFactory
) -> None:
    suspect, prospect, *_ = _stage_ids(database)
    staying, trashed = contact_factory(), contact_factory()
    trash_contacts(database, [trashed])

    assert stages.set_stage(database, [staying, trashed], suspect) == []
    assert stages.set_stage(database, [staying, trashed], prospect) == [staying]
    assert len(_changes(database, trashed)) == 1


def test_an_unknown_stage_is_refused_and_nothing_moves(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    with pytest.raises(stages.StageNotFoundError):
        stages.set_stage(database, [cid], 999_999)
    assert len(_changes(database, cid)) == 1


def test_moving_recomputes_the_next_follow_up_from_the_new_cadence(
    database: Database, contact_factory: ContactFactory
) -> None:
    with database.reading() as session:
        cadence = {s.id: s.cadence_days for s in journeys.active_stages(session)}
    _suspect, prospect, *_ = cadence
    cid = contact_factory()
    touched = NOW - timedelta(days=3)
    with database.write_session.begin() as session:
        session.execute(update(Contact).where(Contact.id == cid).values(last_touch_at=touched))

    stages.set_stage(database, [cid], prospect, now=NOW)

    expected = touched.astimezone().date() + timedelta(days=cadence[prospect] or 0)
    assert get_contact(database, cid).next_followup_on == expected


def _next(database: Database, contact_id: int) -> date | None:
    return get_contact(database, contact_id).next_followup_on


def _add_followup(database: Database, contact_id: int, due: date, **extra: Any) -> None:
    with database.write_session.begin() as session:
        session.add(Followup(contact_id=contact_id, due_on=due, reason="r", **extra))
        followups.refresh_next_followup(session, [contact_id])


def test_next_follow_up_is_the_earlier_of_cadence_and_open_follow_ups(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    with database.write_session.begin() as session:
        session.execute(
            update(Contact).where(Contact.id == cid).values(last_touch_at=NOW, cadence_days=10)
        )
        followups.refresh_next_followup(session, [cid])
    cadence = NOW.astimezone().date() + timedelta(days=10)
    assert _next(database, cid) == cadence

    _add_followup(database, cid, cadence + timedelta(days=5))
    assert _next(database, cid) == cadence
    _add_followup(database, cid, cadence - timedelta(days=5))
    assert _next(database, cid) == cadence - timedelta(days=5)
    # Done and cancelled ones no longer count.
    _add_followup(database, cid, cadence - timedelta(days=8), status="done")
    assert _next(database, cid) == cadence - timedelta(days=5)


def test_a_snoozed_follow_up_waits_until_its_snooze_date(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(do_not_contact=False)
    _add_followup(database, cid, date(2020, 1, 1), snoozed_until=date(2099, 1, 8))
    # The suspect stage's cadence from the day it was added comes first.
    assert _next(database, cid) is not None
    assert _next(database, cid) < date(2099, 1, 8)  # type: ignore[operator]
    with database.write_session.begin() as session:
        session.execute(update(Contact).where(Contact.id == cid).values(cadence_days=None))
        session.execute(text("UPDATE stage SET cadence_days = NULL"))
        followups.refresh_next_followup(session, [cid])
    assert _next(database, cid) == date(2099, 1, 8)


def test_do_not_contact_and_trashed_contacts_have_no_next_follow_up(
    database: Database, contact_factory: ContactFactory
) -> None:
    quiet, trashed, restored = contact_factory(), contact_factory(), contact_factory()
    for cid in (quiet, trashed, restored):
        _add_followup(database, cid, date(2026, 3, 1))
    detail = get_contact(database, quiet)
    update_contact(database, quiet, replace(_as_input(detail), do_not_contact=True))
    trash_contacts(database, [trashed, restored])
    restore_contacts(database, [restored])

    assert _next(database, quiet) is None
    assert _next(database, trashed) is None
    assert _next(database, restored) == date(2026, 3, 1)


def test_a_new_contact_is_due_after_its_first_stage_cadence(
    database: Database, contact_factory: ContactFactory
) -> None:
    with database.reading() as session:
        first = journeys.active_stages(session)[0]
    cid = contact_factory()
    with database.reading() as session:
        contact = session.get(Contact, cid)
        assert contact is not None and contact.stage_entered_at is not None
        entered = contact.stage_entered_at.astimezone().date()
        assert contact.stuck_on == entered + timedelta(days=first.dwell_days or 0)
    assert _next(database, cid) == entered + timedelta(days=first.cadence_days or 0)


def test_a_snoozed_follow_up_is_due_on_its_snooze_date() -> None:
    assert followups.effective_due(date(2026, 3, 1), date(2026, 3, 8)) == date(2026, 3, 8)
    assert followups.effective_due(date(2026, 3, 1), None) == date(2026, 3, 1)


def test_a_touch_completes_what_was_due_by_its_day(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    with database.write_session.begin() as session:
        session.add_all(
            [
                Followup(contact_id=cid, due_on=date(2026, 3, 1), reason="call back"),
                Followup(
                    contact_id=cid,
                    due_on=date(2026, 2, 20),
                    snoozed_until=date(2026, 3, 9),
                    reason="snoozed",
                ),
                Followup(contact_id=cid, due_on=date(2026, 4, 1), reason="later"),
            ]
        )
    with database.write_session.begin() as session:
        session.execute(update(Contact).where(Contact.id == cid).values(last_touch_at=NOW))
        done = followups.complete_on_touch(session, cid, NOW)

    assert done == 2
    with database.reading() as session:
        still_open = session.scalars(
            select(Followup.reason).where(Followup.contact_id == cid, Followup.status == "open")
        ).all()
    assert still_open == ["later"]
    # The suspect stage's 45-day cadence from this touch comes after the one still open.
    assert get_contact(database, cid).next_followup_on == date(2026, 4, 1)


def test_a_new_database_has_the_default_100_day_plan(database: Database) -> None:
    with database.reading() as session:
        steps = session.scalars(select(PlanStep).order_by(PlanStep.position)).all()
    assert (steps[0].day_offset, steps[0].title) == (1, "Affirm the decision")
    assert [s.day_offset for s in steps] == [1, 3, 14, 45, 75, 100]


def test_an_emptied_plan_template_stays_empty(db_path: Path) -> None:
    with open_database(db_path) as database, database.write_session.begin() as session:
        session.execute(delete(PlanStep))
    with open_database(db_path) as database, database.reading() as session:
        assert session.scalar(select(func.count()).select_from(PlanStep)) == 0


def test_a_plan_follows_the_template_from_the_purchase_day(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    bought = date(2026, 3, 2)
    with database.write_session.begin() as session:
        created = followups.start_plan(session, cid, bought, now=NOW)
        assert [(f.due_on - bought).days for f in created] == [1, 3, 14, 45, 75, 100]
        assert {f.source for f in created} == {"plan"}
        assert created[0].suggested_medium == "phone"
    assert get_contact(database, cid).next_followup_on == date(2026, 3, 3)


def test_a_manual_follow_up_brings_the_next_date_forward(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    with database.write_session.begin() as session:
        followups.create_followup(session, cid, date(2026, 3, 4), "  send the proposal ")
    assert get_contact(database, cid).next_followup_on == date(2026, 3, 4)
    with database.reading() as session:
        assert session.scalars(select(Followup.reason)).all() == ["send the proposal"]
