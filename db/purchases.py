"""Purchases: recording, editing and deleting sales, and what a sale sets in motion.

Each service is one unit of work. Recording a purchase also

- refreshes the contact's derived purchase columns (count, first/last day, historic value);
- starts the 100-day plan when it is the contact's first purchase;
- with stage automation on (the default), applies the active model's rules
  (``db.automation``, docs/domain.md): the sale's stage, a repeat purchase's, another
  product's, regular buying's, or on the lifecycle model the stage of the new lifecycle
  status, recorded as an automatic stage change with the reason.

  Moves only ever go forward (except on the lifecycle model, whose stage is the status): a
  contact already at or beyond the target stays where it is, and a contact off the journey
  is placed on it. Editing or deleting a purchase never moves a stage back on the other
  models (the history says what happened), and restoring a deleted purchase (undo) puts the
  row back exactly as it was without moving anything either.

Amounts are exact ``Decimal`` values in the database's currency (``settings.CURRENCY``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import automation, derived, followups, lifecycle, settings
from db.clock import local_today
from db.domain import FollowupStatus
from db.lifecycle import Lifecycle
from db.models import Contact, Purchase, utcnow
from db.types import MONEY_SCALE

if TYPE_CHECKING:
    from db.engine import Database

PRODUCT_MAX = 200
NOTE_MAX = 2000
#: Large enough for any sale a small business makes, small enough to catch a slipped finger.
AMOUNT_MAX = Decimal("100000000")


class PurchaseError(ValueError):
    """The form has problems; ``errors`` maps a field name to a message for that field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class PurchaseNotFoundError(LookupError):
    pass


@dataclass(frozen=True)
class PurchaseInput:
    """What a person types: the amount as text or Decimal (never a float)."""

    purchased_on: date | None
    product: str
    amount: Decimal | str
    note: str = ""


@dataclass(frozen=True)
class PurchaseRow:
    id: int
    contact_id: int
    purchased_on: date
    product: str
    amount: Decimal
    currency: str
    note: str
    created_at: datetime


@dataclass(frozen=True)
class Recorded:
    """What recording a sale did: the new purchase, and the automatic consequences."""

    purchase_id: int
    moved_to: str | None = None
    started_plan: bool = False
    #: Plan steps already in the past on the purchase day, created as skipped.
    skipped_steps: int = 0


def parse_amount(raw: Decimal | str) -> Decimal:
    """An exact amount from what was typed ("1,250.50" or "1250.5"); ValueError if it is not."""
    if isinstance(raw, float):  # type: ignore[unreachable]
        raise TypeError("amounts are exact: pass a Decimal or text, not a float")
    text = raw if isinstance(raw, Decimal) else raw.strip().replace(",", "").replace(" ", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{raw}” is not an amount") from None
    if not amount.is_finite():
        raise ValueError(f"“{raw}” is not an amount")
    return amount


def check(data: PurchaseInput, *, today: date) -> tuple[date, str, Decimal, str]:
    """The cleaned values of a purchase form, or PurchaseError naming each bad field."""
    errors: dict[str, str] = {}
    product = " ".join(data.product.split())
    note = data.note.strip()
    amount = Decimal(0)
    if data.purchased_on is None:
        errors["purchased_on"] = "A date is required."
    elif data.purchased_on > today:
        errors["purchased_on"] = "A purchase cannot be in the future."
    if not product:
        errors["product"] = "Say what was bought."
    elif len(product) > PRODUCT_MAX:
        errors["product"] = f"Keep the product under {PRODUCT_MAX} characters."
    try:
        amount = parse_amount(data.amount)
    except ValueError as exc:
        errors["amount"] = str(exc) if str(data.amount).strip() else "An amount is required."
    else:
        if amount <= 0:
            errors["amount"] = "The amount must be more than zero."
        elif amount >= AMOUNT_MAX:
            errors["amount"] = "That amount is too large."
        elif (amount * MONEY_SCALE) != (amount * MONEY_SCALE).to_integral_value():
            errors["amount"] = "Use at most four decimal places."
    if len(note) > NOTE_MAX:
        errors["note"] = f"Keep the note under {NOTE_MAX} characters."
    if errors:
        raise PurchaseError(errors)
    assert data.purchased_on is not None
    return data.purchased_on, product, amount, note


def _live_contact(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.deleted_at is not None:
        raise PurchaseError({"contact": "The contact no longer exists."})
    return contact


def record_purchase(
    database: Database,
    contact_id: int,
    data: PurchaseInput,
    *,
    now: datetime | None = None,
    today: date | None = None,
) -> Recorded:
    """Record a sale (validated) and everything it sets in motion; one unit of work."""
    now = now or utcnow()
    purchased_on, product, amount, note = check(data, today=today or local_today())
    with database.write_session.begin() as session:
        contact = _live_contact(session, contact_id)
        first = not session.scalar(
            select(func.count()).select_from(Purchase).where(Purchase.contact_id == contact_id)
        )
        purchase = Purchase(
            contact_id=contact_id,
            purchased_on=purchased_on,
            product=product,
            amount=amount,
            currency=settings.get(session, settings.CURRENCY),
            note=note,
            created_at=now,
        )
        session.add(purchase)
        contact.updated_at = now
        session.flush()
        started = skipped = 0
        if first:
            plan = followups.start_plan(
                session, contact_id, purchased_on, now=now, today=today or local_today()
            )
            started = len(plan)
            skipped = sum(1 for f in plan if f.status == FollowupStatus.CANCELLED.value)
        derived.refresh_purchases(session, [contact_id])
        moved = automation.advance(session, [contact_id], today=today or local_today(), now=now)
        return Recorded(purchase.id, moved.get(contact_id), bool(started), skipped)


def update_purchase(
    database: Database,
    purchase_id: int,
    data: PurchaseInput,
    *,
    today: date | None = None,
) -> None:
    """Correct a recorded purchase (its currency stays the one it was recorded in)."""
    purchased_on, product, amount, note = check(data, today=today or local_today())
    with database.write_session.begin() as session:
        purchase = session.get(Purchase, purchase_id)
        if purchase is None:
            raise PurchaseNotFoundError(purchase_id)
        purchase.purchased_on = purchased_on
        purchase.product = product
        purchase.amount = amount
        purchase.note = note
        derived.refresh_purchases(session, [purchase.contact_id])
        automation.advance(session, [purchase.contact_id], today=today or local_today())


def _row(purchase: Purchase) -> PurchaseRow:
    return PurchaseRow(
        id=purchase.id,
        contact_id=purchase.contact_id,
        purchased_on=purchase.purchased_on,
        product=purchase.product,
        amount=purchase.amount,
        currency=purchase.currency,
        note=purchase.note,
        created_at=purchase.created_at,
    )


def delete_purchase(database: Database, purchase_id: int) -> PurchaseRow:
    """Delete a purchase; returns it as it was, for ``restore_purchase`` (undo)."""
    with database.write_session.begin() as session:
        purchase = session.get(Purchase, purchase_id)
        if purchase is None:
            raise PurchaseNotFoundError(purchase_id)
        gone = _row(purchase)
        session.delete(purchase)
        derived.refresh_purchases(session, [gone.contact_id])
        automation.advance(session, [gone.contact_id], today=local_today())
        return gone


def restore_purchase(database: Database, row: PurchaseRow) -> None:
    """Put a deleted purchase back exactly as it was (same id, amount and currency)."""
    with database.write_session.begin() as session:
        if session.get(Contact, row.contact_id) is None:
            raise PurchaseError({"contact": "The contact no longer exists."})
        session.add(
            Purchase(
                id=row.id,
                contact_id=row.contact_id,
                purchased_on=row.purchased_on,
                product=row.product,
                amount=row.amount,
                currency=row.currency,
                note=row.note,
                created_at=row.created_at,
            )
        )
        derived.refresh_purchases(session, [row.contact_id])


def purchases_of(database: Database, contact_id: int) -> list[PurchaseRow]:
    """A contact's purchases, newest first."""
    with database.reading() as session:
        return [
            _row(p)
            for p in session.scalars(
                select(Purchase)
                .where(Purchase.contact_id == contact_id)
                .order_by(Purchase.purchased_on.desc(), Purchase.id.desc())
            )
        ]


def get_purchase(database: Database, purchase_id: int) -> PurchaseRow:
    with database.reading() as session:
        purchase = session.get(Purchase, purchase_id)
        if purchase is None:
            raise PurchaseNotFoundError(purchase_id)
        return _row(purchase)


def products(database: Database, prefix: str = "", limit: int = 500) -> list[str]:
    """Distinct products sold so far, in name order, for autocompletion (read off the
    product index; case-insensitive, so "Coffee" and "coffee" are one product)."""
    with database.reading() as session:
        stmt = select(Purchase.product).group_by(Purchase.product).order_by(Purchase.product)
        if prefix.strip():
            escaped = prefix.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = stmt.where(Purchase.product.like(escaped + "%", escape="\\"))
        return list(session.scalars(stmt.limit(limit)))


def currency(database: Database) -> str:
    with database.reading() as session:
        return settings.get(session, settings.CURRENCY)


def contact_lifecycle(database: Database, contact_id: int, today: date) -> Lifecycle:
    """The contact's lifecycle status as of ``today``."""
    with database.reading() as session:
        row = session.execute(
            select(*lifecycle.STATUS_COLUMNS).where(Contact.id == contact_id)
        ).one()
        thresholds = lifecycle.read_thresholds(session)
    return lifecycle.status_of(lifecycle.StatusFacts(*row), today, thresholds)
