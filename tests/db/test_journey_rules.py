"""The journey rules against crafted databases: one test per way a stage used to contradict
what Touchbase knows about a contact, plus the SQL and Python placements agreeing."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from db import (
    automation,
    contacts,
    derived,
    followups,
    journeys,
    purchases,
    seasons,
    stages,
    today,
    touches,
    value,
)
from db import settings as db_settings
from db.clock import local_today
from db.domain import Direction, Medium
from db.engine import Database, open_database
from db.export import ExportOptions, build, load_reports
from db.lifecycle import Lifecycle
from db.models import Contact, Followup, JourneyModel, Stage, StageChange
from db.purchases import PurchaseInput
from db.reports.followups import followup_events
from db.rules import Facts, JourneyRules, Regular, ResolvedRules
from db.touches import TouchInput
from tests.conftest import ContactFactory

TODAY = local_today()
NOW = datetime.now(UTC)


def use_model(database: Database, key: str) -> None:
    with database.write_session.begin() as session:
        db_settings.put(session, db_settings.ACTIVE_MODEL, key)


def stage_ids(database: Database) -> dict[str, int]:
    with database.reading() as session:
        return {s.key: s.id for s in journeys.active_stages(session)}


def stage_key(database: Database, cid: int) -> str | None:
    with database.reading() as session:
        contact = session.get(Contact, cid)
        assert contact is not None
        return contact.stage.key if contact.stage else None


def buy(database: Database, cid: int, on: date, product: str = "Bread") -> purchases.Recorded:
    return purchases.record_purchase(
        database, cid, PurchaseInput(on, product, "10.00"), now=NOW, today=TODAY
    )


def last_reason(database: Database, cid: int) -> str:
    with database.reading() as session:
        reason = session.scalar(
            select(StageChange.reason)
            .where(StageChange.contact_id == cid)
            .order_by(StageChange.id.desc())
            .limit(1)
        )
    return str(reason)


def flagged(database: Database) -> set[int]:
    with database.reading() as session:
        return set(automation.contradicting_ids(session, TODAY))


QUALIFIED = {"has_need": True, "has_budget": True, "has_urgency": True}


# --- Qualification ----------------------------------------------------------------------


def test_three_criteria_make_a_prospect(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(**QUALIFIED)
    assert stage_key(database, cid) == "prospect"
    assert last_reason(database, cid) == "3 of 4 criteria"
    assert flagged(database) == set()


def test_ticking_the_third_criterion_moves_a_suspect_on(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(has_need=True)
    assert stage_key(database, cid) == "suspect"
    detail = contacts.get_contact(database, cid)
    data = contacts.ContactInput(
        name=detail.name, has_need=True, has_budget=True, is_decision_maker=True
    )
    contacts.update_contact(database, cid, data)
    assert stage_key(database, cid) == "prospect"


def test_a_prospect_with_two_criteria_is_flagged_and_fixed(
    database: Database, contact_factory: ContactFactory
) -> None:
    ids = stage_ids(database)
    cid = contact_factory(has_need=True, has_budget=True, stage_id=ids["prospect"])
    assert stage_key(database, cid) == "prospect"  # the owner put them there
    assert flagged(database) == {cid}
    conflict = automation.conflict_of(database, cid, TODAY)
    assert conflict is not None and conflict.target_label == "Suspect" and conflict.backward
    assert "only 2 of 4 qualification criteria" in conflict.message
    # The contacts filter finds the same contact.
    query = contacts.ContactQuery(contradicts=True, today=TODAY)
    assert contacts.count_contacts(database, query) == 1
    automation.fix_stages(database, [cid], TODAY)
    assert stage_key(database, cid) == "suspect"
    assert flagged(database) == set()


def test_automation_never_moves_a_contact_the_owner_placed_further_along(
    database: Database, contact_factory: ContactFactory
) -> None:
    ids = stage_ids(database)
    cid = contact_factory(stage_id=ids["loyal_customer"])
    for day in (1, 2, 3):
        buy(database, cid, TODAY - timedelta(days=day))
    assert stage_key(database, cid) == "loyal_customer"


# --- Regular buying -----------------------------------------------------------------------


def test_one_repeat_purchase_is_not_a_loyal_customer(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    buy(database, cid, TODAY - timedelta(days=200))
    buy(database, cid, TODAY - timedelta(days=10))
    assert stage_key(database, cid) == "customer"
    buy(database, cid, TODAY)
    assert stage_key(database, cid) == "loyal_customer"
    assert last_reason(database, cid) == "3rd purchase in 12 months"


def test_regular_buying_follows_settings(
    database: Database, contact_factory: ContactFactory
) -> None:
    with database.write_session.begin() as session:
        db_settings.put(session, db_settings.REGULAR_PURCHASES, 2)
        db_settings.put(session, db_settings.REGULAR_WINDOW_DAYS, 60)
    cid = contact_factory()
    buy(database, cid, TODAY - timedelta(days=90))
    buy(database, cid, TODAY)
    assert stage_key(database, cid) == "customer"  # 90 days apart: not within 60
    buy(database, cid, TODAY)
    assert stage_key(database, cid) == "loyal_customer"
    assert last_reason(database, cid) == "2nd purchase in 60 days"


def test_a_loyal_contact_with_one_purchase_is_flagged(
    database: Database, contact_factory: ContactFactory
) -> None:
    ids = stage_ids(database)
    with database.write_session.begin() as session:
        db_settings.put(session, db_settings.STAGE_AUTOMATION, False)
    cid = contact_factory()
    buy(database, cid, TODAY)
    stages.set_stage(database, [cid], ids["loyal_customer"])
    conflict = automation.conflict_of(database, cid, TODAY)
    assert conflict is not None and conflict.target_label == "Customer"
    assert flagged(database) == {cid}


# --- Customer experience ----------------------------------------------------------------


def test_the_sale_is_admit_and_a_repeat_purchase_jumps_no_phase(
    database: Database, contact_factory: ContactFactory
) -> None:
    use_model(database, "customer_experience")
    cid = contact_factory()
    assert buy(database, cid, TODAY).moved_to == "Admit"
    with database.reading() as session:
        phases = list(
            session.scalars(select(Followup.plan_step_id).where(Followup.contact_id == cid))
        )
    assert len(phases) == 6
    buy(database, cid, TODAY)
    assert stage_key(database, cid) == "admit"
    # The plan moves the contact through the phases, never backward.
    stages.set_stage(database, [cid], stage_ids(database)["activate"])
    buy(database, cid, TODAY)
    assert stage_key(database, cid) == "activate"
    assert flagged(database) == set()


# --- Lifecycle model --------------------------------------------------------------------


def test_lifecycle_stage_follows_the_status_every_day(
    database: Database, contact_factory: ContactFactory
) -> None:
    use_model(database, "customer_lifecycle")
    cid = contact_factory()
    buy(database, cid, TODAY - timedelta(days=381))
    buy(database, cid, TODAY - timedelta(days=380))
    # Recorded today, both purchases are already 380 days old: inactive, not repeat.
    assert stage_key(database, cid) == "inactive"
    # A contact placed at Repeat by hand drifts from its status: the day's check moves it.
    ids = stage_ids(database)
    stages.set_stage(database, [cid], ids["repeat_loyal"], reason="by hand")
    assert flagged(database) == {cid}
    assert automation.keep_in_step(database, TODAY) == 1
    assert stage_key(database, cid) == "inactive"
    assert last_reason(database, cid) == "Lifecycle: Inactive — win back"
    # Time passes for a new customer: New, then Active, then Lapsed.
    other = contact_factory()
    buy(database, other, TODAY)
    assert stage_key(database, other) == "new"
    automation.keep_in_step(database, TODAY + timedelta(days=60))
    assert stage_key(database, other) == "active"
    automation.keep_in_step(database, TODAY + timedelta(days=120))
    assert stage_key(database, other) == "lapsed"


# --- Funnel -------------------------------------------------------------------------------


def funnel_rows(database: Database) -> list[dict[str, str]]:
    report = build(load_reports()["funnel"], database, ExportOptions(today=TODAY))
    return [{k: str(c) for k, c in zip(report.headers, row, strict=True)} for row in report.rows]


def test_funnel_counts_skipped_stages_as_passed(
    database: Database, contact_factory: ContactFactory
) -> None:
    use_model(database, "customers_for_life")
    ids = stage_ids(database)
    # Lead → Purchase straight away, and Lead → Trial by hand then a purchase.
    a = contact_factory()
    buy(database, a, TODAY)
    b = contact_factory()
    stages.set_stage(database, [b], ids["trial"])
    buy(database, b, TODAY)
    rows = {r["Stage"]: r for r in funnel_rows(database)}
    assert rows["Lead"]["Ever reached"] == "2"
    assert rows["Capture"]["Ever reached"] == "2"
    assert rows["Lead"]["Conversion to next %"] == "100.0"
    assert rows["Trial"]["Ever reached"] == "2"
    assert rows["Trial"]["Conversion to next %"] == "100.0"
    reached = [int(r["Ever reached"]) for r in funnel_rows(database)]
    assert reached == sorted(reached, reverse=True)


def test_stuck_counts_agree_between_funnel_and_today(
    database: Database, contact_factory: ContactFactory
) -> None:
    a = contact_factory()
    b = contact_factory(do_not_contact=True)
    with database.write_session.begin() as session:
        session.execute(
            update(Contact)
            .where(Contact.id.in_([a, b]))
            .values(stage_entered_at=NOW - timedelta(days=400))
        )
        derived.refresh_schedule(session, [a, b])
    funnel_stuck = sum(int(r["Stuck"]) for r in funnel_rows(database))
    assert funnel_stuck == 1
    assert today.counts(database, TODAY).stuck == 1


# --- Back-dated purchases and value ---------------------------------------------------------


def test_a_back_dated_first_purchase_skips_the_past_plan_steps(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    recorded = buy(database, cid, TODAY - timedelta(days=500))
    assert recorded.skipped_steps == 6
    with database.reading() as session:
        open_overdue = session.scalar(
            select(func.count())
            .select_from(Followup)
            .where(Followup.contact_id == cid, Followup.status == "open", Followup.due_on < TODAY)
        )
    assert open_overdue == 0
    other = contact_factory()
    assert buy(database, other, TODAY - timedelta(days=10)).skipped_steps == 2


def test_do_not_contact_predicts_nothing_and_win_back_is_at_stake(
    database: Database, contact_factory: ContactFactory
) -> None:
    live = contact_factory()
    banned = contact_factory(do_not_contact=True)
    lost = contact_factory()
    for cid in (live, banned):
        buy(database, cid, TODAY - timedelta(days=20))
    buy(database, lost, TODAY - timedelta(days=500))
    assert value.contact_value(database, live, TODAY).predicted > 0
    assert value.contact_value(database, banned, TODAY).predicted == 0
    lost_value = value.contact_value(database, lost, TODAY)
    assert lost_value.predicted == 0 and lost_value.at_stake > 0
    base = value.base_value(database, TODAY)
    assert base.predicted_total == value.contact_value(database, live, TODAY).predicted
    assert base.at_stake_total == lost_value.at_stake


# --- SQL and Python agree, and automation never contradicts -------------------------------

MODELS = journeys.BUILTIN_KEYS


@st.composite
def histories(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, list[tuple[int, int]]]]]:
    model = draw(st.sampled_from(MODELS))
    people = draw(
        st.lists(
            st.tuples(
                st.integers(0, 4),  # criteria ticked
                st.integers(-1, 9),  # stage the owner put them on (-1: first stage)
                st.lists(st.tuples(st.integers(0, 900), st.integers(0, 2)), max_size=6),
            ),
            min_size=1,
            max_size=5,
        )
    )
    return model, people


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(histories())
def test_after_automation_no_stage_contradicts_the_facts(
    tmp_path_factory: pytest.TempPathFactory,
    history: tuple[str, list[tuple[int, int, list[tuple[int, int]]]]],
) -> None:
    model, people = history
    database = open_database(tmp_path_factory.mktemp("h") / "t.sqlite")
    try:
        use_model(database, model)
        ids = list(stage_ids(database).values())
        made = []
        for criteria, placed, bought in people:
            stage_id = ids[placed] if 0 <= placed < len(ids) else None
            data = contacts.ContactInput(
                name="Someone",
                stage_id=stage_id,
                has_need=criteria > 0,
                has_budget=criteria > 1,
                has_urgency=criteria > 2,
                is_decision_maker=criteria > 3,
            )
            cid = contacts.create_contact(database, data)
            for days_ago, product in bought:
                buy(database, cid, TODAY - timedelta(days=days_ago), f"Product {product}")
            made.append(cid)
        automation.keep_in_step(database, TODAY)
        # Owners may have placed contacts further along than the facts allow; automation
        # only raises, so nobody is behind, and the fix clears the rest.
        with database.reading() as session:
            rules = automation.active_rules(session)
            assert rules is not None
            facts = automation.facts_of(session, made, TODAY, rules.regular)
            sql_flagged = set(automation.contradicting_ids(session, TODAY))
        python_flagged = set()
        for cid, (stage_id, fact) in facts.items():
            placement = rules.resolved.placement(fact, rules.regular)
            position = rules.position(stage_id)
            assert position >= placement.low, (cid, fact, position, placement)
            if not placement.allows(position):
                python_flagged.add(cid)
        assert sql_flagged == python_flagged
        automation.fix_stages(database, made, TODAY)
        assert flagged(database) == set()
        for row in funnel_rows(database):
            pct = row["Conversion to next %"]
            if pct:
                assert 0 <= Decimal(pct) <= 100
    finally:
        database.close()


def test_placement_of_each_builtin_model() -> None:
    regular = Regular()
    for key in MODELS:
        spec = journeys.builtin_model(key)
        resolved = ResolvedRules.of(spec.rules, [s.key for s in spec.stages])
        assert not resolved.empty, key
        nothing = resolved.placement(Facts(), regular)
        assert nothing.low <= 0 <= nothing.high
    assert JourneyRules.loads("not json") == JourneyRules()


# --- Lapse and seasons ----------------------------------------------------------------------


def lifecycle_now(database: Database, cid: int, day: date = TODAY) -> Lifecycle:
    return purchases.contact_lifecycle(database, cid, day)


def test_an_inbound_touch_keeps_a_customer_from_lapsing(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    buy(database, cid, TODAY - timedelta(days=120))
    buy(database, cid, TODAY - timedelta(days=100))
    assert lifecycle_now(database, cid) is Lifecycle.LAPSED_SHORT
    yesterday = NOW - timedelta(days=1)
    touches.log_touch(database, TouchInput(cid, Medium.EMAIL, yesterday), now=NOW)
    assert lifecycle_now(database, cid) is Lifecycle.LAPSED_SHORT  # the owner's own: no
    touches.log_touch(
        database, TouchInput(cid, Medium.PHONE, yesterday, Direction.INBOUND), now=NOW
    )
    assert lifecycle_now(database, cid) is Lifecycle.REPEAT
    query = contacts.ContactQuery(lifecycle="repeat", today=TODAY)
    assert contacts.count_contacts(database, query) == 1


def test_seasons_are_recognised_from_the_months_bought_in() -> None:
    assert seasons.detect([(2024, 4), (2025, 5), (2025, 4)]) == (4, 5)
    assert seasons.detect([(2024, 12), (2026, 1)]) == (12, 1)
    assert seasons.detect([(2025, 4), (2025, 5)]) is None  # one year is not a pattern
    assert seasons.detect([(2024, 1), (2025, 6)]) is None
    assert seasons.describe("12,1") == "December to January"


def test_a_seasonal_customer_out_of_season_is_seasonal_not_lapsed(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    this_year = TODAY.year
    for year in (this_year - 2, this_year - 1):
        buy(database, cid, date(year, 4, 20), "Tune-up")
        buy(database, cid, date(year, 5, 3), "Tune-up")
    with database.reading() as session:
        contact = session.get(Contact, cid)
        assert contact is not None and contact.season == "4,5"
    autumn = date(this_year - 1, 10, 1)
    assert lifecycle_now(database, cid, autumn) is Lifecycle.SEASONAL
    # In season again and nothing bought for a year: lapsed after all.
    assert lifecycle_now(database, cid, date(this_year, 4, 28)) is Lifecycle.LAPSED_LONG
    # A follow-up three weeks before the next season, once.
    with database.write_session.begin() as session:
        assert automation.plan_season_followups(session, autumn) == 1
        assert automation.plan_season_followups(session, autumn) == 0
        session.execute(update(Followup).values(status="done"))
        # Done: not planned again for the same season, but for the next one.
        assert automation.plan_season_followups(session, autumn + timedelta(days=30)) == 0
        assert automation.plan_season_followups(session, date(this_year, 6, 1)) == 1
    with database.reading() as session:
        due = session.scalar(
            select(func.min(Followup.due_on)).where(
                Followup.reason.like("Their season starts soon%")
            )
        )
    assert due == date(this_year, 4, 1) - timedelta(days=21)


# --- Key dates ------------------------------------------------------------------------------


def test_key_dates_plan_follow_ups_ahead_suggesting_a_gift_or_a_card(
    database: Database, contact_factory: ContactFactory
) -> None:
    soon = TODAY + timedelta(days=10)
    later = TODAY + timedelta(days=120)
    cid = contact_factory(
        name="Ann",
        key_dates=(
            contacts.KeyDateData("birthday", soon.replace(year=1980)),
            contacts.KeyDateData("occasion", later.replace(year=2015), "Shop opening"),
        ),
    )
    detail = contacts.get_contact(database, cid)
    assert [k.kind for k in detail.key_dates] == ["birthday", "occasion"]
    with database.reading() as session:
        planned = session.execute(
            select(Followup.due_on, Followup.reason, Followup.suggested_medium).where(
                Followup.contact_id == cid, Followup.status == "open"
            )
        ).all()
    # The birthday is within two weeks: due today; the occasion is months away: not yet.
    assert planned == [(TODAY, automation.key_date_reason("birthday", "", soon), "gift")]
    assert contacts.get_contact(database, cid).next_followup_on == TODAY
    # The daily check plans nothing twice, not even once the owner has done it.
    with database.write_session.begin() as session:
        assert automation.plan_key_date_followups(session, TODAY) == 0
    # The follow-ups export and the calendar file carry it.
    report = build(load_reports()["followups"], database, ExportOptions(today=TODAY))
    assert any("Birthday on" in str(cell) for row in report.rows for cell in row)
    events = list(followup_events(database, ExportOptions(today=TODAY)))
    assert any(
        "Birthday on" in e.description and "Suggested: Gift" in e.description for e in events
    )
    with database.reading() as session:
        birthday_id = session.scalar(select(Followup.id).where(Followup.contact_id == cid))
    assert birthday_id is not None
    followups.complete_followup(database, birthday_id)
    with database.write_session.begin() as session:
        assert automation.plan_key_date_followups(session, TODAY + timedelta(days=1)) == 0


def test_the_first_purchase_anniversary_is_remembered_by_default(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ben")
    first = (TODAY + timedelta(days=5)).replace(year=TODAY.year - 2)
    buy(database, cid, first)
    with database.write_session.begin() as session:
        assert automation.plan_key_date_followups(session, TODAY) == 1
    with database.reading() as session:
        reason = session.scalar(select(Followup.reason).where(Followup.reason.like("Anniversary%")))
    assert reason is not None and reason.startswith("Anniversary of their first purchase on")


def test_an_occasion_needs_a_label(database: Database) -> None:
    data = contacts.ContactInput(
        name="Cy", key_dates=(contacts.KeyDateData("occasion", TODAY, "  "),)
    )
    with pytest.raises(contacts.ValidationError) as raised:
        contacts.create_contact(database, data)
    assert raised.value.errors == {"key_dates": "Say what the occasion is."}


def test_switching_to_the_lifecycle_model_puts_each_contact_on_its_status(
    database: Database, contact_factory: ContactFactory
) -> None:
    old = contact_factory()
    buy(database, old, TODAY - timedelta(days=500))
    fresh = contact_factory()
    buy(database, fresh, TODAY)
    with database.reading() as session:
        target = {s.key: s.id for s in journeys.active_stages(session)}
        lifecycle_ids = [
            s.id
            for s in session.scalars(
                select(Stage)
                .join(JourneyModel)
                .where(JourneyModel.key == "customer_lifecycle")
                .order_by(Stage.position)
            )
        ]
    mapping = {target[key]: lifecycle_ids[0] for key in target}
    automation.activate_model(database, "customer_lifecycle", mapping, today=TODAY)
    assert stage_key(database, old) == "inactive"
    assert stage_key(database, fresh) == "new"
    assert flagged(database) == set()


def test_a_season_set_by_hand_stays_whatever_the_purchases_say(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Dee", season="12,1,2")
    buy(database, cid, TODAY - timedelta(days=30))
    detail = contacts.get_contact(database, cid)
    assert detail.season == "12,1,2" and detail.detected_season is None
    assert seasons.months_between(12, 2) == (12, 1, 2)
    # Cleared by hand: recognised from purchases again (one purchase: not seasonal).
    contacts.update_contact(database, cid, dataclasses.replace(_input(detail), season=None))
    detail = contacts.get_contact(database, cid)
    assert detail.season is None and detail.detected_season is None


def _input(detail: contacts.ContactDetail) -> contacts.ContactInput:
    return contacts.ContactInput(
        **{f.name: getattr(detail, f.name) for f in dataclasses.fields(contacts.ContactInput)}
    )
