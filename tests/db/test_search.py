"""Searching contacts: what a person types, and keeping the index in step with the data."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import text

from db import search
from db.contacts import (
    ContactInput,
    ContactQuery,
    EmailData,
    PhoneData,
    contact_rows,
    count_contacts,
    create_contact,
    trash_contacts,
    update_contact,
)
from db.engine import Database
from tests.conftest import ContactFactory


def _found(database: Database, typed: str) -> list[str]:
    return [r.name for r in contact_rows(database, ContactQuery(text=typed), 0, 1000)]


@pytest.fixture
def people(database: Database) -> dict[str, int]:
    """A handful of realistic contacts, each distinctive in one searchable field."""
    entries = {
        "Anna Berg": ContactInput(
            name="Anna Berg",
            company="Harbour Bakery",
            title="Owner",
            emails=(EmailData("anna@harbourbakery.example"),),
            phones=(PhoneData("(555) 123-4567"),),
            city="Bristol",
            tags=("wholesale",),
        ),
        "Zoë Ødegaard": ContactInput(
            name="Zoë Ødegaard",
            company="Crème Brûlée Café",
            emails=(EmailData("zoe@cafe.example"),),
            phones=(PhoneData("+47 22 33 44 55"),),
            country="Norway",
        ),
        "Bruno Costa": ContactInput(
            name="Bruno Costa",
            company="Costa Builders",
            title="Site manager",
            emails=(EmailData("bruno@costa-builders.example"),),
            phones=(PhoneData("555.987.6543"),),
            city="Porto",
            region="Norte",
            tags=("vip", "contractor"),
        ),
        "Or Near": ContactInput(name="Or Near", company="AND Partners", notes="not indexed"),
    }
    return {name: create_contact(database, data) for name, data in entries.items()}


# --- Turning typing into a query ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("anna", '"anna"*'),
        ("  anna   berg ", '"anna"* "berg"*'),
        ('say "hi"', '"say"* "hi"*'),
        ("x OR y", '"x"* "OR"* "y"*'),
        ("NEAR(a b)", '"NEAR"* "a"* "b"*'),
        ("ann*", '"ann"*'),
        ("anna@example.com", '"anna"* "example"* "com"*'),
        ("(555) 123-4567", '"555"* "123"* "4567"*'),
        ('a"b', '"a"* "b"*'),
        ("a\x00b", '"a"* "b"*'),
        ("snake_case", '"snake"* "case"*'),
        # Non-ASCII words go to FTS5 whole, so its tokenizer splits them as it split the index.
        ("कृष्ण", '"कृष्ण"*'),
        ("anna—berg", '"anna—berg"*'),
        ("— anna", '"anna"*'),
    ],
)
def test_what_is_typed_becomes_quoted_prefix_terms(typed: str, expected: str) -> None:
    assert search.match_expression(typed) == expected


@pytest.mark.parametrize("typed", ["", "   ", '"', "*", "()", "-", "_", "—", '" * ( ) : ^'])
def test_nothing_searchable_means_no_filter(typed: str) -> None:
    assert search.match_expression(typed) is None


def test_typing_only_punctuation_lists_everyone(database: Database, people: dict[str, int]) -> None:
    assert len(_found(database, '"*()')) == len(people)


@pytest.mark.parametrize(
    "typed", ["OR", "AND", "NOT", "NEAR(", 'NEAR("', "or near", "a OR", '"unbalanced', "^x", "x:y"]
)
def test_search_syntax_is_searched_literally(
    database: Database, people: dict[str, int], typed: str
) -> None:
    found = _found(database, typed)  # never an FTS5 syntax error
    assert count_contacts(database, ContactQuery(text=typed)) == len(found)


def test_operators_typed_find_the_words_themselves(
    database: Database, people: dict[str, int]
) -> None:
    assert _found(database, "or near") == ["Or Near"]
    assert _found(database, "AND") == ["Or Near"]
    assert _found(database, "NEAR(") == ["Or Near"]
    assert _found(database, "anna OR bruno") == []  # OR is a word here, and nobody has it


@given(typed=st.text(max_size=40))
@hypothesis_settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_no_typed_text_ever_breaks_the_list(
    database: Database, contact_factory: ContactFactory, typed: str
) -> None:
    # The database is only read here, so sharing it between examples is harmless.
    if count_contacts(database, ContactQuery()) == 0:
        contact_factory(name="Anna Berg")
    rows = contact_rows(database, ContactQuery(text=typed), 0, 50)
    assert count_contacts(database, ContactQuery(text=typed)) == len(rows)


@given(typed=st.text(alphabet=st.characters(categories=["L", "N", "P", "S", "Z", "M"])))
@hypothesis_settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_a_contact_is_found_by_its_own_name(
    database: Database, contact_factory: ContactFactory, typed: str
) -> None:
    name = " ".join(typed.split())[:200]
    if not name:
        return
    contact_id = contact_factory(name=name)
    found = {r.id for r in contact_rows(database, ContactQuery(text=name), 0, 10_000)}
    assert contact_id in found


# --- What is searched -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ann", ["Anna Berg"]),  # first name prefix
        ("ber", ["Anna Berg"]),  # any word of the name
        ("harb", ["Anna Berg"]),  # company
        ("bakery", ["Anna Berg"]),
        ("own", ["Anna Berg"]),  # title
        ("manager", ["Bruno Costa"]),
        ("harbourbakery", ["Anna Berg"]),  # email domain
        ("bruno@costa", ["Bruno Costa"]),
        ("wholes", ["Anna Berg"]),  # tag
        ("contract", ["Bruno Costa"]),
        ("brist", ["Anna Berg"]),  # city
        ("nor", ["Bruno Costa", "Zoë Ødegaard"]),  # region Norte, country Norway
        ("norway", ["Zoë Ødegaard"]),
        ("costa", ["Bruno Costa"]),  # name and company: listed once
    ],
)
def test_prefix_of_any_word_in_any_field(
    database: Database, people: dict[str, int], typed: str, expected: list[str]
) -> None:
    assert _found(database, typed) == expected


def test_notes_are_not_searched(database: Database, people: dict[str, int]) -> None:
    assert _found(database, "indexed") == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("5551234567", "Anna Berg"),  # all the digits, typed without punctuation
        ("555123", "Anna Berg"),  # the start of the digits
        ("(555) 123-4567", "Anna Berg"),  # as written
        ("123-4567", "Anna Berg"),
        ("5559876543", "Bruno Costa"),
        ("555.987", "Bruno Costa"),
        ("4722334455", "Zoë Ødegaard"),
        ("+47 22 33", "Zoë Ødegaard"),
    ],
)
def test_phone_numbers_are_found_by_their_digits(
    database: Database, people: dict[str, int], typed: str, expected: str
) -> None:
    assert _found(database, typed) == [expected]


@pytest.mark.parametrize(
    "name",
    [
        "कृष्ण मेहता",  # combining vowel signs and viramas inside the words
        "Rene\u0301e Dubois",  # decomposed accents, as pasted from some Mac apps
        "José Müller",
        "田中 太郎",
        "O'Brien-Smith",
        "Nguyễn Thị Minh Khai",
    ],
)
def test_names_in_any_script_are_found_by_typing_them(database: Database, name: str) -> None:
    contact_id = create_contact(database, ContactInput(name=name))
    create_contact(database, ContactInput(name="Someone Else"))
    found = contact_rows(database, ContactQuery(text=name), 0, 10)
    assert [r.id for r in found] == [contact_id]


def test_the_word_order_does_not_matter_and_every_word_must_match(
    database: Database, people: dict[str, int]
) -> None:
    assert _found(database, "berg anna") == ["Anna Berg"]
    assert _found(database, "bristol anna") == ["Anna Berg"]
    assert _found(database, "anna porto") == []
    assert _found(database, "costa vip porto") == ["Bruno Costa"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("zoe", ["Zoë Ødegaard"]),
        ("ZOE", ["Zoë Ødegaard"]),
        ("zoë", ["Zoë Ødegaard"]),
        ("creme brulee", ["Zoë Ødegaard"]),
        ("cafe", ["Zoë Ødegaard"]),
        ("BERG", ["Anna Berg"]),
    ],
)
def test_accents_and_case_are_ignored(
    database: Database, people: dict[str, int], typed: str, expected: list[str]
) -> None:
    assert _found(database, typed) == expected


def test_the_search_combines_with_the_trash(database: Database, people: dict[str, int]) -> None:
    trash_contacts(database, [people["Anna Berg"]])
    assert _found(database, "anna") == []
    trashed = contact_rows(database, ContactQuery(text="anna", trash=True), 0, 10)
    assert [r.name for r in trashed] == ["Anna Berg"]


# --- Keeping the index in step --------------------------------------------------------------


def test_an_edit_updates_the_index(database: Database, people: dict[str, int]) -> None:
    anna = people["Anna Berg"]
    update_contact(
        database,
        anna,
        ContactInput(
            name="Annika Lund",
            emails=(EmailData("annika@lund.example"),),
            phones=(PhoneData("0700 11 22 33"),),
            tags=("retail",),
        ),
    )
    assert _found(database, "berg") == []
    assert _found(database, "harbour") == []
    assert _found(database, "wholesale") == []
    assert _found(database, "5551234567") == []
    assert _found(database, "lund") == ["Annika Lund"]
    assert _found(database, "retail") == ["Annika Lund"]
    assert _found(database, "0700112233") == ["Annika Lund"]
    assert _found(database, "anna") == []  # "anna" is not a prefix of "annika"
    assert _found(database, "anni") == ["Annika Lund"]


def test_rebuild_restores_a_lost_index(database: Database, people: dict[str, int]) -> None:
    with database.write_session.begin() as session:
        session.execute(text("DELETE FROM contact_fts"))
    assert _found(database, "anna") == []

    with database.write_session.begin() as session:
        assert search.rebuild(session) == len(people)

    assert _found(database, "anna") == ["Anna Berg"]
    assert _found(database, "zoe") == ["Zoë Ødegaard"]
    assert _found(database, "5559876543") == ["Bruno Costa"]
    with database.reading() as session:
        assert session.scalar(text("SELECT count(*) FROM contact_fts")) == len(people)


def test_rebuild_drops_rows_of_contacts_that_no_longer_exist(
    database: Database, people: dict[str, int]
) -> None:
    with database.write_session.begin() as session:
        session.execute(text("INSERT INTO contact_fts(rowid, name) VALUES (9999, 'Ghost Person')"))
        search.rebuild(session)
    with database.reading() as session:
        assert session.scalar(text("SELECT count(*) FROM contact_fts WHERE rowid = 9999")) == 0


def test_reindexing_many_contacts_at_once(
    database: Database, contact_factory: ContactFactory
) -> None:
    """More contacts than one reindex batch: every one of them is indexed."""
    ids = [contact_factory(name=f"Bulk {n}") for n in range(search._BATCH + 20)]
    with database.write_session.begin() as session:
        session.execute(text("DELETE FROM contact_fts"))
        search.reindex(session, ids)
    assert count_contacts(database, ContactQuery(text="bulk")) == len(ids)


def test_digits_keeps_only_digits() -> None:
    assert search.digits("+1 (555) 010-2030 ext. 7") == "155501020307"
    assert search.digits("no digits") == ""
