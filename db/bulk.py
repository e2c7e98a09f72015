"""Actions on many contacts at once (a multi-selection in the contacts list): tag them, log
one touch for all of them (a mailing to 40 customers), add the same follow-up to each.

Each is one unit of work, however many contacts are chosen, and works a chunk of ids at a
time with set-based statements, so thousands of contacts take one short transaction. Moving to
a stage and to the trash have their own services (``db.stages.set_stage``,
``db.contacts.trash_contacts``), which already take many ids.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, insert, or_, select, update

from db import contacts, followups, search, touches
from db.contacts import ValidationError
from db.domain import Direction, FollowupSource, FollowupStatus, Medium
from db.models import Contact, ContactTag, Followup, Touch, utcnow

if TYPE_CHECKING:
    from db.engine import Database

_CHUNK = 500


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    unique = sorted(set(ids))
    for start in range(0, len(unique), _CHUNK):
        yield unique[start : start + _CHUNK]


def tag_contacts(
    database: Database, contact_ids: Sequence[int], tag: str, *, now: datetime | None = None
) -> int:
    """Give these contacts the tag (made if new); returns how many did not have it yet."""
    name = " ".join(tag.split())
    if not name:
        raise ValidationError({"tags": "Type the tag to add."})
    if len(name) > contacts.TAG_MAX:
        raise ValidationError({"tags": f"Keep each tag under {contacts.TAG_MAX} characters."})
    now = now or utcnow()
    added = 0
    with database.write_session.begin() as session:
        [tag_row] = contacts._tags_for(session, [name])
        session.flush()
        for chunk in _chunks(contact_ids):
            live = set(
                session.scalars(
                    select(Contact.id).where(Contact.id.in_(chunk), Contact.deleted_at.is_(None))
                )
            )
            have = set(
                session.scalars(
                    select(ContactTag.contact_id).where(
                        ContactTag.tag_id == tag_row.id, ContactTag.contact_id.in_(chunk)
                    )
                )
            )
            new = sorted(live - have)
            if new:
                session.execute(
                    insert(ContactTag), [{"contact_id": c, "tag_id": tag_row.id} for c in new]
                )
                session.execute(update(Contact).where(Contact.id.in_(new)).values(updated_at=now))
                added += len(new)
        search.reindex(session, list(contact_ids))
    return added


def log_touch_for_all(
    database: Database,
    contact_ids: Sequence[int],
    medium: Medium,
    occurred_at: datetime,
    summary: str,
    *,
    direction: Direction = Direction.OUTBOUND,
    now: datetime | None = None,
) -> int:
    """One touch for each of these contacts (each in its own stage), completing what was due
    by that day, as logging it one by one would; returns how many were logged."""
    now = now or utcnow()
    ids = sorted(set(contact_ids))
    if not ids:
        return 0
    checked = touches._checked(
        touches.TouchInput(ids[0], medium, occurred_at, direction, summary), now
    )
    assert checked.occurred_at is not None
    when = checked.occurred_at
    day = when.astimezone().date()
    logged = 0
    with database.write_session.begin() as session:
        for chunk in _chunks(ids):
            live = session.execute(
                select(Contact.id, Contact.stage_id).where(
                    Contact.id.in_(chunk), Contact.deleted_at.is_(None)
                )
            ).all()
            if not live:
                continue
            session.execute(
                insert(Touch),
                [
                    {
                        "contact_id": cid,
                        "medium": medium.value,
                        "direction": direction.value,
                        "occurred_at": when,
                        "summary": checked.summary,
                        "notes": "",
                        "outcome": "",
                        "stage_id": stage_id,
                        "created_at": now,
                    }
                    for cid, stage_id in live
                ],
            )
            live_ids = [cid for cid, _stage in live]
            # The new touch is their latest unless a later one is on record (what
            # ``touches.sync_last_touch`` works out one contact at a time).
            session.execute(
                update(Contact)
                .where(
                    Contact.id.in_(live_ids),
                    or_(Contact.last_touch_at.is_(None), Contact.last_touch_at <= when),
                )
                .values(last_touch_at=when, last_touch_medium=medium.value)
            )
            session.execute(
                update(Followup)
                .where(
                    and_(
                        Followup.contact_id.in_(live_ids),
                        Followup.status == FollowupStatus.OPEN.value,
                        Followup.due_on <= day,
                    )
                )
                .values(status=FollowupStatus.DONE.value, completed_at=when)
            )
            followups.refresh_next_followup(session, live_ids)
            logged += len(live_ids)
    return logged


def add_followup_for_all(
    database: Database,
    contact_ids: Sequence[int],
    due_on: date,
    reason: str,
    *,
    today: date,
    suggested_medium: Medium | None = None,
    now: datetime | None = None,
) -> int:
    """The same follow-up ("send the new catalogue") for each of these contacts."""
    errors = followups.validate_followup(due_on, reason, today=today)
    if errors:
        raise followups.FollowupValidationError(errors)
    now = now or utcnow()
    added = 0
    with database.write_session.begin() as session:
        for chunk in _chunks(contact_ids):
            live = list(
                session.scalars(
                    select(Contact.id).where(Contact.id.in_(chunk), Contact.deleted_at.is_(None))
                )
            )
            if not live:
                continue
            session.execute(
                insert(Followup),
                [
                    {
                        "contact_id": cid,
                        "due_on": due_on,
                        "reason": reason.strip(),
                        "source": FollowupSource.MANUAL.value,
                        "status": FollowupStatus.OPEN.value,
                        "suggested_medium": None
                        if suggested_medium is None
                        else suggested_medium.value,
                        "created_at": now,
                    }
                    for cid in live
                ],
            )
            followups.refresh_next_followup(session, live)
            added += len(live)
    return added
