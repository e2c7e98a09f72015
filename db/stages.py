"""Moving contacts between stages: the one place a contact's stage changes after creation.

Every move is recorded as a ``StageChange`` (from, to, when, by hand or automatic, why), so
time in stage, conversion and backward moves can be reported. Helpers here take a ``Session``
and never commit; the services open one unit of work per user action.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import followups
from db.models import Contact, Stage, StageChange, utcnow

if TYPE_CHECKING:
    from db.engine import Database


class StageNotFoundError(LookupError):
    pass


def move_contacts(
    session: Session,
    contact_ids: Sequence[int],
    stage_id: int | None,
    *,
    automatic: bool = False,
    reason: str = "",
    now: datetime | None = None,
) -> list[int]:
    """Put these contacts on ``stage_id`` (None: off the journey); returns the ids that moved.

    Contacts already on the stage, and contacts in the trash, are left alone. Each move is
    recorded, and the moved contacts' next follow-up is recomputed for the new stage's cadence.
    """
    if stage_id is not None and session.get(Stage, stage_id) is None:
        raise StageNotFoundError(stage_id)
    now = now or utcnow()
    moved: list[int] = []
    for contact in session.scalars(
        select(Contact).where(Contact.id.in_(contact_ids), Contact.deleted_at.is_(None))
    ):
        if contact.stage_id == stage_id:
            continue
        session.add(
            StageChange(
                contact_id=contact.id,
                from_stage_id=contact.stage_id,
                to_stage_id=stage_id,
                changed_at=now,
                automatic=automatic,
                reason=reason.strip(),
            )
        )
        contact.stage_id = stage_id
        contact.stage_entered_at = now
        contact.updated_at = now
        moved.append(contact.id)
    if moved:
        session.flush()
        followups.refresh_next_followup(session, moved)
    return moved


def set_stage(
    database: Database,
    contact_ids: Sequence[int],
    stage_id: int | None,
    *,
    reason: str = "",
    now: datetime | None = None,
) -> list[int]:
    """The owner moves contacts by hand (detail pane, context menu, board): one unit of work."""
    with database.write_session.begin() as session:
        return move_contacts(session, contact_ids, stage_id, reason=reason, now=now)
