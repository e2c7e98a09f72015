"""Touches: logging, editing, deleting (and restoring) an interaction, and per-contact stats.

A touch stores the contact's stage at the moment it is logged, so the medium mix per stage
can be reported. Every write keeps ``contact.last_touch_at`` and ``last_touch_medium`` equal
to the contact's latest touch, read from the ``(contact_id, occurred_at)`` index, and moves the
contact's follow-ups: a new touch completes what was due by its day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, case, func, select, update
from sqlalchemy.orm import Session

from db import followups
from db.contacts import ValidationError
from db.domain import Direction, Medium
from db.models import Contact, Stage, Touch, utcnow

if TYPE_CHECKING:
    from db.engine import Database

SUMMARY_MAX = 300
OUTCOME_MAX = 300
NOTES_MAX = 20_000
REASON_MAX = 300
#: A touch may be dated a little ahead (clocks and time zones differ), but not further.
FUTURE_SLACK = timedelta(days=1)
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
FOLLOWUP_MAX_DAYS = 3650


@dataclass(frozen=True)
class TouchInput:
    """Everything a person enters on the log-touch form."""

    contact_id: int | None
    medium: Medium | None
    occurred_at: datetime | None
    direction: Direction = Direction.OUTBOUND
    summary: str = ""
    notes: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class FollowupRequest:
    """ "Follow up in N days" ticked on the form: a manual follow-up from the touch's day."""

    days: int
    reason: str = ""


@dataclass(frozen=True)
class TouchRecord:
    """A stored touch, as the user interface shows it."""

    id: int
    contact_id: int
    contact_name: str
    medium: Medium
    direction: Direction
    occurred_at: datetime
    summary: str
    notes: str
    outcome: str
    stage_id: int | None
    stage_label: str
    created_at: datetime


@dataclass(frozen=True)
class DeletedTouch:
    """All a deleted touch held, so ``restore_touch`` can bring it back exactly."""

    id: int
    contact_id: int
    medium: str
    direction: str
    occurred_at: datetime
    summary: str
    notes: str
    outcome: str
    stage_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class TouchStats:
    """One contact's touch figures for the detail pane."""

    total: int
    last_touch_at: datetime | None
    last_touch_medium: Medium | None
    last_30_days: int
    last_90_days: int
    per_medium: tuple[tuple[Medium, int], ...]

    def count(self, medium: Medium) -> int:
        return dict(self.per_medium).get(medium, 0)


class TouchNotFoundError(LookupError):
    pass


# --- Validation -----------------------------------------------------------------------------


def normalise(data: TouchInput) -> TouchInput:
    return TouchInput(
        contact_id=data.contact_id,
        medium=None if data.medium is None else Medium(data.medium),
        occurred_at=data.occurred_at,
        direction=Direction(data.direction),
        summary=" ".join(data.summary.split()),
        notes=data.notes.strip(),
        outcome=" ".join(data.outcome.split()),
    )


def validate(
    data: TouchInput, *, now: datetime, followup: FollowupRequest | None = None
) -> dict[str, str]:
    """Problems with a (normalised) form, by field name."""
    errors: dict[str, str] = {}
    if data.contact_id is None:
        errors["contact_id"] = "Choose who the touch was with."
    if data.medium is None:
        errors["medium"] = "Choose how you were in touch (keys 1 to 6)."
    if data.occurred_at is None:
        errors["occurred_at"] = "Enter when it happened."
    elif data.occurred_at.tzinfo is None:
        raise ValueError("occurred_at must be timezone-aware")
    elif data.occurred_at > now + FUTURE_SLACK:
        errors["occurred_at"] = "A touch cannot be dated more than a day ahead."
    elif data.occurred_at < EARLIEST:
        errors["occurred_at"] = "That date is too far in the past."
    if len(data.summary) > SUMMARY_MAX:
        errors["summary"] = f"Keep the summary under {SUMMARY_MAX} characters."
    if len(data.outcome) > OUTCOME_MAX:
        errors["outcome"] = f"Keep the outcome under {OUTCOME_MAX} characters."
    if len(data.notes) > NOTES_MAX:
        errors["notes"] = f"Keep the notes under {NOTES_MAX:,} characters."
    if followup is not None:
        if not 1 <= followup.days <= FOLLOWUP_MAX_DAYS:
            errors["followup"] = f"Follow up in 1 to {FOLLOWUP_MAX_DAYS:,} days."
        elif len(followup.reason.strip()) > REASON_MAX:
            errors["followup"] = f"Keep the reason under {REASON_MAX} characters."
    return errors


def _checked(
    data: TouchInput, now: datetime, followup: FollowupRequest | None = None
) -> TouchInput:
    data = normalise(data)
    errors = validate(data, now=now, followup=followup)
    if errors:
        raise ValidationError(errors)
    return data


def _live_contact(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise ValidationError({"contact_id": "That contact no longer exists."})
    if contact.deleted_at is not None:
        raise ValidationError({"contact_id": "That contact is in the trash."})
    return contact


# --- Keeping the contact in step ------------------------------------------------------------


def sync_last_touch(session: Session, contact_ids: Iterable[int]) -> None:
    """Set each contact's last touch (when, medium) from its newest touch, via the index."""
    for contact_id in sorted(set(contact_ids)):
        latest = session.execute(
            select(Touch.occurred_at, Touch.medium)
            .where(Touch.contact_id == contact_id)
            .order_by(Touch.occurred_at.desc(), Touch.id.desc())
            .limit(1)
        ).first()
        session.execute(
            update(Contact)
            .where(Contact.id == contact_id)
            .values(
                last_touch_at=latest[0] if latest else None,
                last_touch_medium=latest[1] if latest else None,
            )
        )


# --- Writing --------------------------------------------------------------------------------


def log_touch(
    database: Database,
    data: TouchInput,
    *,
    followup: FollowupRequest | None = None,
    now: datetime | None = None,
) -> int:
    """Record a touch with the contact's current stage; returns its id.

    Follow-ups due by the touch's day are completed; with ``followup`` a new one is set
    ``days`` after the touch's day.
    """
    now = now or utcnow()
    data = _checked(data, now, followup)
    assert data.contact_id is not None and data.medium is not None  # checked above
    assert data.occurred_at is not None
    with database.write_session.begin() as session:
        contact = _live_contact(session, data.contact_id)
        touch = Touch(
            contact_id=contact.id,
            medium=data.medium.value,
            direction=data.direction.value,
            occurred_at=data.occurred_at,
            summary=data.summary,
            notes=data.notes,
            outcome=data.outcome,
            stage_id=contact.stage_id,
            created_at=now,
        )
        session.add(touch)
        session.flush()
        sync_last_touch(session, [contact.id])
        followups.complete_on_touch(session, contact.id, data.occurred_at)
        if followup is not None:
            day = data.occurred_at.astimezone().date()
            followups.create_followup(
                session,
                contact.id,
                day + timedelta(days=followup.days),
                followup.reason.strip(),
                now=now,
            )
        return touch.id


def update_touch(
    database: Database, touch_id: int, data: TouchInput, *, now: datetime | None = None
) -> None:
    """Save changes to a touch. It keeps the stage it was logged in, unless it is moved to
    another contact (then it takes that contact's current stage)."""
    now = now or utcnow()
    data = _checked(data, now)
    assert data.contact_id is not None and data.medium is not None
    with database.write_session.begin() as session:
        touch = session.get(Touch, touch_id)
        if touch is None:
            raise TouchNotFoundError(touch_id)
        affected = {touch.contact_id, data.contact_id}
        if data.contact_id != touch.contact_id:
            moved_to = _live_contact(session, data.contact_id)
            touch.contact_id = moved_to.id
            touch.stage_id = moved_to.stage_id
        touch.medium = data.medium.value
        touch.direction = data.direction.value
        touch.occurred_at = data.occurred_at  # type: ignore[assignment]
        touch.summary = data.summary
        touch.notes = data.notes
        touch.outcome = data.outcome
        session.flush()
        sync_last_touch(session, affected)
        followups.refresh_next_followup(session, sorted(affected))


def delete_touch(database: Database, touch_id: int) -> DeletedTouch:
    """Delete a touch; returns what ``restore_touch`` needs to undo it.

    Follow-ups the touch completed stay done: the owner did get in touch.
    """
    with database.write_session.begin() as session:
        touch = session.get(Touch, touch_id)
        if touch is None:
            raise TouchNotFoundError(touch_id)
        deleted = DeletedTouch(
            id=touch.id,
            contact_id=touch.contact_id,
            medium=touch.medium,
            direction=touch.direction,
            occurred_at=touch.occurred_at,
            summary=touch.summary,
            notes=touch.notes,
            outcome=touch.outcome,
            stage_id=touch.stage_id,
            created_at=touch.created_at,
        )
        session.delete(touch)
        session.flush()
        sync_last_touch(session, [deleted.contact_id])
        followups.refresh_next_followup(session, [deleted.contact_id])
        return deleted


def restore_touch(database: Database, deleted: DeletedTouch) -> int:
    """Undo ``delete_touch``: the touch comes back with its id, stage and dates."""
    with database.write_session.begin() as session:
        if session.get(Contact, deleted.contact_id) is None:
            raise ValidationError({"contact_id": "That contact no longer exists."})
        stage_id = deleted.stage_id
        if stage_id is not None and session.get(Stage, stage_id) is None:
            stage_id = None
        touch_id = deleted.id if session.get(Touch, deleted.id) is None else None
        touch = Touch(
            id=touch_id,
            contact_id=deleted.contact_id,
            medium=deleted.medium,
            direction=deleted.direction,
            occurred_at=deleted.occurred_at,
            summary=deleted.summary,
            notes=deleted.notes,
            outcome=deleted.outcome,
            stage_id=stage_id,
            created_at=deleted.created_at,
        )
        session.add(touch)
        session.flush()
        sync_last_touch(session, [deleted.contact_id])
        followups.refresh_next_followup(session, [deleted.contact_id])
        return touch.id


# --- Reading --------------------------------------------------------------------------------


def get_touch(database: Database, touch_id: int) -> TouchRecord:
    with database.reading() as session:
        row = session.execute(
            select(Touch, Contact.name, Stage.label)
            .join(Contact, Contact.id == Touch.contact_id)
            .outerjoin(Stage, Stage.id == Touch.stage_id)
            .where(Touch.id == touch_id)
        ).first()
        if row is None:
            raise TouchNotFoundError(touch_id)
        touch, name, stage_label = row
        return TouchRecord(
            id=touch.id,
            contact_id=touch.contact_id,
            contact_name=name,
            medium=Medium(touch.medium),
            direction=Direction(touch.direction),
            occurred_at=touch.occurred_at,
            summary=touch.summary,
            notes=touch.notes,
            outcome=touch.outcome,
            stage_id=touch.stage_id,
            stage_label=stage_label or "",
            created_at=touch.created_at,
        )


def touch_stats(database: Database, contact_id: int, *, now: datetime | None = None) -> TouchStats:
    """Last touch, touches in the last 30 and 90 days and a count per medium, in one query
    over the contact's range of the ``(contact_id, occurred_at)`` index."""
    now = now or utcnow()
    since_30 = now - timedelta(days=30)
    since_90 = now - timedelta(days=90)

    def counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    latest_medium = (
        select(Touch.medium)
        .where(Touch.contact_id == contact_id)
        .order_by(Touch.occurred_at.desc(), Touch.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    with database.reading() as session:
        row = session.execute(
            select(
                func.count(Touch.id),
                func.max(Touch.occurred_at),
                latest_medium,
                counted(Touch.occurred_at >= since_30),
                counted(Touch.occurred_at >= since_90),
                *(counted(Touch.medium == medium.value) for medium in Medium),
            ).where(Touch.contact_id == contact_id)
        ).one()
    return TouchStats(
        total=int(row[0]),
        last_touch_at=row[1],
        last_touch_medium=Medium(row[2]) if row[2] else None,
        last_30_days=int(row[3]),
        last_90_days=int(row[4]),
        per_medium=tuple(
            (medium, int(count)) for medium, count in zip(Medium, row[5:], strict=True)
        ),
    )


def local_day_bounds(
    since: date | None, until: date | None
) -> tuple[datetime | None, datetime | None]:
    """The instants that start ``since`` and end ``until`` (inclusive) in local time."""

    def start(day: date) -> datetime:
        return datetime(day.year, day.month, day.day).astimezone()

    return (
        start(since) if since else None,
        start(until + timedelta(days=1)) if until else None,
    )
