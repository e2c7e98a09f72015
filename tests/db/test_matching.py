"""Matching contacts by email, then by phone number in international form."""

from __future__ import annotations

import pytest

from db import contacts, matching, settings
from db.engine import Database
from tests.conftest import ContactFactory


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+44 20 7946 0958", "", "+442079460958"),
        ("+44 (0)20 7946 0958", "", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("0049 30 1234567", "GB", "+49301234567"),
        ("(555) 123-4567", "US", "+15551234567"),
        ("555.123.4567", "us", "+15551234567"),
        ("(555) 123-4567", "", None),
        ("12", "GB", None),
        ("call me", "GB", None),
        ("", "US", None),
    ],
)
def test_phone_numbers_compare_in_international_form(
    text: str, region: str, expected: str | None
) -> None:
    assert matching.normalise_phone(text, region) == expected


def test_emails_compare_without_case_or_spaces() -> None:
    assert matching.normalise_email("  Ann@Example.COM ") == "ann@example.com"
    assert matching.normalise_email("   ") is None


def test_region_setting_wins_over_the_locale(database: Database) -> None:
    with database.write_session.begin() as session:
        settings.put(session, settings.PHONE_REGION, "gb")
    with database.reading() as session:
        assert matching.default_region(session) == "GB"
    with database.write_session.begin() as session:
        settings.put(session, settings.PHONE_REGION, "XX")
    with database.reading() as session:
        assert matching.default_region(session) == matching.locale_region()


def test_index_matches_by_email_before_phone(
    database: Database, contact_factory: ContactFactory
) -> None:
    by_email = contact_factory(emails=(contacts.EmailData("ann@example.com"),), phones=())
    by_phone = contact_factory(emails=(), phones=(contacts.PhoneData("020 7946 0958"),))
    trashed = contact_factory(emails=(contacts.EmailData("gone@example.com"),), phones=())
    contacts.trash_contacts(database, [trashed])
    with database.reading() as session:
        index = matching.ContactIndex.load(session, "GB")
    assert index.match(emails=["ANN@example.com"], phones=["+44 20 7946 0958"]) == by_email
    assert index.match(emails=["other@example.com"], phones=["+44 20 7946 0958"]) == by_phone
    assert index.match(emails=["gone@example.com"]) is None
    assert index.match(phones=["+1 555 000 0000"]) is None
    index.add(99, emails=["new@example.com"], phones=["+1 555 000 0000"])
    assert index.match(phones=["(555) 000-0000"]) is None  # region GB: a different number
    assert index.match(emails=["new@example.com"]) == 99
