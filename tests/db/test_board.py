"""The journey board's data: counts per stage and lazily paged cards with their badges."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import update

from db import board, derived, journeys
from db.contacts import ContactInput, ContactQuery, create_contact, trash_contacts
from db.domain import Qualification
from db.engine import Database
from db.models import Contact

ADDED = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _stages(database: Database) -> list[int]:
    with database.reading() as session:
        return [s.id for s in journeys.active_stages(session)]


def _add(database: Database, name: str, stage_id: int, **fields: object) -> int:
    data = ContactInput(name=name, stage_id=stage_id, **fields)  # type: ignore[arg-type]
    return create_contact(database, data, now=ADDED)


def test_counts_per_stage_leave_out_the_trash_and_follow_the_search(database: Database) -> None:
    suspect, prospect, customer, _loyal = _stages(database)
    for n in range(3):
        _add(database, f"Baker {n}", suspect)
    _add(database, "Florist", prospect)
    gone = _add(database, "Gone", customer)
    trash_contacts(database, [gone])

    assert board.stage_counts(database) == {suspect: 3, prospect: 1}
    assert board.stage_counts(database, ContactQuery(text="florist")) == {prospect: 1}


def test_cards_page_in_name_order(database: Database) -> None:
    suspect = _stages(database)[0]
    for name in ("Cleo", "Ada", "Ben", "Dan", "Eve"):
        _add(database, name, suspect)
    today = date(2026, 3, 2)

    first = board.cards(database, suspect, 0, 2, today=today)
    rest = board.cards(database, suspect, 2, 10, today=today)

    assert [c.name for c in first] == ["Ada", "Ben"]
    assert [c.name for c in rest] == ["Cleo", "Dan", "Eve"]


def test_cards_show_days_in_stage_and_badges_for_a_fixed_today(database: Database) -> None:
    _suspect, prospect, _customer, loyal = _stages(database)
    waiting = _add(database, "Waiting", prospect, has_need=True, has_budget=True, has_urgency=True)
    loyal_one = _add(database, "Loyal", loyal)

    def card(stage_id: int, today: date) -> board.Card:
        (only,) = board.cards(database, stage_id, 0, 10, today=today)
        return only

    fresh = card(prospect, date(2026, 3, 5))
    assert fresh.id == waiting
    assert fresh.days_in_stage == 3
    assert (fresh.overdue, fresh.stuck, fresh.at_risk) == (False, False, False)
    assert fresh.qualification == Qualification.PROSPECT

    # Prospect: cadence 7 days (follow-up due 9 March), dwell limit 45 days (16 April).
    late = card(prospect, date(2026, 4, 16))
    assert (late.overdue, late.stuck, late.at_risk) == (True, True, False)
    assert late.days_in_stage == 45

    # Loyal customer: cadence 12 days, no dwell limit; at risk once the cadence is overdue.
    assert card(loyal, date(2026, 3, 14)).at_risk is False
    slipping = card(loyal, date(2026, 3, 15))
    assert (slipping.at_risk, slipping.stuck) == (True, False)

    with database.write_session.begin() as session:
        session.execute(
            update(Contact)
            .where(Contact.id == loyal_one)
            .values(last_touch_at=datetime(2026, 3, 14, 9, tzinfo=UTC), last_touch_medium="phone")
        )
        derived.refresh_schedule(session, [loyal_one])
    touched = card(loyal, date(2026, 3, 15))
    assert touched.at_risk is False
    assert touched.last_touch_medium == "phone"
