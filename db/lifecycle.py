"""Lifecycle status: where a contact stands as a buyer, computed from purchases, never typed.

The rule (docs/domain.md §4), for a contact with ``n`` purchases, the last ``d`` days before
``today``, and an expected interval ``I`` between purchases (the contact's own override for
seasonal buyers, else the database's setting):

- **prospective**: no purchase yet (``n == 0``);
- **new**: exactly one purchase, made at most ``new_days`` ago (the first weeks of a customer;
  never longer than ``I``);
- **active**: exactly one purchase, older than the new window but within ``I``;
- **repeat**: two or more purchases, the last within ``I``;
- **lapsed, short-term**: the last purchase more than ``I`` ago, up to the long-lapse threshold;
- **lapsed, long-term**: beyond the long-lapse threshold, up to the inactive threshold;
- **inactive**: beyond the inactive threshold; split into **do not contact** (the contact is
  marked do-not-contact) and **win back** (everyone else).

Lapse counts from the customer's last *interaction*: the later of the last purchase and the
last inbound touch (``contact.last_interaction_on``), since a customer who reaches out has
not lapsed; the owner's own touches do not count. The new window still counts from the
purchase. A **seasonal** customer (``contact.season``: the months they buy in) who would be
lapsed shows as *seasonal* instead while it is not their season, as long as they bought
within about a year (``SEASON_YEAR``).

The long-lapse and inactive thresholds are set for the database's own interval. A contact
with its own interval stretches them by the same ratio (integer days, rounded down), so a
seasonal buyer expected once a year is not called inactive after one quiet year: with the
defaults (90 / 180 / 365 days) an interval of 365 gives 730 and 1,480. Each threshold is at
least the one before it. ``d`` is counted in whole days; a purchase dated after ``today``
counts as made today.

The same rule is written twice, once in Python (``status``) and once as a SQL ``CASE``
(``status_sql``) for the contacts list's column, sort and filter; a test checks they agree.
No SQL session and no Qt here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, case, cast, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from db import settings
from db.models import Setting


class Lifecycle(enum.StrEnum):
    PROSPECTIVE = "prospective"
    NEW = "new"
    ACTIVE = "active"
    REPEAT = "repeat"
    SEASONAL = "seasonal"
    LAPSED_SHORT = "lapsed_short"
    LAPSED_LONG = "lapsed_long"
    WIN_BACK = "win_back"
    DO_NOT_CONTACT = "do_not_contact"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def inactive(self) -> bool:
        return self in (Lifecycle.WIN_BACK, Lifecycle.DO_NOT_CONTACT)

    @property
    def lapsed(self) -> bool:
        return self in (Lifecycle.LAPSED_SHORT, Lifecycle.LAPSED_LONG)


_LABELS = {
    Lifecycle.PROSPECTIVE: "Prospective",
    Lifecycle.NEW: "New",
    Lifecycle.ACTIVE: "Active",
    Lifecycle.REPEAT: "Repeat",
    Lifecycle.SEASONAL: "Seasonal (out of season)",
    Lifecycle.LAPSED_SHORT: "Lapsed (short-term)",
    Lifecycle.LAPSED_LONG: "Lapsed (long-term)",
    Lifecycle.WIN_BACK: "Inactive — win back",
    Lifecycle.DO_NOT_CONTACT: "Inactive — do not contact",
}

#: The order the list sorts by: from no relationship yet, through healthy, to lost.
ORDER = tuple(Lifecycle)


@dataclass(frozen=True)
class Thresholds:
    """The database's lifecycle settings, in days."""

    interval: int = settings.LAPSE_DAYS.default
    new_days: int = settings.NEW_DAYS.default
    long_lapse: int = settings.LONG_LAPSE_DAYS.default
    inactive: int = settings.INACTIVE_DAYS.default

    def for_interval(self, own_interval: int | None) -> tuple[int, int, int, int]:
        """(new window, interval, long lapse, inactive) for a contact with ``own_interval``."""
        interval = own_interval or self.interval
        new = min(self.new_days, interval)
        long_lapse = max(self.long_lapse * interval // self.interval, interval)
        inactive = max(self.inactive * interval // self.interval, long_lapse)
        return new, interval, long_lapse, inactive


#: How long after their last purchase a seasonal customer out of season is still "seasonal".
SEASON_YEAR = 400


def season_months(season: str | None) -> frozenset[int]:
    return frozenset(int(m) for m in (season or "").split(",") if m.strip().isdigit())


def status(
    purchase_count: int,
    last_purchase_on: date | None,
    today: date,
    thresholds: Thresholds,
    *,
    own_interval: int | None = None,
    do_not_contact: bool = False,
    last_interaction_on: date | None = None,
    season: str | None = None,
) -> Lifecycle:
    """The lifecycle status of one contact (see the module docstring)."""
    if purchase_count <= 0 or last_purchase_on is None:
        return Lifecycle.PROSPECTIVE
    new, interval, long_lapse, inactive = thresholds.for_interval(own_interval)
    last = max(last_purchase_on, last_interaction_on or last_purchase_on)
    days = max((today - last).days, 0)
    if days <= interval:
        if purchase_count >= 2:
            return Lifecycle.REPEAT
        since_purchase = max((today - last_purchase_on).days, 0)
        return Lifecycle.NEW if since_purchase <= new else Lifecycle.ACTIVE
    months = season_months(season)
    if months and today.month not in months and days <= SEASON_YEAR:
        return Lifecycle.SEASONAL
    if days <= long_lapse:
        return Lifecycle.LAPSED_SHORT
    if days <= inactive:
        return Lifecycle.LAPSED_LONG
    return Lifecycle.DO_NOT_CONTACT if do_not_contact else Lifecycle.WIN_BACK


def read_thresholds(session: Any) -> Thresholds:
    """The thresholds stored in this database (a ``Session``)."""
    interval, new_days, long_lapse, inactive = settings.get_many(
        session,
        settings.LAPSE_DAYS,
        settings.NEW_DAYS,
        settings.LONG_LAPSE_DAYS,
        settings.INACTIVE_DAYS,
    )
    return Thresholds(
        interval=interval, new_days=new_days, long_lapse=long_lapse, inactive=inactive
    )


def _setting_sql(spec: settings.SettingSpec[int]) -> ColumnElement[Any]:
    stored = select(cast(Setting.value, Integer)).where(Setting.key == spec.key)
    return func.coalesce(stored.scalar_subquery(), spec.default)


def status_sql(
    purchase_count: Any,
    last_purchase_on: Any,
    own_interval: Any,
    do_not_contact: Any,
    *,
    today: date,
    thresholds: Thresholds | None = None,
    last_interaction_on: Any = None,
    season: Any = None,
) -> ColumnElement[str]:
    """``status`` as a SQL expression over these columns, giving a ``Lifecycle`` value.

    Without ``thresholds`` the expression reads them from the ``setting`` table itself, so a
    list query needs nothing but ``today``.
    """
    if thresholds is None:
        base: ColumnElement[Any] = _setting_sql(settings.LAPSE_DAYS)
        new_days: ColumnElement[Any] = _setting_sql(settings.NEW_DAYS)
        long_days: ColumnElement[Any] = _setting_sql(settings.LONG_LAPSE_DAYS)
        inactive_days: ColumnElement[Any] = _setting_sql(settings.INACTIVE_DAYS)
    else:
        base = literal(thresholds.interval)
        new_days = literal(thresholds.new_days)
        long_days = literal(thresholds.long_lapse)
        inactive_days = literal(thresholds.inactive)
    interval = func.coalesce(own_interval, base)
    # SQLite's integer division rounds toward zero, as // does for these positive numbers.
    new = func.min(new_days, interval)
    long_lapse = func.max(long_days * interval // base, interval)
    inactive = func.max(inactive_days * interval // base, long_lapse)

    def days_since(day: Any) -> ColumnElement[Any]:
        return func.max(
            cast(func.julianday(literal(today.isoformat())) - func.julianday(day), Integer), 0
        )

    last = (
        last_purchase_on
        if last_interaction_on is None
        else func.coalesce(last_interaction_on, last_purchase_on)
    )
    days = days_since(last)
    since_purchase = days_since(last_purchase_on)
    out_of_season: ColumnElement[Any] = literal(False)
    if season is not None:
        out_of_season = (
            season.is_not(None)
            & ~(literal(",") + season + literal(",")).like(f"%,{today.month},%")
            & (days <= SEASON_YEAR)
        )
    return case(
        (
            (purchase_count <= 0) | last_purchase_on.is_(None),
            literal(Lifecycle.PROSPECTIVE.value),
        ),
        (
            days <= interval,
            case(
                (purchase_count >= 2, literal(Lifecycle.REPEAT.value)),
                (since_purchase <= new, literal(Lifecycle.NEW.value)),
                else_=literal(Lifecycle.ACTIVE.value),
            ),
        ),
        (out_of_season, literal(Lifecycle.SEASONAL.value)),
        (days <= long_lapse, literal(Lifecycle.LAPSED_SHORT.value)),
        (days <= inactive, literal(Lifecycle.LAPSED_LONG.value)),
        (do_not_contact == literal(True), literal(Lifecycle.DO_NOT_CONTACT.value)),
        else_=literal(Lifecycle.WIN_BACK.value),
    )


def contact_status_sql(today: date, thresholds: Thresholds | None = None) -> ColumnElement[str]:
    """``status_sql`` over the ``contact`` table's own columns."""
    from db.models import Contact  # noqa: PLC0415

    return status_sql(
        Contact.purchase_count,
        Contact.last_purchase_on,
        Contact.purchase_interval_days,
        Contact.do_not_contact,
        today=today,
        thresholds=thresholds,
        last_interaction_on=Contact.last_interaction_on,
        season=Contact.season,
    )


def order_sql(expression: ColumnElement[str]) -> ColumnElement[int]:
    """A sort key for a lifecycle expression: the position of its status in ``ORDER``."""
    return case(*((expression == s.value, i) for i, s in enumerate(ORDER)), else_=len(ORDER))
