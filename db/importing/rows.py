"""One imported row, whatever file it came from, and turning cells into a contact.

A row becomes a ``ContactInput`` when it has a name, or failing that a company, an email or a
phone number to be called by; it is *invalid* (with the reason, for the preview) when what it
holds does not pass the same checks as the contact form; and it is *blank* when there is
nothing in it at all.

An import reads each row as a ``Record``, the plain tuple it hands between processes
(``db.importing.pipeline``): a CSV row's straight from its ``Draft`` (``Draft.record``), any
other from its ``ImportRow`` (``to_record``); ``row_of`` gives the ``ImportRow`` back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import cast

from db import search
from db.contacts import (
    ContactInput,
    EmailData,
    PhoneData,
    clean_tags,
    contact_text,
    email_problem,
    interval_problem,
    name_problem,
    phone_problem,
    tags_problem,
)
from db.importing.fields import FLAGS, Field, Mapping
from db.matching import normalise_email, normalise_phone

#: Google joins several values in one cell with " ::: "; spreadsheets often use ";".
_MULTI = re.compile(r"\s+:::\s+|\s*;\s*|\s*\n\s*")
_EMAIL_MULTI = re.compile(r"\s+:::\s+|\s*[;,]\s*|\s+")
_TAG_SPLIT = re.compile(r"\s+:::\s+|\s*[;,]\s*")
LABEL_MAX = 40
#: Outlook writes these for a birthday or anniversary it does not know.
_EMPTY_DATES = {"0/0/00", "00/00/00", "0/0/0000", "1/0/00"}
#: What a spreadsheet would run as a formula; an export puts an apostrophe before it.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}


def plain(text: str) -> str:
    """A cell without the apostrophe an export put before text a spreadsheet would run
    ("'=1+1" is "=1+1"; "''-x" is "'-x"), as docs/export.md says."""
    if text[:1] == "'" and text.lstrip("'").startswith(_FORMULA_STARTS):
        return text[1:]
    return text


@dataclass(frozen=True)
class ImportRow:
    #: The line of the file the row (or card) starts on.
    line: int
    #: The contact to import; None for a blank row or an invalid one.
    data: ContactInput | None
    #: Why the row cannot be imported ("" when it can).
    error: str = ""
    #: What an invalid row says (name, company, emails, phones); see ``summarise``.
    summary: str = ""
    #: The row gave a name (not just a company, email or phone to call the contact by).
    named: bool = False
    #: The stage the row names (a label of the active journey model's stages), or "".
    stage: str = ""
    #: The yes/no flags and days between purchases the row gives, as (attribute, value):
    #: what an update of a matching contact sets.
    given: tuple[tuple[str, object], ...] = ()


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
    stage: str = ""
    #: Flag and interval cells as written, by ``ContactInput`` attribute.
    settings: dict[str, str] = field(default_factory=dict)

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

    def _given(self) -> tuple[dict[str, object], list[str]]:
        """The flags and interval the row gives, and what is wrong with them."""
        given: dict[str, object] = {}
        problems = []
        for attr, cell in self.settings.items():
            text = cell.strip().casefold()
            if attr == Field.PURCHASE_INTERVAL.value:
                if not text:
                    continue
                try:
                    given[attr] = int(text)
                except ValueError:
                    problems.append(f"Days between purchases “{cell.strip()}” is not a number.")
            elif text in _YES:
                given[attr] = True
            elif text in _NO:
                if text:
                    given[attr] = False
            else:
                problems.append(
                    f"{Field(attr).label.removesuffix(' (yes/no)')}: “{cell.strip()}” is not "
                    "yes or no."
                )
        return given, problems

    def finish(self, line: int) -> ImportRow:
        """The row as a validated contact, or the reason it is not one."""
        return row_of(self.record(line))

    def record(self, line: int, tag: str = "", region: str = "") -> Record:
        """The row as a ``Record``: trimmed as ``db.contacts.normalise`` trims a contact and
        checked as ``validate`` checks it, field by field, without building the contact (a
        large import reads its rows this way; ``tag`` and ``region`` as ``to_record``)."""
        if self.is_blank():
            return _left_out(line, "", "")
        given, problems = self._given()
        name = " ".join(self.contact_name().split())
        text = (self.company, self.title, self.street, self.city, self.region)
        company, title, street, city, area = map(str.strip, text)
        postal_code, country = self.postal_code.strip(), self.country.strip()
        notes = "\n".join(n for n in self.notes if n.strip()).strip()
        emails = tuple((a, e.label.strip()) for e in self.emails if (a := e.address.strip()))
        phones = tuple((n, p.label.strip()) for p in self.phones if (n := p.number.strip()))
        if not name:
            summary = _summary(name, company, emails, phones)
            return _left_out(line, "It has no name, company, email or phone.", summary)
        tags = clean_tags(self.tags)
        interval = cast(int | None, given.get(_INTERVAL))
        errors = [
            *problems,
            name_problem(name),
            *(email_problem(address) for address, _label in emails),
            *(phone_problem(number) for number, _label in phones),
            tags_problem(tags),
            interval_problem(interval),
        ]
        if any(errors):
            reason = " ".join(dict.fromkeys(e for e in errors if e))
            return _left_out(line, reason, _summary(name, company, emails, phones))
        head = (name, company, title, street, city, area, postal_code, country, notes)
        tail = (
            (*(bool(given.get(flag, False)) for flag in _FLAG_ATTRS), interval)
            if given
            else _NO_TAIL
        )
        return _valid_record(
            line,
            head,
            cast(Tail, tail),
            emails,
            phones,
            tags=tags,
            stage=self.stage,
            given=(tags, self.has_name(), tuple(given.items())),
            tag=tag,
            region=region,
        )


def summarise(data: ContactInput) -> str:
    """What a row says, on one line: name · company · emails · phones."""
    return _summary(
        data.name,
        data.company,
        [(e.address, e.label) for e in data.emails],
        [(p.number, p.label) for p in data.phones],
    )


def record_summary(record: Record) -> str:
    """``summarise`` for a valid row's record."""
    head = record[1]
    assert head is not None
    return _summary(head[0], head[1], record[3], record[4])


def _summary(
    name: str, company: str, emails: Sequence[tuple[str, str]], phones: Sequence[tuple[str, str]]
) -> str:
    return " · ".join(
        part
        for part in (
            name,
            company if company != name else "",
            ", ".join(address for address, _label in emails),
            ", ".join(number for number, _label in phones),
        )
        if part
    )


#: Labels every address book has, written in lower case as the contact form offers them.
_COMMON_LABELS = frozenset(
    {"home", "work", "mobile", "cell", "main", "other", "fax", "work fax", "home fax", "pager"}
)


@lru_cache(maxsize=1024)
def clean_label(text: str) -> str:
    """Google writes "* Home", vCards "_$!<Mobile>!$_": keep the word; the common ones in
    lower case, any other ("Tennis club") as written."""
    text = re.sub(r"^[*\s]+|_\$!<|>!\$_", "", text).strip()
    if text.casefold() in _COMMON_LABELS:
        text = text.casefold()
    return text[:LABEL_MAX]


def split_emails(cell: str) -> list[str]:
    text = plain(cell.strip())
    # One address (the common case) has nothing to split at: no whitespace (every character
    # that is whitespace is also unprintable, the space aside), no ";" and no ",".
    if text.isprintable() and " " not in text and ";" not in text and "," not in text:
        return [text] if text else []
    return [part for part in _EMAIL_MULTI.split(text) if part]


def split_values(cell: str) -> list[str]:
    text = plain(cell.strip())
    if ";" not in text and "\n" not in text and ":::" not in text:  # nothing to split at
        return [text] if text else []
    return [part for part in _MULTI.split(text) if part]


@lru_cache(maxsize=1024)
def split_tags(cell: str) -> tuple[str, ...]:
    """Tags, without Google's system groups ("* myContacts", "* starred")."""
    out = []
    for raw in _TAG_SPLIT.split(plain(cell.strip())):
        part = raw.strip()
        if not part or part.startswith("* ") or part.casefold() in ("mycontacts", "starred"):
            continue
        out.append(part)
    return tuple(out)


def _joined(cells: Sequence[str], indexes: Sequence[int], sep: str) -> str:
    count = len(cells)
    if len(indexes) == 1:  # the common case, without a generator
        i = indexes[0]
        return _cell(cells[i]) if i < count else ""
    return sep.join(v for i in indexes if i < count and (v := _cell(cells[i])))


def _cell(text: str) -> str:
    text = text.strip()
    if text[:1] == "'":
        text = plain(text)
    return text.replace("\r\n", "\n")


_TEXT_FIELDS = {
    Field.NAME: ("name", " "),
    Field.FIRST_NAME: ("first", " "),
    Field.MIDDLE_NAME: ("middle", " "),
    Field.LAST_NAME: ("last", " "),
    Field.NAME_PREFIX: ("prefix", " "),
    Field.NAME_SUFFIX: ("suffix", " "),
    Field.COMPANY: ("company", ", "),
    Field.TITLE: ("title", ", "),
}
_ADDRESS_FIELDS = (Field.ADDRESS, Field.STREET, Field.CITY, Field.REGION, Field.POSTAL_CODE)


class RowMapper:
    """A column mapping compiled once, then applied to each CSV row."""

    def __init__(self, mapping: Mapping) -> None:
        self.text: dict[str, tuple[list[int], str]] = {}
        #: Text fields read from one column (most), and from several (joined).
        self.single_text: list[tuple[str, int]] = []
        self.text_fields: list[tuple[str, list[int], str]] = []
        self.notes: list[int] = []
        self.tags: list[tuple[int, str]] = []
        self.extras: list[tuple[int, str]] = []
        self.stage: list[int] = []
        self.settings: list[tuple[str, int]] = []
        # slot → (value columns, fixed label, label column)
        self.emails: dict[int, tuple[list[int], str, int | None]] = {}
        self.phones: dict[int, tuple[list[int], str, int | None]] = {}
        #: slot → (part, column), a part being the ``Field`` value of an address part.
        self.addresses: dict[int, list[tuple[str, int]]] = {}
        email_labels: dict[int, int] = {}
        phone_labels: dict[int, int] = {}
        for index, rule in enumerate(mapping):
            kind = rule.field
            if kind in _TEXT_FIELDS:
                attr, sep = _TEXT_FIELDS[kind]
                self.text.setdefault(attr, ([], sep))[0].append(index)
            elif kind is Field.EMAIL:
                self.emails.setdefault(rule.slot, ([], rule.label, None))[0].append(index)
            elif kind is Field.PHONE:
                self.phones.setdefault(rule.slot, ([], rule.label, None))[0].append(index)
            elif kind is Field.EMAIL_LABEL:
                email_labels[rule.slot] = index
            elif kind is Field.PHONE_LABEL:
                phone_labels[rule.slot] = index
            elif kind in _ADDRESS_FIELDS or kind is Field.COUNTRY:
                self.addresses.setdefault(rule.slot, []).append((kind.value, index))
            elif kind is Field.NOTES:
                self.notes.append(index)
            elif kind is Field.TAGS:
                self.tags.append((index, rule.separator))
            elif kind is Field.EXTRA:
                self.extras.append((index, rule.label))
            elif kind is Field.STAGE:
                self.stage.append(index)
            elif kind in FLAGS or kind is Field.PURCHASE_INTERVAL:
                self.settings.append((kind.value, index))
        for slots, labels in ((self.emails, email_labels), (self.phones, phone_labels)):
            for slot, (columns, label, _none) in list(slots.items()):
                slots[slot] = (columns, label, labels.get(slot))
        for attr, (indexes, sep) in self.text.items():
            if len(indexes) == 1:
                self.single_text.append((attr, indexes[0]))
            else:
                self.text_fields.append((attr, indexes, sep))
        self.email_slots = sorted(self.emails.items())
        self.phone_slots = sorted(self.phones.items())
        self.address_slots = sorted(self.addresses.items())

    def draft(self, cells: Sequence[str]) -> Draft:
        """What one CSV row says."""
        draft = Draft()
        count = len(cells)
        for attr, i in self.single_text:
            if i < count and (value := cells[i]):
                setattr(draft, attr, _cell(value))
        for attr, indexes, sep in self.text_fields:
            setattr(draft, attr, _joined(cells, indexes, sep))
        for _slot, (columns, label, label_column) in self.email_slots:
            values = [a for i in columns if i < count for a in split_emails(cells[i])]
            if values:
                labels = self._labels(cells, label, label_column, len(values))
                draft.emails.extend(map(EmailData, values, labels))
        for _slot, (columns, label, label_column) in self.phone_slots:
            values = [n for i in columns if i < count for n in split_values(cells[i])]
            if values:
                labels = self._labels(cells, label, label_column, len(values))
                draft.phones.extend(map(PhoneData, values, labels))
        for i in self.notes:
            if i < count and (value := _cell(cells[i])):
                draft.notes.append(value)
        for i, separator in self.tags:
            if i < count and cells[i].strip():
                if separator:
                    named = plain(cells[i].strip()).split(separator)
                    draft.tags.extend(t for name in named if (t := name.strip()))
                else:
                    draft.tags.extend(split_tags(cells[i]))
        if self.address_slots:
            addresses: dict[int, dict[str, str]] = {}
            for slot, address_columns in self.address_slots:
                parts: dict[str, str] = {}
                for kind, i in address_columns:
                    if i < count and (value := _cell(cells[i])):
                        parts[kind] = f"{parts[kind]}, {value}" if kind in parts else value
                if parts:
                    addresses[slot] = parts
            _place_addresses(draft, addresses)
        for i, label in self.extras:
            if i < count and (value := _cell(cells[i])) and value not in _EMPTY_DATES:
                draft.notes.append(f"{label}: {value}" if label else value)
        if self.stage:
            draft.stage = _joined(cells, self.stage, " ")
        for attr, i in self.settings:
            if i < count:
                draft.settings[attr] = cells[i]
        return draft

    @staticmethod
    def _labels(cells: Sequence[str], label: str, column: int | None, count: int) -> list[str]:
        """One label per value: the row's label cell (Google joins several with " ::: ")."""
        given = plain(cells[column]) if column is not None and column < len(cells) else ""
        if given.strip():
            parts = given.split(":::")
            if len(parts) == count:
                return [clean_label(p) for p in parts]
            return [clean_label(given)] * count
        return [clean_label(label)] * count


def draft_from_cells(cells: Sequence[str], mapping: Mapping) -> Draft:
    """Apply a column mapping to one CSV row (compile a ``RowMapper`` for many rows)."""
    return RowMapper(mapping).draft(cells)


_STREET, _CITY, _REGION = Field.STREET.value, Field.CITY.value, Field.REGION.value
_POSTAL_CODE, _COUNTRY, _ADDRESS = Field.POSTAL_CODE.value, Field.COUNTRY.value, Field.ADDRESS.value


def _place_addresses(draft: Draft, addresses: dict[int, dict[str, str]]) -> None:
    """The first address a row fills is the contact's; the others go to the notes (parts by
    ``Field`` value: plain strings hash faster than the enum)."""
    first = True
    for slot in sorted(addresses):
        parts = addresses[slot]
        if first:
            first = False
            draft.street = parts.get(_STREET, "")
            draft.city = parts.get(_CITY, "")
            draft.region = parts.get(_REGION, "")
            draft.postal_code = parts.get(_POSTAL_CODE, "")
            draft.country = parts.get(_COUNTRY, "")
            whole = parts.get(_ADDRESS, "")
            if whole and not any(
                (draft.street, draft.city, draft.region, draft.postal_code, draft.country)
            ):
                draft.street = whole
            continue
        shown = parts.get(_ADDRESS) or ", ".join(
            parts[k] for k in (_STREET, _CITY, _REGION, _POSTAL_CODE, _COUNTRY) if k in parts
        )
        draft.notes.append(f"Other address: {shown}")


def merge_notes(existing: str, extra: Iterable[str]) -> str:
    """Notes with the lines not already in them appended."""
    lines = [line for line in extra if line and line not in existing]
    return "\n".join([existing, *lines]) if existing and lines else existing or "\n".join(lines)


# --- Records ------------------------------------------------------------------------------------

#: name, company, title, street, city, region, postal code, country and notes, in the
#: contact table's order.
Head = tuple[str, str, str, str, str, str, str, str, str]
#: centre of influence, do not contact, the four qualification flags and days between
#: purchases, in the contact table's order.
Tail = tuple[bool, bool, bool, bool, bool, bool, int | None]
#: A new contact's search index row but for its id (``db.search.index_row``).
IndexText = tuple[str, str, str, str, str, str, str]
#: What else ``row_of`` needs: the row's own tags, whether it gave a name, the flags it gives
#: (``ImportRow.given``); for a blank or invalid row, the reason and what the row says.
Given = tuple[tuple[str, ...], bool, tuple[tuple[str, object], ...]]
Extra = Given | tuple[str, str]

#: One row as it crosses between processes, a plain tuple (see ``db.importing.pipeline``):
#: ``(line, head, tail, emails, phones, new_tags, stage, email_keys, phone_keys, index_text,
#: extra)``, ``head`` None for a blank or invalid row. ``emails`` and ``phones`` are (value,
#: label) pairs; ``new_tags`` the tags a new contact gets (the import's tag added); ``stage``
#: the stage the row names; the keys are those ``db.matching`` compares contacts by.
Record = tuple[
    int,
    Head | None,
    Tail,
    tuple[tuple[str, str], ...],
    tuple[tuple[str, str], ...],
    tuple[str, ...],
    str,
    tuple[str, ...],
    tuple[str, ...],
    IndexText,
    Extra,
]
_NO_TAIL: Tail = (False, False, False, False, False, False, None)
_NO_TEXT: IndexText = ("", "", "", "", "", "", "")


#: The yes/no flags of ``Tail``, by ``ContactInput`` attribute (``FLAGS`` is in its order),
#: and its days between purchases.
_FLAG_ATTRS = tuple(flag.value for flag in FLAGS)
_INTERVAL = Field.PURCHASE_INTERVAL.value


def to_record(row: ImportRow, tag: str, region: str) -> Record:
    """The row as a record, ``tag`` added to a new contact's tags and the phone numbers'
    matching keys for ``region`` (``Draft.record`` makes the same from a CSV row's draft)."""
    data = row.data
    if data is None:
        return _left_out(row.line, row.error, row.summary)
    return _valid_record(
        row.line,
        (data.name, *contact_text(data)),
        (
            data.centre_of_influence,
            data.do_not_contact,
            data.has_need,
            data.has_budget,
            data.has_urgency,
            data.is_decision_maker,
            data.purchase_interval_days,
        ),
        tuple((e.address, e.label) for e in data.emails),
        tuple((p.number, p.label) for p in data.phones),
        tags=data.tags,
        stage=row.stage,
        given=(data.tags, row.named, row.given),
        tag=tag,
        region=region,
    )


def _left_out(line: int, error: str, summary: str) -> Record:
    """A blank row's record (no ``error``), or an invalid one's."""
    return (line, None, _NO_TAIL, (), (), (), "", (), (), _NO_TEXT, (error, summary))


def _valid_record(
    line: int,
    head: Head,
    tail: Tail,
    emails: tuple[tuple[str, str], ...],
    phones: tuple[tuple[str, str], ...],
    *,
    tags: tuple[str, ...],
    stage: str,
    given: Given,
    tag: str,
    region: str,
) -> Record:
    new_tags = tags
    if tag and tag.casefold() not in {t.casefold() for t in tags}:
        new_tags = (*tags, tag)
    addresses = [address for address, _label in emails]
    numbers = [number for number, _label in phones]
    name, company, title, _street, city, area, _postal_code, country, _notes = head
    return (
        line,
        head,
        tail,
        emails,
        phones,
        new_tags,
        stage,
        tuple(k for a in addresses if (k := normalise_email(a)) is not None),
        tuple(k for n in numbers if (k := normalise_phone(n, region)) is not None),
        search.index_row(
            0,
            name=name,
            company=company,
            title=title,
            emails=addresses,
            numbers=numbers,
            tags=new_tags,
            place=(city, area, country),
        )[1:],
        given,
    )


def row_of(record: Record) -> ImportRow:
    """The ``ImportRow`` a record was made from."""
    line, head, tail, emails, phones, _new_tags, stage, _e, _p, _text, extra = record
    if head is None:
        error, summary = cast(tuple[str, str], extra)
        return ImportRow(line, None, error, summary)
    tags, named, given = cast(Given, extra)
    name, company, title, street, city, region, postal_code, country, notes = head
    centre, no_contact, need, budget, urgency, decides, interval = tail
    data = ContactInput(
        name=name,
        company=company,
        title=title,
        emails=tuple(EmailData(address, label) for address, label in emails),
        phones=tuple(PhoneData(number, label) for number, label in phones),
        street=street,
        city=city,
        region=region,
        postal_code=postal_code,
        country=country,
        notes=notes,
        tags=tags,
        centre_of_influence=centre,
        do_not_contact=no_contact,
        has_need=need,
        has_budget=budget,
        has_urgency=urgency,
        is_decision_maker=decides,
        purchase_interval_days=interval,
    )
    return ImportRow(line, data, named=named, stage=stage, given=given)
