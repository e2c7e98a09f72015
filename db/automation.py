"""Applying the journey rules (``db.rules``) to the database.

- ``advance`` is the automation: after a purchase, a change of the qualification criteria or
  a new day, contacts move *forward* to the lowest stage their facts call for, recorded as an
  automatic stage change with the reason ("3 of 4 criteria", "3rd purchase in 12 months").
  A contact the owner placed further along stays. On a lifecycle model the stage *is* the
  lifecycle status, so there the contact follows its status either way. Automation is off
  when Settings → Sales says purchases do not move stages.
- ``conflict_of`` and ``contradiction_clause`` find contacts whose stage contradicts their
  facts (the detail pane's flag, the contacts filter); ``fix_stages`` is the one-click fix.

The placement is written twice, in Python (``db.rules``) and here as SQL for the filter; a
test checks the two agree. Helpers take a ``Session`` and never commit. docs/domain.md
states the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, case, false, func, literal, or_, select
from sqlalchemy.orm import Session

from db import followups, journeys, lifecycle, seasons, settings, stages
from db.domain import FollowupSource, FollowupStatus, Medium
from db.journeys import active_model
from db.lifecycle import Lifecycle
from db.models import Contact, Followup, KeyDate, PlanStep, Purchase, utcnow
from db.rules import (
    QUALIFYING_CRITERIA,
    Facts,
    JourneyRules,
    Regular,
    ResolvedRules,
    contradiction,
    lifecycle_group,
)

if TYPE_CHECKING:
    from db.engine import Database

#: Contacts whose facts are read per query (bound parameters stay well under SQLite's limit).
_CHUNK = 900


@dataclass(frozen=True)
class ActiveRules:
    """The active model's rules, resolved to its stages."""

    resolved: ResolvedRules
    stage_ids: tuple[int, ...]
    regular: Regular

    def position(self, stage_id: int | None) -> int:
        try:
            return self.stage_ids.index(stage_id) if stage_id is not None else -1
        except ValueError:
            return -1

    def stage_id(self, position: int) -> int | None:
        return self.stage_ids[position] if position >= 0 else None


def regular_of(session: Session) -> Regular:
    purchases, window = settings.get_many(
        session, settings.REGULAR_PURCHASES, settings.REGULAR_WINDOW_DAYS
    )
    return Regular(purchases=max(int(purchases), 1), window_days=max(int(window), 1))


def read_regular(database: Database) -> Regular:
    """What counts as regular buying in this database."""
    with database.reading() as session:
        return regular_of(session)


def active_rules(session: Session) -> ActiveRules | None:
    model = active_model(session)
    if model is None or not model.stages:
        return None
    resolved = ResolvedRules.of(
        JourneyRules.loads(model.rules),
        [s.key for s in model.stages],
        [s.label for s in model.stages],
    )
    if resolved.empty:
        return None
    return ActiveRules(resolved, tuple(s.id for s in model.stages), regular_of(session))


# --- Facts ----------------------------------------------------------------------------------


def _recent_sql(today: date, regular: Regular) -> ColumnElement[int]:
    since = today - timedelta(days=regular.window_days)
    return (
        select(func.count())
        .where(
            Purchase.contact_id == Contact.id,
            Purchase.purchased_on > since,
            Purchase.purchased_on <= today,
        )
        .scalar_subquery()
    )


def _products_sql() -> ColumnElement[int]:
    return (
        select(func.count(Purchase.product.distinct()))
        .where(Purchase.contact_id == Contact.id)
        .scalar_subquery()
    )


def facts_of(
    session: Session, contact_ids: Iterable[int], today: date, regular: Regular
) -> dict[int, tuple[int | None, Facts]]:
    """Each live contact's stage and facts (derived purchase columns must be fresh)."""
    return {
        cid: (stage_id, facts)
        for cid, stage_id, facts in _facts(session, contact_ids, today, regular)
    }


def _facts(
    session: Session, contact_ids: Iterable[int], today: date, regular: Regular
) -> Iterator[tuple[int, int | None, Facts]]:
    """``facts_of`` a chunk at a time: walking 100,000 contacts holds only one chunk's facts."""
    ids = sorted(set(contact_ids))
    thresholds = lifecycle.read_thresholds(session)
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(
                Contact.id,
                Contact.stage_id,
                stages.criteria_met(),
                Contact.purchase_count,
                _products_sql(),
                _recent_sql(today, regular),
                lifecycle.contact_status_sql(today, thresholds),
            ).where(Contact.id.in_(ids[start : start + _CHUNK]), Contact.deleted_at.is_(None))
        )
        for cid, stage_id, criteria, count, products, recent, status in rows:
            yield (
                cid,
                stage_id,
                Facts(
                    criteria=int(criteria),
                    purchases=int(count),
                    products=int(products or 0),
                    recent=int(recent or 0),
                    status=Lifecycle(status),
                ),
            )


# --- The placement as SQL -----------------------------------------------------------------


def _position_sql(rules: ActiveRules) -> ColumnElement[int]:
    if not rules.stage_ids:
        return literal(-1)
    return case({sid: i for i, sid in enumerate(rules.stage_ids)}, value=Contact.stage_id, else_=-1)


def _bounds_sql(rules: ActiveRules, today: date) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """(lowest, highest) allowed position as SQL, mirroring ``ResolvedRules.placement``."""
    r = rules.resolved
    if r.lifecycle:
        status = lifecycle.contact_status_sql(today)
        whens = []
        for value in Lifecycle:
            target = r.lifecycle.get(lifecycle_group(value))
            whens.append((status == value.value, literal(target if target is not None else -2)))
        target_sql = case(*whens, else_=literal(-2))
        return (
            case((target_sql == -2, literal(-1)), else_=target_sql),
            case((target_sql == -2, literal(r.last)), else_=target_sql),
        )
    criteria = stages.criteria_met()
    count = Contact.purchase_count
    lows: list[ColumnElement[Any]] = [literal(-1)]
    highs: list[ColumnElement[Any]] = [literal(r.last)]
    if r.qualified is not None:
        lows.append(case((criteria >= QUALIFYING_CRITERIA, r.qualified), else_=-1))
        highs.append(
            case(((count == 0) & (criteria < QUALIFYING_CRITERIA), r.qualified - 1), else_=r.last)
        )
    if r.sale is not None:
        lows.append(case((count >= 1, r.sale), else_=-1))
        highs.append(case((count == 0, r.sale - 1), else_=r.last))
    if r.repeat is not None:
        lows.append(case((count >= 2, r.repeat), else_=-1))
        highs.append(case((count < 2, r.repeat - 1), else_=r.last))
    if r.cross is not None:
        lows.append(case((count < 2, -1), (_products_sql() >= 2, r.cross), else_=-1))
        highs.append(case((count < 2, r.cross - 1), else_=r.last))
    if r.regular is not None:
        lows.append(
            case(
                (count < rules.regular.purchases, -1),
                (_recent_sql(today, rules.regular) >= rules.regular.purchases, r.regular),
                else_=-1,
            )
        )
        highs.append(case((count < rules.regular.purchases, r.regular - 1), else_=r.last))
    low = func.max(*lows) if len(lows) > 1 else lows[0]
    high = func.min(*highs) if len(highs) > 1 else highs[0]
    return low, func.max(high, low)


def contradiction_clause(session: Session, today: date) -> ColumnElement[bool]:
    """Live contacts whose stage contradicts their facts on the active model, as SQL."""
    rules = active_rules(session)
    if rules is None:
        return false()
    low, high = _bounds_sql(rules, today)
    position = _position_sql(rules)
    return or_(position < low, position > high)


def _behind_clause(rules: ActiveRules, today: date) -> ColumnElement[bool]:
    """What automation may act on: behind the facts, or (lifecycle model) off the status."""
    low, high = _bounds_sql(rules, today)
    position = _position_sql(rules)
    if rules.resolved.lifecycle:
        return or_(position < low, position > high)
    return position < low


# --- Automation -----------------------------------------------------------------------------


def _move_groups(
    session: Session,
    rules: ActiveRules,
    moves: dict[tuple[int, str], list[int]],
    *,
    automatic: bool,
    now: datetime,
) -> None:
    """Move contacts grouped by (target position, reason): one statement set per group."""
    for (position, reason), ids in moves.items():
        stages.move_contacts(
            session, ids, rules.stage_id(position), automatic=automatic, reason=reason, now=now
        )


def advance(
    session: Session,
    contact_ids: Iterable[int],
    *,
    today: date,
    now: datetime | None = None,
    force: bool = False,
) -> dict[int, str]:
    """Automation for these contacts: returns {contact id: the stage label it moved to}.

    Off when Settings → Sales turns automation off, unless ``force`` (sample data)."""
    if not force and not settings.get(session, settings.STAGE_AUTOMATION):
        return {}
    rules = active_rules(session)
    if rules is None:
        return {}
    now = now or utcnow()
    session.flush()
    moved: dict[int, str] = {}
    moves: dict[tuple[int, str], list[int]] = {}
    for cid, stage_id, facts in _facts(session, contact_ids, today, rules.regular):
        position = rules.position(stage_id)
        placement = rules.resolved.placement(facts, rules.regular)
        if position < placement.low:
            target, reason = placement.low, placement.low_reason
        elif rules.resolved.lifecycle and position > placement.high:
            target, reason = placement.high, placement.high_reason
        else:
            continue
        moves.setdefault((target, reason), []).append(cid)
        moved[cid] = rules.resolved.labels[target] if target >= 0 else ""
    _move_groups(session, rules, moves, automatic=True, now=now)
    return moved


def advance_all(
    session: Session, *, today: date, now: datetime | None = None, force: bool = False
) -> int:
    """Automation for every contact it applies to (a new day, new rules, sample data)."""
    if not force and not settings.get(session, settings.STAGE_AUTOMATION):
        return 0
    rules = active_rules(session)
    if rules is None:
        return 0
    ids = list(
        session.scalars(
            select(Contact.id).where(Contact.deleted_at.is_(None), _behind_clause(rules, today))
        )
    )
    return len(advance(session, ids, today=today, now=now, force=True))


def conform(session: Session, *, today: date, now: datetime | None = None) -> int:
    """Bring every contact in line with the rules, forward or back, as automatic moves with
    the reason: how the sample-data generator runs the rules over the history it wrote."""
    now = now or utcnow()
    moved = advance_all(session, today=today, now=now, force=True)
    rules = active_rules(session)
    if rules is None:
        return moved
    moves: dict[tuple[int, str], list[int]] = {}
    ids = contradicting_ids(session, today)
    for cid, (stage_id, facts) in facts_of(session, ids, today, rules.regular).items():
        verdict = contradiction(rules.resolved, rules.position(stage_id), facts, rules.regular)
        if verdict is not None:
            moves.setdefault((verdict.target, verdict.reason), []).append(cid)
    _move_groups(session, rules, moves, automatic=True, now=now)
    return moved + sum(len(v) for v in moves.values())


def keep_in_step(database: Database, today: date) -> int:
    """Once a day: move the contacts that time or new rules put behind (returns how many),
    and plan the follow-ups before seasonal customers' seasons."""
    with database.write_session.begin() as session:
        plan_season_followups(session, today)
        plan_key_date_followups(session, today)
        return advance_all(session, today=today)


# --- Contradictions and the one-click fix ---------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """A contact's stage against its facts, as the detail pane shows it."""

    contact_id: int
    message: str
    #: Where the fix puts the contact (None: off the journey), and that stage's label.
    target_stage_id: int | None
    target_label: str
    backward: bool


def _conflict(session: Session, cid: int, today: date) -> Conflict | None:
    rules = active_rules(session)
    if rules is None:
        return None
    found = facts_of(session, [cid], today, rules.regular).get(cid)
    if found is None:
        return None
    stage_id, facts = found
    position = rules.position(stage_id)
    verdict = contradiction(rules.resolved, position, facts, rules.regular)
    if verdict is None:
        return None
    label = rules.resolved.labels[position] if position >= 0 else ""
    return Conflict(
        contact_id=cid,
        message=verdict.message(label),
        target_stage_id=rules.stage_id(verdict.target),
        target_label=verdict.target_label,
        backward=not verdict.behind,
    )


def conflict_of(database: Database, contact_id: int, today: date) -> Conflict | None:
    with database.reading() as session:
        return _conflict(session, contact_id, today)


def fix_stages(
    database: Database,
    contact_ids: Sequence[int],
    today: date,
    *,
    now: datetime | None = None,
) -> dict[int, str]:
    """The owner's one-click fix: each contact moves to the nearest stage its facts allow,
    forward or back, recorded with the reason; one unit of work."""
    now = now or utcnow()
    moved: dict[int, str] = {}
    with database.write_session.begin() as session:
        rules = active_rules(session)
        if rules is None:
            return moved
        for cid, stage_id, facts in _facts(session, contact_ids, today, rules.regular):
            position = rules.position(stage_id)
            verdict = contradiction(rules.resolved, position, facts, rules.regular)
            if verdict is None:
                continue
            reason = f"Stage set to match the facts: {verdict.reason}"
            stages.move_contacts(
                session,
                [cid],
                rules.stage_id(verdict.target),
                automatic=False,
                reason=reason,
                now=now,
            )
            moved[cid] = verdict.target_label
    return moved


def count_contradictions(database: Database, today: date) -> int:
    with database.reading() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Contact)
                .where(Contact.deleted_at.is_(None), contradiction_clause(session, today))
            )
            or 0
        )


def contradicting_ids(session: Session, today: date) -> list[int]:
    return list(
        session.scalars(
            select(Contact.id).where(
                Contact.deleted_at.is_(None), contradiction_clause(session, today)
            )
        )
    )


# --- The 100-day plan's phases --------------------------------------------------------------


@dataclass(frozen=True)
class PhaseOffer:
    """Completing a plan step can carry the contact into the step's phase."""

    contact_id: int
    stage_id: int
    stage_label: str
    step_title: str


def _phase_offer(session: Session, followup_rows: Sequence[Followup]) -> PhaseOffer | None:
    """The furthest phase these plan follow-ups lead to that lies ahead of the contact."""
    if not followup_rows:
        return None
    model = active_model(session)
    if model is None:
        return None
    by_key = {s.key: s for s in model.stages}
    contact = session.get(Contact, followup_rows[0].contact_id)
    if contact is None or contact.deleted_at is not None:
        return None
    current = next((s.position for s in model.stages if s.id == contact.stage_id), -1)
    best: tuple[int, PhaseOffer] | None = None
    for row in followup_rows:
        step = session.get(PlanStep, row.plan_step_id) if row.plan_step_id else None
        stage = by_key.get(step.phase) if step is not None and step.phase else None
        if stage is None or stage.position <= current:
            continue
        if best is None or stage.position > best[0]:
            offer = PhaseOffer(contact.id, stage.id, stage.label, row.reason)
            best = (stage.position, offer)
    return None if best is None else best[1]


def phase_offer(database: Database, followup_id: int) -> PhaseOffer | None:
    """What ticking off this follow-up offers: a move into its plan step's phase, if that
    phase is a stage of the active model ahead of the contact (docs/domain.md)."""
    with database.reading() as session:
        row = session.get(Followup, followup_id)
        if row is None or row.source != FollowupSource.PLAN.value:
            return None
        return _phase_offer(session, [row])


def phase_offer_through(database: Database, contact_id: int, through: date) -> PhaseOffer | None:
    """The same for ticking off all of a contact's follow-ups due by ``through``."""
    with database.reading() as session:
        rows = session.scalars(
            select(Followup).where(
                Followup.contact_id == contact_id,
                Followup.status == FollowupStatus.OPEN.value,
                Followup.source == FollowupSource.PLAN.value,
                Followup.due_on <= through,
            )
        ).all()
        return _phase_offer(session, rows)


def move_to_phase(database: Database, offer: PhaseOffer, *, now: datetime | None = None) -> None:
    """Accepting the offer: the contact moves forward into the phase, reason recorded."""
    stages.set_stage(
        database,
        [offer.contact_id],
        offer.stage_id,
        reason=f"100-day plan: {offer.step_title}",
        now=now,
    )


# --- Seasonal customers ---------------------------------------------------------------------

SEASON_REASON = "Their season starts soon"


def plan_season_followups(session: Session, today: date, *, now: datetime | None = None) -> int:
    """A follow-up a few weeks before each seasonal customer's next season (one open at a
    time; never for do-not-contact contacts); returns how many were planned."""
    now = now or utcnow()
    # The latest one planned for each contact, done or not: one per season.
    latest = {
        int(cid): due
        for cid, due in session.execute(
            select(Followup.contact_id, func.max(Followup.due_on))
            .where(Followup.reason.like(SEASON_REASON + "%"))
            .group_by(Followup.contact_id)
        )
    }
    made: list[int] = []
    for cid, season in session.execute(
        select(Contact.id, Contact.season).where(
            Contact.season.is_not(None),
            Contact.deleted_at.is_(None),
            Contact.do_not_contact.is_(False),
        )
    ):
        start = seasons.next_start(season, today)
        if start is None:
            continue
        due = max(today, start - timedelta(days=seasons.LEAD_DAYS))
        planned = latest.get(int(cid))
        if planned is not None and planned >= start - timedelta(days=seasons.LEAD_DAYS + 31):
            continue  # this season's is planned already (or was done)
        session.add(
            Followup(
                contact_id=cid,
                due_on=due,
                reason=f"{SEASON_REASON}: they buy in {seasons.describe(season)}",
                source=FollowupSource.MANUAL.value,
                status=FollowupStatus.OPEN.value,
                suggested_medium=Medium.PHONE.value,
                created_at=now,
            )
        )
        made.append(int(cid))
    if made:
        session.flush()
        followups.refresh_next_followup(session, made)
    return len(made)


# --- Key dates ------------------------------------------------------------------------------

#: How many days before a key date its follow-up is due, and how far ahead it is planned.
KEY_DATE_LEAD_DAYS = 14
KEY_DATE_PLAN_AHEAD = 7
KEY_DATE_SUFFIX = ": send a card or a small gift"
_KEY_DATE_MEDIUM = {"birthday": Medium.GIFT, "anniversary": Medium.GIFT, "occasion": Medium.MAIL}


def next_occurrence(on: date, today: date) -> date:
    """The next day on or after ``today`` with ``on``'s month and day (29 February: the 28th
    in other years)."""
    for year in (today.year, today.year + 1):
        try:
            day = on.replace(year=year)
        except ValueError:
            day = date(year, 2, 28)
        if day >= today:
            return day
    raise AssertionError("unreachable")


def _key_dates(
    session: Session, contact_ids: Iterable[int] | None
) -> Iterable[tuple[int, str, str, date]]:
    """(contact, kind, label, date) for live contacts that may be reminded: their own dates,
    and the first purchase's anniversary for customers without an anniversary of their own."""
    live = (Contact.deleted_at.is_(None), Contact.do_not_contact.is_(False))
    own = select(KeyDate.contact_id, KeyDate.kind, KeyDate.label, KeyDate.on).join(
        Contact, Contact.id == KeyDate.contact_id
    )
    first = select(Contact.id, Contact.first_purchase_on).where(
        Contact.first_purchase_on.is_not(None),
        ~Contact.id.in_(select(KeyDate.contact_id).where(KeyDate.kind == "anniversary")),
    )
    if contact_ids is not None:
        ids = list(contact_ids)
        own = own.where(KeyDate.contact_id.in_(ids))
        first = first.where(Contact.id.in_(ids))
    for cid, kind, label, on in session.execute(own.where(*live)):
        yield int(cid), kind, label, on
    for cid, first_on in session.execute(first.where(*live)):
        if first_on is not None:
            yield int(cid), "anniversary", "Anniversary of their first purchase", first_on


def key_date_reason(kind: str, label: str, day: date) -> str:
    what = {"birthday": "Birthday", "anniversary": label or "Anniversary"}.get(kind, label)
    return f"{what} on {day.day} {day:%B}{KEY_DATE_SUFFIX}"


def plan_key_date_followups(
    session: Session,
    today: date,
    contact_ids: Iterable[int] | None = None,
    *,
    now: datetime | None = None,
    replan: bool = False,
) -> int:
    """Follow-ups ahead of birthdays, anniversaries and other occasions that come within
    ``KEY_DATE_LEAD_DAYS + KEY_DATE_PLAN_AHEAD`` days, suggesting a gift or a card; each
    once. With ``replan`` (the contact's dates were edited), open ones planned before are
    dropped first. Returns how many were planned."""
    now = now or utcnow()
    ids = None if contact_ids is None else list(contact_ids)
    horizon = today + timedelta(days=KEY_DATE_LEAD_DAYS + KEY_DATE_PLAN_AHEAD)
    wanted: dict[tuple[int, str], tuple[date, str]] = {}
    for cid, kind, label, on in _key_dates(session, ids):
        day = next_occurrence(on, today)
        if day <= horizon:
            due = max(today, day - timedelta(days=KEY_DATE_LEAD_DAYS))
            medium = _KEY_DATE_MEDIUM.get(kind, Medium.MAIL).value
            wanted[(cid, key_date_reason(kind, label, day))] = (due, medium)
    # One follow-up per occurrence: open ones, and recent ones already done, count.
    planned = select(Followup).where(
        Followup.reason.like("%" + KEY_DATE_SUFFIX),
        (Followup.status == FollowupStatus.OPEN.value)
        | (Followup.due_on >= today - timedelta(days=KEY_DATE_LEAD_DAYS + 31)),
    )
    if ids is not None:
        planned = planned.where(Followup.contact_id.in_(ids))
    existing: set[tuple[int, str]] = set()
    for row in session.scalars(planned):
        key = (row.contact_id, row.reason)
        if replan and row.status == FollowupStatus.OPEN.value and key not in wanted:
            row.status = FollowupStatus.CANCELLED.value  # the date was changed or removed
        else:
            existing.add(key)
    session.flush()
    made: set[int] = set()
    for (cid, reason), (due, medium) in wanted.items():
        if (cid, reason) in existing:
            continue
        session.add(
            Followup(
                contact_id=cid,
                due_on=due,
                reason=reason,
                source=FollowupSource.MANUAL.value,
                status=FollowupStatus.OPEN.value,
                suggested_medium=medium,
                created_at=now,
            )
        )
        made.add(cid)
    if made or replan:
        session.flush()
        followups.refresh_next_followup(session, sorted(made | set(ids or ())))
    return len(made)


# --- Model changes ----------------------------------------------------------------------------


def activate_model(
    database: Database,
    key: str,
    mapping: Mapping[int, int | None] | None,
    *,
    today: date,
    now: datetime | None = None,
) -> int:
    """Switch the active model (``db.journeys.activate_model``) and run its rules at once,
    in one unit of work: on the lifecycle model every stage follows the status from the
    start. Returns how many contacts the switch moved."""
    now = now or utcnow()
    with database.write_session.begin() as session:
        moved = journeys.activate_model_in(session, key, mapping, now=now)
        advance_all(session, today=today, now=now)
        return moved


def save_model(
    database: Database,
    draft: journeys.ModelDraft,
    mapping: Mapping[int, int | None] | None,
    *,
    today: date,
    now: datetime | None = None,
) -> None:
    """Save an edited model (``db.journeys.save_model``) and run the rules over the new
    stage order, in one unit of work."""
    errors = journeys.validate_draft(draft)
    if errors:
        raise journeys.JourneyEditError(errors)
    now = now or utcnow()
    with database.write_session.begin() as session:
        journeys.save_model_in(session, draft, mapping, now=now)
        advance_all(session, today=today, now=now)


def fix_all_stages(database: Database, today: date, *, now: datetime | None = None) -> int:
    """The one-click fix for every contact whose stage contradicts its facts (the contacts
    filter's *Fix all*); one unit of work, returns how many moved."""
    with database.reading() as session:
        ids = contradicting_ids(session, today)
    return len(fix_stages(database, ids, today, now=now))
