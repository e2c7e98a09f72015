"""Touches in storage: logging, validation, last-touch bookkeeping, follow-ups, undo, stats."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from db import contacts, stages, touches
from db.contacts import ValidationError
from db.domain import Direction, FollowupStatus, Medium
from db.engine import Database
from db.followups import create_followup
from db.journeys import active_stages
from db.models import Contact, Followup, Touch
from db.touches import FollowupRequest, TouchInput
from tests.conftest import ContactFactory

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def touch(contact_id: int | None, medium: Medium | None = Medium.PHONE, **kw: object) -> TouchInput:
    fields: dict[str, object] = {"occurred_at": NOW - timedelta(hours=1), "summary": "Called"}
    fields.update(kw)
    return TouchInput(contact_id=contact_id, medium=medium, **fields)  # type: ignore[arg-type]


def contact_row(database: Database, contact_id: int) -> Contact:
    with database.reading() as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        return contact


def test_log_touch_stores_the_current_stage_and_moves_last_touch(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ada")
    with database.reading() as session:
        customer = active_stages(session)[2]
    stages.set_stage(database, [cid], customer.id)

    touch_id = touches.log_touch(
        database,
        touch(cid, Medium.EMAIL, direction=Direction.INBOUND, summary="  Asked   for a quote "),
        now=NOW,
    )

    record = touches.get_touch(database, touch_id)
    assert record.stage_id == customer.id and record.stage_label == customer.label
    assert record.summary == "Asked for a quote"
    assert record.direction == Direction.INBOUND
    contact = contact_row(database, cid)
    assert contact.last_touch_at == NOW - timedelta(hours=1)
    assert contact.last_touch_medium == "email"


def test_an_older_touch_does_not_replace_the_latest(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    touches.log_touch(database, touch(cid, Medium.VIDEO), now=NOW)
    touches.log_touch(database, touch(cid, Medium.GIFT, occurred_at=NOW - timedelta(days=9)))
    contact = contact_row(database, cid)
    assert contact.last_touch_medium == "video"
    assert contact.last_touch_at == NOW - timedelta(hours=1)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (touch(None), "contact_id", "Choose who"),
        (touch(1, None), "medium", "Choose how"),
        (touch(1, occurred_at=None), "occurred_at", "Enter when"),
        (touch(1, occurred_at=NOW + timedelta(days=3)), "occurred_at", "a day ahead"),
        (touch(1, occurred_at=datetime(1850, 1, 1, tzinfo=UTC)), "occurred_at", "too far"),
        (touch(1, summary="x" * 301), "summary", "under 300"),
        (touch(1, outcome="y" * 301), "outcome", "under 300"),
    ],
)
def test_bad_input_is_refused_with_a_message_per_field(
    database: Database,
    contact_factory: ContactFactory,
    data: TouchInput,
    field: str,
    message: str,
) -> None:
    contact_factory()
    with pytest.raises(ValidationError) as error:
        touches.log_touch(database, data, now=NOW)
    assert message in error.value.errors[field]
    with database.reading() as session:
        assert session.scalars(select(Touch)).all() == []


def test_a_trashed_or_missing_contact_cannot_be_touched(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    contacts.trash_contacts(database, [cid])
    with pytest.raises(ValidationError, match="trash"):
        touches.log_touch(database, touch(cid), now=NOW)
    with pytest.raises(ValidationError, match="no longer exists"):
        touches.log_touch(database, touch(cid + 100), now=NOW)


def test_a_touch_completes_what_was_due_and_can_set_the_next_followup(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    with database.write_session.begin() as session:
        due = create_followup(session, cid, date(2026, 3, 9), "Send samples").id
        later = create_followup(session, cid, date(2026, 4, 30), "Quarterly call").id

    touches.log_touch(
        database, touch(cid), followup=FollowupRequest(5, " Check the samples "), now=NOW
    )

    with database.reading() as session:
        status = {f.id: f.status for f in session.scalars(select(Followup))}
        new = session.scalars(select(Followup).where(Followup.id.not_in([due, later]))).one()
    assert status[due] == FollowupStatus.DONE
    assert status[later] == FollowupStatus.OPEN
    assert (new.due_on, new.reason, new.status) == (date(2026, 3, 15), "Check the samples", "open")
    assert contact_row(database, cid).next_followup_on == date(2026, 3, 15)


def test_a_bad_followup_request_saves_nothing(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    with pytest.raises(ValidationError) as error:
        touches.log_touch(database, touch(cid), followup=FollowupRequest(0), now=NOW)
    assert "1 to" in error.value.errors["followup"]
    assert contact_row(database, cid).last_touch_at is None


def test_editing_keeps_the_stage_and_recomputes_the_last_touch(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    first_stage = contact_row(database, cid).stage_id
    newest = touches.log_touch(database, touch(cid, Medium.EMAIL), now=NOW)
    touches.log_touch(database, touch(cid, Medium.MAIL, occurred_at=NOW - timedelta(days=5)))
    with database.reading() as session:
        stages.set_stage(database, [cid], active_stages(session)[1].id)

    record = touches.get_touch(database, newest)
    touches.update_touch(
        database,
        newest,
        touch(cid, Medium.IN_PERSON, occurred_at=NOW - timedelta(days=10), summary="Lunch"),
        now=NOW,
    )

    edited = touches.get_touch(database, newest)
    assert (edited.medium, edited.summary, edited.stage_id) == (
        Medium.IN_PERSON,
        "Lunch",
        record.stage_id,
    )
    assert edited.stage_id == first_stage
    contact = contact_row(database, cid)
    assert contact.last_touch_medium == "mail"
    assert contact.last_touch_at == NOW - timedelta(days=5)


def test_moving_a_touch_to_another_contact_updates_both(
    database: Database, contact_factory: ContactFactory
) -> None:
    ann, bob = contact_factory(name="Ann"), contact_factory(name="Bob")
    touch_id = touches.log_touch(database, touch(ann), now=NOW)
    touches.update_touch(database, touch_id, touch(bob), now=NOW)
    assert contact_row(database, ann).last_touch_at is None
    assert contact_row(database, bob).last_touch_medium == "phone"


def test_delete_and_restore_bring_back_the_same_touch(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    older = touches.log_touch(database, touch(cid, Medium.GIFT, occurred_at=NOW - timedelta(9)))
    newest = touches.log_touch(database, touch(cid, Medium.VIDEO, notes="Long talk"), now=NOW)
    before = touches.get_touch(database, newest)

    deleted = touches.delete_touch(database, newest)

    assert contact_row(database, cid).last_touch_medium == "gift"
    with pytest.raises(touches.TouchNotFoundError):
        touches.get_touch(database, newest)

    assert touches.restore_touch(database, deleted) == newest
    assert touches.get_touch(database, newest) == before
    assert contact_row(database, cid).last_touch_medium == "video"
    assert older != newest


def test_deleting_the_only_touch_clears_the_last_touch(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    touches.delete_touch(database, touches.log_touch(database, touch(cid), now=NOW))
    contact = contact_row(database, cid)
    assert (contact.last_touch_at, contact.last_touch_medium) == (None, None)


def test_stats_count_recent_touches_and_each_medium(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid, other = contact_factory(), contact_factory()
    for days, medium in [
        (1, Medium.PHONE),
        (20, Medium.PHONE),
        (31, Medium.EMAIL),
        (89, Medium.GIFT),
        (200, Medium.PHONE),
    ]:
        touches.log_touch(database, touch(cid, medium, occurred_at=NOW - timedelta(days=days)))
    touches.log_touch(database, touch(other, Medium.VIDEO), now=NOW)

    stats = touches.touch_stats(database, cid, now=NOW)

    assert stats.total == 5
    assert (stats.last_30_days, stats.last_90_days) == (2, 4)
    assert stats.last_touch_at == NOW - timedelta(days=1)
    assert stats.last_touch_medium == Medium.PHONE
    assert stats.count(Medium.PHONE) == 3
    assert stats.count(Medium.VIDEO) == 0
    assert [m for m, _n in stats.per_medium] == list(Medium)


def test_stats_of_a_contact_never_touched(
    database: Database, contact_factory: ContactFactory
) -> None:
    stats = touches.touch_stats(database, contact_factory(), now=NOW)
    assert (stats.total, stats.last_touch_at, stats.last_touch_medium) == (0, None, None)
