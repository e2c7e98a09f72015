"""Recording sales: validation, derived columns, the 100-day plan and stage automation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db import journeys, purchases, settings
from db.contacts import get_contact, trash_contacts
from db.engine import Database
from db.models import Contact, Followup, Purchase, StageChange
from db.purchases import PurchaseError, PurchaseInput, record_purchase
from db.stages import set_stage
from tests.conftest import ContactFactory

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
TODAY = date(2026, 6, 30)


def sale(
    product: str = "Sourdough course", amount: str = "120.00", on: date = TODAY
) -> PurchaseInput:
    return PurchaseInput(purchased_on=on, product=product, amount=amount, note="")


def record(database: Database, cid: int, data: PurchaseInput) -> purchases.Recorded:
    return record_purchase(database, cid, data, now=NOW, today=TODAY)


def use_model(database: Database, key: str) -> None:
    with database.write_session.begin() as session:
        settings.put(session, settings.ACTIVE_MODEL, key)


def stage_key(database: Database, cid: int) -> str:
    with database.reading() as session:
        contact = session.get(Contact, cid)
        assert contact is not None and contact.stage is not None
        return contact.stage.key


def derived_columns(database: Database, cid: int) -> tuple[int, date | None, date | None, Decimal]:
    with database.reading() as session:
        c = session.get(Contact, cid)
        assert c is not None
        return c.purchase_count, c.first_purchase_on, c.last_purchase_on, c.lifetime_value


def automatic_reasons(database: Database, cid: int) -> list[str]:
    with database.reading() as session:
        return list(
            session.scalars(
                select(StageChange.reason)
                .where(StageChange.contact_id == cid, StageChange.automatic.is_(True))
                .order_by(StageChange.id)
            )
        )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (PurchaseInput(None, "Bread", "5"), "purchased_on", "date is required"),
        (PurchaseInput(date(2026, 7, 1), "Bread", "5"), "purchased_on", "future"),
        (PurchaseInput(TODAY, "   ", "5"), "product", "what was bought"),
        (PurchaseInput(TODAY, "Bread", ""), "amount", "amount is required"),
        (PurchaseInput(TODAY, "Bread", "five"), "amount", "not an amount"),
        (PurchaseInput(TODAY, "Bread", "0"), "amount", "more than zero"),
        (PurchaseInput(TODAY, "Bread", "-3"), "amount", "more than zero"),
        (PurchaseInput(TODAY, "Bread", "1.23456"), "amount", "four decimal"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    database: Database,
    contact_factory: ContactFactory,
    data: PurchaseInput,
    field: str,
    message: str,
) -> None:
    cid = contact_factory()
    with pytest.raises(PurchaseError) as caught:
        record(database, cid, data)
    assert message in caught.value.errors[field]
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Purchase)) == 0


def test_amounts_are_exact_and_in_the_database_currency(
    database: Database, contact_factory: ContactFactory
) -> None:
    with database.write_session.begin() as session:
        settings.put(session, settings.CURRENCY, "EUR")
    cid = contact_factory()
    record(database, cid, sale(amount="1,250.10", on=date(2026, 6, 1)))
    record(database, cid, sale(amount="0.20", on=date(2026, 6, 20)))
    rows = purchases.purchases_of(database, cid)
    assert [(r.amount, r.currency) for r in rows] == [
        (Decimal("0.20"), "EUR"),
        (Decimal("1250.10"), "EUR"),
    ]
    assert derived_columns(database, cid) == (
        2,
        date(2026, 6, 1),
        date(2026, 6, 20),
        Decimal("1250.30"),
    )
    with pytest.raises(TypeError):
        purchases.parse_amount(0.1)  # type: ignore[arg-type]


def test_first_purchase_moves_to_customer_and_starts_the_plan(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    assert stage_key(database, cid) == "suspect"

    first = record(database, cid, sale())
    assert first.moved_to == "Customer" and first.started_plan
    assert stage_key(database, cid) == "customer"
    with database.reading() as session:
        plan = session.scalar(
            select(func.count()).select_from(Followup).where(Followup.contact_id == cid)
        )
    assert plan == 6

    # One repeat purchase is not regular buying: the contact stays a customer.
    again = record(database, cid, sale())
    assert again.moved_to is None and not again.started_plan
    assert stage_key(database, cid) == "customer"
    third = record(database, cid, sale())
    assert third.moved_to == "Loyal customer"
    assert automatic_reasons(database, cid) == [
        "Added",
        "First purchase",
        "3rd purchase in 12 months",
    ]
    with database.reading() as session:
        plans = session.scalar(
            select(func.count()).select_from(Followup).where(Followup.contact_id == cid)
        )
    assert plans == 6  # only the first purchase starts the plan


def test_customer_development_has_no_cross_purchase_stage(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    record(database, cid, sale("Bread"))
    moved = record(database, cid, sale("Cake"))
    assert moved.moved_to is None
    assert stage_key(database, cid) == "customer"


def test_customers_for_life_repurchase_and_cross_purchase(
    database: Database, contact_factory: ContactFactory
) -> None:
    use_model(database, "customers_for_life")
    cid = contact_factory()
    assert stage_key(database, cid) == "lead"
    # Far enough apart that they are not regular buying (3 in 12 months).
    record(database, cid, sale("Bread", on=date(2024, 1, 10)))
    assert stage_key(database, cid) == "purchase"
    # the same product, typed differently
    record(database, cid, sale("bread", on=date(2025, 1, 10)))
    assert stage_key(database, cid) == "re_purchase"
    record(database, cid, sale("Cake", on=date(2026, 1, 10)))
    assert stage_key(database, cid) == "cross_purchase"
    assert automatic_reasons(database, cid)[-1] == "Bought 2 different products"
    # Regular buying takes the contact on to Loyalty.
    assert record(database, cid, sale("Bread", on=date(2026, 4, 1))).moved_to is None
    assert record(database, cid, sale("Bread")).moved_to == "Loyalty"
    assert automatic_reasons(database, cid)[-1] == "3rd purchase in 12 months"


def test_customer_experience_and_lifecycle_models(
    database: Database, contact_factory: ContactFactory
) -> None:
    use_model(database, "customer_experience")
    a = contact_factory()
    # The sale is Admit; a repeat purchase does not jump phases.
    record(database, a, sale())
    assert stage_key(database, a) == "admit"
    record(database, a, sale())
    assert stage_key(database, a) == "admit"

    use_model(database, "customer_lifecycle")
    b = contact_factory()
    record(database, b, sale())
    assert stage_key(database, b) == "new"
    record(database, b, sale("Cake"))
    assert stage_key(database, b) == "repeat_loyal"


def test_only_forward(database: Database, contact_factory: ContactFactory) -> None:
    with database.reading() as session:
        loyal = next(s.id for s in journeys.active_stages(session) if s.key == "loyal_customer")
    cid = contact_factory(stage_id=loyal)
    assert record(database, cid, sale()).moved_to is None
    assert stage_key(database, cid) == "loyal_customer"


def test_automation_can_be_switched_off(
    database: Database, contact_factory: ContactFactory
) -> None:
    with database.write_session.begin() as session:
        settings.put(session, settings.STAGE_AUTOMATION, False)
    cid = contact_factory()
    result = record(database, cid, sale())
    assert result.moved_to is None and result.started_plan
    assert stage_key(database, cid) == "suspect"


def test_edit_delete_and_restore(database: Database, contact_factory: ContactFactory) -> None:
    cid = contact_factory()
    pid = record(database, cid, sale(amount="100")).purchase_id
    record(database, cid, sale("Cake", "50", on=date(2026, 5, 1)))

    purchases.update_purchase(database, pid, sale("Bread", "80.5"), today=TODAY)
    assert derived_columns(database, cid)[3] == Decimal("130.5")
    with pytest.raises(PurchaseError):
        purchases.update_purchase(database, pid, sale(amount="0"), today=TODAY)

    gone = purchases.delete_purchase(database, pid)
    assert derived_columns(database, cid) == (1, date(2026, 5, 1), date(2026, 5, 1), Decimal(50))
    purchases.restore_purchase(database, gone)
    assert purchases.get_purchase(database, pid) == gone
    assert derived_columns(database, cid) == (2, date(2026, 5, 1), TODAY, Decimal("130.5"))
    # Deleting never moves the stage back.
    assert stage_key(database, cid) == "customer"
    with database.reading() as session:
        loyal = next(s.id for s in journeys.active_stages(session) if s.key == "loyal_customer")
    set_stage(database, [cid], loyal)
    purchases.delete_purchase(database, pid)
    assert stage_key(database, cid) == "loyal_customer"


def test_product_autocomplete_is_distinct_and_prefixed(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    for product in ("Sourdough course", "sourdough course", "Rye loaf", "Sour cherry tart"):
        record(database, cid, sale(product))
    assert purchases.products(database) == ["Rye loaf", "Sour cherry tart", "Sourdough course"]
    assert purchases.products(database, "sour") == ["Sour cherry tart", "Sourdough course"]
    assert purchases.products(database, "%") == []


def test_a_trashed_contact_cannot_buy(database: Database, contact_factory: ContactFactory) -> None:
    cid = contact_factory()
    trash_contacts(database, [cid])
    with pytest.raises(PurchaseError):
        record(database, cid, sale())
    assert get_contact(database, cid).stage_label == "Suspect"
