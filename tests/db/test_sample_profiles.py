"""Sample data of one business: every profile on every journey model passes the same
consistency checks as the owner's own data, is marked, and can be removed in one step."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db import automation, contacts, demo, journeys, settings
from db.engine import Database, open_database
from db.export import ExportOptions, build, load_reports
from db.lifecycle import Lifecycle, contact_status_sql
from db.models import Contact, ContactPhone, Feedback, Purchase, Touch
from tests.conftest import ContactFactory

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
TODAY = date(2026, 6, 30)


@pytest.fixture
def other_database(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "other.sqlite")
    yield database
    database.close()


def check_consistency(database: Database, profile: demo.Profile) -> None:
    """What must hold of any sample: no stage contradicts its facts, the funnel never
    converts above 100 %, nobody is surveyed twice within the gap, and it is all the
    profile's one business."""
    with database.reading() as session:
        assert automation.contradicting_ids(session, TODAY) == []
        countries = set(session.scalars(select(Contact.country).distinct()))
        assert countries <= {profile.country, ""}
        products = set(session.scalars(select(Purchase.product).distinct()))
        assert products <= {p.name for p in profile.products}
        assert set(session.scalars(select(Purchase.currency).distinct())) == {profile.currency}
        assert session.scalar(select(func.count()).where(Contact.sample.is_(False))) == 0
        gap = settings.get(session, settings.SURVEY_INTERVAL_DAYS)
        asked: dict[int, list[date]] = defaultdict(list)
        for cid, day in session.execute(
            select(Feedback.contact_id, Feedback.received_on).order_by(Feedback.received_on)
        ):
            asked[cid].append(day)
        for days in asked.values():
            for earlier, later in itertools.pairwise(days):
                assert (later - earlier).days > gap
    report = build(load_reports()["funnel"], database, ExportOptions(today=TODAY))
    reached = []
    for row in report.rows:
        reached.append(int(str(row[3])))
        if row[4] != "":
            assert 0 <= Decimal(str(row[4])) <= 100
    assert reached == sorted(reached, reverse=True)


@pytest.mark.parametrize("model", journeys.BUILTIN_KEYS)
@pytest.mark.parametrize("profile", list(demo.PROFILES))
def test_every_profile_and_model_is_consistent(tmp_path: Path, profile: str, model: str) -> None:
    with open_database(tmp_path / "sample.sqlite") as database:
        summary = demo.generate(database, contacts=80, profile=profile, model=model, now=NOW)
        assert summary.contacts == 80 and summary.purchases > 0
        with database.reading() as session:
            assert settings.get(session, settings.ACTIVE_MODEL) == model
        check_consistency(database, demo.PROFILES[profile])


def test_a_sample_holds_inactive_do_not_contact_seasonal_and_neglected_customers(
    database: Database,
) -> None:
    demo.generate(database, contacts=600, profile="bike-shop", now=NOW)
    status = contact_status_sql(TODAY)
    with database.reading() as session:
        statuses = set(session.scalars(select(status).distinct()))
        assert Lifecycle.WIN_BACK.value in statuses
        assert session.scalar(select(func.count()).where(Contact.do_not_contact.is_(True)))
        seasonal = list(
            session.scalars(select(Contact.id).where(Contact.purchase_interval_days == 365))
        )
        assert seasonal
        months = set(
            session.scalars(
                select(func.strftime("%m", Purchase.purchased_on)).where(
                    Purchase.contact_id.in_(seasonal)
                )
            )
        )
        assert months <= {"04", "05"}
        neglected = session.scalar(
            select(func.count()).where(
                Contact.last_touch_at < NOW - timedelta(days=120),
                Contact.purchase_count > 0,
            )
        )
        assert neglected
        # Purchases follow the season: more sold in May than in January.
        by_month: dict[str, int] = dict(
            session.execute(
                select(func.strftime("%m", Purchase.purchased_on), func.count()).group_by(
                    func.strftime("%m", Purchase.purchased_on)
                )
            ).all()
        )
        assert by_month["05"] > by_month["01"]
        # A subscription or service comes back at its interval.
        tune_ups = session.scalar(select(func.count()).where(Purchase.product == "Tune-up"))
        road_bikes = session.scalar(select(func.count()).where(Purchase.product == "Road bike"))
        assert (tune_ups or 0) > (road_bikes or 0)


def test_the_profile_sets_the_currency_unless_the_owner_chose_one(
    database: Database, other_database: Database
) -> None:
    demo.generate(database, contacts=10, profile="wholesaler", now=NOW)
    with database.reading() as session:
        assert settings.get(session, settings.CURRENCY) == "EUR"
    with other_database.write_session.begin() as session:
        settings.put(session, settings.CURRENCY, "CHF")
    demo.generate(other_database, contacts=10, profile="wholesaler", now=NOW)
    with other_database.reading() as session:
        assert settings.get(session, settings.CURRENCY) == "CHF"


def test_adding_to_a_database_with_contacts_needs_consent(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Real Customer")
    with pytest.raises(demo.SampleDataRefusedError):
        demo.generate(database, contacts=5, add_to_existing=False, now=NOW)
    assert contacts.count_contacts(database, contacts.ContactQuery()) == 1
    with pytest.raises(demo.SampleDataRefusedError):
        demo.generate(database, contacts=5, model="customer_lifecycle", now=NOW)
    demo.generate(database, contacts=5, add_to_existing=True, now=NOW)
    assert contacts.count_contacts(database, contacts.ContactQuery()) == 6


def test_unknown_profile_or_model_is_refused(database: Database) -> None:
    with pytest.raises(ValueError, match="bakery-cafe"):
        demo.generate(database, contacts=5, profile="florist")
    with pytest.raises(ValueError, match="journey model"):
        demo.generate(database, contacts=5, model="nope")


def test_remove_sample_data_keeps_the_owners_contacts(
    database: Database, contact_factory: ContactFactory
) -> None:
    demo.generate(database, contacts=40, now=NOW)
    with database.reading() as session:
        sample_id = session.scalar(select(Contact.id).limit(1))
    own = contact_factory(name="Real Customer", referred_by_id=sample_id)
    assert demo.sample_count(database) == 40
    assert demo.remove_sample_data(database) == 40
    assert demo.sample_count(database) == 0
    assert contacts.contact_ids(database, contacts.ContactQuery(), 0, 10) == [own]
    assert contacts.get_contact(database, own).referred_by_id is None
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Touch)) == 0
        assert session.scalar(select(func.count()).select_from(Purchase)) == 0
    assert contacts.contact_ids(database, contacts.ContactQuery(text="Real"), 0, 10) == [own]


def test_no_two_sample_contacts_share_a_phone_number(database: Database) -> None:
    """The example ranges are small: numbers drawn at random would clash, and Find duplicates
    would take the sample's strangers for the same person."""
    demo.generate(database, contacts=600, profile="bakery-cafe", now=NOW)
    demo.generate(database, contacts=200, profile="bakery-cafe", now=NOW)  # added to the first
    with database.reading() as session:
        numbers = [
            "".join(filter(str.isdigit, n)) for n in session.scalars(select(ContactPhone.number))
        ]
    assert len(numbers) > 600
    assert len(set(numbers)) == len(numbers)
