"""Contacts as vCard 3.0 (RFC 2426), the version Apple Contacts, Google Contacts and
Thunderbird all read. Written here rather than through ``vobject``, which took 40 s for
100,000 contacts; ``vobject`` reads every card back in the tests (escaping, folding, labels).

One card per live contact, by name: FN and N (the last word of the name as the family name),
ORG, TITLE, every EMAIL and TEL with its label, ADR, NOTE, CATEGORIES (the tags), UID and REV.
A label the standard names (home, work, mobile, fax, …) becomes a TYPE; any other label is
kept the way Apple and Google write custom labels: an ``itemN.X-ABLabel`` beside the value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path

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


def _escape(text: str) -> str:
    """A text value as RFC 2426 writes it: backslash, comma, semicolon and line breaks
    escaped."""
    return (
        text.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """A content line folded at 75 octets (a CRLF and a space before each part after the
    first), never inside a UTF-8 character; ends with CRLF."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line + "\r\n"
    parts: list[str] = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # a continuation byte
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # the leading space counts
    return "\r\n ".join(parts) + "\r\n"


def _labelled(
    kind: str, value: str, *, label: str, types: dict[str, str], base: list[str], n: int
) -> tuple[list[str], int]:
    """The lines of an EMAIL or TEL, and the next free item group number."""
    known = types.get(label.strip().casefold())
    if known or not label.strip():
        params = [*base, *([known] if known else [])] or ["VOICE"]
        return [f"{kind};TYPE={','.join(params)}:{_escape(value)}"], n
    params = base or ["VOICE"]
    return [
        f"item{n}.{kind};TYPE={','.join(params)}:{_escape(value)}",
        f"item{n}.X-ABLabel:{_escape(label.strip())}",
    ], n + 1


def to_vcard(contact: ContactCard) -> str:
    """One contact as vCard 3.0 text (CRLF line ends, folded as RFC 2426 asks)."""
    given, family = split_name(contact.name)
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"FN:{_escape(contact.name)}",
        f"N:{_escape(family)};{_escape(given)};;;",
    ]
    if contact.company:
        lines.append(f"ORG:{_escape(contact.company)}")
    if contact.title:
        lines.append(f"TITLE:{_escape(contact.title)}")
    group = 1
    for address, label in contact.emails:
        more, group = _labelled(
            "EMAIL", address, label=label, types=EMAIL_TYPES, base=["INTERNET"], n=group
        )
        lines += more
    for number, label in contact.phones:
        more, group = _labelled("TEL", number, label=label, types=PHONE_TYPES, base=[], n=group)
        lines += more
    address_parts = (contact.street, contact.city, contact.region, contact.postal_code)
    if any((*address_parts, contact.country)):
        lines.append("ADR:;;" + ";".join(_escape(p) for p in (*address_parts, contact.country)))
    if contact.notes:
        lines.append(f"NOTE:{_escape(contact.notes)}")
    if contact.tags:
        lines.append("CATEGORIES:" + ",".join(_escape(t) for t in contact.tags))
    lines.append(f"UID:touchbase-contact-{contact.id}")
    if contact.updated_at is not None:
        lines.append(f"REV:{contact.updated_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}")
    lines.append("END:VCARD")
    return "".join(_fold(line) for line in lines)


def vcards(database: Database) -> Iterator[str]:
    """Every live contact, by name, as vCard text (CRLF line ends)."""
    with database.reading() as session:
        for contact in cards(session, live_ids(session)):
            yield to_vcard(contact)


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
