"""Contacts: validating, saving, trashing and restoring them, and the paged, sorted list.

Each public function that writes is one unit of work (``write_session.begin()``) and commits
once; the user interface only ever receives the frozen dataclasses defined here.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, delete, func, select, text, update
from sqlalchemy.orm import Session

from db import automation, derived, search, seasons
from db.clock import local_today
from db.domain import Qualification, qualification
from db.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    KeyDate,
    Stage,
    StageChange,
    Tag,
    utcnow,
)

if TYPE_CHECKING:
    from db.engine import Database

NAME_MAX = 200
TAG_MAX = 80
INTERVAL_MAX = 3650
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_PHONE_CHARS = re.compile(r"^[0-9+()\-./ xX#*extEXT]+$")


# --- What the form sends, and what the detail pane shows ------------------------------------


@dataclass(frozen=True)
class KeyDateData:
    """A birthday, an anniversary or another occasion (``kind``), with its label."""

    kind: str
    on: date
    label: str = ""


KEY_DATE_KINDS = ("birthday", "anniversary", "occasion")
KEY_DATE_LABEL_MAX = 120


@dataclass(frozen=True)
class EmailData:
    address: str
    label: str = ""


@dataclass(frozen=True)
class PhoneData:
    number: str
    label: str = ""


@dataclass(frozen=True)
class ContactInput:
    """Everything a person can type about a contact on the add/edit form."""

    name: str
    company: str = ""
    title: str = ""
    emails: tuple[EmailData, ...] = ()
    phones: tuple[PhoneData, ...] = ()
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    notes: str = ""
    tags: tuple[str, ...] = ()
    stage_id: int | None = None
    referred_by_id: int | None = None
    centre_of_influence: bool = False
    do_not_contact: bool = False
    has_need: bool = False
    has_budget: bool = False
    has_urgency: bool = False
    is_decision_maker: bool = False
    #: Expected days between purchases for this contact (seasonal buyers); None: the setting.
    purchase_interval_days: int | None = None
    key_dates: tuple[KeyDateData, ...] = ()
    #: The months a seasonal buyer buys in, set by hand ("4,5"); None: recognised from
    #: their purchases.
    season: str | None = None


@dataclass(frozen=True)
class ContactDetail(ContactInput):
    id: int = 0
    stage_label: str = ""
    referred_by_name: str = ""
    referrals: tuple[tuple[int, str], ...] = ()
    last_touch_at: datetime | None = None
    last_touch_medium: str | None = None
    next_followup_on: date | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    #: The season recognised from purchases, when none is set by hand.
    detected_season: str | None = None

    @property
    def qualification(self) -> Qualification:
        return qualification(
            has_need=self.has_need,
            has_budget=self.has_budget,
            has_urgency=self.has_urgency,
            is_decision_maker=self.is_decision_maker,
        )


class ValidationError(ValueError):
    """The form has problems; ``errors`` maps a field name to a message for that field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class ContactNotFoundError(LookupError):
    pass


def normalise(data: ContactInput) -> ContactInput:
    """Trim whitespace, drop empty email and phone rows, and fold duplicate tags."""
    seen: dict[str, str] = {}
    for tag in data.tags:
        cleaned = " ".join(tag.split())
        if cleaned and cleaned.casefold() not in seen:
            seen[cleaned.casefold()] = cleaned
    return ContactInput(
        name=" ".join(data.name.split()),
        company=data.company.strip(),
        title=data.title.strip(),
        emails=tuple(
            EmailData(e.address.strip(), e.label.strip()) for e in data.emails if e.address.strip()
        ),
        phones=tuple(
            PhoneData(p.number.strip(), p.label.strip()) for p in data.phones if p.number.strip()
        ),
        street=data.street.strip(),
        city=data.city.strip(),
        region=data.region.strip(),
        postal_code=data.postal_code.strip(),
        country=data.country.strip(),
        notes=data.notes.strip(),
        tags=tuple(seen.values()),
        stage_id=data.stage_id,
        referred_by_id=data.referred_by_id,
        centre_of_influence=data.centre_of_influence,
        do_not_contact=data.do_not_contact,
        has_need=data.has_need,
        has_budget=data.has_budget,
        has_urgency=data.has_urgency,
        is_decision_maker=data.is_decision_maker,
        purchase_interval_days=data.purchase_interval_days,
        key_dates=tuple(
            KeyDateData(k.kind, k.on, " ".join(k.label.split())) for k in data.key_dates
        ),
        season=data.season,
    )


def validate(data: ContactInput) -> dict[str, str]:
    """Problems with a (normalised) form, by field: ``emails.1`` is the second email row."""
    errors: dict[str, str] = {}
    if not data.name:
        errors["name"] = "A name is required."
    elif len(data.name) > NAME_MAX:
        errors["name"] = f"Keep the name under {NAME_MAX} characters."
    for index, email in enumerate(data.emails):
        if not _EMAIL.match(email.address):
            errors[f"emails.{index}"] = f"“{email.address}” does not look like an email address."
    for index, phone in enumerate(data.phones):
        if not _PHONE_CHARS.match(phone.number) or len(search.digits(phone.number)) < 3:
            errors[f"phones.{index}"] = (
                f"“{phone.number}” does not look like a phone number. Use digits, with "
                "spaces, a plus, brackets or dashes if you like."
            )
    for tag in data.tags:
        if len(tag) > TAG_MAX:
            errors["tags"] = f"Keep each tag under {TAG_MAX} characters."
        elif "," in tag:
            errors["tags"] = "A tag cannot contain a comma."
    interval = data.purchase_interval_days
    if interval is not None and not 1 <= interval <= INTERVAL_MAX:
        errors["purchase_interval_days"] = f"Between 1 and {INTERVAL_MAX:,} days, or the default."
    if data.season is not None:
        months = [m for m in data.season.split(",") if m.strip()]
        if not months or not all(m.strip().isdigit() and 1 <= int(m) <= 12 for m in months):
            errors["season"] = "Pick the months the season runs from and to."
    for key_date in data.key_dates:
        if key_date.kind not in KEY_DATE_KINDS:
            errors["key_dates"] = f"“{key_date.kind}” is not a kind of date Touchbase knows."
        elif key_date.kind == "occasion" and not key_date.label:
            errors["key_dates"] = "Say what the occasion is."
        elif len(key_date.label) > KEY_DATE_LABEL_MAX:
            errors["key_dates"] = f"Keep the occasion under {KEY_DATE_LABEL_MAX} characters."
    return errors


# --- Writing --------------------------------------------------------------------------------


def _checked(data: ContactInput) -> ContactInput:
    data = normalise(data)
    errors = validate(data)
    if errors:
        raise ValidationError(errors)
    return data


def _tags_for(session: Session, names: Iterable[str]) -> list[Tag]:
    tags = []
    for name in names:
        tag = session.scalar(select(Tag).where(Tag.name == name))
        if tag is None:
            tag = Tag(name=name)
            session.add(tag)
        tags.append(tag)
    return tags


def _apply(session: Session, contact: Contact, data: ContactInput) -> None:
    for attr in (
        "name",
        "company",
        "title",
        "street",
        "city",
        "region",
        "postal_code",
        "country",
        "notes",
        "referred_by_id",
        "centre_of_influence",
        "do_not_contact",
        "has_need",
        "has_budget",
        "has_urgency",
        "is_decision_maker",
        "purchase_interval_days",
    ):
        setattr(contact, attr, getattr(data, attr))
    contact.emails = [
        ContactEmail(address=e.address, label=e.label, position=i)
        for i, e in enumerate(data.emails)
    ]
    contact.phones = [
        ContactPhone(number=p.number, label=p.label, position=i) for i, p in enumerate(data.phones)
    ]
    contact.tags = _tags_for(session, data.tags)
    contact.key_dates = [KeyDate(kind=k.kind, label=k.label, on=k.on) for k in data.key_dates]
    was_by_hand = contact.season_by_hand
    contact.season_by_hand = data.season is not None
    if data.season is not None:
        contact.season = data.season
    elif was_by_hand:
        contact.season = None  # recognised from purchases again (``seasons.refresh``)


def _check_referrer(session: Session, contact_id: int | None, referred_by_id: int | None) -> None:
    if referred_by_id is None:
        return
    if referred_by_id == contact_id:
        raise ValidationError({"referred_by_id": "A contact cannot refer themselves."})
    if session.get(Contact, referred_by_id) is None:
        raise ValidationError({"referred_by_id": "The referring contact no longer exists."})


def create_contact(database: Database, data: ContactInput, *, now: datetime | None = None) -> int:
    """Save a new contact (validated) and return its id."""
    data = _checked(data)
    now = now or utcnow()
    with database.write_session.begin() as session:
        _check_referrer(session, None, data.referred_by_id)
        contact = Contact(created_at=now, updated_at=now)
        _apply(session, contact, data)
        stage_id = data.stage_id or _first_stage_id(session)
        contact.stage_id = stage_id
        contact.stage_entered_at = now
        session.add(contact)
        session.flush()
        if stage_id is not None:
            session.add(
                StageChange(
                    contact_id=contact.id,
                    from_stage_id=None,
                    to_stage_id=stage_id,
                    changed_at=now,
                    automatic=True,
                    reason="Added",
                )
            )
        search.reindex(session, [contact.id])
        derived.refresh_schedule(session, [contact.id])
        # Ticked qualification criteria can call for a later stage than the first.
        automation.advance(session, [contact.id], today=local_today(), now=now)
        automation.plan_key_date_followups(session, local_today(), [contact.id], now=now)
        return contact.id


def update_contact(
    database: Database,
    contact_id: int,
    data: ContactInput,
    *,
    now: datetime | None = None,
    stage_reason: str = "",
) -> None:
    """Save changes to a contact's details; a new stage is recorded as a change by hand
    (a move back to an earlier stage needs ``stage_reason``, see ``db.stages.set_stage``)."""
    data = _checked(data)
    with database.write_session.begin() as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise ContactNotFoundError(contact_id)
        _check_referrer(session, contact_id, data.referred_by_id)
        _apply(session, contact, data)
        now = now or utcnow()
        contact.updated_at = now
        if data.stage_id is not None and data.stage_id != contact.stage_id:
            from db import stages  # noqa: PLC0415 - stages builds on contacts

            stages.check_reason(session, [contact_id], data.stage_id, stage_reason)
            stages.move_contacts(session, [contact_id], data.stage_id, reason=stage_reason, now=now)
        search.reindex(session, [contact_id])
        # The do-not-contact flag decides whether there is a next follow-up at all.
        derived.refresh_schedule(session, [contact_id])
        seasons.refresh(session, [contact_id])
        automation.advance(session, [contact_id], today=local_today(), now=now)
        automation.plan_key_date_followups(
            session, local_today(), [contact_id], now=now, replan=True
        )
        _drop_unused_tags(session)


def trash_contacts(
    database: Database, contact_ids: Sequence[int], *, now: datetime | None = None
) -> int:
    """Move contacts to the trash; returns how many moved."""
    with database.write_session.begin() as session:
        result = session.execute(
            update(Contact)
            .where(Contact.id.in_(contact_ids), Contact.deleted_at.is_(None))
            .values(deleted_at=now or utcnow())
        )
        derived.refresh_schedule(session, contact_ids)
        return int(result.rowcount)  # type: ignore[attr-defined]


def restore_contacts(database: Database, contact_ids: Sequence[int]) -> int:
    """Bring contacts back from the trash; returns how many came back."""
    with database.write_session.begin() as session:
        result = session.execute(
            update(Contact)
            .where(Contact.id.in_(contact_ids), Contact.deleted_at.is_not(None))
            .values(deleted_at=None)
        )
        derived.refresh_schedule(session, contact_ids)
        return int(result.rowcount)  # type: ignore[attr-defined]


def purge_contacts(database: Database, contact_ids: Sequence[int]) -> int:
    """Delete trashed contacts for good, with their touches and history."""
    with database.write_session.begin() as session:
        result = session.execute(
            delete(Contact).where(Contact.id.in_(contact_ids), Contact.deleted_at.is_not(None))
        )
        session.execute(text("DELETE FROM contact_fts WHERE rowid NOT IN (SELECT id FROM contact)"))
        _drop_unused_tags(session)
        return int(result.rowcount)  # type: ignore[attr-defined]


def _drop_unused_tags(session: Session) -> None:
    session.flush()
    session.execute(delete(Tag).where(~Tag.id.in_(select(ContactTag.tag_id))))


def _first_stage_id(session: Session) -> int | None:
    from db.journeys import active_model  # noqa: PLC0415

    model = active_model(session)
    return model.stages[0].id if model is not None and model.stages else None


# --- Reading ----------------------------------------------------------------------------------


def get_contact(database: Database, contact_id: int) -> ContactDetail:
    with database.reading() as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            raise ContactNotFoundError(contact_id)
        referrals = tuple(
            (int(row[0]), str(row[1]))
            for row in session.execute(
                select(Contact.id, Contact.name)
                .where(Contact.referred_by_id == contact_id, Contact.deleted_at.is_(None))
                .order_by(Contact.name)
            )
        )
        return ContactDetail(
            id=contact.id,
            name=contact.name,
            company=contact.company,
            title=contact.title,
            emails=tuple(EmailData(e.address, e.label) for e in contact.emails),
            phones=tuple(PhoneData(p.number, p.label) for p in contact.phones),
            street=contact.street,
            city=contact.city,
            region=contact.region,
            postal_code=contact.postal_code,
            country=contact.country,
            notes=contact.notes,
            tags=tuple(t.name for t in contact.tags),
            stage_id=contact.stage_id,
            stage_label=contact.stage.label if contact.stage else "",
            referred_by_id=contact.referred_by_id,
            referred_by_name=contact.referred_by.name if contact.referred_by else "",
            referrals=referrals,
            centre_of_influence=contact.centre_of_influence,
            do_not_contact=contact.do_not_contact,
            has_need=contact.has_need,
            has_budget=contact.has_budget,
            has_urgency=contact.has_urgency,
            is_decision_maker=contact.is_decision_maker,
            purchase_interval_days=contact.purchase_interval_days,
            key_dates=tuple(KeyDateData(k.kind, k.on, k.label) for k in contact.key_dates),
            season=contact.season if contact.season_by_hand else None,
            detected_season=None if contact.season_by_hand else contact.season,
            last_touch_at=contact.last_touch_at,
            last_touch_medium=contact.last_touch_medium,
            next_followup_on=contact.next_followup_on,
            created_at=contact.created_at,
            updated_at=contact.updated_at,
            deleted_at=contact.deleted_at,
        )


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
    # Journey filters (applied by ``db.stages.journey_filters``); ``today`` fixes "stuck" and
    # "at risk" to a day (None: the local today).
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


def _filtered(
    query: ContactQuery,
    stmt: Select[Any],
    *,
    dense: bool = False,
    session: Session | None = None,
) -> Select[Any]:
    if query.contradicts:
        if session is None:
            raise ValueError("the contradiction filter reads the active model's rules")
        stmt = stmt.where(automation.contradiction_clause(session, query.today or local_today()))
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
    if query.lifecycle or query.satisfaction:
        from db import sales_query  # noqa: PLC0415

        stmt = sales_query.filtered(query, stmt)
    from db.stages import journey_filters  # noqa: PLC0415 - stages builds on contacts

    return journey_filters(query, stmt)


#: Above this many text matches a search counts as "dense" (see ``_filtered``).
DENSE_MATCHES = 2000


def _is_dense(session: Session, query: ContactQuery) -> bool:
    match = search.match_expression(query.text)
    if match is None:
        return False
    found = session.scalar(
        text(
            "SELECT count(*) FROM (SELECT 1 FROM contact_fts WHERE contact_fts MATCH :match"
            " LIMIT :cap)"
        ),
        {"match": match, "cap": DENSE_MATCHES},
    )
    return int(found or 0) >= DENSE_MATCHES


def has_contacts(database: Database) -> bool:
    """Whether any contact is outside the trash (cheap: stops at the first)."""
    with database.reading() as session:
        found = session.scalar(select(Contact.id).where(Contact.deleted_at.is_(None)).limit(1))
        return found is not None


def count_contacts(database: Database, query: ContactQuery) -> int:
    """How many contacts the query matches."""
    with database.reading() as session:
        return int(
            session.scalar(_filtered(query, select(func.count(Contact.id)), session=session)) or 0
        )


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
        case SortKey.VALUE | SortKey.PURCHASES | SortKey.LIFECYCLE:
            from db import sales_query  # noqa: PLC0415

            return sales_query.ordered(query, stmt)
    raise ValueError(query.sort)


@dataclass(frozen=True)
class _Part:
    """A run of the list that one index delivers in order: which rows, in which order."""

    rows: ColumnElement[bool]
    order: tuple[Any, ...]


def _parts(session: Session, query: ContactQuery) -> list[_Part] | None:
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
            from db.journeys import active_stages  # noqa: PLC0415 - journeys builds on contacts

            ids = [stage.id for stage in active_stages(session)]
            ranked = [_Part(Contact.stage_id == i, by_name) for i in ids]
            off_journey = Contact.stage_id.is_(None) | Contact.stage_id.not_in(ids)
            return [*(reversed(ranked) if down else ranked), _Part(off_journey, by_name)]
        case SortKey.SATISFACTION:
            from db.feedback import Level  # noqa: PLC0415

            # Dissatisfied first ascending (those need attention); no feedback always last.
            levels = sorted(Level, key=lambda level: level.rank, reverse=down)
            ranked = [_Part(Contact.satisfaction == level.value, by_name) for level in levels]
            return [*ranked, _Part(Contact.satisfaction.is_(None), by_name)]
    return None


def contact_ids(database: Database, query: ContactQuery, offset: int, limit: int) -> list[int]:
    """The ids of one page of the list, sorted and filtered in SQL."""
    with database.reading() as session:
        return _page_ids(session, query, offset, limit)


def _page_ids(session: Session, query: ContactQuery, offset: int, limit: int) -> list[int]:
    dense = _is_dense(session, query)
    stmt = _filtered(query, select(Contact.id), dense=dense, session=session)
    parts = _parts(session, query)
    if parts is None:
        return [int(i) for i in session.scalars(_order(query, stmt).offset(offset).limit(limit))]
    ids: list[int] = []
    skip = offset
    for part in parts:
        wanted = limit - len(ids)
        if wanted <= 0:
            break
        rows = stmt.where(part.rows)
        page = rows.order_by(*part.order).offset(skip).limit(wanted)
        found = [int(i) for i in session.scalars(page)]
        ids += found
        if found:
            skip = 0  # the page starts in this part; the next part is read from its start
        elif skip:
            # The page starts after this part: skip all of it (a count, paid only when the
            # page lies beyond the part, never while scrolling within it).
            skip -= int(session.scalar(select(func.count()).select_from(rows.subquery())) or 0)
    return ids


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


def rows_for_ids(database: Database, ids: Sequence[int]) -> list[ContactRow]:
    """The list cells of these contacts, in the order given (missing ones are skipped)."""
    with database.reading() as session:
        return _rows_for_ids(session, ids)


def _rows_for_ids(session: Session, ids: Sequence[int]) -> list[ContactRow]:
    if not ids:
        return []
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
        select(func.group_concat(Tag.name, "\x1f"))
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
        first_email,
        first_phone,
        stage_label,
        tag_names,
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
    )
    from db import sales_query  # noqa: PLC0415

    lifecycle_of = sales_query.lifecycle_of(session)
    by_id = {
        r[0]: ContactRow(
            id=r[0],
            name=r[1],
            company=r[2],
            title=r[3],
            email=r[4] or "",
            phone=r[5] or "",
            stage_label=r[6] or "",
            tags=tuple(sorted(r[7].split("\x1f"), key=str.casefold)) if r[7] else (),
            last_touch_at=r[8],
            last_touch_medium=r[9],
            next_followup_on=r[10],
            updated_at=r[11],
            deleted_at=r[12],
            purchase_count=r[13],
            lifetime_value=r[14],
            satisfaction=r[15],
            lifecycle=lifecycle_of(
                r[13], r[16], r[17], r[18], last_interaction_on=r[23], season=r[24]
            ),
            qualification=qualification(
                has_need=r[19], has_budget=r[20], has_urgency=r[21], is_decision_maker=r[22]
            ),
        )
        for r in session.execute(stmt.where(Contact.id.in_(ids)))
    }
    return [by_id[i] for i in ids if i in by_id]


@dataclass(frozen=True)
class TagCount:
    name: str
    contacts: int


def tag_counts(database: Database) -> list[TagCount]:
    """Every tag in use by a live contact, with how many carry it."""
    with database.reading() as session:
        rows = session.execute(
            select(Tag.name, func.count(Contact.id))
            .join(ContactTag, ContactTag.tag_id == Tag.id)
            .join(Contact, Contact.id == ContactTag.contact_id)
            .where(Contact.deleted_at.is_(None))
            .group_by(Tag.id)
            .order_by(Tag.name)
        )
        return [TagCount(name, int(count)) for name, count in rows]


def contact_choices(database: Database, typed: str, limit: int = 20) -> list[tuple[int, str]]:
    """(id, "Name — Company") pairs for a picker, best matches first."""
    rows = contact_rows(database, ContactQuery(text=typed), 0, limit)
    return [(r.id, f"{r.name} — {r.company}" if r.company else r.name) for r in rows]
