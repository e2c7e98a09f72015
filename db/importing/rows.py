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
from functools import lru_cache

from db.contacts import ContactInput, EmailData, PhoneData, normalise, validate
from db.importing.fields import FLAGS, Field, Mapping

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
        if self.is_blank():
            return ImportRow(line, None)
        given, problems = self._given()
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
                **given,  # type: ignore[arg-type]
            )
        )
        if not data.name:
            reason = "It has no name, company, email or phone."
            return ImportRow(line, None, reason, summarise(data))
        errors = [*problems, *validate(data).values()]
        if errors:
            return ImportRow(line, None, " ".join(dict.fromkeys(errors)), summarise(data))
        return ImportRow(
            line, data, named=self.has_name(), stage=self.stage, given=tuple(given.items())
        )


def summarise(data: ContactInput) -> str:
    """What a row says, on one line: name · company · emails · phones."""
    return " · ".join(
        part
        for part in (
            data.name,
            data.company if data.company != data.name else "",
            ", ".join(e.address for e in data.emails),
            ", ".join(p.number for p in data.phones),
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
