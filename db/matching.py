"""Deciding whether two contacts are the same person: by email, then by phone number.

Emails compare without case and surrounding spaces. Phone numbers compare in international
(E.164) form, "+442079460958", as the ``phonenumbers`` library reads them: a number written
without a country code belongs to the default region (the ``contacts.phone_region`` setting,
else this computer's locale). A number that cannot be read that way has no key and never
matches anything, rather than matching on a guess.

The import preview uses ``ContactIndex`` to find the existing contact a row matches; finding
duplicates among existing contacts uses the same keys. The index holds one entry per live
email and phone in the database (not per imported row), so its memory follows the size of the
database, not of the file being read.

    index = ContactIndex.load(session, default_region(session))
    contact_id = index.match(emails=["ann@example.com"], phones=["020 7946 0958"])
"""

from __future__ import annotations

import locale
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import settings
from db.models import Contact, ContactEmail, ContactPhone

if TYPE_CHECKING:
    from db.engine import Database

#: Already international: "+", a non-zero digit, then digits with spaces, dots or dashes only.
_INTERNATIONAL = re.compile(r"^\+[1-9][0-9 .\-]{5,20}$")
_REGION = re.compile(r"^[A-Z]{2}$")
_SEPARATORS = str.maketrans("", "", "+ .-")


def normalise_email(text: str) -> str | None:
    """The key an email address is compared by (``None`` for an empty one)."""
    key = text.strip().casefold()
    return key or None


def normalise_phone(text: str, region: str = "") -> str | None:
    """The phone number in E.164 form ("+15551234567"), or None when it cannot be read as one.

    ``region`` (ISO 3166-1 alpha-2, e.g. "US") says which country a number written without a
    country code belongs to; with no region such a number has no key.
    """
    text = text.strip()
    if not text:
        return None
    if _INTERNATIONAL.match(text):
        # Written internationally already (the common case in exports): E.164 is its digits,
        # which are what is left without the "+", spaces, dots and dashes the pattern allows.
        digits = text.translate(_SEPARATORS)
        if 7 <= len(digits) <= 15:
            return "+" + digits
    return _parse_phone(text, region.upper() if region else None)


@lru_cache(maxsize=4096)
def _parse_phone(text: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_region(code: str) -> bool:
    """True for a two-letter region code that phone numbers can belong to ("GB", "US")."""
    return bool(_REGION.match(code)) and code in phonenumbers.SUPPORTED_REGIONS


def regions() -> list[str]:
    """Every region code phone numbers can belong to, sorted."""
    return sorted(phonenumbers.SUPPORTED_REGIONS)


def locale_region() -> str:
    """The region of this computer's locale ("en_GB" gives "GB"), or "" when it has none."""
    name = locale.getlocale()[0] or ""
    candidate = name.split(".")[0].split("_")[-1].upper() if "_" in name else ""
    return candidate if is_region(candidate) else ""


def default_region(session: Session) -> str:
    """The region numbers without a country code belong to: the setting, else the locale's."""
    stored = settings.get(session, settings.PHONE_REGION).strip().upper()
    return stored if is_region(stored) else locale_region()


def stored_region(database: Database) -> str:
    """The region setting as the owner chose it ("" when it follows this computer's locale)."""
    with database.reading() as session:
        stored = settings.get(session, settings.PHONE_REGION).strip().upper()
    return stored if is_region(stored) else ""


def save_region(database: Database, region: str) -> None:
    """Choose the default region ("" to follow this computer's locale)."""
    region = region.strip().upper()
    if region and not is_region(region):
        raise ValueError(f"{region!r} is not a region phone numbers can belong to.")
    with database.write_session.begin() as session:
        settings.put(session, settings.PHONE_REGION, region)


@dataclass
class ContactIndex:
    """Live contacts by email key and by phone key (the lowest contact id wins a key)."""

    region: str
    by_email: dict[str, int] = field(default_factory=dict)
    by_phone: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, region: str) -> ContactIndex:
        """Read every live contact's emails and phones (two queries, streamed)."""
        index = cls(region)
        emails = session.execute(
            select(ContactEmail.address, ContactEmail.contact_id)
            .join(Contact, Contact.id == ContactEmail.contact_id)
            .where(Contact.deleted_at.is_(None))
            .order_by(ContactEmail.contact_id.desc())
            .execution_options(yield_per=5000)
        )
        for address, contact_id in emails:
            if (key := normalise_email(address)) is not None:
                index.by_email[key] = contact_id
        phones = session.execute(
            select(ContactPhone.number, ContactPhone.contact_id)
            .join(Contact, Contact.id == ContactPhone.contact_id)
            .where(Contact.deleted_at.is_(None))
            .order_by(ContactPhone.contact_id.desc())
            .execution_options(yield_per=5000)
        )
        for number, contact_id in phones:
            if (key := normalise_phone(number, region)) is not None:
                index.by_phone[key] = contact_id
        return index

    def match(self, *, emails: Iterable[str] = (), phones: Iterable[str] = ()) -> int | None:
        """The id of the contact these emails (first) or phone numbers belong to, if any."""
        for address in emails:
            key = normalise_email(address)
            if key is not None and (found := self.by_email.get(key)) is not None:
                return found
        for number in phones:
            key = normalise_phone(number, self.region)
            if key is not None and (found := self.by_phone.get(key)) is not None:
                return found
        return None

    def claim(
        self, contact_id: int, *, emails: Iterable[str] = (), phones: Iterable[str] = ()
    ) -> int | None:
        """``match``, and when nothing matches, record the keys as ``contact_id``'s, so a later
        row of the same file with one of them matches it (each key normalised once)."""
        email_keys = [k for a in emails if (k := normalise_email(a)) is not None]
        phone_keys = [k for n in phones if (k := normalise_phone(n, self.region)) is not None]
        return self.claim_keys(contact_id, email_keys, phone_keys)

    def claim_keys(
        self, contact_id: int, email_keys: Sequence[str], phone_keys: Sequence[str]
    ) -> int | None:
        """``claim`` with the keys already worked out (``normalise_email``,
        ``normalise_phone`` with this index's region)."""
        for key in email_keys:
            if (found := self.by_email.get(key)) is not None:
                return found
        for key in phone_keys:
            if (found := self.by_phone.get(key)) is not None:
                return found
        for key in email_keys:
            self.by_email.setdefault(key, contact_id)
        for key in phone_keys:
            self.by_phone.setdefault(key, contact_id)
        return None

    def add(
        self, contact_id: int, *, emails: Iterable[str] = (), phones: Iterable[str] = ()
    ) -> None:
        """Record a contact's keys (keys already known keep their contact)."""
        for address in emails:
            if (key := normalise_email(address)) is not None:
                self.by_email.setdefault(key, contact_id)
        for number in phones:
            if (key := normalise_phone(number, self.region)) is not None:
                self.by_phone.setdefault(key, contact_id)
