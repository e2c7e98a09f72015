"""Reports behind the Reports dashboard's charts that no other report already gives.

Every chart on the dashboard draws the rows of one registered report, so each chart's data
can also be written as CSV (``touchbase export NAME``). The funnel, the medium mix per stage
and satisfaction by month are drawn from ``funnel``, ``mediums`` and ``satisfaction-by-month``;
this module adds:

- ``touches-by-month``: touches per local calendar month and medium;
- ``followup-habit``: per week (Monday to Sunday), recorded follow-ups that fell due, were done
  on time (ticked off or answered by a touch on or before the due day), done late, or are still
  open. A follow-up's week is that of its due date; cancelled ones are left out, and so are
  follow-ups not yet due. Cadence reminders that were never written as a follow-up (the
  stage's cadence after the last touch) have no due date of their own and are not counted;
- ``plan-progress``: for customers whose first purchase falls in the period, each 100-day plan
  step done on time, done late, missed (still open after its day, or cancelled) or still to come;
- ``lifecycle``: live contacts per lifecycle status today;
- ``sales-by-month``: purchases per month with their value and the running value of every
  purchase up to the month's end (the base's historic value, purchases before the period
  included);
- ``top-customers``: the ten live customers with the highest historic value.

Months and weeks are local calendar ones; a touch or completion is placed on the local day it
happened on this computer. Only live contacts (not in the trash) count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import String, case, func, literal, select, true, type_coerce

from db import lifecycle, settings
from db.domain import Medium
from db.engine import Database
from db.export import Cell, ExportOptions, Report, report, share, unindexed
from db.lifecycle import Lifecycle, contact_status_sql
from db.models import Contact, Followup, PlanStep, Purchase, Touch
from db.reports.contacts import trashed_ids
from db.reports.sales import money
from db.reports.touches import by_medium_and_stage, stage_ids
from db.sql import local_day

#: How many customers ``top-customers`` lists.
TOP_CUSTOMERS = 10


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s to ``last``'s, both included."""
    months = []
    current = month_start(first)
    while current <= last:
        months.append(current)
        current = next_month(current)
    return months


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _local_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day).astimezone()


def _local_day(value: datetime) -> date:
    return value.astimezone().date()


# --- touches per month ----------------------------------------------------------------------


@report(
    "touches-by-month",
    "touches per month and medium",
    period="the day of the touch",
)
def touches_by_month(database: Database, options: ExportOptions) -> Report:
    """One row per local month from ``--since`` (else the first touch) to ``--until`` (else
    today), with a column per medium and the month's total."""
    with database.reading() as session:
        since = options.since
        if since is None:
            first = session.scalar(select(func.min(Touch.occurred_at)))
            since = _local_day(first) if first is not None else options.today
        until = options.until or options.today
        months = months_between(since, until) if since <= until else []
        counts: dict[tuple[int, str], int] = {}
        if months:
            # Each month read apart, a range of days per medium and stage of the covering
            # index (``by_medium_and_stage``): at a million touches several times faster than
            # one pass sorting each touch into a bucket.
            starts = [max(_local_start(m), _local_start(since)) for m in months]
            ends = [*starts[1:], _local_start(until + timedelta(days=1))]
            trashed, stages = trashed_ids(session), stage_ids(session)
            for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
                for (medium, _stage), count in by_medium_and_stage(
                    session, start, end, trashed, stages
                ).items():
                    counts[(index, medium)] = counts.get((index, medium), 0) + count
    rows: list[Sequence[Cell]] = []
    for index, month in enumerate(months):
        per_medium = [counts.get((index, m.value), 0) for m in Medium]
        rows.append((f"{month:%Y-%m}", *per_medium, sum(per_medium)))
    return Report(("Month", *(m.label for m in Medium), "Total"), rows)


# --- follow-up habit ------------------------------------------------------------------------


@report(
    "followup-habit",
    "follow-ups per week: fell due, done on time, done late, still open",
    period="the due date",
)
def followup_habit(database: Database, options: ExportOptions) -> Report:
    """One row per week (its Monday) with a follow-up due in it, up to today."""
    until = min(options.until or options.today, options.today)
    kind = _followup_outcome(options.today).label("kind")
    # Counted per due day, outcome and status in SQL, from the due-day index alone (it holds
    # the time of completion: migration 0016), the outcome worked out once per follow-up;
    # then added up per week here: at 100,000 follow-ups a Python loop over them takes half
    # a second.
    stmt = select(Followup.due_on, kind, Followup.status, func.count()).where(
        Followup.status != "cancelled", Followup.due_on <= until
    )
    if options.since:
        stmt = stmt.where(Followup.due_on >= options.since)
    weeks: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    with database.reading() as session:
        trashed = trashed_ids(session)
        if trashed:
            stmt = stmt.where(Followup.contact_id.not_in(trashed))
        found = session.execute(stmt.group_by(Followup.due_on, kind, Followup.status)).all()
    for due_on, outcome, status, n in found:
        counts = weeks[week_start(due_on)]
        counts[0] += n
        if outcome == "on_time":
            counts[1] += n
        elif outcome == "late":
            counts[2] += n
        if status == "open":
            counts[3] += n
    rows: list[Sequence[Cell]] = []
    for week in sorted(weeks):
        due, on_time, late, still_open = weeks[week]
        rows.append((week, due, on_time, late, still_open, share(on_time, due)))
    return Report(
        ("Week", "Fell due", "Done on time", "Done late", "Still open", "On time %"), rows
    )


def _followup_outcome(today: date) -> Any:
    """How a follow-up went, as SQL: "on_time" (done on or before its due day, as a local
    day), "late", "to_come" (open, due today or later) or "missed" (anything else: open
    after its day, cancelled, or done with no time of completion)."""
    done_on = local_day(type_coerce(Followup.completed_at, String))
    done = (Followup.status == "done") & Followup.completed_at.is_not(None)
    return case(
        (done & (done_on <= Followup.due_on), literal("on_time")),
        (done, literal("late")),
        ((Followup.status == "open") & (Followup.due_on >= today), literal("to_come")),
        else_=literal("missed"),
    )


# --- the 100-day plan -----------------------------------------------------------------------


@report(
    "plan-progress",
    "100-day plan steps of customers who first bought in the period: on time, late, missed",
    period="the day of the first purchase",
)
def plan_progress(database: Database, options: ExportOptions) -> Report:
    """One row per plan step (in the plan's order), counting each customer's follow-up for it.

    *missed*: still open after its due day, or cancelled; *to come*: open and not yet due.
    """
    customers = select(Contact.id).where(
        Contact.deleted_at.is_(None), Contact.first_purchase_on.is_not(None)
    )
    if options.since:
        customers = customers.where(Contact.first_purchase_on >= options.since)
    if options.until:
        customers = customers.where(Contact.first_purchase_on <= options.until)
    kind = _followup_outcome(options.today).label("kind")
    # Counted per plan step and outcome from the follow-ups' contact index alone (it holds
    # what the outcome needs: migration 0016), the outcome worked out once per follow-up.
    # A step deleted since its follow-ups were written is shown by their reason, which only
    # the table holds: read, for those alone, in a second query.
    their_plans = (
        Followup.source == "plan",
        Followup.contact_id.in_(customers.scalar_subquery()),
    )
    stmt = (
        select(Followup.plan_step_id, kind, func.count())
        .where(*their_plans)
        .group_by(Followup.plan_step_id, kind)
    )
    steps: dict[tuple[int, str], list[Any]] = {}

    def add(position: int, step: str, offset: int | None, outcome: str, n: int) -> None:
        counts = steps.setdefault((position, step), [offset, 0, 0, 0, 0])
        counts[1 + _PLAN_KINDS.index(outcome)] += n

    with database.reading() as session:
        found = session.execute(stmt).all()
        known = {
            step_id: (position, title, offset)
            for step_id, position, title, offset in session.execute(
                select(PlanStep.id, PlanStep.position, PlanStep.title, PlanStep.day_offset)
            )
        }
        if any(step_id not in known for step_id, _kind, _n in found):
            unlisted = (
                select(Followup.reason, kind, func.count())
                .where(
                    *their_plans,
                    Followup.plan_step_id.is_(None)
                    | Followup.plan_step_id.not_in(select(PlanStep.id)),
                )
                .group_by(Followup.reason, kind)
            )
            for reason, outcome, n in session.execute(unlisted):
                add(_UNLISTED, reason, None, outcome, n)
    for step_id, outcome, n in found:
        if step_id in known:
            position, title, offset = known[step_id]
            add(position, title, offset, outcome, n)
    rows: list[Sequence[Cell]] = [
        (step, counts[0], counts[1], counts[2], counts[3], counts[4])
        for (_position, step), counts in sorted(steps.items())
    ]
    return Report(("Step", "Day", "Done on time", "Done late", "Missed", "To come"), rows)


#: The plan report's columns after the day, in order (``_followup_outcome``'s values).
_PLAN_KINDS = ("on_time", "late", "missed", "to_come")
#: Where follow-ups of a step no longer in the plan are listed: after every step.
_UNLISTED = 1_000_000


# --- lifecycle ------------------------------------------------------------------------------


@report("lifecycle", "contacts per lifecycle status today (new, active, repeat, lapsed, …)")
def lifecycle_counts(database: Database, options: ExportOptions) -> Report:
    with database.reading() as session:
        # The stored status, when every contact's still holds today, is read from its index;
        # else it is worked out for each contact (``db.lifecycle``, "The stored status").
        if lifecycle.stored_is_current(session, options.today):
            status: Any = Contact.lifecycle
        else:
            status = contact_status_sql(options.today).label("status")
        counts = {
            str(s): int(n)
            for s, n in session.execute(
                select(status, func.count()).where(Contact.deleted_at.is_(None)).group_by(status)
            )
        }
    total = sum(counts.values())
    rows: list[Sequence[Cell]] = [
        (s.value, s.label, counts.get(s.value, 0), share(counts.get(s.value, 0), total))
        for s in Lifecycle
    ]
    return Report(("Key", "Lifecycle", "Contacts", "Share %"), rows)


# --- sales ----------------------------------------------------------------------------------


@report(
    "sales-by-month",
    "purchases per month with their value and the running value of all purchases",
    period="the day of the purchase",
)
def sales_by_month(database: Database, options: ExportOptions) -> Report:
    """One row per month from ``--since`` (else the first purchase) to ``--until`` (else
    today); ``Cumulative value`` includes every purchase before the period."""
    month = func.substr(Purchase.purchased_on, 1, 7).label("month")
    with database.reading() as session:
        currency = settings.get(session, settings.CURRENCY)
        # The few contacts in the trash are left out by id, and purchases are read in table
        # order ("+": not fetched one by one through the date index), which at 100,000
        # purchases is several times quicker than joining each purchase to its contact.
        trashed = trashed_ids(session)
        live = Purchase.contact_id.not_in(trashed) if trashed else true()
        day = unindexed(Purchase.purchased_on)
        since = options.since
        if since is None:
            since = session.scalar(select(func.min(Purchase.purchased_on)).where(live))
        until = options.until or options.today
        before = Decimal(0)
        if options.since is not None:
            before = session.scalar(
                select(func.coalesce(func.sum(Purchase.amount), literal(0))).where(
                    live, day < options.since
                )
            ) or Decimal(0)
        stmt = select(month, func.count(), func.sum(Purchase.amount)).where(live, day <= until)
        if since is not None:
            stmt = stmt.where(day >= since)
        found = {
            str(m): (int(n), Decimal(v or 0)) for m, n, v in session.execute(stmt.group_by(month))
        }
    rows: list[Sequence[Cell]] = []
    running = Decimal(before)
    for first in months_between(since, until) if since is not None and since <= until else []:
        key = f"{first:%Y-%m}"
        count, amount = found.get(key, (0, Decimal(0)))
        running += amount
        rows.append((key, count, money(amount), money(running), currency))
    return Report(("Month", "Purchases", "Value", "Cumulative value", "Currency"), rows)


def historic_total(database: Database) -> Decimal:
    """The base's historic value: every live customer's lifetime value added up (the figure
    ``db.value.base_value`` gives as ``historic_total``, without its per-customer work)."""
    # Summed from the live contacts' value index alone (2 ms at 100,000 contacts, not 40 ms
    # fetching each customer's row): purchases are more than zero (``db.purchases``), so the
    # contacts with a value above zero are exactly the customers.
    with database.reading() as session:
        total = session.scalar(
            select(func.sum(Contact.lifetime_value)).where(
                Contact.deleted_at.is_(None), Contact.lifetime_value > 0
            )
        )
    return Decimal(total or 0)


@report("top-customers", "the ten customers with the highest lifetime (historic) value")
def top_customers(database: Database, options: ExportOptions) -> Report:
    with database.reading() as session:
        currency = settings.get(session, settings.CURRENCY)
        found = session.execute(
            select(
                Contact.id,
                Contact.name,
                Contact.company,
                Contact.purchase_count,
                Contact.lifetime_value,
                Contact.last_purchase_on,
            )
            # Walked down the live contacts' value index until ten customers are found,
            # ties sorted among themselves (0.2 ms at 100,000 contacts). Left to itself the
            # planner took the purchase-count index and sorted every customer (45 ms).
            .where(Contact.deleted_at.is_(None), unindexed(Contact.purchase_count) > 0)
            .order_by(Contact.lifetime_value.desc(), Contact.name, Contact.id)
            .limit(TOP_CUSTOMERS)
        ).all()
    rows: list[Sequence[Cell]] = [
        (rank, cid, name, company, n, money(value), last, currency)
        for rank, (cid, name, company, n, value, last) in enumerate(found, start=1)
    ]
    return Report(
        (
            "Rank",
            "Contact ID",
            "Contact",
            "Company",
            "Purchases",
            "Lifetime value",
            "Last purchase",
            "Currency",
        ),
        rows,
    )
