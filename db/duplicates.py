"""Contacts that are likely the same person, and merging two of them into one.

``find_duplicates`` lists pairs of live contacts that share an email address, share a phone
number once both are read in international form (``db.matching``, with the database's default
region), or have very similar names at the same company. An address or number shared by more
than ``SHARED_LIMIT`` contacts is a shared line, not a likely duplicate, and is left out.

It is built for 100,000 contacts: emails are grouped by SQLite on their index; phone numbers
are first grouped by their last seven digits, so only numbers that could be equal are parsed;
names are compared only within one company, and there only between contacts sharing a word of
their name.

``merge_contacts`` folds one contact (the *other*) into another (the *kept* one) in one unit
of work: every touch, purchase, follow-up, stage change and feedback form of the other moves
to the kept contact, as do the contacts it referred; the kept contact takes, field by field,
the values the owner chose, and every email, phone and tag of both. The other contact goes to
the trash, untouched, so nothing it held is lost. The returned ``MergeRecord`` holds what
``undo_merge`` needs to put everything back.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from db import derived, search
from db.engine import Database
from db.matching import default_region, normalise_email, normalise_phone
from db.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    Feedback,
    Followup,
    Purchase,
    StageChange,
    Tag,
    Touch,
    utcnow,
)
from db.touches import sync_last_touch

#: Names at the same company at least this similar (difflib's ratio) count as a likely pair.
NAME_SIMILARITY = 0.85
#: Within one company, a word shared by more names than this is too common to compare by.
BLOCK_LIMIT = 200
#: An email or number shared by more contacts than this is an office's shared line or
#: mailbox ("info@…", a switchboard), not a sign that they are one person.
SHARED_LIMIT = 4
_PUNCTUATION = re.compile(r"[^\w\s]")

Progress = Callable[[int, int], bool]


class MergeError(ValueError):
    """The two contacts cannot be merged (or a merge undone); the message says why."""


@dataclass(frozen=True)
class DuplicatePair:
    """Two live contacts that may be one person; ``first_id`` is the older (lower id)."""

    first_id: int
    second_id: int
    first_name: str
    second_name: str
    first_company: str
    second_company: str
    reasons: tuple[str, ...]


# --- finding -------------------------------------------------------------------------------


def name_key(name: str) -> str:
    """A name as compared: no case, accents or punctuation, words in order of appearance."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_PUNCTUATION.sub(" ", plain).split())


def similar_names(a: str, b: str) -> bool:
    """Whether two name keys are very likely the same person's name."""
    if a == b or sorted(a.split()) == sorted(b.split()):
        return True
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= NAME_SIMILARITY and matcher.ratio() >= NAME_SIMILARITY


def _pairs_in(groups: Iterable[Sequence[int]]) -> Iterable[tuple[int, int]]:
    for ids in groups:
        unique = sorted(set(ids))
        for i, a in enumerate(unique):
            for b in unique[i + 1 :]:
                yield a, b


def _same_email(session: Session) -> dict[tuple[int, int], str]:
    """Pairs sharing an email address (the column compares without case, on its index)."""
    found: dict[tuple[int, int], str] = {}
    shared = (
        select(ContactEmail.address)
        .join(Contact, Contact.id == ContactEmail.contact_id)
        .where(Contact.deleted_at.is_(None))
        .group_by(ContactEmail.address)
        .having(func.count(func.distinct(ContactEmail.contact_id)) > 1)
    )
    groups: dict[str, list[int]] = defaultdict(list)
    for address, contact_id in session.execute(
        select(ContactEmail.address, ContactEmail.contact_id)
        .join(Contact, Contact.id == ContactEmail.contact_id)
        .where(Contact.deleted_at.is_(None), ContactEmail.address.in_(shared))
    ):
        key = normalise_email(address)
        if key is not None:
            groups[key].append(contact_id)
    for address, ids in groups.items():
        if len(set(ids)) > SHARED_LIMIT:
            continue
        for pair in _pairs_in([ids]):
            found.setdefault(pair, f"Same email {address}")
    return found


def _tail(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits[-7:]


def _same_phone(session: Session, region: str) -> dict[tuple[int, int], str]:
    """Pairs sharing a phone number in international form. Two numbers can only be the same
    if their last seven digits agree, so only numbers sharing those with another contact's
    are parsed (parsing is what costs)."""
    by_tail: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for number, contact_id in session.execute(
        select(ContactPhone.number, ContactPhone.contact_id)
        .join(Contact, Contact.id == ContactPhone.contact_id)
        .where(Contact.deleted_at.is_(None))
        .execution_options(yield_per=5000)
    ):
        tail = _tail(number)
        if tail:
            by_tail[tail].append((number, contact_id))
    groups: dict[str, list[int]] = defaultdict(list)
    for entries in by_tail.values():
        if len({cid for _n, cid in entries}) < 2:
            continue
        for number, contact_id in entries:
            key = normalise_phone(number, region)
            if key is not None:
                groups[key].append(contact_id)
    found: dict[tuple[int, int], str] = {}
    for key, ids in groups.items():
        if len(set(ids)) > SHARED_LIMIT:
            continue
        for pair in _pairs_in([ids]):
            found.setdefault(pair, f"Same phone {key}")
    return found


def _similar_names(session: Session) -> dict[tuple[int, int], str]:
    """Pairs at the same company with very similar names, compared only between contacts
    that share a word of their name (first name or surname)."""
    at_shared_company = (
        select(Contact.company)
        .where(Contact.deleted_at.is_(None), Contact.company != "")
        .group_by(Contact.company)
        .having(func.count() > 1)
    )
    companies: dict[str, list[tuple[int, str]]] = defaultdict(list)
    labels: dict[str, str] = {}
    for company, contact_id, name in session.execute(
        select(Contact.company, Contact.id, Contact.name).where(
            Contact.deleted_at.is_(None), Contact.company.in_(at_shared_company)
        )
    ):
        companies[company.casefold()].append((contact_id, name_key(name)))
        labels.setdefault(company.casefold(), company)
    found: dict[tuple[int, int], str] = {}
    for company, members in companies.items():
        blocks: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for contact_id, key in members:
            for word in set(key.split()):
                blocks[word].append((contact_id, key))
        for block in blocks.values():
            if len(block) > BLOCK_LIMIT:
                continue
            for i, (a, key_a) in enumerate(block):
                for b, key_b in block[i + 1 :]:
                    pair = (min(a, b), max(a, b))
                    if a != b and pair not in found and similar_names(key_a, key_b):
                        found[pair] = f"Similar names at {labels[company]}"
    return found


def find_duplicates(
    database: Database, *, region: str | None = None, progress: Progress | None = None
) -> list[DuplicatePair]:
    """Likely duplicate pairs among live contacts: same email first, then same phone, then
    similar names at one company (a pair found several ways lists every reason).

    ``region`` overrides the default region of phone numbers; ``progress`` is called with
    (step, 3) and stops the search (``InterruptedError``) when it returns False.
    """

    def step(done: int) -> None:
        if progress is not None and not progress(done, 3):
            raise InterruptedError("The search for duplicates was stopped.")

    reasons: dict[tuple[int, int], list[str]] = defaultdict(list)
    with database.reading() as session:
        phone_region = default_region(session) if region is None else region
        step(0)
        for pair, why in _same_email(session).items():
            reasons[pair].append(why)
        step(1)
        for pair, why in _same_phone(session, phone_region).items():
            reasons[pair].append(why)
        step(2)
        for pair, why in _similar_names(session).items():
            reasons[pair].append(why)
        ids = sorted({i for pair in reasons for i in pair})
        names: dict[int, tuple[str, str]] = {}
        for start in range(0, len(ids), 1000):
            for cid, name, company in session.execute(
                select(Contact.id, Contact.name, Contact.company).where(
                    Contact.id.in_(ids[start : start + 1000])
                )
            ):
                names[cid] = (name, company)
        step(3)
    pairs = [
        DuplicatePair(
            first_id=a,
            second_id=b,
            first_name=names[a][0],
            second_name=names[b][0],
            first_company=names[a][1],
            second_company=names[b][1],
            reasons=tuple(why),
        )
        for (a, b), why in reasons.items()
    ]
    pairs.sort(key=lambda p: (p.first_name.casefold(), p.second_name.casefold(), p.first_id))
    return pairs


# --- merging -------------------------------------------------------------------------------

#: The fields the owner chooses between, in the order the merge dialog shows them.
FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "Name"),
    ("company", "Company"),
    ("title", "Title"),
    ("stage_id", "Stage"),
    ("street", "Street"),
    ("city", "City"),
    ("region", "Region"),
    ("postal_code", "Postal code"),
    ("country", "Country"),
    ("notes", "Notes"),
    ("referred_by_id", "Referred by"),
    ("centre_of_influence", "Centre of influence"),
    ("do_not_contact", "Do not contact"),
    ("has_need", "Has a need"),
    ("has_budget", "Has a budget"),
    ("has_urgency", "Has urgency"),
    ("is_decision_maker", "Decision maker"),
    ("purchase_interval_days", "Purchase interval (days)"),
)
FIELD_NAMES = tuple(name for name, _label in FIELDS)
#: Fields whose two values can both be kept, one after the other.
JOINABLE = ("notes",)

KEEP = "keep"
OTHER = "other"
BOTH = "both"


@dataclass(frozen=True)
class MergeSide:
    """One of the two contacts as the merge dialog shows it."""

    id: int
    values: Mapping[str, Any]
    shown: Mapping[str, str]  # each field as a person reads it ("Customer", "yes")
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    tags: tuple[str, ...]
    touches: int
    purchases: int
    followups: int
    feedback: int
    stage_changes: int


@dataclass(frozen=True)
class MergePreview:
    kept: MergeSide
    other: MergeSide

    @property
    def differing(self) -> tuple[str, ...]:
        """The fields whose values differ, which the owner chooses between."""
        return tuple(f for f in FIELD_NAMES if self.kept.values[f] != self.other.values[f])

    def default_choice(self, name: str) -> str:
        """The kept contact's value, unless it is empty and the other's is not."""
        mine, theirs = self.kept.values[name], self.other.values[name]
        return OTHER if mine in ("", None, False) and theirs not in ("", None, False) else KEEP


@dataclass(frozen=True)
class MergeRecord:
    """Everything a merge changed, so ``undo_merge`` can put it back."""

    kept_id: int
    other_id: int
    kept_name: str
    other_name: str
    previous: tuple[tuple[str, Any], ...]
    previous_stage_entered_at: datetime | None
    emails: tuple[tuple[str, str], ...]
    phones: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]
    moved: tuple[tuple[str, tuple[int, ...]], ...] = field(default=())
    referrals: tuple[int, ...] = ()


_MOVED: tuple[tuple[str, Any], ...] = (
    ("touch", Touch),
    ("purchase", Purchase),
    ("followup", Followup),
    ("feedback", Feedback),
    ("stage_change", StageChange),
)


def _live(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.deleted_at is not None:
        raise MergeError("One of the two contacts is no longer there (deleted or merged).")
    return contact


def _count(session: Session, model: Any, contact_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(model).where(model.contact_id == contact_id)
        )
        or 0
    )


def _shown(session: Session, contact: Contact) -> dict[str, str]:
    shown: dict[str, str] = {}
    for name in FIELD_NAMES:
        value = getattr(contact, name)
        if name == "stage_id":
            shown[name] = contact.stage.label if contact.stage else ""
        elif name == "referred_by_id":
            shown[name] = contact.referred_by.name if contact.referred_by else ""
        elif isinstance(value, bool):
            shown[name] = "yes" if value else "no"
        else:
            shown[name] = "" if value is None else str(value)
    return shown


def _side(session: Session, contact: Contact) -> MergeSide:
    return MergeSide(
        id=contact.id,
        values={name: getattr(contact, name) for name in FIELD_NAMES},
        shown=_shown(session, contact),
        emails=tuple(e.address for e in contact.emails),
        phones=tuple(p.number for p in contact.phones),
        tags=tuple(t.name for t in contact.tags),
        touches=_count(session, Touch, contact.id),
        purchases=_count(session, Purchase, contact.id),
        followups=_count(session, Followup, contact.id),
        feedback=_count(session, Feedback, contact.id),
        stage_changes=_count(session, StageChange, contact.id),
    )


def merge_preview(database: Database, kept_id: int, other_id: int) -> MergePreview:
    """Both contacts, as the merge dialog compares them."""
    if kept_id == other_id:
        raise MergeError("A contact cannot be merged with itself.")
    with database.reading() as session:
        return MergePreview(
            _side(session, _live(session, kept_id)), _side(session, _live(session, other_id))
        )


def _joined_notes(mine: str, theirs: str) -> str:
    return "\n\n".join(text for text in (mine, theirs) if text)


def merge_contacts(
    database: Database,
    kept_id: int,
    other_id: int,
    choices: Mapping[str, str],
    *,
    now: datetime | None = None,
) -> MergeRecord:
    """Fold ``other_id`` into ``kept_id`` (see the module's docstring). ``choices`` maps a
    field to ``KEEP``, ``OTHER`` or (notes) ``BOTH``; fields not named keep the kept
    contact's value."""
    if kept_id == other_id:
        raise MergeError("A contact cannot be merged with itself.")
    unknown = set(choices) - set(FIELD_NAMES)
    if unknown:
        raise MergeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    now = now or utcnow()
    with database.write_session.begin() as session:
        kept = _live(session, kept_id)
        other = _live(session, other_id)
        region = default_region(session)
        record_emails = tuple((e.address, e.label) for e in kept.emails)
        record_phones = tuple((p.number, p.label) for p in kept.phones)
        record_tags = tuple(t.name for t in kept.tags)
        previous = tuple((name, getattr(kept, name)) for name in FIELD_NAMES)
        previous_entered = kept.stage_entered_at

        moved: list[tuple[str, tuple[int, ...]]] = []
        for kind, model in _MOVED:
            ids = tuple(session.scalars(select(model.id).where(model.contact_id == other_id)))
            if ids:
                session.execute(update(model).where(model.id.in_(ids)).values(contact_id=kept_id))
            moved.append((kind, ids))
        referrals = tuple(
            session.scalars(
                select(Contact.id).where(Contact.referred_by_id == other_id, Contact.id != kept_id)
            )
        )
        if referrals:
            session.execute(
                update(Contact).where(Contact.id.in_(referrals)).values(referred_by_id=kept_id)
            )

        for name, choice in choices.items():
            if choice == OTHER:
                setattr(kept, name, getattr(other, name))
            elif choice == BOTH and name in JOINABLE:
                setattr(kept, name, _joined_notes(getattr(kept, name), getattr(other, name)))
            elif choice != KEEP:
                raise MergeError(f"{choice!r} is not a choice for {name}.")
        if choices.get("stage_id") == OTHER:
            kept.stage_entered_at = other.stage_entered_at
        if kept.referred_by_id in (kept_id, other_id):
            kept.referred_by_id = None

        emails = [(e.address, e.label) for e in kept.emails]
        seen_emails = {normalise_email(a) for a, _l in emails}
        emails += [
            (e.address, e.label)
            for e in other.emails
            if normalise_email(e.address) not in seen_emails
        ]
        phones = [(p.number, p.label) for p in kept.phones]
        seen_phones = {normalise_phone(n, region) or n for n, _l in phones}
        phones += [
            (p.number, p.label)
            for p in other.phones
            if (normalise_phone(p.number, region) or p.number) not in seen_phones
        ]
        kept.emails = [
            ContactEmail(address=a, label=label, position=i) for i, (a, label) in enumerate(emails)
        ]
        kept.phones = [
            ContactPhone(number=n, label=label, position=i) for i, (n, label) in enumerate(phones)
        ]
        tags = {t.id: t for t in kept.tags}
        tags.update({t.id: t for t in other.tags})
        kept.tags = sorted(tags.values(), key=lambda t: t.name.casefold())
        kept.updated_at = now
        other.deleted_at = now
        _refresh(session, [kept_id, other_id])
        return MergeRecord(
            kept_id=kept_id,
            other_id=other_id,
            kept_name=kept.name,
            other_name=other.name,
            previous=previous,
            previous_stage_entered_at=previous_entered,
            emails=record_emails,
            phones=record_phones,
            tags=record_tags,
            moved=tuple(moved),
            referrals=referrals,
        )


def _refresh(session: Session, ids: list[int]) -> None:
    session.flush()
    sync_last_touch(session, ids)
    derived.refresh_purchases(session, ids)
    derived.refresh_satisfaction(session, ids)
    derived.refresh_schedule(session, ids)
    search.reindex(session, ids)


def undo_merge(database: Database, record: MergeRecord) -> None:
    """Put back what ``merge_contacts`` changed: the other contact out of the trash with
    every row it had, and the kept contact's own fields, emails, phones and tags."""
    models = dict(_MOVED)
    with database.write_session.begin() as session:
        kept = session.get(Contact, record.kept_id)
        other = session.get(Contact, record.other_id)
        if kept is None or other is None:
            raise MergeError(
                "The merge cannot be undone: one of the contacts has since been deleted for good."
            )
        for kind, ids in record.moved:
            if ids:
                model = models[kind]
                session.execute(
                    update(model)
                    .where(model.id.in_(ids), model.contact_id == record.kept_id)
                    .values(contact_id=record.other_id)
                )
        if record.referrals:
            session.execute(
                update(Contact)
                .where(Contact.id.in_(record.referrals), Contact.referred_by_id == record.kept_id)
                .values(referred_by_id=record.other_id)
            )
        for name, value in record.previous:
            setattr(kept, name, value)
        kept.stage_entered_at = record.previous_stage_entered_at
        kept.emails = [
            ContactEmail(address=a, label=label, position=i)
            for i, (a, label) in enumerate(record.emails)
        ]
        kept.phones = [
            ContactPhone(number=n, label=label, position=i)
            for i, (n, label) in enumerate(record.phones)
        ]
        kept.tags = list(session.scalars(select(Tag).where(Tag.name.in_(record.tags))))
        other.deleted_at = None
        _refresh(session, [record.kept_id, record.other_id])
        session.flush()
        session.execute(delete(Tag).where(~Tag.id.in_(select(ContactTag.tag_id))))


__all__ = [
    "BOTH",
    "FIELDS",
    "KEEP",
    "OTHER",
    "DuplicatePair",
    "MergeError",
    "MergePreview",
    "MergeRecord",
    "MergeSide",
    "find_duplicates",
    "merge_contacts",
    "merge_preview",
    "name_key",
    "similar_names",
    "undo_merge",
]
