"""The sample-data generator: realistic, reproducible, valid, and all-or-nothing."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from db import contacts, demo, settings
from db.domain import Direction, Medium, StageRole
from db.engine import Database, open_database
from db.journeys import BUILTIN_KEYS, active_stages
from db.models import (
    Base,
    Contact,
    ContactEmail,
    Feedback,
    FeedbackAnswer,
    Followup,
    PlanStep,
    Purchase,
    StageChange,
    Touch,
)

NOW = datetime(2026, 3, 2, 15, 30, 12, tzinfo=UTC)
# Tables the generator writes to; the others hold what opening a database seeded.
DEMO_TABLES = (
    "contact",
    "contact_email",
    "contact_phone",
    "tag",
    "contact_tag",
    "stage_change",
    "touch",
    "followup",
    "plan_step",
    "purchase",
    "feedback_question",
    "feedback",
    "feedback_answer",
)


def _generate(database: Database, **kwargs: Any) -> demo.DemoSummary:
    options: dict[str, Any] = {"contacts": 120, "seed": 1, "touches_per_contact": 6.0, "now": NOW}
    options.update(kwargs)
    return demo.generate(database, **options)


def _row_counts(database: Database) -> dict[str, int]:
    with database.reading() as session:
        counts = {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }
        counts["contact_fts"] = int(session.scalar(text("SELECT count(*) FROM contact_fts")) or 0)
    return counts


def _dump(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    with database.reading() as session:
        return {
            table.name: [
                tuple(row)
                for row in session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
            if table.name in DEMO_TABLES
        }


@pytest.fixture
def other_database(tmp_path: Path) -> Any:
    database = open_database(tmp_path / "other.sqlite")
    yield database
    database.close()


def test_every_table_gets_rows(database: Database) -> None:
    summary = _generate(database)

    counts = _row_counts(database)
    assert {name: n for name, n in counts.items() if n == 0} == {}
    assert counts["contact"] == counts["contact_fts"] == summary.contacts == 120
    assert counts["touch"] == summary.touches
    assert counts["stage_change"] == summary.stage_changes
    assert counts["purchase"] == summary.purchases
    assert counts["feedback"] == summary.feedback
    assert counts["followup"] == summary.followups
    assert counts["contact_tag"] == summary.tags


def test_same_seed_gives_the_same_data(database: Database, other_database: Database) -> None:
    _generate(database, seed=42)
    _generate(other_database, seed=42)

    assert _dump(database) == _dump(other_database)


def test_another_seed_gives_other_data(database: Database, other_database: Database) -> None:
    _generate(database, seed=1)
    _generate(other_database, seed=2)

    first, second = _dump(database), _dump(other_database)
    assert first["contact"] != second["contact"]
    assert first["touch"] != second["touch"]


def test_generated_contacts_pass_the_forms_validation(database: Database) -> None:
    _generate(database)

    with database.reading() as session:
        ids = list(session.scalars(select(Contact.id)))
    for contact_id in ids:
        detail = contacts.get_contact(database, contact_id)
        assert contacts.validate(contacts.normalise(detail)) == {}, detail
        assert detail.emails, "every contact can be emailed"
        assert all(e.address.isascii() for e in detail.emails)
        assert len(detail.name.split()) == 2


def test_emails_use_the_company_domain(database: Database) -> None:
    _generate(database)

    with database.reading() as session:
        rows = session.execute(
            select(Contact.company, ContactEmail.address)
            .join(ContactEmail, ContactEmail.contact_id == Contact.id)
            .where(ContactEmail.label == "work")
        )
        work = list(rows)
    assert work
    for company, address in work:
        domain = address.split("@")[1]
        first_word = company.split()[0].casefold()
        if first_word != "the" and first_word.isascii() and first_word.isalpha():
            assert domain.startswith(first_word), (company, address)


def test_last_touch_is_the_newest_touch(database: Database) -> None:
    _generate(database)

    with database.reading() as session:
        newest: dict[int, tuple[datetime, str]] = {}
        for contact_id, occurred_at, medium in session.execute(
            select(Touch.contact_id, Touch.occurred_at, Touch.medium).order_by(
                Touch.occurred_at, Touch.id
            )
        ):
            newest[contact_id] = (occurred_at, medium)
        stored = list(
            session.execute(select(Contact.id, Contact.last_touch_at, Contact.last_touch_medium))
        )
    assert newest, "touches were made"
    for contact_id, last_at, last_medium in stored:
        assert (last_at, last_medium) == newest.get(contact_id, (None, None))


def test_touches_cover_two_years_every_medium_and_both_directions(database: Database) -> None:
    summary = _generate(database)

    with database.reading() as session:
        rows = list(session.execute(select(Touch.medium, Touch.direction, Touch.occurred_at)))
    assert {medium for medium, _, _ in rows} == {m.value for m in Medium}
    assert {direction for _, direction, _ in rows} == {d.value for d in Direction}
    times = [at for _, _, at in rows]
    assert NOW - timedelta(days=demo.HISTORY_DAYS) <= min(times)
    assert max(times) <= NOW
    assert max(times) - min(times) > timedelta(days=600)
    # The mean is what was asked for, give or take the randomness of 120 contacts.
    assert 4.0 < summary.touches / summary.contacts < 8.0


@pytest.mark.parametrize("model_key", BUILTIN_KEYS)
def test_stages_follow_the_active_model(database: Database, model_key: str) -> None:
    with database.write_session.begin() as session:
        settings.put(session, settings.ACTIVE_MODEL, model_key)
    _generate(database, contacts=200)

    with database.reading() as session:
        stages = active_stages(session)
        stage_ids = {s.id for s in stages}
        changes: dict[int, list[tuple[datetime, int | None, str]]] = defaultdict(list)
        for contact_id, changed_at, to_stage, reason in session.execute(
            select(
                StageChange.contact_id,
                StageChange.changed_at,
                StageChange.to_stage_id,
                StageChange.reason,
            ).order_by(StageChange.contact_id, StageChange.changed_at, StageChange.id)
        ):
            changes[contact_id].append((changed_at, to_stage, reason))
        people = list(
            session.execute(
                select(Contact.id, Contact.stage_id, Contact.stage_entered_at, Contact.created_at)
            )
        )
        touches = list(session.execute(select(Touch.contact_id, Touch.occurred_at, Touch.stage_id)))

    for contact_id, stage_id, entered_at, created_at in people:
        history = changes[contact_id]
        assert history[0][0] == created_at
        assert history[-1][1] == stage_id
        assert history[-1][0] == entered_at
        assert stage_id in stage_ids
    position = {s.id: i for i, s in enumerate(stages)}
    backward = [
        (after[2])
        for history in changes.values()
        for before, after in itertools.pairwise(history)
        if position[after[1] or 0] < position[before[1] or 0]
    ]
    assert all(reason for reason in backward), "a backward move always says why"

    # Each touch carries the stage the contact was at when it happened.
    for contact_id, occurred_at, stage_id in touches:
        assert stage_id in stage_ids
        at_the_time = [to for when, to, _ in changes[contact_id] if when <= occurred_at]
        assert stage_id == at_the_time[-1]

    # A funnel: more contacts in the first stage than in the last.
    per_stage = [sum(1 for _, s, _, _ in people if s == stage.id) for stage in stages]
    assert per_stage[0] > per_stage[-1]


def test_purchases_are_exact_amounts_in_the_settings_currency(database: Database) -> None:
    with database.write_session.begin() as session:
        settings.put(session, settings.CURRENCY, "EUR")
    _generate(database, contacts=200)

    with database.reading() as session:
        stages = active_stages(session)
        purchases = list(
            session.execute(
                select(Purchase.contact_id, Purchase.amount, Purchase.currency, Purchase.product)
            )
        )
        stage_of = dict(session.execute(select(Contact.id, Contact.stage_id)).all())
    assert purchases
    first_customer_stage = next(i for i, s in enumerate(stages) if StageRole.PURCHASE in s.roles)
    customer_stages = {s.id for s in stages[first_customer_stage:]}
    buyers: dict[int, int] = defaultdict(int)
    for contact_id, amount, currency, product in purchases:
        assert isinstance(amount, Decimal)
        assert amount == amount.quantize(Decimal("0.01"))
        assert amount > 0
        assert currency == "EUR"
        assert product
        assert stage_of[contact_id] in customer_stages
        buyers[contact_id] += 1
    assert any(n > 1 for n in buyers.values()), "some customers buy again"


def test_feedback_levels_follow_the_scores(database: Database) -> None:
    _generate(database, contacts=300)

    with database.reading() as session:
        scores: dict[int, list[int]] = defaultdict(list)
        for feedback_id, score in session.execute(
            select(FeedbackAnswer.feedback_id, FeedbackAnswer.score)
        ):
            scores[feedback_id].append(score)
        levels = dict(session.execute(select(Feedback.id, Feedback.level)).all())
    assert levels
    for feedback_id, level in levels.items():
        answers = scores[feedback_id]
        assert len(answers) == 3
        assert all(1 <= s <= 5 for s in answers)
        mean = sum(answers) / 3
        expected = (
            "highly_satisfied" if mean >= 4.5 else "satisfied" if mean >= 3 else "dissatisfied"
        )
        assert level == expected
    assert len(set(levels.values())) >= 2


def test_open_followups_and_cadence_set_the_next_followup_date(database: Database) -> None:
    _generate(database, contacts=300)

    with database.reading() as session:
        followups = list(
            session.execute(
                select(
                    Followup.contact_id,
                    Followup.due_on,
                    Followup.source,
                    Followup.status,
                    Followup.reason,
                )
            )
        )
        people = {
            cid: (next_on, dnc, cadence_on)
            for cid, next_on, dnc, cadence_on in session.execute(
                select(
                    Contact.id,
                    Contact.next_followup_on,
                    Contact.do_not_contact,
                    Contact.cadence_due_on,
                )
            )
        }
    assert followups
    earliest: dict[int, Any] = {}
    for contact_id, due_on, source, status, reason in followups:
        if status != "open":
            continue  # the history (test_followups_have_a_history_done_on_time_late_or_not)
        assert source in ("manual", "plan")
        if source == "plan":
            # A step of a 100-day plan started in the last five months.
            assert NOW.date() - timedelta(days=150) <= due_on <= NOW.date() + timedelta(days=100)
        elif not reason.startswith("Their season starts soon"):
            # The owner's own (those of the past weeks may still be open); a seasonal
            # customer's comes before their next season.
            assert NOW.date() - timedelta(days=45) <= due_on <= NOW.date() + timedelta(days=14)
        earliest[contact_id] = min(due_on, earliest.get(contact_id, due_on))
    assert sum(cadence_on is not None for _n, _d, cadence_on in people.values()) > 200
    for contact_id, (next_on, do_not_contact, cadence_on) in people.items():
        if do_not_contact:
            assert next_on is None
        else:
            dates = [d for d in (earliest.get(contact_id), cadence_on) if d is not None]
            assert next_on == (min(dates) if dates else None)


def test_followups_have_a_history_done_on_time_late_or_not(database: Database) -> None:
    _generate(database, contacts=300)

    with database.reading() as session:
        rows = list(
            session.execute(
                select(
                    Followup.contact_id,
                    Followup.due_on,
                    Followup.source,
                    Followup.status,
                    Followup.completed_at,
                    Followup.created_at,
                    Followup.plan_step_id,
                    Contact.first_purchase_on,
                    Contact.do_not_contact,
                ).join(Contact, Contact.id == Followup.contact_id)
            )
        )
        steps = dict(session.execute(select(PlanStep.id, PlanStep.day_offset)).all())
    kinds: dict[tuple[str, str], int] = {}
    for _cid, due_on, source, status, completed, created, step, first, dnc in rows:
        assert not dnc or status != "open"
        assert created <= NOW
        if status == "done":
            assert completed is not None and created <= completed <= NOW
            kind = "on time" if completed.date() <= due_on else "late"
        else:
            assert completed is None
            kind = status if status != "open" or due_on >= NOW.date() else "overdue"
        kinds[(source, kind)] = kinds.get((source, kind), 0) + 1
        if source == "plan":
            # One follow-up per step, counted from the first purchase.
            assert first is not None and step is not None
            assert due_on == first + timedelta(days=steps[step])
    # Every way a follow-up can go, for the owner's own and for 100-day plan steps.
    for source in ("manual", "plan"):
        for kind in ("on time", "late", "cancelled", "overdue"):
            assert kinds.get((source, kind), 0) > 0, (source, kind)
    assert kinds[("manual", "on time")] > kinds[("manual", "late")]
    assert kinds.get(("plan", "open"), 0) > 0  # steps still to come


def test_referrals_point_at_earlier_contacts(database: Database) -> None:
    _generate(database, contacts=300)

    with database.reading() as session:
        pairs = list(
            session.execute(
                select(Contact.id, Contact.referred_by_id).where(
                    Contact.referred_by_id.is_not(None)
                )
            )
        )
        centres = session.scalar(select(func.count()).where(Contact.centre_of_influence.is_(True)))
    assert 10 <= len(pairs) <= 60
    assert all(referrer is not None and referrer < cid for cid, referrer in pairs)
    assert centres


def test_templates_are_seeded_once(database: Database) -> None:
    _generate(database, contacts=20)
    _generate(database, contacts=20, seed=2)

    with database.reading() as session:
        days = list(session.scalars(select(PlanStep.day_offset).order_by(PlanStep.position)))
        questions = session.scalar(text("SELECT count(*) FROM feedback_question"))
    assert days == [1, 3, 14, 45, 75, 100]
    assert questions == 3


def test_adds_to_a_database_that_already_has_contacts(
    database: Database, contact_factory: Any
) -> None:
    mine = contact_factory(name="Ada Owner", company="Harbour Bakery")
    before = _row_counts(database)

    first = _generate(database, contacts=30)
    second = _generate(database, contacts=30, seed=9)

    after = _row_counts(database)
    assert after["contact"] == before["contact"] + 60
    assert after["touch"] == before["touch"] + first.touches + second.touches
    assert after["tag"] == before["tag"] + len(demo.TAG_NAMES)  # tags are reused
    assert contacts.get_contact(database, mine).name == "Ada Owner"


def test_cancelling_leaves_the_database_as_it_was(database: Database) -> None:
    _generate(database, contacts=20)
    before = _row_counts(database)
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < total // 2

    with pytest.raises(demo.DemoCancelledError):
        _generate(database, contacts=200, seed=5, progress=progress)

    assert _row_counts(database) == before
    assert calls[-1][0] >= 100


def test_cancelling_before_anything_leaves_the_database_as_it_was(database: Database) -> None:
    before = _row_counts(database)
    with pytest.raises(demo.DemoCancelledError):
        _generate(database, progress=lambda done, total: False)

    assert _row_counts(database) == before
    # A new database has only its templates: the 100-day plan, nothing else of the demo's.
    assert {name: before[name] for name in DEMO_TABLES if name != "plan_step"} == dict.fromkeys(
        [name for name in DEMO_TABLES if name != "plan_step"], 0
    )


def test_progress_is_reported_regularly_and_at_the_end(database: Database) -> None:
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return True

    _generate(database, contacts=500, touches_per_contact=1.0, progress=progress)

    assert calls[-1] == (500, 500)
    assert all(total == 500 for _, total in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done)
    assert max(b - a for a, b in itertools.pairwise(done)) <= 500 * 0.02


def test_search_finds_a_generated_contact_by_company(database: Database) -> None:
    _generate(database, contacts=50)

    with database.reading() as session:
        contact_id, company = session.execute(
            select(Contact.id, Contact.company).where(Contact.company != "").limit(1)
        ).one()
    rows = contacts.contact_rows(database, contacts.ContactQuery(text=company), 0, 500)
    assert contact_id in {row.id for row in rows}


@pytest.mark.parametrize("count", [0, -3, demo.MAX_CONTACTS + 1])
def test_refuses_an_impossible_number_of_contacts(database: Database, count: int) -> None:
    with pytest.raises(ValueError, match="between 1 and"):
        demo.generate(database, contacts=count)
    assert _row_counts(database)["contact"] == 0


@pytest.mark.parametrize("touches", [-1.0, float("nan"), float("inf")])
def test_refuses_an_impossible_number_of_touches(database: Database, touches: float) -> None:
    with pytest.raises(ValueError, match="touches per contact"):
        demo.generate(database, contacts=5, touches_per_contact=touches)


def test_refuses_a_naive_now(database: Database) -> None:
    with pytest.raises(ValueError, match="aware"):
        demo.generate(database, contacts=5, now=datetime(2026, 1, 1))  # noqa: DTZ001
