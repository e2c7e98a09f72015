"""Follow-ups: the next date each contact should hear from the owner (DOMAIN.md §3).

A contact's next follow-up is the earlier of its open follow-ups (set by hand, or by the
100-day plan; a snoozed one counts from its snooze date) and *last touch + cadence* (the
contact's own cadence, else its stage's). It is kept on ``contact.next_followup_on`` (see
``db.derived``) so the lists that need it sort and filter on an index. Contacts marked
do-not-contact and contacts in the trash have none.

Helpers take a ``Session`` and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import derived, settings
from db.domain import FollowupSource, FollowupStatus, Medium
from db.models import Followup, PlanStep, utcnow

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
            followup.completed_at = utcnow()
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
