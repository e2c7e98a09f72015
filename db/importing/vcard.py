"""Reading vCard files (2.1, 3.0 and 4.0), one card at a time, with vobject.

Cards are cut out of the file line by line (so a phone's 10,000-card export is never held
whole) and each is parsed by vobject, which handles folding, quoted-printable and CHARSET
parameters. Name, company, title, emails, phones (with their TYPE or Apple label), the first
address, notes and categories fill the contact; other addresses and everything else a person
wrote (birthday, website, nickname, ...) go to the notes. Photos and technical fields (UID,
REV, PRODID) are left out.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import vobject

from db.contacts import EmailData, PhoneData
from db.importing.rows import Draft, ImportRow, clean_label

log = logging.getLogger(__name__)

#: Properties that are not about the person, or that cannot be shown as text.
_SKIPPED = {
    "VERSION",
    "PRODID",
    "UID",
    "REV",
    "PHOTO",
    "LOGO",
    "SOUND",
    "KEY",
    "N",
    "FN",
    "X-ABLABEL",
    "X-ABUID",
    "X-ABADR",
    "X-ABSHOWAS",
    "CLIENTPIDMAP",
    "KIND",
    "SORT-STRING",
    "LABEL",
    "MAILER",
    "X-PHONETIC-FIRST-NAME",
    "X-PHONETIC-LAST-NAME",
}
_NOTE_NAMES = {
    "BDAY": "Birthday",
    "ANNIVERSARY": "Anniversary",
    "URL": "Website",
    "NICKNAME": "Nickname",
    "ROLE": "Role",
    "IMPP": "Chat",
    "X-SOCIALPROFILE": "Profile",
    "GENDER": "Gender",
    "TZ": "Time zone",
    "GEO": "Location",
    "RELATED": "Related",
    "LANG": "Language",
}
_TYPE_WORDS = {
    "cell": "mobile",
    "mobile": "mobile",
    "work": "work",
    "home": "home",
    "fax": "fax",
    "pager": "pager",
    "main": "main",
    "other": "other",
    "iphone": "mobile",
}


_BOM = b"\xef\xbb\xbf"


def count_cards(path: Path) -> int:
    """How many cards the file holds (a quick pass over its lines)."""
    with path.open("rb") as stream:
        return sum(1 for line in stream if line.strip().lstrip(_BOM).upper() == b"BEGIN:VCARD")


class VCardReader:
    """Each card of a file as an ``ImportRow`` (``position`` in bytes, for progress)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._raw = path.open("rb")

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @property
    def position(self) -> int:
        return self._raw.tell()

    def __iter__(self) -> Iterator[ImportRow]:
        card: list[bytes] = []
        depth = 0
        start = 0
        for number, line in enumerate(self._raw, start=1):
            marker = line.strip().lstrip(_BOM).upper()
            if marker == b"BEGIN:VCARD":
                if depth == 0:
                    card, start = [], number
                depth += 1
            if depth:
                card.append(line)
            if marker == b"END:VCARD" and depth:
                depth -= 1
                if depth == 0:
                    yield self._row(start, b"".join(card))
        if depth:
            yield ImportRow(start, None, "The card is not finished (no END:VCARD).")

    def _row(self, line: int, data: bytes) -> ImportRow:
        try:
            text = data.decode("utf-8").lstrip("\ufeff")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        text = _without_media(text)
        try:
            card = vobject.readOne(text, allowQP=True, ignoreUnreadable=True)
        except Exception as exc:  # vobject raises many kinds for a malformed card
            log.info("card at line %d cannot be read: %s", line, exc)
            return ImportRow(line, None, f"The card cannot be read: {_reason(exc)}")
        try:
            draft = card_draft(card)
        except Exception as exc:  # a value vobject read but that is not what it claims
            log.info("card at line %d cannot be used: %s", line, exc)
            return ImportRow(line, None, f"The card cannot be read: {_reason(exc)}")
        return draft.finish(line)

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> VCardReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_MEDIA = re.compile(r"^(?:[\w-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]", re.IGNORECASE)


def _without_media(text: str) -> str:
    """The card without photos, logos, sounds and keys (and their base64 lines)."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        if _MEDIA.match(line):
            skipping = True
            continue
        if skipping and line.strip() and (line[0] in " \t" or ":" not in line):
            continue  # a folded or vCard 2.1 base64 line of the skipped value
        skipping = False
        out.append(line)
    return "".join(out)


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:200]


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value if _text(v))
    if isinstance(value, bytes):
        return ""
    return str(value).strip().replace("\r\n", "\n")


def _types(line: Any) -> list[str]:
    words: list[str] = []
    for raw in [*line.params.get("TYPE", []), *getattr(line, "singletonparams", [])]:
        words.extend(w.strip().lower() for w in str(raw).split(",") if w.strip())
    return words


def _label(line: Any, apple_labels: dict[str, str], kind: str) -> str:
    group = getattr(line, "group", None)
    if group and group.upper() in apple_labels:
        return clean_label(apple_labels[group.upper()])
    words = [_TYPE_WORDS[w] for w in _types(line) if w in _TYPE_WORDS]
    if kind == "phone" and "fax" in words and len(words) > 1:
        return f"{words[0]} fax" if words[0] != "fax" else "fax"
    return words[0] if words else ""


def card_draft(card: Any) -> Draft:
    """What one parsed vCard says, as a ``Draft``."""
    draft = Draft()
    children = list(card.getChildren())
    apple_labels = {
        str(c.group).upper(): _text(c.value)
        for c in children
        if c.name.upper() == "X-ABLABEL" and getattr(c, "group", None)
    }
    first_address = True
    for line in children:
        name = line.name.upper()
        value = line.value
        if name == "FN":
            draft.name = _text(value)
        elif name == "N":
            draft.prefix = _text(getattr(value, "prefix", ""))
            draft.first = _text(getattr(value, "given", ""))
            draft.middle = _text(getattr(value, "additional", ""))
            draft.last = _text(getattr(value, "family", ""))
            draft.suffix = _text(getattr(value, "suffix", ""))
        elif name == "ORG":
            values = value if isinstance(value, list) else [value]
            parts = [p for p in (_text(v) for v in values) if p]
            if parts and not draft.company:
                draft.company = parts[0]
                if len(parts) > 1:
                    draft.notes.append("Department: " + ", ".join(parts[1:]))
        elif name == "TITLE":
            draft.title = draft.title or _text(value)
        elif name == "EMAIL":
            address = _text(value).removeprefix("mailto:")
            if address:
                draft.emails.append(EmailData(address, _label(line, apple_labels, "email")))
        elif name == "TEL":
            number = _text(value).removeprefix("tel:")
            if number:
                draft.phones.append(PhoneData(number, _label(line, apple_labels, "phone")))
        elif name == "ADR":
            _address(draft, value, first=first_address)
            first_address = False
        elif name == "NOTE":
            if _text(value):
                draft.notes.append(_text(value))
        elif name == "CATEGORIES":
            values = value if isinstance(value, list) else [value]
            draft.tags.extend(t for t in (_text(v) for v in values) if t)
        elif name in _SKIPPED or isinstance(value, bytes):
            continue
        elif name in _NOTE_NAMES and _text(value):
            draft.notes.append(f"{_NOTE_NAMES[name]}: {_text(value)}")
        elif name.startswith("X-") and _text(value) and name not in _SKIPPED:
            label = apple_labels.get(str(getattr(line, "group", "") or "").upper())
            shown = clean_label(label) if label else name[2:].replace("-", " ").capitalize()
            draft.notes.append(f"{shown}: {_text(value)}")
        elif _text(value):
            draft.notes.append(f"{name.capitalize()}: {_text(value)}")
    return draft


def _address(draft: Draft, value: Any, *, first: bool) -> None:
    # The street keeps its lines (as the contact form does); the post box and the extended
    # address come before it, a line each.
    street = "\n".join(
        p
        for p in (
            _text(getattr(value, "box", "")),
            _text(getattr(value, "extended", "")),
            _text(getattr(value, "street", "")),
        )
        if p
    )
    city = _text(getattr(value, "city", ""))
    region = _text(getattr(value, "region", ""))
    code = _text(getattr(value, "code", ""))
    country = _text(getattr(value, "country", ""))
    if first:
        draft.street, draft.city, draft.region = street, city, region
        draft.postal_code, draft.country = code, country
        return
    shown = ", ".join(p for p in (street.replace("\n", ", "), city, region, code, country) if p)
    if shown:
        draft.notes.append(f"Other address: {shown}")


def has_cards(path: Path) -> bool:
    """True if the file starts (after blank lines) like a vCard."""
    with path.open("rb") as stream:
        for line in stream:
            stripped = line.strip().lstrip(_BOM)
            if stripped:
                return stripped.upper() == b"BEGIN:VCARD"
    return False
