"""Customer lifetime value (docs/domain.md §4), per contact and for the whole customer base.

- **Historic value**: the sum of a contact's purchases (kept on ``contact.lifetime_value``).
- **Predicted value** = average order x purchases per year x expected years as a customer
  (x margin, when the owner has set one).
- **Purchases per year** depends on how long the contact has been a customer (``observed``:
  days from the first purchase to today):

  - a year or more: ``n x 365 / observed`` (``n`` purchases), the rate actually seen;
  - less than a year (a short history, including a single purchase): the larger of ``n``
    and ``365 / I``, where ``I`` is the contact's expected interval (its own, else the
    setting). A young customer is expected to buy at least once per interval, and at least
    as often in a year as it already has; a burst of early purchases is not multiplied up.

Who counts: a contact marked **do not contact** predicts 0 (nobody will sell to them again).
An **inactive (win back)** customer's prediction is not part of the live base: it is shown
apart as value **at stake**, what winning them back would be worth (docs/domain.md).

Every figure is an exact ``Decimal``: a prediction is built as one fraction and divided once
(28 significant digits); only display rounds (``display``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from db import lifecycle, settings
from db.clock import local_today
from db.lifecycle import Lifecycle
from db.models import Contact

if TYPE_CHECKING:
    from db.engine import Database

DAYS_PER_YEAR = 365
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ValueSettings:
    interval: int = settings.LAPSE_DAYS.default
    expected_years: int = settings.EXPECTED_YEARS.default
    #: The margin as a fraction (0.35 for 35 %), or None for none.
    margin: Decimal | None = None


def parse_margin(text: str) -> Decimal | None:
    """A margin setting ("35", "35.5 %", "") as a fraction; ValueError if it is not 0-100."""
    cleaned = text.replace("%", "").strip()
    if not cleaned:
        return None
    try:
        percent = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"“{text}” is not a percentage") from None
    if not percent.is_finite() or not 0 < percent <= 100:
        raise ValueError("A margin is a percentage above 0 and at most 100.")
    return percent / 100


def read_settings(session: Any) -> ValueSettings:
    try:
        margin = parse_margin(settings.get(session, settings.MARGIN_PERCENT))
    except ValueError:
        margin = None
    return ValueSettings(
        interval=settings.get(session, settings.LAPSE_DAYS),
        expected_years=settings.get(session, settings.EXPECTED_YEARS),
        margin=margin,
    )


def _rate(count: int, first: date, today: date, interval: int) -> tuple[Decimal, int]:
    """Purchases per year as the fraction (numerator, denominator)."""
    observed = (today - first).days
    if observed >= DAYS_PER_YEAR:
        return Decimal(count * DAYS_PER_YEAR), observed
    if count * interval >= DAYS_PER_YEAR:
        return Decimal(count), 1
    return Decimal(DAYS_PER_YEAR), interval


def purchases_per_year(count: int, first: date | None, today: date, interval: int) -> Decimal:
    """See the module docstring; 0 for a contact who never bought."""
    if count <= 0 or first is None:
        return Decimal(0)
    numerator, denominator = _rate(count, first, today, interval)
    return numerator / denominator


def predicted_value(
    historic: Decimal,
    count: int,
    first: date | None,
    today: date,
    value_settings: ValueSettings,
    *,
    own_interval: int | None = None,
) -> Decimal:
    """Average order x purchases per year x expected years (x margin), as one exact fraction."""
    if count <= 0 or first is None:
        return Decimal(0)
    numerator, denominator = _rate(count, first, today, own_interval or value_settings.interval)
    numerator *= historic * value_settings.expected_years
    if value_settings.margin is not None:
        numerator *= value_settings.margin
    return numerator / (count * denominator)


def split_prediction(
    predicted: Decimal, status: Lifecycle, *, do_not_contact: bool
) -> tuple[Decimal, Decimal]:
    """(live, at stake): do-not-contact predicts nothing; win-back is only at stake."""
    if do_not_contact or status is Lifecycle.DO_NOT_CONTACT:
        return Decimal(0), Decimal(0)
    if status is Lifecycle.WIN_BACK:
        return Decimal(0), predicted
    return predicted, Decimal(0)


@dataclass(frozen=True)
class ContactValue:
    historic: Decimal
    #: The live prediction (0 for do-not-contact and win-back contacts).
    predicted: Decimal
    purchases: int
    average_order: Decimal
    per_year: Decimal
    #: What winning back an inactive customer would be worth (0 for everyone else).
    at_stake: Decimal = Decimal(0)


_COLUMNS = (Contact.lifetime_value, Contact.first_purchase_on, *lifecycle.STATUS_COLUMNS)

#: One row of ``_COLUMNS``: historic value, first purchase, then ``lifecycle.StatusFacts``.
ValueRow = tuple[Decimal, date | None, int, date | None, int | None, bool, date | None, str | None]


def _live_and_stake(
    row: ValueRow,
    today: date,
    values: ValueSettings,
    thresholds: lifecycle.Thresholds,
    status: Lifecycle | None = None,
) -> tuple[Decimal, Decimal]:
    """(live, at stake) of one contact; ``status``, when given, is its lifecycle status on
    ``today`` (the stored one, when it holds), else it is worked out from the row."""
    historic, first = row[0], row[1]
    facts = lifecycle.StatusFacts(*row[2:8])
    predicted = predicted_value(
        historic,
        facts.purchase_count,
        first,
        today,
        values,
        own_interval=facts.purchase_interval_days,
    )
    if status is None:
        status = lifecycle.status_of(facts, today, thresholds)
    return split_prediction(predicted, status, do_not_contact=facts.do_not_contact)


def contact_value(database: Database, contact_id: int, today: date | None = None) -> ContactValue:
    today = today or local_today()
    with database.reading() as session:
        values = read_settings(session)
        thresholds = lifecycle.read_thresholds(session)
        found = session.execute(select(*_COLUMNS).where(Contact.id == contact_id)).one()
    row: ValueRow = tuple(found)  # type: ignore[assignment]
    historic, first, count, own = row[0], row[1], row[2], row[4]
    live, at_stake = _live_and_stake(row, today, values, thresholds)
    return ContactValue(
        historic=historic,
        predicted=live,
        purchases=count,
        average_order=historic / count if count else Decimal(0),
        per_year=purchases_per_year(count, first, today, own or values.interval),
        at_stake=at_stake,
    )


def predicted_values(
    database: Database, contact_ids: Sequence[int], today: date | None = None
) -> dict[int, tuple[Decimal, Decimal]]:
    """(historic, live predicted) for these contacts, in one query."""
    today = today or local_today()
    with database.reading() as session:
        values = read_settings(session)
        thresholds = lifecycle.read_thresholds(session)
        rows = session.execute(
            select(Contact.id, *_COLUMNS).where(Contact.id.in_(contact_ids))
        ).all()
    return {
        r[0]: (r[1], _live_and_stake(tuple(r[1:]), today, values, thresholds)[0])  # type: ignore[arg-type]
        for r in rows
    }


@dataclass(frozen=True)
class BaseValue:
    """The whole customer base (live contacts with at least one purchase)."""

    customers: int
    purchases: int
    historic_total: Decimal
    predicted_total: Decimal
    #: Average order value over every purchase.
    average_order: Decimal
    #: Average purchases per year over the customers.
    purchases_per_year: Decimal
    expected_years: int
    margin: Decimal | None
    #: Predicted value of inactive (win back) customers, kept out of ``predicted_total``.
    at_stake_total: Decimal = Decimal(0)

    @property
    def average_historic(self) -> Decimal:
        return self.historic_total / self.customers if self.customers else Decimal(0)

    @property
    def average_predicted(self) -> Decimal:
        return self.predicted_total / self.customers if self.customers else Decimal(0)


def summarise(
    rows: Iterable[ValueRow],
    value_settings: ValueSettings,
    today: date,
    thresholds: lifecycle.Thresholds | None = None,
    *,
    stored: bool = False,
) -> BaseValue:
    """Totals and averages over ``_COLUMNS`` rows; with ``stored``, each row ends with the
    contact's stored lifecycle status, which holds on ``today`` (``lifecycle.stored_is_current``)
    and is used instead of working the status out again."""
    thresholds = thresholds or lifecycle.Thresholds(interval=value_settings.interval)
    customers = purchases = 0
    historic = predicted = per_year = at_stake = Decimal(0)
    for row in rows:
        h, first, n, own = row[0], row[1], row[2], row[4]
        if n <= 0:
            continue
        customers += 1
        purchases += n
        historic += h
        status = Lifecycle(row[8]) if stored else None  # type: ignore[misc]
        live, stake = _live_and_stake(row, today, value_settings, thresholds, status)
        predicted += live
        at_stake += stake
        per_year += purchases_per_year(n, first, today, own or value_settings.interval)
    return BaseValue(
        customers=customers,
        purchases=purchases,
        historic_total=historic,
        predicted_total=predicted,
        average_order=historic / purchases if purchases else Decimal(0),
        purchases_per_year=per_year / customers if customers else Decimal(0),
        expected_years=value_settings.expected_years,
        margin=value_settings.margin,
        at_stake_total=at_stake,
    )


def base_value(database: Database, today: date | None = None) -> BaseValue:
    """Value figures for every live customer (one pass over a few columns, no per-row query).
    Each customer's lifecycle status is the stored one when every stored status holds today
    (``db.lifecycle``, "The stored status"), else it is worked out for each."""
    today = today or local_today()
    with database.reading() as session:
        values = read_settings(session)
        thresholds = lifecycle.read_thresholds(session)
        stored = lifecycle.stored_is_current(session, today)
        columns = (*_COLUMNS, Contact.lifecycle) if stored else _COLUMNS
        rows = session.execute(
            select(*columns).where(Contact.deleted_at.is_(None), Contact.purchase_count > 0)
        )
        return summarise(
            (tuple(r) for r in rows),
            values,
            today,
            thresholds,
            stored=stored,
        )


# --- The retention calculator ---------------------------------------------------------------


def years_from_retention(retention: Decimal) -> Decimal:
    """Expected years as a customer when this share stays each year: 1 / (1 - r)."""
    if not Decimal(0) <= retention < Decimal(1):
        raise ValueError("Retention is a share from 0 up to (not including) 100 %.")
    return Decimal(1) / (Decimal(1) - retention)


def value_per_customer(
    average_order: Decimal,
    purchases_per_year: Decimal,
    years: Decimal,
    margin: Decimal | None = None,
) -> Decimal:
    value = average_order * purchases_per_year * years
    return value if margin is None else value * margin


@dataclass(frozen=True)
class Scenario:
    retention: Decimal
    years: Decimal
    per_customer: Decimal
    whole_base: Decimal


def retention_scenarios(
    base: BaseValue, retentions: Sequence[Decimal], *, customers: int | None = None
) -> list[Scenario]:
    """What a customer, and the whole base, are worth at each yearly retention rate.

    Keeping more customers each year lengthens how long a customer stays (1 / (1 - r) years),
    and value grows with it; the calculator shows how much.
    """
    count = base.customers if customers is None else customers
    out = []
    for retention in retentions:
        years = years_from_retention(retention)
        each = value_per_customer(base.average_order, base.purchases_per_year, years, base.margin)
        out.append(Scenario(retention, years, each, each * count))
    return out


def display(amount: Decimal, currency: str = "") -> str:
    """An amount rounded half-up to cents with thousands separators: "USD 1,234.50"."""
    shown = f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):,}"
    return f"{currency} {shown}".strip()
