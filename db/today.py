"""The Today lists: whom to contact and why, as of a given day (docs/domain.md §3).

Every list reads indexed columns of ``contact`` (``next_followup_on``, ``cadence_due_on``,
``stuck_on``) for one page of rows, then explains just those rows with one query for their
open follow-ups, so the lists cost the same at 100 contacts and at 100,000. ``today`` is
always passed in: nothing here reads the clock.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, func, insert, literal, not_, select, update
from sqlalchemy.orm import Session, aliased

from db import stages
from db.domain import FollowupSource, FollowupStatus, Medium, StageRole
from db.followups import effective_due
from db.models import Contact, Followup, Stage, utcnow

if TYPE_CHECKING:
    from db.engine import Database

#: The upcoming list looks this many days ahead.
UPCOMING_DAYS = 7


class Section(enum.StrEnum):
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    AT_RISK = "at_risk"
    STUCK = "stuck"
    UPCOMING = "upcoming"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Section.OVERDUE: "Overdue",
    Section.DUE_TODAY: "Due today",
    Section.AT_RISK: "Loyal customers at risk",
    Section.STUCK: "Stuck",
    Section.UPCOMING: "Next 7 days",
}


@dataclass(frozen=True)
class DueFollowup:
    """One open follow-up, real or the cadence's: who, when, why, and how to get in touch."""

    contact_id: int
    name: str
    company: str
    due_on: date
    reason: str
    source: FollowupSource
    suggested_medium: Medium | None
    stage: str
    last_touch_at: datetime | None
    #: The follow-up row that set the date (None for a cadence not yet stood in for).
    followup_id: int | None

    def days_overdue(self, today: date) -> int:
        return max(0, (today - self.due_on).days)


@dataclass(frozen=True)
class TodayItem(DueFollowup):
    """One contact on a Today list, with why it is there, as of the day the list was read."""

    today: date


@dataclass(frozen=True)
class TodayCounts:
    overdue: int = 0
    due_today: int = 0
    at_risk: int = 0
    stuck: int = 0
    upcoming: int = 0

    def of(self, section: Section) -> int:
        return int(getattr(self, section.value))

    def shown(self, section: Section) -> str:
        """The count as headers show it: lists that are only counted so far read "999+"."""
        n = self.of(section)
        return f"{COUNT_CAP:,}+" if section in _CAPPED and n > COUNT_CAP else f"{n:,}"

    @property
    def needs_attention(self) -> int:
        """Overdue and due today: the figure shown on the sidebar, title and tray."""
        return self.overdue + self.due_today

    def headline(self) -> str:
        """The counts in words, the same wherever they show (title, tray, banner, Today)."""
        parts = []
        if self.overdue:
            parts.append(f"{self.overdue:,} overdue")
        if self.due_today:
            parts.append(f"{self.due_today:,} due today")
        return ", ".join(parts)


def _live() -> Any:
    return and_(Contact.deleted_at.is_(None), not_(Contact.do_not_contact))


def _loyal_stage_ids(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(Stage.id).where(
                func.instr("," + Stage.roles + ",", f",{StageRole.LOYAL.value},") > 0
            )
        )
    )


def _where(session: Session, section: Section, today: date) -> list[Any]:
    live = Contact.deleted_at.is_(None)
    if section is Section.OVERDUE:
        return [live, Contact.next_followup_on < today]
    if section is Section.DUE_TODAY:
        return [live, Contact.next_followup_on == today]
    if section is Section.UPCOMING:
        return [
            live,
            Contact.next_followup_on > today,
            Contact.next_followup_on <= today + timedelta(days=UPCOMING_DAYS),
        ]
    if section is Section.AT_RISK:
        return [
            _live(),
            Contact.stage_id.in_(_loyal_stage_ids(session)),
            stages.at_risk_clause(today),
        ]
    return [_live(), stages.stuck_clause(today)]


def _order(section: Section) -> tuple[Any, ...]:
    if section is Section.AT_RISK:
        return (Contact.cadence_due_on, Contact.id)
    if section is Section.STUCK:
        return (Contact.stuck_on, Contact.id)
    return (Contact.next_followup_on, Contact.id)


def count_where(session: Session, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(Contact).where(*where)) or 0)


#: Lists whose filter reads the table (not only an index) are counted up to here ("999+").
COUNT_CAP = 999
_CAPPED = (Section.AT_RISK, Section.STUCK)


def count_section(session: Session, section: Section, today: date) -> int:
    where = _where(session, section, today)
    if section not in _CAPPED:
        return count_where(session, *where)
    capped = select(Contact.id).where(*where).limit(COUNT_CAP + 1).subquery()
    return min(COUNT_CAP + 1, int(session.scalar(select(func.count()).select_from(capped)) or 0))


def counts(database: Database, today: date) -> TodayCounts:
    """How many contacts each list holds (for headers, badges and the tray)."""
    with database.reading() as session:
        return TodayCounts(**{s.value: count_section(session, s, today) for s in Section})


def section_items(
    database: Database, section: Section, today: date, *, offset: int = 0, limit: int = 50
) -> list[TodayItem]:
    """One page of a list, in its order (overdue: oldest first)."""
    with database.reading() as session:
        ids = list(
            session.scalars(
                select(Contact.id)
                .where(*_where(session, section, today))
                .order_by(*_order(section))
                .offset(offset)
                .limit(limit)
            )
        )
        return _explain(session, ids, section, today)


_ROW_COLUMNS = (
    Contact.id,
    Contact.name,
    Contact.company,
    Contact.next_followup_on,
    Contact.cadence_due_on,
    Contact.stuck_on,
    Contact.stage_entered_at,
    Contact.last_touch_at,
    Contact.last_touch_medium,
    Contact.cadence_days,
    Stage.label,
    Stage.cadence_days,
    Stage.dwell_days,
    Stage.mediums,
)


def _explain(
    session: Session, ids: Sequence[int], section: Section, today: date
) -> list[TodayItem]:
    if not ids:
        return []
    rows = {
        r[0]: r
        for r in session.execute(
            select(*_ROW_COLUMNS)
            .outerjoin(Stage, Stage.id == Contact.stage_id)
            .where(Contact.id.in_(ids))
        )
    }
    open_rows: dict[int, list[Followup]] = {}
    for f in session.scalars(
        select(Followup).where(
            Followup.contact_id.in_(ids), Followup.status == FollowupStatus.OPEN.value
        )
    ):
        open_rows.setdefault(f.contact_id, []).append(f)
    return [_item(rows[cid], open_rows.get(cid, []), section, today) for cid in ids if cid in rows]


def _first_medium(mediums: str | None, last: str | None) -> Medium | None:
    for value in ((mediums or "").split(",")[0], last):
        if value:
            try:
                return Medium(value)
            except ValueError:
                continue
    return None


def _item(row: Any, open_rows: list[Followup], section: Section, today: date) -> TodayItem:
    (cid, name, company, next_on, cadence_on, stuck_on, entered, last_touch, last_medium,
     own_cadence, stage_label, stage_cadence, dwell, mediums) = row  # fmt: skip
    cadence = own_cadence or stage_cadence
    stage_medium = _first_medium(mediums, last_medium)

    def cadence_reason() -> str:
        if last_touch is None:
            return f"Not in touch yet; this stage wants a touch every {cadence} days"
        days = (today - last_touch.astimezone().date()).days
        return f"Last touch {days} days ago; keep in touch every {cadence} days"

    if section is Section.STUCK:
        since = 0 if entered is None else (today - entered.astimezone().date()).days
        return TodayItem(
            cid, name, company, stuck_on, f"In {stage_label} for {since} days "
            f"(stuck after {dwell})", FollowupSource.CADENCE, stage_medium, stage_label or "",
            last_touch, None, today,
        )  # fmt: skip
    if section is Section.AT_RISK:
        return TodayItem(
            cid, name, company, cadence_on, "Drifting away: " + cadence_reason().lower(),
            FollowupSource.CADENCE, stage_medium, stage_label or "", last_touch, None, today,
        )  # fmt: skip
    # The follow-up that set the date: a real row if one falls due then, else the cadence.
    chosen = min(
        (f for f in open_rows if effective_due(f.due_on, f.snoozed_until) == next_on),
        key=lambda f: (f.source == FollowupSource.CADENCE.value, f.id),
        default=None,
    )
    if chosen is None:
        return TodayItem(
            cid, name, company, next_on, cadence_reason(), FollowupSource.CADENCE,
            stage_medium, stage_label or "", last_touch, None, today,
        )  # fmt: skip
    reason = chosen.reason or (cadence_reason() if chosen.source == "cadence" else "Follow up")
    if chosen.snoozed_until is not None and chosen.snoozed_until > chosen.due_on:
        reason += f" (snoozed from {chosen.due_on.isoformat()})"
    medium = Medium(chosen.suggested_medium) if chosen.suggested_medium else stage_medium
    return TodayItem(
        cid, name, company, next_on, reason, FollowupSource(chosen.source), medium,
        stage_label or "", last_touch, chosen.id, today,
    )  # fmt: skip


# --- every due follow-up (command line, CSV and calendar) -------------------------------------


def due_followups(
    database: Database, *, due_by: date | None = None, since: date | None = None
) -> Iterator[DueFollowup]:
    """Every open follow-up of contacts who may be contacted, due by ``due_by`` (and from
    ``since``), oldest first: the rows themselves and the cadence where no row stands in."""
    with database.reading() as session:
        items = list(_real_due(session, due_by, since)) + list(_cadence_due(session, due_by, since))
    items.sort(key=lambda i: (i.due_on, i.name.casefold(), i.contact_id, i.followup_id or 0))
    yield from items


def _bounds(column: Any, due_by: date | None, since: date | None) -> list[Any]:
    bounds = []
    if due_by is not None:
        bounds.append(column <= due_by)
    if since is not None:
        bounds.append(column >= since)
    return bounds


def _real_due(session: Session, due_by: date | None, since: date | None) -> Iterator[DueFollowup]:
    due = func.max(Followup.due_on, func.coalesce(Followup.snoozed_until, Followup.due_on))
    stmt = (
        select(
            Followup.id, Followup.reason, Followup.source, Followup.suggested_medium, due,
            Contact.id, Contact.name, Contact.company, Contact.last_touch_at, Stage.label,
            Stage.mediums, Contact.cadence_days, Stage.cadence_days,
        )
        .join(Contact, Contact.id == Followup.contact_id)
        .outerjoin(Stage, Stage.id == Contact.stage_id)
        .where(Followup.status == FollowupStatus.OPEN.value, _live(), *_bounds(due, due_by, since))
    )  # fmt: skip
    rows: Sequence[Any] = session.execute(stmt).all()
    for row in rows:
        fid, text, source, medium, due_on, cid, name, company, last, label, mediums = row[:11]
        reason = text or (
            f"Keep in touch every {row[11] or row[12]} days"
            if source == FollowupSource.CADENCE.value
            else "Follow up"
        )
        yield DueFollowup(
            cid, name, company, date.fromisoformat(str(due_on)), reason,
            FollowupSource(source), Medium(medium) if medium else _first_medium(mediums, None),
            label or "", last, fid,
        )  # fmt: skip


def _cadence_due(
    session: Session, due_by: date | None, since: date | None
) -> Iterator[DueFollowup]:
    stand_in = exists().where(
        Followup.contact_id == Contact.id,
        Followup.status == FollowupStatus.OPEN.value,
        Followup.source == FollowupSource.CADENCE.value,
    )
    stmt = (
        select(
            Contact.id, Contact.name, Contact.company, Contact.cadence_due_on,
            Contact.last_touch_at, Contact.last_touch_medium, Stage.label, Stage.mediums,
            Contact.cadence_days, Stage.cadence_days,
        )
        .outerjoin(Stage, Stage.id == Contact.stage_id)
        .where(
            _live(), Contact.cadence_due_on.is_not(None), ~stand_in,
            *_bounds(Contact.cadence_due_on, due_by, since),
        )
    )  # fmt: skip
    cadence_rows: Sequence[Any] = session.execute(stmt).all()
    for cid, name, company, due_on, last, last_medium, label, mediums, own, stage_c in cadence_rows:
        yield DueFollowup(
            cid, name, company, due_on, f"Keep in touch every {own or stage_c} days",
            FollowupSource.CADENCE, _first_medium(mediums, last_medium), label or "", last, None,
        )  # fmt: skip


# --- notifications ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """Follow-ups that became due since the owner was last told, for one desktop notice."""

    count: int
    names: tuple[str, ...]


def take_new_notices(database: Database, today: date, *, now: datetime | None = None) -> Notice:
    """Mark every follow-up due by ``today`` that the owner has not been told about as
    notified, and say how many and whose (each follow-up is announced once).

    A cadence has no row to mark, so a stand-in row is made for it (``db.derived``): it keeps
    ``notified_at`` until the cadence is done, snoozed past or moved by a touch.
    """
    now = now or utcnow()
    with database.write_session.begin() as session:
        has_stand_in = exists().where(
            Followup.contact_id == Contact.id,
            Followup.status == FollowupStatus.OPEN.value,
            Followup.source == FollowupSource.CADENCE.value,
        )
        # Driven by the next-follow-up index: a due cadence makes the contact due too.
        cadence_due = and_(
            Contact.next_followup_on <= today,
            _live(),
            Contact.cadence_due_on <= today,
            ~has_stand_in,
        )
        cadence_count = count_where(session, cadence_due)
        cadence_names = (
            [
                (d, n)
                for d, n in session.execute(
                    select(Contact.cadence_due_on, Contact.name)
                    .where(cadence_due)
                    .order_by(Contact.cadence_due_on)
                    .limit(3)
                )
            ]
            if cadence_count
            else []
        )
        due = func.max(Followup.due_on, func.coalesce(Followup.snoozed_until, Followup.due_on))
        person = aliased(Contact)
        real_due = and_(
            Followup.status == FollowupStatus.OPEN.value,
            Followup.due_on <= today,  # the open-due index; the snooze is checked below
            Followup.notified_at.is_(None),
            due <= today,
            exists().where(
                person.id == Followup.contact_id,
                person.deleted_at.is_(None),
                not_(person.do_not_contact),
            ),
        )
        real_names = [
            (date.fromisoformat(str(d)), n)
            for d, n in session.execute(
                select(due, Contact.name)
                .join(Followup, Followup.contact_id == Contact.id)
                .where(real_due)
                .order_by(due)
                .limit(3)
            )
        ]
        real_count = int(
            session.scalar(select(func.count()).select_from(Followup).where(real_due)) or 0
        )
        if real_count:
            session.execute(
                update(Followup)
                .where(real_due)
                .values(notified_at=now)
                .execution_options(synchronize_session=False)
            )
        if cadence_count:
            session.execute(
                insert(Followup).from_select(
                    ["contact_id", "due_on", "reason", "source", "status", "notified_at",
                     "created_at"],
                    select(
                        Contact.id, Contact.cadence_due_on, literal(""),
                        literal(FollowupSource.CADENCE.value),
                        literal(FollowupStatus.OPEN.value), literal(now, Followup.notified_at.type),
                        literal(now, Followup.created_at.type),
                    ).where(cadence_due),
                )
            )  # fmt: skip
        # Oldest first, each person once.
        ordered = sorted(real_names + cadence_names, key=lambda pair: (pair[0], pair[1]))
        names = tuple(dict.fromkeys(name for _day, name in ordered))[:3]
        return Notice(real_count + cadence_count, names)


__all__ = [
    "COUNT_CAP",
    "UPCOMING_DAYS",
    "DueFollowup",
    "Notice",
    "Section",
    "TodayCounts",
    "TodayItem",
    "counts",
    "due_followups",
    "section_items",
    "take_new_notices",
]
