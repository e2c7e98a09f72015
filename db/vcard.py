"""Contacts as vCard 3.0 (RFC 2426), the version Apple Contacts, Google Contacts and
Thunderbird all read, written with ``vobject`` so escaping and line folding follow the RFC.

One card per live contact, by name: FN and N (the last word of the name as the family name),
ORG, TITLE, every EMAIL and TEL with its label, ADR, NOTE, CATEGORIES (the tags), UID and REV.
A label the standard names (home, work, mobile, fax, …) becomes a TYPE; any other label is
kept the way Apple and Google write custom labels: an ``itemN.X-ABLabel`` beside the value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import vobject

from db.engine import Database
from db.export import PROGRESS_EVERY, ExportCancelledError
from db.reports.contacts import ContactCard, cards, live_ids
from db.targets import replacing

EMAIL_TYPES = {"home": "HOME", "work": "WORK", "personal": "HOME", "business": "WORK"}
PHONE_TYPES = {
    "home": "HOME",
    "work": "WORK",
    "business": "WORK",
    "mobile": "CELL",
    "cell": "CELL",
    "fax": "FAX",
    "pager": "PAGER",
    "main": "VOICE",
    "voice": "VOICE",
}


def split_name(name: str) -> tuple[str, str]:
    """(given, family) for the N property: the last word is the family name."""
    words = name.split()
    if len(words) < 2:
        return name, ""
    return " ".join(words[:-1]), words[-1]


def _add_labelled(
    card: Any, kind: str, value: str, *, label: str, types: dict[str, str], base: list[str], n: int
) -> int:
    """Add an EMAIL or TEL; returns the next free item group number."""
    known = types.get(label.strip().casefold())
    if known or not label.strip():
        prop = card.add(kind)
        prop.value = value
        prop.type_paramlist = [*base, *([known] if known else [])] or ["VOICE"]
        return n
    prop = card.add(kind, group=f"item{n}")
    prop.value = value
    prop.type_paramlist = base or ["VOICE"]
    card.add("x-ablabel", group=f"item{n}").value = label.strip()
    return n + 1


def to_vcard(contact: ContactCard) -> Any:
    """One contact as a ``vobject`` vCard 3.0 component."""
    card = vobject.vCard()
    card.add("fn").value = contact.name
    given, family = split_name(contact.name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    if contact.company:
        card.add("org").value = [contact.company]
    if contact.title:
        card.add("title").value = contact.title
    group = 1
    for address, label in contact.emails:
        group = _add_labelled(
            card, "email", address, label=label, types=EMAIL_TYPES, base=["INTERNET"], n=group
        )
    for number, label in contact.phones:
        group = _add_labelled(card, "tel", number, label=label, types=PHONE_TYPES, base=[], n=group)
    if any((contact.street, contact.city, contact.region, contact.postal_code, contact.country)):
        card.add("adr").value = vobject.vcard.Address(
            street=contact.street,
            city=contact.city,
            region=contact.region,
            code=contact.postal_code,
            country=contact.country,
        )
    if contact.notes:
        card.add("note").value = contact.notes
    if contact.tags:
        card.add("categories").value = list(contact.tags)
    card.add("uid").value = f"touchbase-contact-{contact.id}"
    if contact.updated_at is not None:
        card.add("rev").value = contact.updated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return card


def vcards(database: Database) -> Iterator[str]:
    """Every live contact, by name, as serialised vCard text (CRLF line ends)."""
    with database.reading() as session:
        for contact in cards(session, live_ids(session)):
            yield to_vcard(contact).serialize()


def write_vcards(
    database: Database,
    path: Path,
    *,
    keep_going: Callable[[int], bool] | None = None,
    database_path: Path | None = None,
) -> int:
    """Write every live contact to ``path`` as vCard 3.0, whole or not at all (see
    ``db.targets.replacing``); returns the number of cards. ``keep_going`` works as for
    ``db.export.write_csv``."""
    count = 0
    with replacing(path, database_path=database_path) as handle:
        for text in vcards(database):
            handle.write(text)
            count += 1
            if keep_going is not None and count % PROGRESS_EVERY == 0 and not keep_going(count):
                raise ExportCancelledError
    return count


#: File name endings that ask for vCard rather than CSV.
VCARD_SUFFIXES = (".vcf", ".vcard")


def is_vcard_path(path: Path) -> bool:
    return Path(path).suffix.lower() in VCARD_SUFFIXES


__all__ = ["VCARD_SUFFIXES", "is_vcard_path", "split_name", "to_vcard", "vcards", "write_vcards"]
