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

from db import settings
from db.domain import FollowupSource, FollowupStatus, Medium
from db.models import Contact, Followup, PlanStep, Stage, utcnow

#: The 100-day plan of DOMAIN.md §3: (day, title, medium, script).
DEFAULT_PLAN_STEPS = (
    (1, "Affirm the decision", Medium.PHONE,
     "Call to thank them and reassure them they made the right choice."),
    (3, "Activate", Medium.IN_PERSON,
     "Make sure the first delivery or meeting happens and goes smoothly."),
    (14, "Acclimate", Medium.EMAIL,
     "Send the getting-started tips and ask whether anything is unclear."),
    (45, "Accomplish", Medium.PHONE,
     "Check that they got the result they bought it for."),
    (75, "Adopt", Medium.VIDEO,
     "Show them one more way to get value and invite them to make it a habit."),
    (100, "Ask for a referral or review", Medium.IN_PERSON,
     "Ask whether they know someone who would benefit, or would write a short review."),
)  # fmt: skip


def ensure_plan_template(session: Session) -> None:
    """Give a new database the default 100-day plan, once (an owner may empty it on purpose)."""
    if settings.get(session, settings.PLAN_TEMPLATE_SEEDED):
        return
    if not session.scalar(select(func.count()).select_from(PlanStep)):
        session.add_all(
            PlanStep(position=i, day_offset=day, title=title, medium=medium.value, script=script)
            for i, (day, title, medium, script) in enumerate(DEFAULT_PLAN_STEPS)
        )
    settings.put(session, settings.PLAN_TEMPLATE_SEEDED, True)


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
    session: Session, contact_id: int, first_purchase_on: date, *, now: datetime | None = None
) -> list[Followup]:
    """A first purchase starts the 100-day plan: one open follow-up per template step,
    counted from the purchase day. Returns them (none if the template is empty)."""
    steps = session.scalars(select(PlanStep).order_by(PlanStep.position, PlanStep.id)).all()
    created = [
        Followup(
            contact_id=contact_id,
            due_on=first_purchase_on + timedelta(days=step.day_offset),
            reason=step.title,
            source=FollowupSource.PLAN.value,
            status=FollowupStatus.OPEN.value,
            suggested_medium=step.medium,
            plan_step_id=step.id,
            created_at=now or utcnow(),
        )
        for step in steps
    ]
    session.add_all(created)
    session.flush()
    refresh_next_followup(session, [contact_id])
    return created
