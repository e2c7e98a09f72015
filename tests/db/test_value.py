"""Lifetime value with exact decimals, per contact and for the whole base."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from db import lifecycle, settings, value
from db.clock import local_today
from db.contacts import trash_contacts
from db.engine import Database
from db.lifecycle import Lifecycle
from db.models import Contact
from db.purchases import PurchaseInput, record_purchase
from db.value import ValueSettings, predicted_value, purchases_per_year
from tests.conftest import ContactFactory

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
TODAY = date(2026, 6, 30)
DEFAULT = ValueSettings(interval=90, expected_years=3, margin=None)


def buy(database: Database, cid: int, on: date, amount: str) -> None:
    record_purchase(database, cid, PurchaseInput(on, "Bread", amount), now=NOW, today=TODAY)


def test_purchases_per_year_for_short_and_long_histories() -> None:
    assert purchases_per_year(0, None, TODAY, 90) == 0
    # Under a year of history: once per expected interval at least...
    assert purchases_per_year(1, date(2026, 6, 20), TODAY, 73) == 5
    # ...or as many as already bought, never a burst multiplied up to a year.
    assert purchases_per_year(7, date(2026, 6, 1), TODAY, 73) == 7
    # A year or more: the rate seen (5 purchases over two years).
    assert purchases_per_year(5, date(2024, 6, 30), TODAY, 90) == Decimal("2.5")


def test_predicted_value_is_exact() -> None:
    a_year_ago = date(2025, 6, 30)
    # 3 purchases worth 300.30 over a year: 100.10 x 3 a year x 3 years = 900.90.
    assert predicted_value(Decimal("300.30"), 3, a_year_ago, TODAY, DEFAULT) == Decimal("900.90")
    with_margin = ValueSettings(interval=90, expected_years=3, margin=Decimal("0.35"))
    assert predicted_value(Decimal("300.30"), 3, a_year_ago, TODAY, with_margin) == Decimal(
        "315.315"
    )
    assert predicted_value(Decimal(0), 0, None, TODAY, DEFAULT) == 0
    # A seasonal override: one purchase, expected yearly: one order a year for 3 years.
    one = date(2026, 3, 1)
    assert predicted_value(Decimal("99.99"), 1, one, TODAY, DEFAULT, own_interval=365) == Decimal(
        "299.97"
    )


def test_margin_setting_is_parsed_exactly() -> None:
    assert value.parse_margin("") is None
    assert value.parse_margin("35.5 %") == Decimal("0.355")
    for bad in ("abc", "0", "120"):
        with pytest.raises(ValueError):
            value.parse_margin(bad)


def test_contact_and_base_value(database: Database, contact_factory: ContactFactory) -> None:
    a, b, c, gone = (contact_factory() for _ in range(4))
    buy(database, a, date(2025, 6, 30), "100.00")
    buy(database, a, date(2026, 6, 30), "200.00")  # 2 purchases in a year: 2 a year
    buy(database, b, date(2026, 6, 1), "36.50")  # one purchase: 365 / 73 = 5 a year
    buy(database, gone, date(2026, 6, 1), "1000")
    trash_contacts(database, [gone])
    with database.write_session.begin() as session:
        settings.put(session, settings.LAPSE_DAYS, 73)
        settings.put(session, settings.MARGIN_PERCENT, "50")

    va = value.contact_value(database, a, TODAY)
    assert (va.historic, va.average_order, va.per_year) == (Decimal(300), Decimal(150), Decimal(2))
    assert va.predicted == Decimal("450.00")  # 150 x 2 x 3 x 0.5
    vb = value.contact_value(database, b, TODAY)
    assert vb.predicted == Decimal("273.75")  # 36.50 x 5 x 3 x 0.5
    assert value.contact_value(database, c, TODAY).predicted == 0
    assert value.predicted_values(database, [a, c], TODAY) == {
        a: (Decimal(300), Decimal("450.00")),
        c: (Decimal(0), Decimal(0)),
    }

    base = value.base_value(database, TODAY)
    assert (base.customers, base.purchases) == (2, 3)
    assert base.historic_total == Decimal("336.50")
    assert base.predicted_total == Decimal("723.75")
    assert base.average_order == Decimal("336.50") / 3
    assert base.purchases_per_year == Decimal("3.5")  # (2 + 5) / 2
    assert base.average_historic == Decimal("168.25")


def test_retention_calculator() -> None:
    base = value.BaseValue(
        customers=10,
        purchases=40,
        historic_total=Decimal(4000),
        predicted_total=Decimal(0),
        average_order=Decimal(100),
        purchases_per_year=Decimal(2),
        expected_years=3,
        margin=Decimal("0.5"),
    )
    low, high = value.retention_scenarios(base, [Decimal("0.5"), Decimal("0.8")])
    assert (low.years, low.per_customer, low.whole_base) == (
        Decimal(2),
        Decimal(200),
        Decimal(2000),
    )
    assert (high.years, high.per_customer, high.whole_base) == (
        Decimal(5),
        Decimal(500),
        Decimal(5000),
    )
    with pytest.raises(ValueError):
        value.years_from_retention(Decimal(1))


def test_display_rounds_half_up_to_cents() -> None:
    assert value.display(Decimal("1234.565"), "USD") == "USD 1,234.57"
    assert value.display(Decimal("0.004")) == "0.00"


def test_base_value_reads_the_stored_statuses_when_they_hold_with_the_same_figures(
    database: Database, contact_factory: ContactFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = local_today()
    new, lapsed, inactive = (contact_factory() for _ in range(3))
    blocked = contact_factory(do_not_contact=True)
    for cid, days_ago, amount in (
        (new, 3, "20.00"),
        (lapsed, 200, "55.50"),
        (lapsed, 150, "10.00"),
        (inactive, 700, "99.99"),  # win back: its prediction is only at stake
        (blocked, 10, "12.00"),
    ):
        record_purchase(
            database, cid, PurchaseInput(today - timedelta(days=days_ago), "Bread", amount)
        )
    worked_out = 0
    status_of = lifecycle.status_of

    def counted(*args: Any, **kwargs: Any) -> Lifecycle:
        nonlocal worked_out
        worked_out += 1
        return status_of(*args, **kwargs)

    monkeypatch.setattr(lifecycle, "status_of", counted)

    from_stored = value.base_value(database)
    assert worked_out == 0
    # A status that ran out (the daily refresh has not run): every status is worked out.
    with database.write_session.begin() as session:
        session.execute(
            update(Contact)
            .where(Contact.id == new)
            .values(lifecycle_until=today - timedelta(days=1))
        )
    worked_out_again = value.base_value(database)

    assert worked_out == 4
    assert from_stored == worked_out_again
    assert from_stored.customers == 4
    assert from_stored.at_stake_total > 0
