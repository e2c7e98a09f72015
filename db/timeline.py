"""One contact's timeline: touches, stage changes, purchases, feedback and follow-ups, newest
first, a page at a time.

Pages are cut with a keyset ``(when, kind, id)`` rather than an offset, so the hundredth page
of a contact with thousands of entries costs what the first does: each kind is read newest
first from its ``(contact_id, date)`` index, only as far as the page needs, and the kinds are
merged. Entries dated by day only (purchases, feedback, follow-ups due) sort at noon UTC.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select, text
from sqlalchemy.orm import Session, aliased

from db.domain import Direction, FollowupStatus, Medium
from db.models import Feedback, Followup, Purchase, Stage, StageChange, Touch

if TYPE_CHECKING:
    from db.engine import Database

PAGE_SIZE = 100

#: How SQLAlchemy's SQLite DateTime stores a value; day-only entries get a fixed time of day.
_STORED = "%Y-%m-%d %H:%M:%S.%f"
_DAY_TIME = " 12:00:00.000000"


class EntryKind(enum.StrEnum):
    TOUCH = "touch"
    STAGE = "stage"
    PURCHASE = "purchase"
    FEEDBACK = "feedback"
    FOLLOWUP_SET = "followup_set"
    FOLLOWUP_DONE = "followup_done"
    FOLLOWUP_DUE = "followup_due"


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the next page starts strictly after this entry."""

    at: str
    kind: str
    id: int


@dataclass(frozen=True)
class TimelineEntry:
    kind: EntryKind
    #: The touch, stage change, purchase, feedback or follow-up id.
    id: int
    at: datetime
    #: True when only the day is known (purchases, feedback, a follow-up's due day).
    day_only: bool
    title: str
    detail: str = ""
    medium: Medium | None = None
    direction: Direction | None = None
    cursor: Cursor | None = None

    @property
    def day(self) -> date:
        return self.at.date() if self.day_only else self.at.astimezone().date()


@dataclass(frozen=True)
class TimelinePage:
    entries: tuple[TimelineEntry, ...]
    #: Pass to ``timeline_page`` for the next page; None when this was the last one.
    next_cursor: Cursor | None


# One branch per kind: (at, kind, id) newest first, from the contact's index range.
_BRANCHES = {
    EntryKind.TOUCH: ("touch", "occurred_at", "occurred_at", ""),
    EntryKind.STAGE: ("stage_change", "changed_at", "changed_at", ""),
    EntryKind.PURCHASE: ("purchase", "purchased_on", f"purchased_on || '{_DAY_TIME}'", ""),
    EntryKind.FEEDBACK: ("feedback", "received_on", f"received_on || '{_DAY_TIME}'", ""),
    EntryKind.FOLLOWUP_SET: ("followup", "created_at", "created_at", ""),
    EntryKind.FOLLOWUP_DONE: (
        "followup",
        "completed_at",
        "completed_at",
        "AND completed_at IS NOT NULL",
    ),
    EntryKind.FOLLOWUP_DUE: (
        "followup",
        "due_on",
        f"due_on || '{_DAY_TIME}'",
        f"AND status = '{FollowupStatus.OPEN.value}'",
    ),
}


def _page_keys(
    session: Session, contact_id: int, cursor: Cursor | None, limit: int
) -> list[tuple[str, str, int]]:
    branches = []
    for kind, (table, column, at, extra) in _BRANCHES.items():
        after = ""
        if cursor is not None:
            # The first test lets the index range stop early; the row value settles ties.
            after = f"AND {at} <= :at AND ({at}, '{kind}', id) < (:at, :kind, :id)"
        branches.append(
            f"SELECT * FROM (SELECT {at} AS at, '{kind}' AS kind, id FROM {table} "
            f"WHERE contact_id = :contact AND {column} IS NOT NULL {extra} {after} "
            f"ORDER BY {column} DESC, id DESC LIMIT :limit)"
        )
    sql = " UNION ALL ".join(branches) + " ORDER BY at DESC, kind DESC, id DESC LIMIT :limit"
    params: dict[str, object] = {"contact": contact_id, "limit": limit}
    if cursor is not None:
        params |= {"at": cursor.at, "kind": cursor.kind, "id": cursor.id}
    return [(str(a), str(k), int(i)) for a, k, i in session.execute(text(sql), params)]


def _parse(at: str) -> datetime:
    return datetime.strptime(at, _STORED).replace(tzinfo=UTC)


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


_LEVELS = {
    "highly_satisfied": "Highly satisfied",
    "satisfied": "Satisfied",
    "dissatisfied": "Dissatisfied",
}


def _ids(keys: Sequence[tuple[str, str, int]], *kinds: EntryKind) -> list[int]:
    return [i for _a, k, i in keys if k in kinds]


def timeline_page(
    database: Database, contact_id: int, cursor: Cursor | None = None, limit: int = PAGE_SIZE
) -> TimelinePage:
    """A page of the contact's timeline, newest first, starting after ``cursor``."""
    with database.reading() as session:
        keys = _page_keys(session, contact_id, cursor, limit)
        built: dict[tuple[str, int], tuple[str, str, Medium | None, Direction | None]] = {}

        medium: Medium | None
        direction: Direction | None
        for t in session.scalars(select(Touch).where(Touch.id.in_(_ids(keys, EntryKind.TOUCH)))):
            medium = Medium(t.medium)
            direction = Direction(t.direction)
            title = t.summary or f"{medium.label} ({direction.value})"
            extra = [direction.value.capitalize()]
            if t.outcome:
                extra.append(f"Outcome: {t.outcome}")
            if t.notes:
                extra.append(t.notes)
            built[(EntryKind.TOUCH, t.id)] = (title, " · ".join(extra), medium, direction)

        from_stage, to_stage = aliased(Stage), aliased(Stage)
        for change, from_label, to_label in session.execute(
            select(StageChange, from_stage.label, to_stage.label)
            .outerjoin(from_stage, from_stage.id == StageChange.from_stage_id)
            .outerjoin(to_stage, to_stage.id == StageChange.to_stage_id)
            .where(StageChange.id.in_(_ids(keys, EntryKind.STAGE)))
        ):
            if change.from_stage_id is None:
                title = f"Started as {to_label or 'no stage'}"
            else:
                title = f"{from_label or 'No stage'} → {to_label or 'off the journey'}"
            how = "automatically" if change.automatic else "by hand"
            detail = f"{change.reason} ({how})" if change.reason else how.capitalize()
            built[(EntryKind.STAGE, change.id)] = (title, detail, None, None)

        for p in session.scalars(
            select(Purchase).where(Purchase.id.in_(_ids(keys, EntryKind.PURCHASE)))
        ):
            built[(EntryKind.PURCHASE, p.id)] = (
                f"Bought {p.product}",
                _money(p.amount, p.currency) + (f" · {p.note}" if p.note else ""),
                None,
                None,
            )

        for f in session.scalars(
            select(Feedback).where(Feedback.id.in_(_ids(keys, EntryKind.FEEDBACK)))
        ):
            built[(EntryKind.FEEDBACK, f.id)] = (
                f"Feedback: {_LEVELS.get(f.level, f.level)}",
                f.comment,
                None,
                None,
            )

        followup_kinds = (
            EntryKind.FOLLOWUP_SET,
            EntryKind.FOLLOWUP_DONE,
            EntryKind.FOLLOWUP_DUE,
        )
        for fu in session.scalars(
            select(Followup).where(Followup.id.in_(_ids(keys, *followup_kinds)))
        ):
            medium = Medium(fu.suggested_medium) if fu.suggested_medium else None
            reason = fu.reason or "Follow up"
            built[(EntryKind.FOLLOWUP_SET, fu.id)] = (
                f"Follow-up set: {reason}",
                f"Due {fu.due_on:%d %b %Y}".replace(" 0", " "),
                medium,
                None,
            )
            built[(EntryKind.FOLLOWUP_DONE, fu.id)] = (f"Done: {reason}", "", medium, None)
            built[(EntryKind.FOLLOWUP_DUE, fu.id)] = (f"Due: {reason}", "", medium, None)

    entries: list[TimelineEntry] = []
    for at, kind_text, entry_id in keys:
        kind = EntryKind(kind_text)
        title, detail, medium, direction = built[(kind, entry_id)]
        entries.append(
            TimelineEntry(
                kind=kind,
                id=entry_id,
                at=_parse(at),
                day_only=kind in _DAY_ONLY,
                title=title,
                detail=detail,
                medium=medium,
                direction=direction,
                cursor=Cursor(at, kind_text, entry_id),
            )
        )
    next_cursor = entries[-1].cursor if len(entries) == limit else None
    return TimelinePage(tuple(entries), next_cursor)


_DAY_ONLY = frozenset({EntryKind.PURCHASE, EntryKind.FEEDBACK, EntryKind.FOLLOWUP_DUE})
