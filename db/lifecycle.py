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
The list sorts and filters on a stored copy of the status (see "The stored status" below).
No Qt here.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Date, Integer, Update, case, cast, func, literal, null, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from db import settings
from db.clock import local_today
from db.models import Contact, Setting
from db.sql import add_days, days_between, greatest, least

if TYPE_CHECKING:
    from db.engine import Database


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


class StatusFacts(NamedTuple):
    """What a contact's lifecycle status is worked out from (``STATUS_COLUMNS``, in order)."""

    purchase_count: int
    last_purchase_on: date | None
    purchase_interval_days: int | None
    do_not_contact: bool
    last_interaction_on: date | None
    season: str | None


#: The contact's columns behind ``StatusFacts``, in its order: ``select(*STATUS_COLUMNS)``.
STATUS_COLUMNS = (
    Contact.purchase_count,
    Contact.last_purchase_on,
    Contact.purchase_interval_days,
    Contact.do_not_contact,
    Contact.last_interaction_on,
    Contact.season,
)


def facts_of(row: Any) -> StatusFacts:
    """``StatusFacts`` from a result row that selected the ``STATUS_COLUMNS`` by name."""
    return StatusFacts(*(getattr(row, name) for name in StatusFacts._fields))


def status_of(facts: StatusFacts, today: date, thresholds: Thresholds) -> Lifecycle:
    """``status`` of one contact from its ``StatusFacts``."""
    return status(
        facts.purchase_count,
        facts.last_purchase_on,
        today,
        thresholds,
        own_interval=facts.purchase_interval_days,
        do_not_contact=bool(facts.do_not_contact),
        last_interaction_on=facts.last_interaction_on,
        season=facts.season,
    )


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


@dataclass(frozen=True)
class _Windows:
    """The rule's windows and day counts for one contact, as SQL."""

    new: ColumnElement[Any]
    interval: ColumnElement[Any]
    long_lapse: ColumnElement[Any]
    inactive: ColumnElement[Any]
    #: The day lapse counts from: the last interaction, else the last purchase.
    last: Any
    #: Whole days since ``last`` and since the last purchase (never negative).
    days: ColumnElement[Any]
    since_purchase: ColumnElement[Any]


def _windows_sql(
    last_purchase_on: Any,
    own_interval: Any,
    thresholds: Thresholds | None,
    today: date,
    last_interaction_on: Any = None,
) -> _Windows:
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
    # Integer division rounds toward zero, as // does for these positive numbers.
    long_lapse = greatest(long_days * interval // base, interval)
    last = (
        last_purchase_on
        if last_interaction_on is None
        else func.coalesce(last_interaction_on, last_purchase_on)
    )
    today_sql = literal(today, Date)
    return _Windows(
        new=least(new_days, interval),
        interval=interval,
        long_lapse=long_lapse,
        inactive=greatest(inactive_days * interval // base, long_lapse),
        last=last,
        days=greatest(days_between(last, today_sql), 0),
        since_purchase=greatest(days_between(last_purchase_on, today_sql), 0),
    )


def _out_of_season_sql(season: Any, w: _Windows, today: date) -> ColumnElement[Any]:
    """Whether a seasonal customer is out of season on ``today`` (and bought within a year)."""
    if season is None:
        return literal(False)
    out: ColumnElement[Any] = (
        season.is_not(None)
        & ~(literal(",") + season + literal(",")).like(f"%,{today.month},%")
        & (w.days <= SEASON_YEAR)
    )
    return out


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
    w = _windows_sql(last_purchase_on, own_interval, thresholds, today, last_interaction_on)
    return case(
        (
            (purchase_count <= 0) | last_purchase_on.is_(None),
            literal(Lifecycle.PROSPECTIVE.value),
        ),
        (
            w.days <= w.interval,
            case(
                (purchase_count >= 2, literal(Lifecycle.REPEAT.value)),
                (w.since_purchase <= w.new, literal(Lifecycle.NEW.value)),
                else_=literal(Lifecycle.ACTIVE.value),
            ),
        ),
        (_out_of_season_sql(season, w, today), literal(Lifecycle.SEASONAL.value)),
        (w.days <= w.long_lapse, literal(Lifecycle.LAPSED_SHORT.value)),
        (w.days <= w.inactive, literal(Lifecycle.LAPSED_LONG.value)),
        (do_not_contact == literal(True), literal(Lifecycle.DO_NOT_CONTACT.value)),
        else_=literal(Lifecycle.WIN_BACK.value),
    )


def _month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def until_sql(
    purchase_count: Any,
    last_purchase_on: Any,
    own_interval: Any,
    *,
    today: date,
    thresholds: Thresholds | None = None,
    last_interaction_on: Any = None,
    season: Any = None,
) -> ColumnElement[date]:
    """The last day the status of ``status_sql`` (as of ``today``) holds: the day before its
    next boundary; NULL for the statuses that time alone never ends (prospective, inactive).

    A seasonal customer past their interval may turn seasonal or back to lapsed when the month
    changes, so until a year after their last interaction their status holds at most to the
    end of this month. (A do-not-contact mark changes the status too; it is not time, so the
    contact is refreshed when it is saved.)
    """
    w = _windows_sql(last_purchase_on, own_interval, thresholds, today, last_interaction_on)
    by_time = case(
        ((purchase_count <= 0) | last_purchase_on.is_(None), null()),
        (
            w.days <= w.interval,
            case(
                (
                    (purchase_count < 2) & (w.since_purchase <= w.new),
                    add_days(last_purchase_on, w.new),
                ),
                else_=add_days(w.last, w.interval),
            ),
        ),
        (w.days <= w.long_lapse, add_days(w.last, w.long_lapse)),
        (w.days <= w.inactive, add_days(w.last, w.inactive)),
        else_=null(),
    )
    if season is None:
        return by_time
    month_end = literal(_month_end(today), Date)
    return case(
        (
            season.is_not(None)
            & (purchase_count > 0)
            & (w.days > w.interval)
            & (w.days <= SEASON_YEAR),
            least(
                func.coalesce(by_time, add_days(w.last, SEASON_YEAR)),
                least(add_days(w.last, SEASON_YEAR), month_end, type_=Date),
                type_=Date,
            ),
        ),
        else_=by_time,
    )


def contact_status_sql(today: date, thresholds: Thresholds | None = None) -> ColumnElement[str]:
    """``status_sql`` over the ``contact`` table's own columns."""
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


def contact_until_sql(today: date, thresholds: Thresholds | None = None) -> ColumnElement[date]:
    """``until_sql`` over the ``contact`` table's own columns."""
    return until_sql(
        Contact.purchase_count,
        Contact.last_purchase_on,
        Contact.purchase_interval_days,
        today=today,
        thresholds=thresholds,
        last_interaction_on=Contact.last_interaction_on,
        season=Contact.season,
    )


# --- The stored status ---------------------------------------------------------------------
#
# ``contact.lifecycle`` holds each contact's status as of the day it was computed, and
# ``contact.lifecycle_until`` the last day that status holds, so the list sorts and filters by
# lifecycle on an index. They are refreshed for a contact whose purchases or lifecycle fields
# change, for everyone when the thresholds change, and for the contacts whose status ran out
# (``lifecycle_until`` before today) once a day. Until that daily refresh has run, lists
# compute the status instead (``stored_is_current``), so they are never wrong, only slower.


def refresh_statement(today: date) -> Update:
    """Every contact's stored status as of ``today`` (narrow it with ``.where``)."""
    return (
        update(Contact)
        .values(
            lifecycle=contact_status_sql(today),
            lifecycle_until=contact_until_sql(today),
        )
        .execution_options(synchronize_session=False)
    )


def refresh_stored(session: Session, today: date, contact_ids: Sequence[int] | None = None) -> int:
    """Recompute the stored status as of ``today``: for these contacts, or (None) for every
    contact whose status ran out. Returns how many rows were written."""
    stmt = refresh_statement(today)
    if contact_ids is None:
        stmt = stmt.where(Contact.lifecycle_until < today)
    else:
        stmt = stmt.where(Contact.id.in_(list(contact_ids)))
    session.flush()
    result = session.execute(stmt)
    return int(result.rowcount)  # type: ignore[attr-defined]


def refresh_all_stored(session: Session, today: date) -> None:
    """Recompute every contact's stored status (the thresholds changed)."""
    session.flush()
    session.execute(refresh_statement(today))


def bring_up_to_date(database: Database, today: date | None = None) -> int:
    """The daily refresh: recompute the stored statuses that ran out before ``today`` (the
    local day); returns how many changed. One indexed update, cheap when nothing ran out."""
    with database.write_session.begin() as session:
        return refresh_stored(session, today or local_today())


def stored_is_current(session: Session, today: date) -> bool:
    """Whether every stored status holds on ``today`` (an indexed look for one stale row).

    Only for the local today: statuses are stored as of the day they were computed, which is
    never after it.
    """
    if today != local_today():
        return False
    stale = session.scalar(select(Contact.id).where(Contact.lifecycle_until < today).limit(1))
    return stale is None


def order_sql(expression: ColumnElement[str]) -> ColumnElement[int]:
    """A sort key for a lifecycle expression: the position of its status in ``ORDER``."""
    return case(*((expression == s.value, i) for i, s in enumerate(ORDER)), else_=len(ORDER))
