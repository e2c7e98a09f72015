"""Follow-ups: the next date each contact should hear from the owner (docs/domain.md §3).

A contact's next follow-up is the earlier of its open follow-ups (set by hand, or by the
100-day plan; a snoozed one counts from its snooze date) and *last touch + cadence* (the
contact's own cadence, else its stage's). It is kept on ``contact.next_followup_on`` (see
``db.derived``) so the lists that need it sort and filter on an index. Contacts marked
do-not-contact and contacts in the trash have none.

Cadence follow-ups are virtual (computed from ``contact.cadence_due_on``). To snooze one, or
to remember that the owner was notified about it, an open follow-up row with source
``cadence`` *stands in* for it until it is done; ticking it off records a done ``cadence`` row
and the cadence restarts from that moment (see ``db.derived``), so the rule is never lost.

Helpers take a ``Session`` and never commit; the services (taking a ``Database``) open one
unit of work each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db import derived, settings
from db.domain import FollowupSource, FollowupStatus, Medium
from db.models import Contact, Followup, PlanStep, utcnow

if TYPE_CHECKING:
    from db.engine import Database

#: Longest reason a follow-up keeps (the column's size).
REASON_MAX = 300
#: A plan longer than this is almost certainly a typo in a day offset.
PLAN_MAX_DAYS = 3650

#: The 100-day plan of docs/domain.md §3: (day, title, medium, script, phase); the phase is
#: the customer-experience stage the step carries the customer into.
DEFAULT_PLAN_STEPS = (
    (1, "Affirm the decision", Medium.PHONE,
     "Call to thank them and reassure them they made the right choice.", "affirm"),
    (3, "Activate", Medium.IN_PERSON,
     "Make sure the first delivery or meeting happens and goes smoothly.", "activate"),
    (14, "Acclimate", Medium.EMAIL,
     "Send the getting-started tips and ask whether anything is unclear.", "acclimate"),
    (45, "Accomplish", Medium.PHONE,
     "Check that they got the result they bought it for.", "accomplish"),
    (75, "Adopt", Medium.VIDEO,
     "Show them one more way to get value and invite them to make it a habit.", "adopt"),
    (100, "Ask for a referral or review", Medium.IN_PERSON,
     "Ask whether they know someone who would benefit, or would write a short review.",
     "advocate"),
)  # fmt: skip


def ensure_plan_template(session: Session) -> None:
    """Give a new database the default 100-day plan, once (an owner may empty it on purpose)."""
    if settings.get(session, settings.PLAN_TEMPLATE_SEEDED):
        return
    if not session.scalar(select(func.count()).select_from(PlanStep)):
        session.add_all(
            PlanStep(
                position=i,
                day_offset=day,
                title=title,
                medium=medium.value,
                script=script,
                phase=phase,
            )
            for i, (day, title, medium, script, phase) in enumerate(DEFAULT_PLAN_STEPS)
        )
    settings.put(session, settings.PLAN_TEMPLATE_SEEDED, True)


def effective_due(due_on: date, snoozed_until: date | None) -> date:
    """The day an open follow-up next asks for attention."""
    return snoozed_until if snoozed_until is not None and snoozed_until > due_on else due_on


def refresh_next_followup(session: Session, contact_ids: Sequence[int]) -> None:
    """Recompute the cadence, stuck and next follow-up dates of these contacts after anything
    they depend on moved (a touch, a stage, a follow-up, a do-not-contact flag)."""
    derived.refresh_schedule(session, contact_ids)


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
            # The touch's own time, so a cadence restarts from the touch, not from typing it.
            followup.completed_at = touched_at
            done += 1
    session.flush()
    refresh_next_followup(session, [contact_id])
    return done


def create_followup(
    session: Session,
    contact_id: int,
    due_on: date,
    reason: str,
    *,
    source: FollowupSource = FollowupSource.MANUAL,
    suggested_medium: Medium | None = None,
    plan_step_id: int | None = None,
    now: datetime | None = None,
) -> Followup:
    """Add an open follow-up (by hand, or a plan step) and move the contact's next date."""
    followup = Followup(
        contact_id=contact_id,
        due_on=due_on,
        reason=reason.strip(),
        source=source.value,
        status=FollowupStatus.OPEN.value,
        suggested_medium=None if suggested_medium is None else suggested_medium.value,
        plan_step_id=plan_step_id,
        created_at=now or utcnow(),
    )
    session.add(followup)
    session.flush()
    refresh_next_followup(session, [contact_id])
    return followup


def start_plan(
    session: Session,
    contact_id: int,
    first_purchase_on: date,
    *,
    now: datetime | None = None,
    today: date | None = None,
) -> list[Followup]:
    """A first purchase starts the 100-day plan: one follow-up per template step, counted
    from the purchase day. Returns them (none if the template is empty).

    A back-dated purchase does not leave a trail of overdue steps: a step whose day is
    already before ``today`` is created as skipped (cancelled, never due)."""
    steps = session.scalars(select(PlanStep).order_by(PlanStep.position, PlanStep.id)).all()
    created = []
    for step in steps:
        due_on = first_purchase_on + timedelta(days=step.day_offset)
        past = today is not None and due_on < today
        created.append(
            Followup(
                contact_id=contact_id,
                due_on=due_on,
                reason=step.title,
                source=FollowupSource.PLAN.value,
                status=(FollowupStatus.CANCELLED if past else FollowupStatus.OPEN).value,
                suggested_medium=step.medium,
                plan_step_id=step.id,
                created_at=now or utcnow(),
            )
        )
    session.add_all(created)
    session.flush()
    refresh_next_followup(session, [contact_id])
    return created


# --- errors and plain data for the user interface ------------------------------------------


class FollowupError(ValueError):
    """A follow-up change that cannot be made; the message is fit to show the owner."""


class FollowupValidationError(FollowupError):
    """Bad input, per field (``due_on``, ``reason``, ``medium``)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class FollowupInfo:
    """An open follow-up as the interface shows it."""

    id: int
    contact_id: int
    due_on: date
    snoozed_until: date | None
    reason: str
    source: FollowupSource
    suggested_medium: Medium | None
    plan_step_id: int | None

    @property
    def effective_due(self) -> date:
        return effective_due(self.due_on, self.snoozed_until)


def _info(f: Followup) -> FollowupInfo:
    return FollowupInfo(
        id=f.id,
        contact_id=f.contact_id,
        due_on=f.due_on,
        snoozed_until=f.snoozed_until,
        reason=f.reason,
        source=FollowupSource(f.source),
        suggested_medium=None if f.suggested_medium is None else Medium(f.suggested_medium),
        plan_step_id=f.plan_step_id,
    )


def open_followups(session: Session, contact_id: int) -> list[FollowupInfo]:
    """The contact's open follow-ups (stand-ins for the cadence included), soonest first."""
    rows = session.scalars(
        select(Followup).where(
            Followup.contact_id == contact_id, Followup.status == FollowupStatus.OPEN.value
        )
    ).all()
    return sorted((_info(f) for f in rows), key=lambda i: (i.effective_due, i.id))


def contact_followups(database: Database, contact_id: int) -> list[FollowupInfo]:
    with database.reading() as session:
        return open_followups(session, contact_id)


# --- snooze, done, cancel ---------------------------------------------------------------------


def snooze_choices(today: date) -> list[tuple[str, date]]:
    """The one-click snoozes offered everywhere: tomorrow and a week from today."""
    return [("Tomorrow", today + timedelta(days=1)), ("Next week", today + timedelta(days=7))]


def _live_contact(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.deleted_at is not None:
        raise FollowupError("This contact no longer exists or is in the trash.")
    return contact


def _cadence_stand_in(session: Session, contact: Contact) -> Followup | None:
    """The open row standing in for the contact's cadence follow-up, made if needed."""
    if contact.cadence_due_on is None:
        return None
    row = session.scalar(
        select(Followup).where(
            Followup.contact_id == contact.id,
            Followup.status == FollowupStatus.OPEN.value,
            Followup.source == FollowupSource.CADENCE.value,
        )
    )
    if row is None:
        row = Followup(
            contact_id=contact.id,
            due_on=contact.cadence_due_on,
            reason="",
            source=FollowupSource.CADENCE.value,
            status=FollowupStatus.OPEN.value,
        )
        session.add(row)
    return row


def snooze_contact(session: Session, contact_id: int, until: date, *, today: date) -> int:
    """Put off everything the contact asks for before ``until`` (its open follow-ups and its
    cadence) to that day, so the contact leaves the list until then; returns how many."""
    if until <= today:
        raise FollowupError("Snooze until a day after today.")
    contact = _live_contact(session, contact_id)
    snoozed = 0
    if contact.cadence_due_on is not None and contact.cadence_due_on < until:
        _cadence_stand_in(session, contact)
        session.flush()
    for f in session.scalars(
        select(Followup).where(
            Followup.contact_id == contact_id, Followup.status == FollowupStatus.OPEN.value
        )
    ):
        if effective_due(f.due_on, f.snoozed_until) < until:
            f.snoozed_until = until
            snoozed += 1
    session.flush()
    refresh_next_followup(session, [contact_id])
    return snoozed


def snooze(database: Database, contact_id: int, until: date, *, today: date) -> int:
    """The owner snoozes a contact's follow-up (tomorrow, next week or a date)."""
    with database.write_session.begin() as session:
        return snooze_contact(session, contact_id, until, today=today)


def mark_contact_done(
    session: Session, contact_id: int, *, through: date, now: datetime | None = None
) -> int:
    """Tick off everything the contact asked for up to ``through`` (its open follow-ups and,
    if due, its cadence, which restarts from ``now``); returns how many."""
    now = now or utcnow()
    contact = _live_contact(session, contact_id)
    done = 0
    if contact.cadence_due_on is not None and contact.cadence_due_on <= through:
        stand_in = _cadence_stand_in(session, contact)
        assert stand_in is not None
        stand_in.snoozed_until = None
        session.flush()
    for f in session.scalars(
        select(Followup).where(
            Followup.contact_id == contact_id, Followup.status == FollowupStatus.OPEN.value
        )
    ):
        if effective_due(f.due_on, f.snoozed_until) <= through:
            f.status = FollowupStatus.DONE.value
            f.completed_at = now
            done += 1
    session.flush()
    refresh_next_followup(session, [contact_id])
    return done


def mark_done(
    database: Database, contact_id: int, *, through: date, now: datetime | None = None
) -> int:
    """The owner ticks a contact off without logging a touch."""
    with database.write_session.begin() as session:
        return mark_contact_done(session, contact_id, through=through, now=now)


def _set_status(
    database: Database, followup_id: int, status: FollowupStatus, now: datetime | None
) -> None:
    with database.write_session.begin() as session:
        f = session.get(Followup, followup_id)
        if f is None or f.status != FollowupStatus.OPEN.value:
            raise FollowupError("This follow-up is no longer open.")
        f.status = status.value
        f.completed_at = (now or utcnow()) if status is FollowupStatus.DONE else None
        session.flush()
        refresh_next_followup(session, [f.contact_id])


def complete_followup(database: Database, followup_id: int, *, now: datetime | None = None) -> None:
    """Tick off one follow-up (a cadence stand-in restarts the cadence from ``now``)."""
    _set_status(database, followup_id, FollowupStatus.DONE, now)


def cancel_followup(database: Database, followup_id: int) -> None:
    """Drop one follow-up (a manual one no longer needed, or skip one plan step)."""
    _set_status(database, followup_id, FollowupStatus.CANCELLED, None)


def cancel_plan(database: Database, contact_id: int) -> int:
    """Cancel what is left of the contact's 100-day plan; returns how many steps."""
    with database.write_session.begin() as session:
        result = session.execute(
            update(Followup)
            .where(
                Followup.contact_id == contact_id,
                Followup.status == FollowupStatus.OPEN.value,
                Followup.source == FollowupSource.PLAN.value,
            )
            .values(status=FollowupStatus.CANCELLED.value)
            .execution_options(synchronize_session=False)
        )
        refresh_next_followup(session, [contact_id])
        return int(result.rowcount)  # type: ignore[attr-defined]


# --- manual follow-ups ------------------------------------------------------------------------


def validate_followup(due_on: date | None, reason: str, *, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if due_on is None:
        errors["due_on"] = "Choose the day to follow up."
    elif due_on < today:
        errors["due_on"] = "Choose today or a later day."
    if len(reason.strip()) > REASON_MAX:
        errors["reason"] = f"Keep the reason under {REASON_MAX} characters."
    return errors


def add_followup(
    database: Database,
    contact_id: int,
    due_on: date,
    reason: str,
    *,
    today: date,
    suggested_medium: Medium | None = None,
    now: datetime | None = None,
) -> int:
    """The owner asks to follow up with a contact on a day ("send the proposal")."""
    errors = validate_followup(due_on, reason, today=today)
    if errors:
        raise FollowupValidationError(errors)
    with database.write_session.begin() as session:
        contact = _live_contact(session, contact_id)
        if contact.do_not_contact:
            raise FollowupError(f"{contact.name} is marked do not contact.")
        return create_followup(
            session, contact_id, due_on, reason, suggested_medium=suggested_medium, now=now
        ).id


# --- the 100-day plan template ----------------------------------------------------------------


@dataclass(frozen=True)
class PlanStepData:
    day_offset: int
    title: str
    medium: Medium | None = None
    script: str = ""
    #: The customer-experience phase (stage key) completing the step leads to, if any.
    phase: str | None = None


def plan_template(database: Database) -> list[PlanStepData]:
    with database.reading() as session:
        return [
            PlanStepData(
                s.day_offset,
                s.title,
                None if s.medium is None else Medium(s.medium),
                s.script,
                s.phase,
            )
            for s in session.scalars(select(PlanStep).order_by(PlanStep.position, PlanStep.id))
        ]


def validate_plan(steps: Sequence[PlanStepData]) -> dict[int, str]:
    """Problems by step index: a title is needed, days run from 0 and never go backwards."""
    errors: dict[int, str] = {}
    previous = 0
    for i, step in enumerate(steps):
        if not step.title.strip():
            errors[i] = "Give the step a title."
        elif len(step.title.strip()) > 200:
            errors[i] = "Keep the title under 200 characters."
        elif not 0 <= step.day_offset <= PLAN_MAX_DAYS:
            errors[i] = f"The day must be between 0 and {PLAN_MAX_DAYS}."
        elif step.day_offset < previous:
            errors[i] = f"Day {step.day_offset} comes before the step above (day {previous})."
        previous = max(previous, step.day_offset)
    return errors


def save_plan_template(database: Database, steps: Sequence[PlanStepData]) -> None:
    """Replace the template (plans already started keep their follow-ups)."""
    errors = validate_plan(steps)
    if errors:
        first = min(errors)
        raise FollowupError(f"Step {first + 1}: {errors[first]}")
    with database.write_session.begin() as session:
        existing = session.scalars(select(PlanStep).order_by(PlanStep.position, PlanStep.id)).all()
        for i, step in enumerate(steps):
            row = existing[i] if i < len(existing) else PlanStep()
            row.position = i
            row.day_offset = step.day_offset
            row.title = step.title.strip()
            row.medium = None if step.medium is None else step.medium.value
            row.script = step.script.strip()
            row.phase = step.phase or None
            session.add(row)
        for row in existing[len(steps) :]:
            session.delete(row)
        settings.put(session, settings.PLAN_TEMPLATE_SEEDED, True)


@dataclass(frozen=True)
class ContactSchedule:
    """A contact's follow-up dates for its detail pane."""

    next_followup_on: date | None
    cadence_due_on: date | None
    open: tuple[FollowupInfo, ...]


def contact_schedule(database: Database, contact_id: int) -> ContactSchedule:
    with database.reading() as session:
        row = session.execute(
            select(Contact.next_followup_on, Contact.cadence_due_on).where(Contact.id == contact_id)
        ).first()
        next_on, cadence_on = row if row is not None else (None, None)
        return ContactSchedule(next_on, cadence_on, tuple(open_followups(session, contact_id)))
