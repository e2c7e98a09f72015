"""The reports behind the Reports charts, checked against direct SQL on crafted databases."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, text

from db import followups, lifecycle, purchases
from db.clock import local_today
from db.contacts import trash_contacts
from db.domain import FollowupSource, Medium
from db.engine import Database
from db.export import ExportOptions, Report, build, load_reports
from db.lifecycle import Lifecycle
from db.models import Stage, Touch
from db.purchases import PurchaseInput
from db.touches import TouchInput, log_touch
from tests.conftest import ContactFactory

TODAY = date(2026, 3, 20)


def _rows(name: str, database: Database, **options: object) -> tuple[tuple[str, ...], list[Any]]:
    report: Report = build(load_reports()[name], database, ExportOptions(**options))  # type: ignore[arg-type]
    return report.headers, [tuple(r) for r in report.rows]


def _sql(database: Database, statement: str, **params: object) -> list[tuple[Any, ...]]:
    with database.reading() as session:
        return [tuple(r) for r in session.execute(text(statement), params)]


@pytest.fixture
def new_york() -> Iterator[None]:
    """Local time is New York's (UTC-5 in winter) for the test."""
    before = time.tzname
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()
        assert time.tzname == before


# --- follow-up habit ------------------------------------------------------------------------


def _followup(database: Database, contact_id: int, due: date, reason: str = "call") -> int:
    with database.write_session.begin() as session:
        return followups.create_followup(
            session, contact_id, due, reason, now=datetime(2026, 1, 1, tzinfo=UTC)
        ).id


def test_followup_habit_counts_early_on_time_late_and_never(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    gone = contact_factory()

    def at(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 15).astimezone()

    # Week of Monday 2 March: due Wed 4 March.
    early = _followup(database, cid, date(2026, 3, 4))
    followups.complete_followup(database, early, now=at(date(2026, 3, 2)))
    same_day = _followup(database, cid, date(2026, 3, 4))
    followups.complete_followup(database, same_day, now=at(date(2026, 3, 4)))
    late = _followup(database, cid, date(2026, 3, 8))  # Sunday: still the week of 2 March
    followups.complete_followup(database, late, now=at(date(2026, 3, 10)))
    never = _followup(database, cid, date(2026, 3, 5))
    cancelled = _followup(database, cid, date(2026, 3, 5))
    followups.cancel_followup(database, cancelled)
    # Week of 9 March: one open; the trashed contact's follow-up is left out.
    _followup(database, cid, date(2026, 3, 9))
    _followup(database, gone, date(2026, 3, 9))
    trash_contacts(database, [gone])
    # Not yet due on TODAY: not counted.
    _followup(database, cid, date(2026, 3, 25))
    del never

    headers, rows = _rows("followup-habit", database, today=TODAY)

    assert headers == ("Week", "Fell due", "Done on time", "Done late", "Still open", "On time %")
    assert rows == [
        (date(2026, 3, 2), 4, 2, 1, 1, "50.0"),
        (date(2026, 3, 9), 1, 0, 0, 1, "0.0"),
    ]
    # Direct SQL: every non-cancelled follow-up of a live contact due by TODAY is counted once.
    (due,) = _sql(
        database,
        "SELECT count(*) FROM followup f JOIN contact c ON c.id = f.contact_id "
        "WHERE c.deleted_at IS NULL AND f.status != 'cancelled' AND f.due_on <= :today",
        today=TODAY.isoformat(),
    )
    assert sum(r[1] for r in rows) == due[0]
    # A period keeps the follow-ups due inside it (here only the late one of the first week).
    _h, since = _rows("followup-habit", database, today=TODAY, since=date(2026, 3, 6))
    assert since == [
        (date(2026, 3, 2), 1, 0, 1, 0, "0.0"),
        (date(2026, 3, 9), 1, 0, 0, 1, "0.0"),
    ]


# --- the 100-day plan -----------------------------------------------------------------------


def test_plan_progress_of_customers_who_first_bought_in_the_period(
    database: Database, contact_factory: ContactFactory
) -> None:
    buyer = contact_factory(name="Ann")
    earlier = contact_factory(name="Bo")
    purchases.record_purchase(
        database,
        earlier,
        PurchaseInput(date(2025, 11, 1), "Bread", "10"),
        today=TODAY,
    )
    # Recorded on the day of the sale, so no step of the plan is past and skipped yet.
    purchases.record_purchase(
        database,
        buyer,
        PurchaseInput(date(2026, 1, 10), "Bread", "10"),
        # Recorded on the day: a back-dated sale would skip the steps already past.
        today=date(2026, 1, 10),
    )
    steps = followups.plan_template(database)
    assert steps, "the 100-day plan template ships with steps"
    plan = followups.contact_followups(database, buyer)
    plan = sorted((f for f in plan if f.source is FollowupSource.PLAN), key=lambda f: f.due_on)
    assert len(plan) == len(steps)
    # First step done on its day, second done late, the rest never: missed while past due.
    first, second = plan[0], plan[1]
    followups.complete_followup(
        database, first.id, now=datetime.combine(first.due_on, datetime.min.time()).astimezone()
    )
    followups.complete_followup(
        database,
        second.id,
        now=datetime.combine(second.due_on + timedelta(days=3), datetime.min.time()).astimezone(),
    )

    headers, rows = _rows(
        "plan-progress", database, today=TODAY, since=date(2026, 1, 1), until=date(2026, 1, 31)
    )

    assert headers == ("Step", "Day", "Done on time", "Done late", "Missed", "To come")
    assert [r[0] for r in rows] == [s.title for s in steps]
    assert rows[0][2:] == (1, 0, 0, 0)
    assert rows[1][2:] == (0, 1, 0, 0)
    due_by_today = sum(1 for f in plan[2:] if f.due_on < TODAY)
    assert sum(r[4] for r in rows) == due_by_today
    assert sum(r[5] for r in rows) == len(plan) - 2 - due_by_today
    # Direct SQL: the buyer's plan follow-ups, and only theirs (Bo first bought before).
    (count,) = _sql(
        database,
        "SELECT count(*) FROM followup WHERE source = 'plan' AND contact_id = :cid",
        cid=buyer,
    )
    assert sum(sum(r[2:]) for r in rows) == count[0]


def test_plan_progress_lists_a_step_removed_from_the_plan_by_its_follow_ups_reason(
    database: Database, contact_factory: ContactFactory
) -> None:
    buyer = contact_factory(name="Ann")
    purchases.record_purchase(
        database, buyer, PurchaseInput(date(2026, 1, 10), "Bread", "10"), today=date(2026, 1, 10)
    )
    steps = followups.plan_template(database)
    plan = sorted(
        (
            f
            for f in followups.contact_followups(database, buyer)
            if f.source is FollowupSource.PLAN
        ),
        key=lambda f: f.due_on,
    )
    last = plan[-1]
    followups.complete_followup(
        database, last.id, now=datetime.combine(last.due_on, datetime.min.time()).astimezone()
    )
    # The last step leaves the plan: its follow-up stays, with no step (ON DELETE SET NULL).
    followups.save_plan_template(database, steps[:-1])

    _headers, rows = _rows(
        "plan-progress", database, today=TODAY, since=date(2026, 1, 1), until=date(2026, 1, 31)
    )

    assert [r[0] for r in rows] == [s.title for s in steps[:-1]] + [last.reason]
    assert rows[-1][1] is None  # no day: the step is gone
    assert rows[-1][2:] == (1, 0, 0, 0)
    (step,) = _sql(database, "SELECT plan_step_id FROM followup WHERE id = :id", id=last.id)
    assert step == (None,)
    assert sum(sum(r[2:]) for r in rows) == len(plan)


# --- sales ----------------------------------------------------------------------------------


def test_sales_by_month_across_month_boundaries_with_the_running_value(
    database: Database, contact_factory: ContactFactory
) -> None:
    a, b = contact_factory(), contact_factory()
    for cid, day, amount in (
        (a, date(2025, 12, 31), "100.00"),
        (b, date(2026, 1, 1), "20.50"),
        (a, date(2026, 1, 31), "10.25"),
        (b, date(2026, 2, 1), "5"),
        (a, date(2026, 3, 20), "1.10"),
    ):
        purchases.record_purchase(database, cid, PurchaseInput(day, "Bread", amount), today=TODAY)

    headers, rows = _rows(
        "sales-by-month", database, today=TODAY, since=date(2026, 1, 1), until=date(2026, 3, 31)
    )

    assert headers == ("Month", "Purchases", "Value", "Cumulative value", "Currency")
    assert rows == [
        ("2026-01", 2, Decimal("30.75"), Decimal("130.75"), "USD"),
        ("2026-02", 1, Decimal("5.00"), Decimal("135.75"), "USD"),
        ("2026-03", 1, Decimal("1.10"), Decimal("136.85"), "USD"),
    ]
    # Direct SQL agrees month by month.
    by_month = dict(
        _sql(
            database,
            "SELECT substr(purchased_on, 1, 7), count(*) FROM purchase "
            "WHERE purchased_on BETWEEN '2026-01-01' AND '2026-03-31' GROUP BY 1",
        )
    )
    assert {r[0]: r[1] for r in rows} == by_month
    # All time starts at the first purchase.
    _h, everything = _rows("sales-by-month", database, today=TODAY)
    assert everything[0][:2] == ("2025-12", 1)
    assert everything[-1][3] == Decimal("136.85")


def test_top_customers_by_lifetime_value(
    database: Database, contact_factory: ContactFactory
) -> None:
    ids = [contact_factory(name=f"Customer {n}") for n in range(12)]
    for n, cid in enumerate(ids):
        purchases.record_purchase(
            database, cid, PurchaseInput(date(2026, 1, 5), "Cake", str(10 + n)), today=TODAY
        )
    trash_contacts(database, [ids[-1]])

    _headers, rows = _rows("top-customers", database, today=TODAY)

    expected = _sql(
        database,
        "SELECT id FROM contact WHERE deleted_at IS NULL AND purchase_count > 0 "
        "ORDER BY lifetime_value DESC LIMIT 10",
    )
    assert [r[1] for r in rows] == [e[0] for e in expected]
    assert rows[0][2] == "Customer 10" and rows[0][5] == Decimal("20.00")
    assert [r[0] for r in rows] == list(range(1, 11))


# --- lifecycle ------------------------------------------------------------------------------


def test_lifecycle_counts_agree_with_the_contacts_lifecycle(
    database: Database, contact_factory: ContactFactory
) -> None:
    prospect = contact_factory()
    new = contact_factory()
    repeat = contact_factory()
    lapsed = contact_factory()
    del prospect
    purchases.record_purchase(database, new, PurchaseInput(TODAY, "Tea", "1"), today=TODAY)
    for day in (date(2026, 1, 2), date(2026, 3, 1)):
        purchases.record_purchase(database, repeat, PurchaseInput(day, "Tea", "1"), today=TODAY)
    purchases.record_purchase(
        database, lapsed, PurchaseInput(date(2025, 10, 1), "Tea", "1"), today=TODAY
    )

    _headers, rows = _rows("lifecycle", database, today=TODAY)

    counts = {r[0]: r[2] for r in rows}
    assert [r[0] for r in rows] == [s.value for s in Lifecycle]
    expected = {
        s.value: sum(
            1 for c in (new, repeat, lapsed) if purchases.contact_lifecycle(database, c, TODAY) == s
        )
        for s in Lifecycle
    }
    expected[Lifecycle.PROSPECTIVE.value] += 1
    assert counts == expected
    assert counts[Lifecycle.REPEAT.value] == 1
    assert counts[Lifecycle.LAPSED_SHORT.value] == 1


def test_lifecycle_counts_read_from_the_stored_status_agree_with_working_it_out(
    database: Database, contact_factory: ContactFactory
) -> None:
    today = local_today()
    ids = [contact_factory() for _ in range(6)]
    days_ago = (0, 20, 100, 200, 400, 800)
    for cid, ago in zip(ids, days_ago, strict=True):
        day = today - timedelta(days=ago)
        purchases.record_purchase(database, cid, PurchaseInput(day, "Tea", "1"), today=today)
    purchases.record_purchase(database, ids[1], PurchaseInput(today, "Tea", "2"), today=today)
    trash_contacts(database, [ids[0]])
    with database.reading() as session:
        assert lifecycle.stored_is_current(session, today)

    # Today's report reads the stored status: the same counts as working out each live
    # contact's status.
    _headers, rows = _rows("lifecycle", database, today=today)

    counts = {r[0]: r[2] for r in rows}
    expected = {
        s.value: sum(1 for c in ids[1:] if purchases.contact_lifecycle(database, c, today) == s)
        for s in Lifecycle
    }
    assert counts == expected
    assert counts[Lifecycle.REPEAT.value] == 1
    assert counts[Lifecycle.WIN_BACK.value] == 2  # 400 and 800 days ago


# --- touches --------------------------------------------------------------------------------


def test_touches_by_month_counts_touches_at_any_stage_or_none(
    database: Database, contact_factory: ContactFactory
) -> None:
    """Touches with no stage recorded, or at a stage of another journey model, count too: the
    report asks for every medium at every stage, and none may be missed."""
    cid = contact_factory()
    for month, medium in ((1, Medium.EMAIL), (1, Medium.VIDEO), (2, Medium.MAIL), (3, Medium.GIFT)):
        when = datetime(2026, month, 15, 12, tzinfo=UTC)
        log_touch(database, TouchInput(contact_id=cid, medium=medium, occurred_at=when), now=when)
    with database.write_session.begin() as session:
        active = session.scalar(select(Touch.stage_id).limit(1))
        model = select(Stage.model_id).where(Stage.id == active).scalar_subquery()
        other = session.scalar(select(Stage.id).where(Stage.model_id != model).limit(1))
        first, second, *_rest = session.scalars(select(Touch).order_by(Touch.id))
        first.stage_id = None
        second.stage_id = other
    _h, rows = _rows(
        "touches-by-month", database, today=TODAY, since=date(2026, 1, 1), until=date(2026, 3, 31)
    )
    assert [(r[0], r[-1]) for r in rows] == [("2026-01", 2), ("2026-02", 1), ("2026-03", 1)]
    per_month = _sql(
        database,
        "SELECT strftime('%Y-%m', occurred_at, 'localtime'), medium, count(*) FROM touch "
        "GROUP BY 1, 2",
    )
    got = {(r[0], medium.value): r[_h.index(medium.label)] for r in rows for medium in Medium}
    assert {k: v for k, v in got.items() if v} == {(m, md): n for m, md, n in per_month}


def test_touches_by_month_in_local_months(
    new_york: None, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    gone = contact_factory()
    # 1 February 03:00 UTC is still 31 January in New York.
    for when, medium, who in (
        (datetime(2026, 2, 1, 3, tzinfo=UTC), Medium.EMAIL, cid),
        (datetime(2026, 2, 1, 6, tzinfo=UTC), Medium.PHONE, cid),
        (datetime(2026, 1, 1, 4, tzinfo=UTC), Medium.GIFT, cid),  # 31 Dec 2025 locally
        (datetime(2026, 3, 3, 12, tzinfo=UTC), Medium.EMAIL, cid),
        (datetime(2026, 2, 10, 12, tzinfo=UTC), Medium.EMAIL, gone),
    ):
        log_touch(database, TouchInput(contact_id=who, medium=medium, occurred_at=when), now=when)
    trash_contacts(database, [gone])

    headers, rows = _rows(
        "touches-by-month", database, today=TODAY, since=date(2026, 1, 1), until=date(2026, 3, 31)
    )

    assert headers == ("Month", *(m.label for m in Medium), "Total")
    email, phone = headers.index("Email"), headers.index("Phone")
    assert [(r[0], r[email], r[phone], r[-1]) for r in rows] == [
        ("2026-01", 1, 0, 1),
        ("2026-02", 0, 1, 1),
        ("2026-03", 1, 0, 1),
    ]
    # All time starts at the first touch's local month (December 2025).
    _h, everything = _rows("touches-by-month", database, today=TODAY)
    assert everything[0][0] == "2025-12" and everything[0][-1] == 1
    # Direct SQL: the same number of live touches.
    (total,) = _sql(
        database,
        "SELECT count(*) FROM touch t JOIN contact c ON c.id = t.contact_id "
        "WHERE c.deleted_at IS NULL",
    )
    assert sum(r[-1] for r in everything) == total[0]
