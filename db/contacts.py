"""Contacts: validating, saving, trashing and restoring them (the list is ``db.listing``).

Each public function that writes is one unit of work (``write_session.begin()``) and commits
once; the user interface only ever receives the frozen dataclasses defined here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from db import automation, derived, lifecycle, search, seasons, stages
from db.clock import local_today
from db.domain import Qualification, qualification
from db.journeys import active_model

# The list lives in ``db.listing``; its names are also reachable from here.
from db.listing import (
    DENSE_MATCHES,
    ContactQuery,
    ContactRow,
    SortKey,
    contact_ids,
    contact_rows,
    count_contacts,
    rows_for_ids,
)
from db.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    KeyDate,
    StageChange,
    Tag,
    utcnow,
)

if TYPE_CHECKING:
    from db.engine import Database

__all__ = [
    "DENSE_MATCHES",
    "ContactDetail",
    "ContactInput",
    "ContactNotFoundError",
    "ContactQuery",
    "ContactRow",
    "ContactsCancelledError",
    "EmailData",
    "PhoneData",
    "SortKey",
    "TagCount",
    "ValidationError",
    "contact_choices",
    "contact_ids",
    "contact_rows",
    "count_contacts",
    "create_contact",
    "empty_trash",
    "get_contact",
    "has_contacts",
    "normalise",
    "purge_contacts",
    "restore_contacts",
    "rows_for_ids",
    "tag_counts",
    "trash_contacts",
    "update_contact",
    "validate",
]

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


#: A contact's free-text fields other than its name, in the order ``contact_text`` gives them
#: (``normalise`` trims them; an import's records carry them so).
TEXT_FIELDS = ("company", "title", "street", "city", "region", "postal_code", "country", "notes")
#: ``contact_text(data)``: the values of ``TEXT_FIELDS``, as a tuple.
contact_text: Callable[[ContactInput], tuple[str, str, str, str, str, str, str, str]] = attrgetter(
    *TEXT_FIELDS
)


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
    tags = clean_tags(data.tags)
    emails = data.emails
    if type(emails) is not tuple or not all(
        e.address and e.address.strip() == e.address and e.label.strip() == e.label for e in emails
    ):
        emails = tuple(
            EmailData(e.address.strip(), e.label.strip()) for e in emails if e.address.strip()
        )
    phones = data.phones
    if type(phones) is not tuple or not all(
        p.number and p.number.strip() == p.number and p.label.strip() == p.label for p in phones
    ):
        phones = tuple(
            PhoneData(p.number.strip(), p.label.strip()) for p in phones if p.number.strip()
        )
    key_dates = tuple(KeyDateData(k.kind, k.on, " ".join(k.label.split())) for k in data.key_dates)
    name = " ".join(data.name.split())
    given = contact_text(data)
    text = tuple(map(str.strip, given))
    if (
        # Already as it would be (an import's rows mostly are): the same object, unbuilt.
        type(data) is ContactInput
        and not key_dates
        and name == data.name
        and tags == data.tags
        and emails is data.emails
        and phones is data.phones
        and text == given
    ):
        return data
    company, title, street, city, region, postal_code, country, notes = text
    return ContactInput(
        name=name,
        company=company,
        title=title,
        emails=emails,
        phones=phones,
        street=street,
        city=city,
        region=region,
        postal_code=postal_code,
        country=country,
        notes=notes,
        tags=tags,
        stage_id=data.stage_id,
        referred_by_id=data.referred_by_id,
        centre_of_influence=data.centre_of_influence,
        do_not_contact=data.do_not_contact,
        has_need=data.has_need,
        has_budget=data.has_budget,
        has_urgency=data.has_urgency,
        is_decision_maker=data.is_decision_maker,
        purchase_interval_days=data.purchase_interval_days,
        key_dates=key_dates,
        season=data.season,
    )


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags with their spacing tidied, the empty ones left out and each kept once (the first
    spelling of those that differ only in case)."""
    seen: dict[str, str] = {}
    for tag in tags:
        cleaned = " ".join(tag.split())
        if cleaned and cleaned.casefold() not in seen:
            seen[cleaned.casefold()] = cleaned
    return tuple(seen.values())


# What ``validate`` says of each field (an import checks its rows field by field with these).


def name_problem(name: str) -> str | None:
    if not name:
        return "A name is required."
    if len(name) > NAME_MAX:
        return f"Keep the name under {NAME_MAX} characters."
    return None


def email_problem(address: str) -> str | None:
    if not _EMAIL.match(address):
        return f"“{address}” does not look like an email address."
    return None


def phone_problem(number: str) -> str | None:
    if not _PHONE_CHARS.match(number) or len(search.digits(number)) < 3:
        return (
            f"“{number}” does not look like a phone number. Use digits, with spaces, a plus, "
            "brackets or dashes if you like."
        )
    return None


def tags_problem(tags: Iterable[str]) -> str | None:
    """What is wrong with the last tag of ``tags`` that is wrong (the form shows one)."""
    problem = None
    for tag in tags:
        if len(tag) > TAG_MAX:
            problem = f"Keep each tag under {TAG_MAX} characters."
        elif "," in tag:
            problem = "A tag cannot contain a comma."
    return problem


def interval_problem(days: int | None) -> str | None:
    if days is not None and not 1 <= days <= INTERVAL_MAX:
        return f"Between 1 and {INTERVAL_MAX:,} days, or the default."
    return None


def validate(data: ContactInput) -> dict[str, str]:
    """Problems with a (normalised) form, by field: ``emails.1`` is the second email row."""
    errors: dict[str, str] = {}
    if problem := name_problem(data.name):
        errors["name"] = problem
    for index, email in enumerate(data.emails):
        if problem := email_problem(email.address):
            errors[f"emails.{index}"] = problem
    for index, phone in enumerate(data.phones):
        if problem := phone_problem(phone.number):
            errors[f"phones.{index}"] = problem
    if problem := tags_problem(data.tags):
        errors["tags"] = problem
    if problem := interval_problem(data.purchase_interval_days):
        errors["purchase_interval_days"] = problem
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
            stages.check_reason(session, [contact_id], data.stage_id, stage_reason)
            stages.move_contacts(session, [contact_id], data.stage_id, reason=stage_reason, now=now)
        search.reindex(session, [contact_id])
        # The do-not-contact flag decides whether there is a next follow-up at all, and with
        # the contact's own purchase interval, where it stands as a buyer.
        derived.refresh_schedule(session, [contact_id])
        seasons.refresh(session, [contact_id])
        # A season set by hand counts too.
        lifecycle.refresh_stored(session, local_today(), [contact_id])
        automation.advance(session, [contact_id], today=local_today(), now=now)
        automation.plan_key_date_followups(
            session, local_today(), [contact_id], now=now, replan=True
        )
        _drop_unused_tags(session)


class ContactsCancelledError(Exception):
    """The progress callback asked to stop a bulk change; nothing was written."""


#: Contacts changed per step of a bulk change, between two progress reports.
CHUNK = 500

Report = Callable[[int, int], bool]


def _chunks(ids: Sequence[int], progress: Report | None) -> Iterator[Sequence[int]]:
    """``ids`` a chunk at a time, reporting progress before each; stops (and so rolls the
    unit of work back) when ``progress`` returns False."""
    for start in range(0, len(ids), CHUNK):
        if progress is not None and not progress(start, len(ids)):
            raise ContactsCancelledError
        yield ids[start : start + CHUNK]
    if progress is not None:
        progress(len(ids), len(ids))


def trash_contacts(
    database: Database,
    contact_ids: Sequence[int],
    *,
    now: datetime | None = None,
    progress: Report | None = None,
) -> int:
    """Move contacts to the trash; returns how many moved."""
    moved = 0
    now = now or utcnow()
    with database.write_session.begin() as session:
        for chunk in _chunks(list(contact_ids), progress):
            result = session.execute(
                update(Contact)
                .where(Contact.id.in_(chunk), Contact.deleted_at.is_(None))
                .values(deleted_at=now)
                .execution_options(synchronize_session=False)
            )
            derived.refresh_schedule(session, chunk)
            moved += int(result.rowcount)  # type: ignore[attr-defined]
        return moved


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


def purge_contacts(
    database: Database, contact_ids: Sequence[int], *, progress: Report | None = None
) -> int:
    """Delete trashed contacts for good, with their touches and history."""
    with database.write_session.begin() as session:
        return _purge(session, list(contact_ids), progress)


def empty_trash(database: Database, *, progress: Report | None = None) -> int:
    """Delete every contact in the trash for good; returns how many went."""
    with database.write_session.begin() as session:
        ids = [int(i) for i in session.scalars(select(Contact.id).where(_in_trash()))]
        return _purge(session, ids, progress)


def _in_trash() -> ColumnElement[bool]:
    return Contact.deleted_at.is_not(None)


def _purge(session: Session, ids: list[int], progress: Report | None) -> int:
    gone = 0
    for chunk in _chunks(ids, progress):
        result = session.execute(
            delete(Contact)
            .where(Contact.id.in_(chunk), _in_trash())
            .execution_options(synchronize_session=False)
        )
        gone += int(result.rowcount)  # type: ignore[attr-defined]
    if gone:
        search.drop_missing(session)
        _drop_unused_tags(session)
    return gone


def _drop_unused_tags(session: Session) -> None:
    session.flush()
    session.execute(delete(Tag).where(~Tag.id.in_(select(ContactTag.tag_id))))


def _first_stage_id(session: Session) -> int | None:
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


def has_contacts(database: Database) -> bool:
    """Whether any contact is outside the trash (cheap: stops at the first)."""
    with database.reading() as session:
        found = session.scalar(select(Contact.id).where(Contact.deleted_at.is_(None)).limit(1))
        return found is not None


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
