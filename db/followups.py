"""Follow-ups: the next date each contact should hear from the owner (DOMAIN.md §3).

A contact's next follow-up is the earlier of its open follow-ups (set by hand, or by the
100-day plan; a snoozed one counts from its snooze date) and *last touch + cadence* (the
contact's own cadence, else its stage's). It is kept on ``contact.next_followup_on`` so the
lists that need it sort and filter on an index. Contacts marked do-not-contact and contacts
in the trash have none.

Helpers take a ``Session`` and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.domain import FollowupStatus
from db.models import Contact, Followup, Stage, utcnow


def effective_due(due_on: date, snoozed_until: date | None) -> date:
    """The day an open follow-up next asks for attention."""
    return snoozed_until if snoozed_until is not None and snoozed_until > due_on else due_on


def cadence_due(
    last_touch_at: datetime | None, entered_at: datetime | None, cadence_days: int | None
) -> date | None:
    """When the cadence asks for the next touch: counted from the last touch, or, for a contact
    never touched, from when it entered its stage."""
    start = last_touch_at or entered_at
    if cadence_days is None or start is None:
        return None
    return start.astimezone().date() + timedelta(days=cadence_days)


def next_followup(
    *,
    do_not_contact: bool,
    trashed: bool,
    open_dues: Sequence[date],
    cadence: date | None,
) -> date | None:
    """The earlier of the open follow-ups and the cadence date, or None for no reminder."""
    if do_not_contact or trashed:
        return None
    candidates = [*open_dues, *([cadence] if cadence is not None else [])]
    return min(candidates) if candidates else None


def refresh_next_followup(
    session: Session, contact_ids: Sequence[int], *, today: date | None = None
) -> None:
    """Recompute ``next_followup_on`` for these contacts after anything it depends on moved."""
    del today  # The rule depends on stored dates only; kept for callers that know the day.
    ids = sorted(set(contact_ids))
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        opens: dict[int, list[date]] = {}
        for contact_id, due_on, snoozed in session.execute(
            select(Followup.contact_id, Followup.due_on, Followup.snoozed_until).where(
                Followup.contact_id.in_(batch), Followup.status == FollowupStatus.OPEN.value
            )
        ):
            opens.setdefault(contact_id, []).append(effective_due(due_on, snoozed))
        rows = session.execute(
            select(
                Contact.id,
                Contact.do_not_contact,
                Contact.deleted_at,
                Contact.last_touch_at,
                Contact.stage_entered_at,
                func.coalesce(Contact.cadence_days, Stage.cadence_days),
            )
            .outerjoin(Stage, Stage.id == Contact.stage_id)
            .where(Contact.id.in_(batch))
        ).all()
        for contact_id, dnc, deleted_at, last_touch_at, entered_at, cadence_days in rows:
            value = next_followup(
                do_not_contact=bool(dnc),
                trashed=deleted_at is not None,
                open_dues=opens.get(contact_id, []),
                cadence=cadence_due(last_touch_at, entered_at, cadence_days),
            )
            session.execute(
                update(Contact).where(Contact.id == contact_id).values(next_followup_on=value)
            )


def complete_on_touch(session: Session, contact_id: int, touched_at: datetime) -> int:
    """A touch completes the contact's open follow-ups that were due by its day (snoozed or
    not); returns how many. The caller has already moved ``last_touch_at``; the next
    follow-up is recomputed."""
    day = touched_at.astimezone().date()
    done = 0
    for followup in session.scalars(
        select(Followup).where(
            Followup.contact_id == contact_id, Followup.status == FollowupStatus.OPEN.value
        )
    ):
        if followup.due_on <= day:
            followup.status = FollowupStatus.DONE.value
            followup.completed_at = utcnow()
            done += 1
    session.flush()
    refresh_next_followup(session, [contact_id], today=day)
    return done
