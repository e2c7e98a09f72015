"""The contacts list: which contacts a ``ContactQuery`` matches, in which order, a page at a
time, and the cells of the rows shown.

One module owns the whole listing — filters (text, tag, lifecycle, satisfaction and the
journey filters), sort keys and paging — so a list of 100,000 costs what one of a hundred
does: every filter and sort is SQL on an index of live contacts, a page is read by id, and
a row's cells are read only for the rows a view shows. ``db.board`` builds on ``filtered``.
"""

from __future__ import annotations

import enum
import functools
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import ColumnElement, Select, bindparam, func, select, text
from sqlalchemy.orm import Session

from db import automation, lifecycle, search, stages
from db.clock import local_today
from db.domain import Qualification, qualification
from db.feedback import Level
from db.journeys import active_stages
from db.lifecycle import Lifecycle
from db.models import Contact, ContactEmail, ContactPhone, ContactTag, Stage, Tag
from db.sql import driver_rows, joined

if TYPE_CHECKING:
    from db.engine import Database

#: The satisfaction filter's value for contacts who never gave feedback.
NO_FEEDBACK = "none"
_TAG_SEPARATOR = "\x1f"


class SortKey(enum.StrEnum):
    NAME = "name"
    COMPANY = "company"
    STAGE = "stage"
    LAST_TOUCH = "last_touch"
    NEXT_FOLLOWUP = "next_followup"
    UPDATED = "updated"
    VALUE = "value"
    PURCHASES = "purchases"
    LIFECYCLE = "lifecycle"
    SATISFACTION = "satisfaction"


@dataclass(frozen=True)
class ContactQuery:
    """Which contacts a list shows and in what order; built by the view, run in SQL."""

    text: str = ""
    trash: bool = False
    tag: str | None = None
    sort: SortKey = SortKey.NAME
    descending: bool = False
    #: A ``db.lifecycle.Lifecycle`` value, computed as of ``today`` (None: the local day).
    lifecycle: str | None = None
    #: A ``db.feedback.Level`` value, or ``NO_FEEDBACK``.
    satisfaction: str | None = None
    # Journey filters; ``today`` fixes "stuck", "at risk" and lifecycle to a day (None: the
    # local today).
    stage_id: int | None = None
    stuck: bool = False
    at_risk: bool = False
    qualification: str | None = None
    referred: bool = False
    centre_of_influence: bool = False
    #: Only contacts whose stage contradicts their facts (``db.automation``).
    contradicts: bool = False
    today: date | None = None


@dataclass(frozen=True)
class ContactRow:
    id: int
    name: str
    company: str
    title: str
    email: str
    phone: str
    stage_label: str
    tags: tuple[str, ...]
    last_touch_at: datetime | None
    last_touch_medium: str | None
    next_followup_on: date | None
    updated_at: datetime
    deleted_at: datetime | None = None
    purchase_count: int = 0
    lifetime_value: Decimal = Decimal(0)
    satisfaction: str | None = None
    lifecycle: str = "prospective"
    qualification: Qualification = Qualification.SUSPECT


def filtered(
    query: ContactQuery,
    stmt: Select[Any],
    *,
    dense: bool = False,
    stored: bool = False,
    session: Session | None = None,
) -> Select[Any]:
    """``stmt`` narrowed to the contacts ``query`` matches: trash or not, text, tag, lifecycle
    and satisfaction, and the journey filters (stage, stuck, at risk, qualification, referred,
    centre of influence, a stage that contradicts the facts). ``stored``: the stored lifecycle
    holds today (see ``_stored_lifecycle``); ``dense``: the text matches thousands (see
    ``_is_dense``); ``session``: needed by the contradiction filter, which reads the active
    model's rules."""
    if query.contradicts:
        if session is None:
            raise ValueError("the contradiction filter reads the active model's rules")
        stmt = stmt.where(automation.contradiction_clause(session, _today(query)))
    stmt = stmt.where(
        Contact.deleted_at.is_not(None) if query.trash else Contact.deleted_at.is_(None)
    )
    match = search.match_expression(query.text)
    if match is not None:
        matches = text(search.matching_ids_clause()).bindparams(match=match)
        # With many matches, "+id" keeps SQLite from looking each match up by id and sorting
        # them all: it walks the sort order's index instead, testing each row against the
        # match set (built once), and stops as soon as the page is full.
        member = (Contact.id + 0) if dense else Contact.id
        stmt = stmt.where(member.in_(matches))
    if query.tag:
        stmt = stmt.where(
            Contact.id.in_(
                select(ContactTag.contact_id)
                .join(Tag, Tag.id == ContactTag.tag_id)
                .where(Tag.name == query.tag)
            )
        )
    return _journey_filtered(query, _sales_filtered(query, stmt, stored=stored))


def _sales_filtered(query: ContactQuery, stmt: Select[Any], *, stored: bool) -> Select[Any]:
    if query.lifecycle == Lifecycle.PROSPECTIVE:
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


def _journey_filtered(query: ContactQuery, stmt: Select[Any]) -> Select[Any]:
    today = _today(query)
    if query.stage_id is not None:
        stmt = stmt.where(Contact.stage_id == query.stage_id)
    if query.stuck:
        stmt = stmt.where(stages.stuck_clause(today))
    if query.at_risk:
        stmt = stmt.where(stages.at_risk_clause(today))
    if query.qualification:
        stmt = stmt.where(stages.qualification_clause(Qualification(query.qualification)))
    if query.referred:
        stmt = stmt.where(Contact.referred_by_id.is_not(None))
    if query.centre_of_influence:
        stmt = stmt.where(Contact.centre_of_influence.is_(True))
    return stmt


def _today(query: ContactQuery) -> date:
    return query.today or local_today()


#: Above this many text matches a search counts as "dense" (see ``_filtered``).
DENSE_MATCHES = 2000


class _SparseSearches:
    """Searches lately found to match fewer than ``DENSE_MATCHES`` contacts.

    A person types a word a letter at a time: once what is typed matches few contacts, every
    letter or word typed on matches no more (``search.narrows``), so it is not counted again.
    Which form answers a search is only a question of speed (both list the same contacts), so
    a memory that a change to the data has made stale costs time, never a wrong list; it is
    kept for a short while only.
    """

    KEPT = 16
    SECONDS = 30.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: deque[tuple[float, int, tuple[str, ...]]] = deque(maxlen=self.KEPT)

    def cover(self, words: tuple[str, ...]) -> bool:
        now = time.monotonic()
        with self._lock:
            found = tuple(self._found)
        return any(
            now - at < self.SECONDS and threshold == DENSE_MATCHES and search.narrows(words, old)
            for at, threshold, old in found
        )

    def add(self, words: tuple[str, ...]) -> None:
        with self._lock:
            self._found.append((time.monotonic(), DENSE_MATCHES, words))

    def clear(self) -> None:
        with self._lock:
            self._found.clear()


_sparse = _SparseSearches()


def _is_dense(session: Session, query: ContactQuery) -> bool:
    words = search.words(query.text)
    if not words or _sparse.cover(words):
        return False
    found = search.count_matches(session, search.expression(words), DENSE_MATCHES)
    dense = found >= DENSE_MATCHES
    if not dense:
        _sparse.add(words)
    return dense


def count_contacts(database: Database, query: ContactQuery) -> int:
    """How many contacts the query matches."""
    with database.reading() as session:
        stored = _stored_lifecycle(session, query)
        counting = filtered(query, select(func.count(Contact.id)), stored=stored, session=session)
        return int(session.scalar(counting) or 0)


def _stored_lifecycle(session: Session, query: ContactQuery) -> bool:
    """Whether the query can use the stored lifecycle (it filters or sorts by lifecycle, and
    the stored statuses hold on its day)."""
    if not (query.lifecycle or query.sort == SortKey.LIFECYCLE):
        return False
    return lifecycle.stored_is_current(session, _today(query))


def _order(query: ContactQuery, stmt: Select[Any]) -> Select[Any]:
    """Sort in an order an index can deliver, so a page costs the same at any size.

    Names, companies and dates use the partial indexes on live contacts. Never-touched
    contacts count as touched longest ago (first when the oldest touch comes first: they are
    the most neglected). Stage, next follow-up and satisfaction are read in parts instead
    (``_parts``); lifecycle, computed from today's date, costs a full sort.
    """
    down = query.descending

    def way(column: Any) -> Any:
        return column.desc() if down else column

    match query.sort:
        case SortKey.NAME:
            return stmt.order_by(way(Contact.name), way(Contact.id))
        case SortKey.COMPANY:
            return stmt.order_by(way(Contact.company), way(Contact.name), way(Contact.id))
        case SortKey.LAST_TOUCH:
            return stmt.order_by(way(Contact.last_touch_at), way(Contact.id))
        case SortKey.UPDATED:
            return stmt.order_by(way(Contact.updated_at), way(Contact.id))
        case SortKey.VALUE:
            return stmt.order_by(way(Contact.lifetime_value), way(Contact.id))
        case SortKey.PURCHASES:
            return stmt.order_by(way(Contact.purchase_count), way(Contact.id))
        case SortKey.LIFECYCLE:
            # Only until the day's stored statuses are refreshed (else ``_parts`` serves it).
            rank = lifecycle.order_sql(lifecycle.contact_status_sql(_today(query)))
            return stmt.order_by(way(rank), Contact.name, Contact.id)
    raise ValueError(query.sort)


@dataclass(frozen=True)
class _Part:
    """A run of the list that one index delivers in order: which rows, in which order."""

    rows: ColumnElement[bool]
    order: tuple[Any, ...]


def _parts(session: Session, query: ContactQuery, *, stored: bool) -> list[_Part] | None:
    """For sorts that rank contacts by a few values (a stage, a level) or put the missing ones
    last: the list as consecutive parts, each delivered in order by an index, so a page reads
    only its own rows. None for the sorts ``_order`` serves in one statement.

    Ties and missing values go by name. Sorting the other way reverses the ranks, while
    contacts with no stage, follow-up or feedback stay last.
    """
    down = query.descending
    by_name = (Contact.name, Contact.id)
    match query.sort:
        case SortKey.NEXT_FOLLOWUP:
            due = Contact.next_followup_on
            dated = (
                (due.desc(), Contact.name.desc(), Contact.id.desc()) if down else (due, *by_name)
            )
            return [_Part(due.is_not(None), dated), _Part(due.is_(None), by_name)]
        case SortKey.STAGE:
            ids = [stage.id for stage in active_stages(session)]
            ranked = [_Part(Contact.stage_id == i, by_name) for i in ids]
            off_journey = Contact.stage_id.is_(None) | Contact.stage_id.not_in(ids)
            return [*(reversed(ranked) if down else ranked), _Part(off_journey, by_name)]
        case SortKey.SATISFACTION:
            # Dissatisfied first ascending (those need attention); no feedback always last.
            levels = sorted(Level, key=lambda level: level.rank, reverse=down)
            ranked = [_Part(Contact.satisfaction == level.value, by_name) for level in levels]
            return [*ranked, _Part(Contact.satisfaction.is_(None), by_name)]
        case SortKey.LIFECYCLE if stored:
            order = reversed(lifecycle.ORDER) if down else lifecycle.ORDER
            return [_Part(Contact.lifecycle == status.value, by_name) for status in order]
    return None


def contact_ids(database: Database, query: ContactQuery, offset: int, limit: int) -> list[int]:
    """The ids of one page of the list, sorted and filtered in SQL."""
    with database.reading() as session:
        return _page_ids(session, query, offset, limit)


def _page_ids(session: Session, query: ContactQuery, offset: int, limit: int) -> list[int]:
    dense = _is_dense(session, query)
    stored = _stored_lifecycle(session, query)
    stmt = filtered(query, select(Contact.id), dense=dense, stored=stored, session=session)
    parts = _parts(session, query, stored=stored)
    if parts is None:
        return _ids(session, _order(query, stmt).offset(offset).limit(limit))
    ids: list[int] = []
    skip = offset
    for part in parts:
        wanted = limit - len(ids)
        if wanted <= 0:
            break
        rows = stmt.where(part.rows)
        page = rows.order_by(*part.order).offset(skip).limit(wanted)
        found = _ids(session, page)
        ids += found
        if found:
            skip = 0  # the page starts in this part; the next part is read from its start
        elif skip:
            # The page starts after this part: skip all of it (a count, paid only when the
            # page lies beyond the part, never while scrolling within it).
            skip -= int(session.scalar(select(func.count()).select_from(rows.subquery())) or 0)
    return ids


def _ids(session: Session, stmt: Select[Any]) -> list[int]:
    # Run as a plain statement on the session's connection, its rows taken straight from the
    # driver's cursor: the ORM's row handling costs more than SQLite does once a read runs to
    # thousands of ids (the whole list, at once), and taking each row as it comes keeps only
    # the ids, never every row at once beside them (100,000 ids: a peak of 4 MiB, not 16).
    return [row[0] for row in driver_rows(session, stmt)]


def contact_rows(
    database: Database, query: ContactQuery, offset: int, limit: int
) -> list[ContactRow]:
    """One page of the contact list, sorted and filtered in SQL.

    Two steps: the page's ids (cheap, index-ordered), then the cells of only those rows, so
    the per-row lookups (first email, tags, ...) never run for rows that are not shown.
    """
    with database.reading() as session:
        ids = _page_ids(session, query, offset, limit)
        return _rows_for_ids(session, ids)


@dataclass(frozen=True)
class FirstPage:
    """The first ids of a list and the cells of its first rows."""

    ids: list[int]
    rows: list[ContactRow]


def first_page(database: Database, query: ContactQuery, limit: int, cells: int) -> FirstPage:
    """The first ``limit`` ids of the list, and the cells of the first ``cells`` of them, in
    one read: what a view shows at once for a new query (each keystroke of a search)."""
    with database.reading() as session:
        ids = _page_ids(session, query, 0, limit)
        return FirstPage(ids, _rows_for_ids(session, ids[:cells]))


def rows_for_ids(database: Database, ids: Sequence[int]) -> list[ContactRow]:
    """The list cells of these contacts, in the order given (missing ones are skipped)."""
    with database.reading() as session:
        return _rows_for_ids(session, ids)


class _Cells(NamedTuple):
    """One row of ``_cells_statement``, by column name. A plain tuple's fields are read many
    times faster than a result row's attributes, which counts on every keystroke."""

    id: int
    name: str
    company: str
    title: str
    email: str | None
    phone: str | None
    stage_label: str | None
    tag_names: str | None
    last_touch_at: datetime | None
    last_touch_medium: str | None
    next_followup_on: date | None
    updated_at: datetime
    deleted_at: datetime | None
    purchase_count: int
    lifetime_value: Decimal
    satisfaction: str | None
    last_purchase_on: date | None
    purchase_interval_days: int | None
    do_not_contact: bool
    has_need: bool
    has_budget: bool
    has_urgency: bool
    is_decision_maker: bool
    last_interaction_on: date | None
    season: str | None


@functools.cache
def _cells_statement() -> Select[Any]:
    """The list's cells of the contacts whose ids are bound as ``ids``: built once, as the
    rows are read on every keystroke of a search and every block of rows painted. Its
    columns are ``_Cells``' fields, in order."""
    first_email = (
        select(ContactEmail.address)
        .where(ContactEmail.contact_id == Contact.id)
        .order_by(ContactEmail.position)
        .limit(1)
        .scalar_subquery()
    )
    first_phone = (
        select(ContactPhone.number)
        .where(ContactPhone.contact_id == Contact.id)
        .order_by(ContactPhone.position)
        .limit(1)
        .scalar_subquery()
    )
    tag_names = (
        select(joined(Tag.name, _TAG_SEPARATOR))
        .join(ContactTag, ContactTag.tag_id == Tag.id)
        .where(ContactTag.contact_id == Contact.id)
        .scalar_subquery()
    )
    stage_label = select(Stage.label).where(Stage.id == Contact.stage_id).scalar_subquery()
    stmt = select(
        Contact.id,
        Contact.name,
        Contact.company,
        Contact.title,
        first_email.label("email"),
        first_phone.label("phone"),
        stage_label.label("stage_label"),
        tag_names.label("tag_names"),
        Contact.last_touch_at,
        Contact.last_touch_medium,
        Contact.next_followup_on,
        Contact.updated_at,
        Contact.deleted_at,
        Contact.purchase_count,
        Contact.lifetime_value,
        Contact.satisfaction,
        Contact.last_purchase_on,
        Contact.purchase_interval_days,
        Contact.do_not_contact,
        Contact.has_need,
        Contact.has_budget,
        Contact.has_urgency,
        Contact.is_decision_maker,
        Contact.last_interaction_on,
        Contact.season,
    ).where(Contact.id.in_(bindparam("ids", expanding=True)))
    if tuple(stmt.selected_columns.keys()) != _Cells._fields:
        raise AssertionError("the cells statement and _Cells name different columns")
    return stmt


def _rows_for_ids(session: Session, ids: Sequence[int]) -> list[ContactRow]:
    if not ids:
        return []
    connection = session.connection()
    # On the connection (nothing is pending in a read): the ORM's statement handling costs
    # more than the read of four settings.
    thresholds = lifecycle.read_thresholds(connection)
    today = local_today()
    found = connection.execute(_cells_statement(), {"ids": list(ids)}).all()
    by_id: dict[int, ContactRow] = {}
    for r in map(_Cells._make, found):
        by_id[r.id] = ContactRow(
            id=r.id,
            name=r.name,
            company=r.company,
            title=r.title,
            email=r.email or "",
            phone=r.phone or "",
            stage_label=r.stage_label or "",
            tags=tuple(sorted(r.tag_names.split(_TAG_SEPARATOR), key=str.casefold))
            if r.tag_names
            else (),
            last_touch_at=r.last_touch_at,
            last_touch_medium=r.last_touch_medium,
            next_followup_on=r.next_followup_on,
            updated_at=r.updated_at,
            deleted_at=r.deleted_at,
            purchase_count=r.purchase_count,
            lifetime_value=r.lifetime_value,
            satisfaction=r.satisfaction,
            lifecycle=lifecycle.status_of(lifecycle.facts_of(r), today, thresholds).value,
            qualification=qualification(
                has_need=r.has_need,
                has_budget=r.has_budget,
                has_urgency=r.has_urgency,
                is_decision_maker=r.is_decision_maker,
            ),
        )
    return [by_id[i] for i in ids if i in by_id]
