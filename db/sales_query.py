"""The contacts list's lifecycle, satisfaction, value and purchases filters, and its value,
purchases and lifecycle sorts.

Kept apart from ``db.contacts`` so that module only hooks them in. Value and purchase counts
sort on their partial indexes. Lifecycle follows the order of its statuses, computed from
today's date, and costs a full sort (about 120 ms a page at 100,000 contacts). Satisfaction
is sorted a level at a time by ``db.contacts``, on its (level, name) index.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from db import lifecycle
from db.clock import local_today
from db.models import Contact

if TYPE_CHECKING:
    from db.contacts import ContactQuery

#: The satisfaction filter's value for contacts who never gave feedback.
NO_FEEDBACK = "none"


def _today(query: ContactQuery) -> date:
    return query.today or local_today()


def filtered(query: ContactQuery, stmt: Select[Any], *, stored: bool = False) -> Select[Any]:
    """``stored``: the stored lifecycle holds today (``lifecycle.stored_is_current``)."""
    if query.lifecycle == lifecycle.Lifecycle.PROSPECTIVE:
        stmt = stmt.where(Contact.purchase_count <= 0)
    elif query.lifecycle and stored:
        stmt = stmt.where(Contact.lifecycle == query.lifecycle)
    elif query.lifecycle:
        status = lifecycle.contact_status_sql(_today(query))
        stmt = stmt.where(Contact.purchase_count > 0, status == query.lifecycle)
    if query.satisfaction == NO_FEEDBACK:
        stmt = stmt.where(Contact.satisfaction.is_(None))
    elif query.satisfaction:
        stmt = stmt.where(Contact.satisfaction == query.satisfaction)
    return stmt


def ordered(query: ContactQuery, stmt: Select[Any]) -> Select[Any]:
    from db.contacts import SortKey  # noqa: PLC0415

    down = query.descending

    def way(column: Any) -> Any:
        return column.desc() if down else column

    match query.sort:
        case SortKey.VALUE:
            return stmt.order_by(way(Contact.lifetime_value), way(Contact.id))
        case SortKey.PURCHASES:
            return stmt.order_by(way(Contact.purchase_count), way(Contact.id))
        case SortKey.LIFECYCLE:
            rank = lifecycle.order_sql(lifecycle.contact_status_sql(_today(query)))
            return stmt.order_by(way(rank), Contact.name, Contact.id)
    raise ValueError(query.sort)


def lifecycle_of(session: Session) -> Callable[[int, date | None, int | None, bool], str]:
    """A function giving the lifecycle value of a row's columns, as of the local day."""
    thresholds = lifecycle.read_thresholds(session)
    today = local_today()

    def of(count: int, last: date | None, own: int | None, do_not_contact: bool) -> str:
        return lifecycle.status(
            count, last, today, thresholds, own_interval=own, do_not_contact=do_not_contact
        ).value

    return of
