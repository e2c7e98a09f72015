"""What each column of an imported file fills in, and the layouts recognised from headers.

A ``Mapping`` has one ``ColumnRule`` per column. Columns that fill the same text field (three
street columns) are joined; emails and phones are numbered in ``slot`` order, and a
``*_LABEL`` column with the same slot gives each row's label ("Work", "Mobile"). Address
columns are grouped by slot too: a contact has one address, so the first group a row fills
becomes it and any other goes to the notes. ``EXTRA`` keeps a column in the notes under its
header ("Birthday: 1980-04-01"), so nothing a file says is dropped unless the owner asks.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass


class Field(enum.Enum):
    IGNORE = "ignore"
    NAME = "name"
    FIRST_NAME = "first_name"
    MIDDLE_NAME = "middle_name"
    LAST_NAME = "last_name"
    NAME_PREFIX = "name_prefix"
    NAME_SUFFIX = "name_suffix"
    COMPANY = "company"
    TITLE = "title"
    EMAIL = "email"
    EMAIL_LABEL = "email_label"
    PHONE = "phone"
    PHONE_LABEL = "phone_label"
    ADDRESS = "address"
    STREET = "street"
    CITY = "city"
    REGION = "region"
    POSTAL_CODE = "postal_code"
    COUNTRY = "country"
    NOTES = "notes"
    TAGS = "tags"
    STAGE = "stage"
    CENTRE_OF_INFLUENCE = "centre_of_influence"
    DO_NOT_CONTACT = "do_not_contact"
    HAS_NEED = "has_need"
    HAS_BUDGET = "has_budget"
    HAS_URGENCY = "has_urgency"
    DECISION_MAKER = "is_decision_maker"
    PURCHASE_INTERVAL = "purchase_interval_days"
    EXTRA = "extra"

    @property
    def label(self) -> str:
        return _FIELD_LABELS[self]


_FIELD_LABELS = {
    Field.IGNORE: "Leave out",
    Field.NAME: "Full name",
    Field.FIRST_NAME: "First name",
    Field.MIDDLE_NAME: "Middle name",
    Field.LAST_NAME: "Last name",
    Field.NAME_PREFIX: "Name prefix (Dr, Ms)",
    Field.NAME_SUFFIX: "Name suffix (Jr, PhD)",
    Field.COMPANY: "Company",
    Field.TITLE: "Job title",
    Field.EMAIL: "Email",
    Field.EMAIL_LABEL: "Email label",
    Field.PHONE: "Phone",
    Field.PHONE_LABEL: "Phone label",
    Field.ADDRESS: "Whole address (one cell)",
    Field.STREET: "Street",
    Field.CITY: "City",
    Field.REGION: "Region or state",
    Field.POSTAL_CODE: "Postal code",
    Field.COUNTRY: "Country",
    Field.NOTES: "Notes",
    Field.TAGS: "Tags",
    Field.STAGE: "Stage (by its name)",
    Field.CENTRE_OF_INFLUENCE: "Centre of influence (yes/no)",
    Field.DO_NOT_CONTACT: "Do not contact (yes/no)",
    Field.HAS_NEED: "Has need (yes/no)",
    Field.HAS_BUDGET: "Has budget (yes/no)",
    Field.HAS_URGENCY: "Has urgency (yes/no)",
    Field.DECISION_MAKER: "Decision maker (yes/no)",
    Field.PURCHASE_INTERVAL: "Days between purchases",
    Field.EXTRA: "Add to notes",
}

#: The yes/no fields, each named as ``ContactInput`` names it (``Field.value``).
FLAGS = (
    Field.CENTRE_OF_INFLUENCE,
    Field.DO_NOT_CONTACT,
    Field.HAS_NEED,
    Field.HAS_BUDGET,
    Field.HAS_URGENCY,
    Field.DECISION_MAKER,
)

#: Fields whose columns carry a slot number (which email, phone or address group).
SLOTTED = frozenset(
    {
        Field.EMAIL,
        Field.EMAIL_LABEL,
        Field.PHONE,
        Field.PHONE_LABEL,
        Field.ADDRESS,
        Field.STREET,
        Field.CITY,
        Field.REGION,
        Field.POSTAL_CODE,
        Field.COUNTRY,
    }
)


@dataclass(frozen=True)
class ColumnRule:
    field: Field
    #: Which email, phone or address group the column belongs to (0 for the rest).
    slot: int = 0
    #: A fixed label for an email or phone column ("mobile"); the header for ``EXTRA``.
    label: str = ""
    #: For ``TAGS``: the one separator the file uses between tags, where a tag may hold the
    #: others ("" splits on " ::: ", ";" and ",").
    separator: str = ""


Mapping = tuple[ColumnRule, ...]


@dataclass(frozen=True)
class Layout:
    """A recognised file layout: its name as shown to the owner and the mapping it implies."""

    name: str
    mapping: Mapping


GOOGLE = "Google Contacts"
GOOGLE_OLD = "Google Contacts (older export)"
OUTLOOK = "Outlook"
SPREADSHEET = "Spreadsheet"
TOUCHBASE = "Touchbase export"


def _key(header: str) -> str:
    """A header reduced to lower-case letters and digits: "E-mail Address" → "emailaddress"."""
    return re.sub(r"[^0-9a-z]+", "", header.casefold())


def guess_layout(headers: Sequence[str]) -> Layout:
    """Recognise Google Contacts (both exports), Outlook, Touchbase's own contacts export, or
    else a plain spreadsheet."""
    keys = {_key(h) for h in headers}
    if {"id", "name"} <= keys and (
        {"email1", "email1label"} <= keys or {"phone1", "phone1label"} <= keys
    ):
        return Layout(TOUCHBASE, tuple(_touchbase_rule(h) for h in headers))
    if "email1value" in keys or "phone1value" in keys or "organization1name" in keys:
        if "givenname" in keys or "email1type" in keys or "phone1type" in keys:
            return Layout(GOOGLE_OLD, tuple(_google_rule(h) for h in headers))
        return Layout(GOOGLE, tuple(_google_rule(h) for h in headers))
    if {"emailaddress", "businessstreet", "mobilephone", "jobtitle"} & keys and (
        "firstname" in keys or "lastname" in keys
    ):
        return Layout(OUTLOOK, _slotted(tuple(_outlook_rule(h) for h in headers)))
    return Layout(SPREADSHEET, _slotted(tuple(_plain_rule(h) for h in headers)))


def _slotted(rules: Mapping) -> Mapping:
    """Number email and phone columns in order where the layout gave no slot."""
    counters: dict[Field, int] = {}
    out = []
    for rule in rules:
        if rule.field in (Field.EMAIL, Field.PHONE) and rule.slot == 0:
            counters[rule.field] = counters.get(rule.field, 0) + 1
            out.append(ColumnRule(rule.field, counters[rule.field], rule.label))
        else:
            out.append(rule)
    return tuple(out)


# --- Google Contacts ------------------------------------------------------------------------

_GOOGLE_GROUP = re.compile(r"^(.+?) (\d+) - (.+)$")

_GOOGLE_PLAIN = {
    "name": Field.NAME,
    "givenname": Field.FIRST_NAME,
    "firstname": Field.FIRST_NAME,
    "additionalname": Field.MIDDLE_NAME,
    "middlename": Field.MIDDLE_NAME,
    "familyname": Field.LAST_NAME,
    "lastname": Field.LAST_NAME,
    "nameprefix": Field.NAME_PREFIX,
    "namesuffix": Field.NAME_SUFFIX,
    "organizationname": Field.COMPANY,
    "organizationtitle": Field.TITLE,
    "notes": Field.NOTES,
    "groupmembership": Field.TAGS,
    "labels": Field.TAGS,
    "nickname": Field.EXTRA,
    "birthday": Field.EXTRA,
    "organizationdepartment": Field.EXTRA,
    "occupation": Field.EXTRA,
    "maidenname": Field.EXTRA,
    "hobby": Field.EXTRA,
    "language": Field.EXTRA,
}

_GOOGLE_ADDRESS = {
    "formatted": Field.ADDRESS,
    "street": Field.STREET,
    "pobox": Field.STREET,
    "extendedaddress": Field.STREET,
    "city": Field.CITY,
    "region": Field.REGION,
    "postalcode": Field.POSTAL_CODE,
    "country": Field.COUNTRY,
}


def _google_rule(header: str) -> ColumnRule:
    match = _GOOGLE_GROUP.match(header.strip())
    if match is None:
        return ColumnRule(_GOOGLE_PLAIN.get(_key(header), Field.IGNORE), label=header.strip())
    group, slot, part = _key(match[1]), int(match[2]), _key(match[3])
    is_value = part == "value"
    is_label = part in ("type", "label")
    if group == "email" and (is_value or is_label):
        return ColumnRule(Field.EMAIL if is_value else Field.EMAIL_LABEL, slot)
    if group == "phone" and (is_value or is_label):
        return ColumnRule(Field.PHONE if is_value else Field.PHONE_LABEL, slot)
    if group == "address" and part in _GOOGLE_ADDRESS:
        return ColumnRule(_GOOGLE_ADDRESS[part], slot)
    if group == "organization" and slot == 1 and part == "name":
        return ColumnRule(Field.COMPANY)
    if group == "organization" and slot == 1 and part == "title":
        return ColumnRule(Field.TITLE)
    if group in ("website", "relation", "event", "im", "customfield") and is_value:
        return ColumnRule(Field.EXTRA, label=match[1])
    if group == "organization" and part in ("name", "title", "department"):
        return ColumnRule(Field.EXTRA, label=header.strip())
    return ColumnRule(Field.IGNORE, label=header.strip())


# --- Touchbase's own export (docs/export.md) ------------------------------------------------

_TOUCHBASE_GROUP = re.compile(r"^(email|phone) (\d+)( label)?$", re.IGNORECASE)
_TOUCHBASE_PLAIN = {
    "name": ColumnRule(Field.NAME),
    "company": ColumnRule(Field.COMPANY),
    "title": ColumnRule(Field.TITLE),
    "street": ColumnRule(Field.STREET, 1),
    "city": ColumnRule(Field.CITY, 1),
    "region": ColumnRule(Field.REGION, 1),
    "postalcode": ColumnRule(Field.POSTAL_CODE, 1),
    "country": ColumnRule(Field.COUNTRY, 1),
    "notes": ColumnRule(Field.NOTES),
    "tags": ColumnRule(Field.TAGS, separator=", "),
    "stage": ColumnRule(Field.STAGE),
    "referredby": ColumnRule(Field.EXTRA, label="Referred by"),
    "centreofinfluence": ColumnRule(Field.CENTRE_OF_INFLUENCE),
    "donotcontact": ColumnRule(Field.DO_NOT_CONTACT),
    "hasneed": ColumnRule(Field.HAS_NEED),
    "hasbudget": ColumnRule(Field.HAS_BUDGET),
    "hasurgency": ColumnRule(Field.HAS_URGENCY),
    "decisionmaker": ColumnRule(Field.DECISION_MAKER),
    "purchaseintervaldays": ColumnRule(Field.PURCHASE_INTERVAL),
}


def _touchbase_rule(header: str) -> ColumnRule:
    """Every typed field comes back; ids and the figures Touchbase derives are left out."""
    match = _TOUCHBASE_GROUP.match(header.strip())
    if match is not None:
        slot, is_label = int(match[2]), bool(match[3])
        if match[1].casefold() == "email":
            return ColumnRule(Field.EMAIL_LABEL if is_label else Field.EMAIL, slot)
        return ColumnRule(Field.PHONE_LABEL if is_label else Field.PHONE, slot)
    rule = _TOUCHBASE_PLAIN.get(_key(header))
    return rule if rule is not None else ColumnRule(Field.IGNORE, label=header.strip())


# --- Outlook --------------------------------------------------------------------------------

_OUTLOOK_ADDRESS_GROUPS = {"business": 1, "home": 2, "other": 3}
_OUTLOOK_ADDRESS_PARTS = {
    "street": Field.STREET,
    "street2": Field.STREET,
    "street3": Field.STREET,
    "pobox": Field.STREET,
    "city": Field.CITY,
    "state": Field.REGION,
    "postalcode": Field.POSTAL_CODE,
    "countryregion": Field.COUNTRY,
    "country": Field.COUNTRY,
}
_OUTLOOK_PHONES = {
    "primaryphone": "main",
    "businessphone": "work",
    "businessphone2": "work",
    "companymainphone": "work",
    "homephone": "home",
    "homephone2": "home",
    "mobilephone": "mobile",
    "otherphone": "other",
    "businessfax": "work fax",
    "homefax": "home fax",
    "otherfax": "fax",
    "pager": "pager",
    "carphone": "car",
    "assistantsphone": "assistant",
    "callback": "callback",
    "radiophone": "radio",
    "ttytddphone": "tty",
    "isdn": "isdn",
    "telex": "telex",
}
_OUTLOOK_PLAIN = {
    "title": Field.NAME_PREFIX,
    "firstname": Field.FIRST_NAME,
    "middlename": Field.MIDDLE_NAME,
    "lastname": Field.LAST_NAME,
    "suffix": Field.NAME_SUFFIX,
    "company": Field.COMPANY,
    "jobtitle": Field.TITLE,
    "notes": Field.NOTES,
    "categories": Field.TAGS,
    "emailaddress": Field.EMAIL,
    "email2address": Field.EMAIL,
    "email3address": Field.EMAIL,
}
#: Outlook columns that are always filled with a default ("Normal", "False", "Unspecified").
_OUTLOOK_NOISE = {
    "priority",
    "sensitivity",
    "private",
    "gender",
    "initials",
    "mileage",
    "billinginformation",
    "directoryserver",
    "emailtype",
    "emaildisplayname",
    "email2type",
    "email2displayname",
    "email3type",
    "email3displayname",
    "givenyomi",
    "surnameyomi",
    "companyyomi",
}


def _outlook_rule(header: str) -> ColumnRule:
    key = _key(header)
    if key in _OUTLOOK_PLAIN:
        return ColumnRule(_OUTLOOK_PLAIN[key])
    if key in _OUTLOOK_PHONES:
        return ColumnRule(Field.PHONE, label=_OUTLOOK_PHONES[key])
    for group, slot in _OUTLOOK_ADDRESS_GROUPS.items():
        if key.startswith(group) and key[len(group) :] in _OUTLOOK_ADDRESS_PARTS:
            return ColumnRule(_OUTLOOK_ADDRESS_PARTS[key[len(group) :]], slot)
    if key in _OUTLOOK_NOISE:
        return ColumnRule(Field.IGNORE, label=header.strip())
    return ColumnRule(Field.EXTRA, label=header.strip())


# --- A plain spreadsheet ----------------------------------------------------------------------

_PLAIN = {
    Field.NAME: {"name", "fullname", "contact", "contactname", "displayname", "fn", "person"},
    Field.FIRST_NAME: {"firstname", "first", "givenname", "given", "forename", "fname"},
    Field.MIDDLE_NAME: {"middlename", "middle", "additionalname"},
    Field.LAST_NAME: {"lastname", "last", "surname", "familyname", "family", "lname"},
    Field.NAME_PREFIX: {"prefix", "nameprefix", "salutation", "honorific"},
    Field.NAME_SUFFIX: {"suffix", "namesuffix"},
    Field.COMPANY: {
        "company",
        "companyname",
        "organisation",
        "organization",
        "organisationname",
        "organizationname",
        "org",
        "business",
        "businessname",
        "employer",
        "firm",
    },
    Field.TITLE: {"title", "jobtitle", "position", "role", "job", "occupation"},
    Field.ADDRESS: {"fulladdress", "postaladdress", "mailingaddress"},
    Field.STREET: {
        "street",
        "streetaddress",
        "address",
        "address1",
        "address2",
        "addressline1",
        "addressline2",
        "street1",
        "street2",
    },
    Field.CITY: {"city", "town", "locality", "suburb"},
    Field.REGION: {"state", "region", "county", "province", "stateprovince"},
    Field.POSTAL_CODE: {"zip", "zipcode", "postcode", "postalcode", "postcodezip", "zippostcode"},
    Field.COUNTRY: {"country", "countryregion", "nation"},
    Field.NOTES: {"notes", "note", "comments", "comment", "description", "remarks"},
    Field.TAGS: {"tags", "tag", "labels", "groups", "group", "categories", "category"},
    Field.IGNORE: {"id", "contactid", "uid"},
}
_PLAIN_BY_KEY = {key: field for field, keys in _PLAIN.items() for key in keys}
_LABEL_WORDS = (
    ("mobile", "mobile"),
    ("cell", "mobile"),
    ("fax", "fax"),
    ("work", "work"),
    ("business", "work"),
    ("office", "work"),
    ("home", "home"),
    ("personal", "home"),
    ("private", "home"),
    ("other", "other"),
)


def _plain_rule(header: str) -> ColumnRule:
    key = _key(header)
    if key in _PLAIN_BY_KEY:
        return ColumnRule(_PLAIN_BY_KEY[key], label=header.strip())
    label = next((label for word, label in _LABEL_WORDS if word in key), "")
    if "email" in key or key.endswith("mail"):
        return ColumnRule(Field.EMAIL, label=label)
    if any(word in key for word in ("phone", "tel", "mobile", "cell", "fax")):
        return ColumnRule(Field.PHONE, label=label)
    return ColumnRule(Field.EXTRA, label=header.strip())
