"""One imported row, whatever file it came from, and turning cells into a contact.

A row becomes a ``ContactInput`` when it has a name, or failing that a company, an email or a
phone number to be called by; it is *invalid* (with the reason, for the preview) when what it
holds does not pass the same checks as the contact form; and it is *blank* when there is
nothing in it at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from db.contacts import ContactInput, EmailData, PhoneData, normalise, validate
from db.importing.fields import Field, Mapping

#: Google joins several values in one cell with " ::: "; spreadsheets often use ";".
_MULTI = re.compile(r"\s+:::\s+|\s*;\s*|\s*\n\s*")
_EMAIL_MULTI = re.compile(r"\s+:::\s+|\s*[;,]\s*|\s+")
_TAG_SPLIT = re.compile(r"\s+:::\s+|\s*[;,]\s*")
LABEL_MAX = 40
#: Outlook writes these for a birthday or anniversary it does not know.
_EMPTY_DATES = {"0/0/00", "00/00/00", "0/0/0000", "1/0/00"}


@dataclass(frozen=True)
class ImportRow:
    #: The line of the file the row (or card) starts on.
    line: int
    #: The contact to import; None for a blank row or an invalid one.
    data: ContactInput | None
    #: Why the row cannot be imported ("" when it can).
    error: str = ""
    #: What the row says, for the preview (name, company, emails, phones).
    summary: str = ""
    #: The row gave a name (not just a company, email or phone to call the contact by).
    named: bool = False


@dataclass
class Draft:
    """What a row says, gathered field by field before it becomes a contact."""

    name: str = ""
    prefix: str = ""
    first: str = ""
    middle: str = ""
    last: str = ""
    suffix: str = ""
    company: str = ""
    title: str = ""
    emails: list[EmailData] = field(default_factory=list)
    phones: list[PhoneData] = field(default_factory=list)
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    notes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    def is_blank(self) -> bool:
        return not any(
            (
                self.name,
                self.first,
                self.middle,
                self.last,
                self.company,
                self.title,
                self.emails,
                self.phones,
                self.street,
                self.city,
                self.region,
                self.postal_code,
                self.country,
                self.notes,
            )
        )

    def contact_name(self) -> str:
        """The full name, else one built from its parts, else the company, email or phone."""
        if self.name.strip():
            return self.name
        built = " ".join(p for p in (self.prefix, self.first, self.middle, self.last) if p.strip())
        if built and self.suffix.strip():
            built = f"{built} {self.suffix}"
        if built.strip():
            return built
        if self.company.strip():
            return self.company
        if self.emails:
            return self.emails[0].address
        if self.phones:
            return self.phones[0].number
        return ""

    def has_name(self) -> bool:
        return any(p.strip() for p in (self.name, self.first, self.middle, self.last))

    def finish(self, line: int) -> ImportRow:
        """The row as a validated contact, or the reason it is not one."""
        if self.is_blank():
            return ImportRow(line, None)
        data = normalise(
            ContactInput(
                name=self.contact_name(),
                company=self.company,
                title=self.title,
                emails=tuple(self.emails),
                phones=tuple(self.phones),
                street=self.street,
                city=self.city,
                region=self.region,
                postal_code=self.postal_code,
                country=self.country,
                notes="\n".join(n for n in self.notes if n.strip()),
                tags=tuple(self.tags),
            )
        )
        summary = " · ".join(
            part
            for part in (
                data.name,
                data.company,
                ", ".join(e.address for e in data.emails),
                ", ".join(p.number for p in data.phones),
            )
            if part
        )
        if not data.name:
            return ImportRow(line, None, "It has no name, company, email or phone.", summary)
        errors = validate(data)
        if errors:
            return ImportRow(line, None, " ".join(dict.fromkeys(errors.values())), summary)
        return ImportRow(line, data, summary=summary, named=self.has_name())


def clean_label(text: str) -> str:
    """Google writes "* Home", vCards "_$!<Mobile>!$_": keep the word, lower case."""
    text = re.sub(r"^[*\s]+|_\$!<|>!\$_", "", text).strip().lower()
    return text[:LABEL_MAX]


def split_emails(cell: str) -> list[str]:
    return [part for part in _EMAIL_MULTI.split(cell.strip()) if part]


def split_values(cell: str) -> list[str]:
    return [part for part in _MULTI.split(cell.strip()) if part]


def split_tags(cell: str) -> list[str]:
    """Tags, without Google's system groups ("* myContacts", "* starred")."""
    out = []
    for raw in _TAG_SPLIT.split(cell.strip()):
        part = raw.strip()
        if not part or part.startswith("* ") or part.casefold() in ("mycontacts", "starred"):
            continue
        out.append(part)
    return out


def _join(current: str, value: str, sep: str = ", ") -> str:
    return f"{current}{sep}{value}" if current else value


def draft_from_cells(cells: Sequence[str], mapping: Mapping) -> Draft:
    """Apply the column mapping to one CSV row."""
    draft = Draft()
    email_slots: dict[int, tuple[list[str], str]] = {}
    phone_slots: dict[int, tuple[list[str], str]] = {}
    email_labels: dict[int, str] = {}
    phone_labels: dict[int, str] = {}
    addresses: dict[int, dict[Field, str]] = {}
    extras: list[str] = []
    for index, rule in enumerate(mapping):
        if index >= len(cells):
            break
        value = cells[index].strip().replace("\r\n", "\n")
        if not value:
            continue
        kind = rule.field
        if kind is Field.IGNORE:
            continue
        if kind is Field.NAME:
            draft.name = _join(draft.name, value, " ")
        elif kind is Field.FIRST_NAME:
            draft.first = _join(draft.first, value, " ")
        elif kind is Field.MIDDLE_NAME:
            draft.middle = _join(draft.middle, value, " ")
        elif kind is Field.LAST_NAME:
            draft.last = _join(draft.last, value, " ")
        elif kind is Field.NAME_PREFIX:
            draft.prefix = _join(draft.prefix, value, " ")
        elif kind is Field.NAME_SUFFIX:
            draft.suffix = _join(draft.suffix, value, " ")
        elif kind is Field.COMPANY:
            draft.company = _join(draft.company, value)
        elif kind is Field.TITLE:
            draft.title = _join(draft.title, value)
        elif kind is Field.EMAIL:
            email_slots.setdefault(rule.slot, ([], rule.label))[0].extend(split_emails(value))
        elif kind is Field.PHONE:
            phone_slots.setdefault(rule.slot, ([], rule.label))[0].extend(split_values(value))
        elif kind is Field.EMAIL_LABEL:
            email_labels[rule.slot] = value
        elif kind is Field.PHONE_LABEL:
            phone_labels[rule.slot] = value
        elif kind in (
            Field.ADDRESS,
            Field.STREET,
            Field.CITY,
            Field.REGION,
            Field.POSTAL_CODE,
            Field.COUNTRY,
        ):
            parts = addresses.setdefault(rule.slot, {})
            parts[kind] = _join(parts.get(kind, ""), value)
        elif kind is Field.NOTES:
            draft.notes.append(value)
        elif kind is Field.TAGS:
            draft.tags.extend(split_tags(value))
        elif kind is Field.EXTRA:
            if value in _EMPTY_DATES:
                continue
            extras.append(f"{rule.label}: {value}" if rule.label else value)
    for slot in sorted(email_slots):
        values, label = email_slots[slot]
        shown = clean_label(email_labels.get(slot, "") or label)
        draft.emails.extend(
            EmailData(v, _labels(shown, len(values), i)) for i, v in enumerate(values)
        )
    for slot in sorted(phone_slots):
        values, label = phone_slots[slot]
        shown = clean_label(phone_labels.get(slot, "") or label)
        draft.phones.extend(
            PhoneData(v, _labels(shown, len(values), i)) for i, v in enumerate(values)
        )
    _place_addresses(draft, addresses)
    draft.notes.extend(extras)
    return draft


def _labels(label: str, count: int, index: int) -> str:
    # Google's " ::: " joins values that share one label cell ("Work ::: Home" is rare).
    parts = [p.strip() for p in label.split(":::")]
    if len(parts) == count:
        return clean_label(parts[index])
    return label


def _place_addresses(draft: Draft, addresses: dict[int, dict[Field, str]]) -> None:
    """The first address a row fills is the contact's; the others go to the notes."""
    first = True
    for slot in sorted(addresses):
        parts = addresses[slot]
        if first:
            first = False
            draft.street = parts.get(Field.STREET, "")
            draft.city = parts.get(Field.CITY, "")
            draft.region = parts.get(Field.REGION, "")
            draft.postal_code = parts.get(Field.POSTAL_CODE, "")
            draft.country = parts.get(Field.COUNTRY, "")
            whole = parts.get(Field.ADDRESS, "")
            if whole and not any(
                (draft.street, draft.city, draft.region, draft.postal_code, draft.country)
            ):
                draft.street = whole
            continue
        shown = parts.get(Field.ADDRESS) or ", ".join(
            parts[k]
            for k in (Field.STREET, Field.CITY, Field.REGION, Field.POSTAL_CODE, Field.COUNTRY)
            if k in parts
        )
        draft.notes.append(f"Other address: {shown}")


def merge_notes(existing: str, extra: Iterable[str]) -> str:
    """Notes with the lines not already in them appended."""
    lines = [line for line in extra if line and line not in existing]
    return "\n".join([existing, *lines]) if existing and lines else existing or "\n".join(lines)
