"""Moving contacts between stages: the one place a contact's stage changes after creation.

Every move is recorded as a ``StageChange`` (from, to, when, by hand or automatic, why), so
time in stage, conversion and backward moves can be reported. Helpers here take a ``Session``
and never commit; the services open one unit of work per user action.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Integer, Select, and_, cast, insert, literal, select, update
from sqlalchemy.orm import Session, aliased

from db import followups
from db.domain import Qualification, StageRole
from db.models import Contact, Stage, StageChange, utcnow

if TYPE_CHECKING:
    from db.engine import Database


#: Contacts per statement when many move at once (well under SQLite's bound parameters).
_CHUNK = 500


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
    A few statements per 500 contacts, with no ORM object per contact: switching a journey
    model moves all of them, and objects by the hundred thousand keep the interpreter's
    garbage collector (and so the window) busy (docs/architecture.md, "Pauses").
    """
    if stage_id is not None and session.get(Stage, stage_id) is None:
        raise StageNotFoundError(stage_id)
    now = now or utcnow()
    session.flush()  # the contacts' pending changes first, as an ORM query would
    ids = sorted(set(contact_ids))
    moved: list[int] = []
    for start in range(0, len(ids), _CHUNK):
        moving = select(Contact.id).where(
            Contact.id.in_(ids[start : start + _CHUNK]),
            Contact.deleted_at.is_(None),
            Contact.stage_id.is_distinct_from(stage_id),
        )
        chunk = [int(cid) for cid in session.scalars(moving.order_by(Contact.id))]
        if not chunk:
            continue
        move_where(
            session, Contact.id.in_(chunk), stage_id, automatic=automatic, reason=reason, now=now
        )
        moved += chunk
    if not moved:
        return []
    followups.refresh_next_followup(session, moved)
    return moved


def move_where(
    session: Session,
    which: ColumnElement[bool],
    stage_id: int | None,
    *,
    automatic: bool,
    reason: str,
    now: datetime,
) -> int:
    """Move the contacts ``which`` selects onto ``stage_id`` in two statements, whatever their
    number: each one's history row copied from it in SQL (oldest id first), then the stage.
    The caller has chosen who moves; returns how many did."""
    session.execute(
        insert(StageChange).from_select(
            ["contact_id", "from_stage_id", "to_stage_id", "changed_at", "automatic", "reason"],
            select(
                Contact.id,
                Contact.stage_id,
                literal(stage_id, Integer),
                literal(now, StageChange.changed_at.type),
                literal(automatic),
                literal(reason.strip()),
            )
            .where(which)
            .order_by(Contact.id),
        )
    )
    # ORM-enabled: contacts already loaded in the session see their new stage too.
    result = session.execute(
        update(Contact).where(which).values(stage_id=stage_id, stage_entered_at=now, updated_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- Backward moves -------------------------------------------------------------------------


class ReasonRequiredError(ValueError):
    """A by-hand move back to an earlier stage needs a reason (so backward moves can be read)."""


def _backward_ids(session: Session, contact_ids: Sequence[int], stage_id: int | None) -> list[int]:
    """The contacts that would move to an earlier stage of the same model."""
    if stage_id is None:
        return []
    target = session.get(Stage, stage_id)
    if target is None:
        raise StageNotFoundError(stage_id)
    current = aliased(Stage)
    return [
        int(i)
        for i in session.scalars(
            select(Contact.id)
            .join(current, current.id == Contact.stage_id)
            .where(
                Contact.id.in_(contact_ids),
                current.model_id == target.model_id,
                current.position > target.position,
            )
        )
    ]


def is_backward(database: Database, contact_ids: Sequence[int], stage_id: int | None) -> bool:
    """Whether moving these contacts to ``stage_id`` takes any of them back a stage or more."""
    with database.reading() as session:
        return bool(_backward_ids(session, contact_ids, stage_id))


def set_stage(
    database: Database,
    contact_ids: Sequence[int],
    stage_id: int | None,
    *,
    reason: str = "",
    now: datetime | None = None,
) -> list[int]:
    """The owner moves contacts by hand (detail pane, context menu, board): one unit of work.

    A move back to an earlier stage of the same model is refused without a reason.
    """
    with database.write_session.begin() as session:
        check_reason(session, contact_ids, stage_id, reason)
        return move_contacts(session, contact_ids, stage_id, reason=reason, now=now)


def check_reason(
    session: Session, contact_ids: Sequence[int], stage_id: int | None, reason: str
) -> None:
    """Refuse a by-hand move back to an earlier stage that comes without a reason."""
    if not reason.strip() and _backward_ids(session, contact_ids, stage_id):
        raise ReasonRequiredError("Say why the contact moves back to an earlier stage.")


# --- Stuck, at risk, overdue and qualification as SQL -----------------------------------------


# One definition of stuck and at risk, used by the funnel, Today, the board, the contacts
# filter and every export (docs/domain.md §6): a contact marked do not
# contact is neither, since nobody is meant to act on them.


def stuck_clause(today: date) -> ColumnElement[bool]:
    """Past the stage's dwell limit (``stuck_on`` is kept by ``db.derived``), and not marked
    do not contact."""
    return and_(Contact.stuck_on <= today, Contact.do_not_contact.is_(False))


def loyal_stage_ids() -> Select[Any]:
    """Stages whose roles include ``loyal`` (roles are stored comma-separated)."""
    return select(Stage.id).where(("," + Stage.roles + ",").like(f"%,{StageRole.LOYAL.value},%"))


def at_risk_clause(today: date) -> ColumnElement[bool]:
    """A loyal-stage contact whose cadence is overdue: the slide back toward suspect (never
    one marked do not contact)."""
    return and_(
        Contact.stage_id.in_(loyal_stage_ids()),
        Contact.cadence_due_on < today,
        Contact.do_not_contact.is_(False),
    )


def overdue_clause(today: date) -> ColumnElement[bool]:
    return Contact.next_followup_on < today


def criteria_met() -> ColumnElement[int]:
    """How many of the four qualification criteria a contact meets, as SQL."""
    return (
        cast(Contact.has_need, Integer)
        + cast(Contact.has_budget, Integer)
        + cast(Contact.has_urgency, Integer)
        + cast(Contact.is_decision_maker, Integer)
    )


def qualification_clause(level: Qualification) -> ColumnElement[bool]:
    """The rule of ``db.domain.qualification`` in SQL: 4 qualified, 3 prospect, fewer suspect."""
    met = criteria_met()
    match level:
        case Qualification.QUALIFIED:
            return met == 4
        case Qualification.PROSPECT:
            return met == 3
        case Qualification.SUSPECT:
            return met < 3
    raise ValueError(level)
