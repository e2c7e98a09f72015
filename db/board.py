"""The journey board's data: how many contacts stand on each stage, and their cards a page at
a time, as frozen dataclasses.

Counts are one grouped query; cards come a page per column, in name order from the
``(stage_id, name)`` index on live contacts, so a column of 100,000 costs what one of 50 does.
The board takes the same ``ContactQuery`` filters as the contacts list.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Select, func, select

from db import stages
from db.domain import Qualification, qualification
from db.listing import ContactQuery, filtered
from db.models import Contact

if TYPE_CHECKING:
    from db.engine import Database


@dataclass(frozen=True)
class Card:
    id: int
    name: str
    company: str
    stage_id: int | None
    days_in_stage: int | None
    last_touch_at: datetime | None
    last_touch_medium: str | None
    overdue: bool
    stuck: bool
    at_risk: bool
    qualification: Qualification


def stage_counts(database: Database, query: ContactQuery | None = None) -> dict[int | None, int]:
    """Contacts per stage (None: on no stage) for the query's filters, in one grouped query."""
    query = replace(query or ContactQuery(), trash=False, stage_id=None)
    with database.reading() as session:
        counting = cast("Select[Any]", select(Contact.stage_id, func.count(Contact.id)))
        rows = session.execute(filtered(query, counting).group_by(Contact.stage_id))
        return {row[0]: int(row[1]) for row in rows}


def cards(
    database: Database,
    stage_id: int,
    offset: int,
    limit: int,
    query: ContactQuery | None = None,
    *,
    today: date,
) -> list[Card]:
    """One page of a stage's column, in name order."""
    return _cards_where(
        database, query or ContactQuery(), stage_id, today=today, offset=offset, limit=limit
    )


def _cards_where(
    database: Database,
    query: ContactQuery,
    stage_id: int,
    *,
    contact_id: int | None = None,
    today: date,
    offset: int = 0,
    limit: int = 1,
) -> list[Card]:
    query = replace(query, trash=False, stage_id=stage_id)
    at_risk = stages.at_risk_clause(today)
    columns = cast(
        "Select[Any]",
        select(
            Contact.id,
            Contact.name,
            Contact.company,
            Contact.stage_id,
            Contact.stage_entered_at,
            Contact.last_touch_at,
            Contact.last_touch_medium,
            func.coalesce(stages.overdue_clause(today), False),
            func.coalesce(stages.stuck_clause(today), False),
            func.coalesce(at_risk, False),
            Contact.has_need,
            Contact.has_budget,
            Contact.has_urgency,
            Contact.is_decision_maker,
        ),
    )
    stmt = filtered(query, columns)
    if contact_id is not None:
        stmt = stmt.where(Contact.id == contact_id)
    stmt = stmt.order_by(Contact.name, Contact.id).offset(offset).limit(limit)
    with database.reading() as session:
        return [
            Card(
                id=r[0],
                name=r[1],
                company=r[2],
                stage_id=r[3],
                days_in_stage=None
                if r[4] is None
                else max((today - r[4].astimezone().date()).days, 0),
                last_touch_at=r[5],
                last_touch_medium=r[6],
                overdue=bool(r[7]),
                stuck=bool(r[8]),
                at_risk=bool(r[9]),
                qualification=qualification(
                    has_need=r[10], has_budget=r[11], has_urgency=r[12], is_decision_maker=r[13]
                ),
            )
            for r in session.execute(stmt)
        ]


def contact_card(database: Database, contact_id: int, *, today: date) -> Card | None:
    """One live contact's card (the detail pane's journey section shows the same facts)."""
    query = ContactQuery()
    with database.reading() as session:
        stage_id = session.scalar(
            select(Contact.stage_id).where(Contact.id == contact_id, Contact.deleted_at.is_(None))
        )
    if stage_id is None:
        return None
    found = _cards_where(database, query, stage_id, contact_id=contact_id, today=today)
    return found[0] if found else None
