"""A small iCalendar (RFC 5545) writer, so follow-ups appear in the owner's calendar.

Each follow-up becomes an all-day VEVENT. Text is escaped (backslash, semicolon, comma,
newline), lines are folded at 75 octets without splitting a UTF-8 character, and every line
ends with CRLF, as the RFC requires. Files are written through ``db.targets.replacing``: whole
or not at all, and never over the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from db.targets import replacing

PRODID = "-//Touchbase//Follow-ups//EN"
_LIMIT = 75


@dataclass(frozen=True)
class Event:
    """One all-day event."""

    uid: str
    day: date
    summary: str
    description: str = ""
    categories: tuple[str, ...] = ()


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, continuation lines starting with
    a space (RFC 5545 §3.1), never splitting a multi-byte character."""
    out: list[str] = []
    current = ""
    size = 0
    limit = _LIMIT
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def calendar_lines(events: Iterable[Event], *, stamp: datetime) -> Iterable[str]:
    yield "BEGIN:VCALENDAR"
    yield "VERSION:2.0"
    yield f"PRODID:{PRODID}"
    yield "CALSCALE:GREGORIAN"
    yield "METHOD:PUBLISH"
    dtstamp = stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    for event in events:
        yield "BEGIN:VEVENT"
        yield f"UID:{event.uid}"
        yield f"DTSTAMP:{dtstamp}"
        yield f"DTSTART;VALUE=DATE:{_day(event.day)}"
        yield f"DTEND;VALUE=DATE:{_day(event.day + timedelta(days=1))}"
        yield f"SUMMARY:{escape(event.summary)}"
        if event.description:
            yield f"DESCRIPTION:{escape(event.description)}"
        if event.categories:
            yield "CATEGORIES:" + ",".join(escape(c) for c in event.categories)
        yield "TRANSP:TRANSPARENT"
        yield "END:VEVENT"
    yield "END:VCALENDAR"


def render(events: Iterable[Event], *, stamp: datetime) -> str:
    return "".join(fold(line) + "\r\n" for line in calendar_lines(events, stamp=stamp))


def write_ics(
    events: Iterable[Event], path: Path, *, stamp: datetime, database_path: Path | None = None
) -> int:
    """Write the calendar whole, or not at all (see ``db.targets.replacing``); returns the
    number of events."""
    events = list(events)
    with replacing(path, database_path=database_path) as handle:
        handle.write(render(events, stamp=stamp))
    return len(events)
