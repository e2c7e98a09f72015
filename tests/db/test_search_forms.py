"""A search is answered by one of several forms of the same query, chosen by how many contacts
the words match (``db.listing``): each form must list exactly the same contacts, in the same
order, a page at a time, with the same count."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from db import listing, search
from db.contacts import (
    ContactInput,
    ContactQuery,
    EmailData,
    PhoneData,
    SortKey,
    contact_ids,
    count_contacts,
    create_contact,
    trash_contacts,
)
from db.engine import Database, open_database

FIRST = ["Anna", "Maria", "María", "Marianne", "Zoë", "Zoe", "José", "Rene\u0301e", "Sam", "Åsa"]
LAST = ["Smith", "Smithson", "García", "Garcia", "Berg", "Ødegaard", "Baker", "Mar", "Sámi"]
COMPANIES = ["Harbour Bakery", "Smith & Sons", "Wholesale Goods", "", "Marina Café", "Bakers Ltd"]
CITIES = ["Bristol", "Málaga", "Marseille", "Stockholm", ""]
TAGS = ["wholesale", "vip", "maria-list", "bakery"]

#: Short and long prefixes, accents either way, several words, emails and phone numbers.
TYPED = [
    "a",
    "m",
    "s",
    "ma",
    "mar",
    "mari",
    "maria",
    "maria ",
    "maria gar",
    "garcía",
    "zoe",
    "zoë",
    "ZOË ØDEGAARD",
    "renee",
    "jose",
    "åsa",
    "smith",
    "smiths",
    "smith bristol",
    "bak",
    "bakery",
    "wholesale",
    "whole goods",
    "anna@",
    "anna.smith@example",
    "example.com",
    "555",
    "5550",
    "555 0100",
    "(555) 010",
    "+1",
    "vip",
    "nobody",
    "x",
]

SORTS = [
    (SortKey.NAME, False),
    (SortKey.NAME, True),
    (SortKey.COMPANY, False),
    (SortKey.LAST_TOUCH, True),
    (SortKey.STAGE, False),
    (SortKey.NEXT_FOLLOWUP, False),
]


@pytest.fixture(scope="module")
def crowd_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """About 150 contacts with many shared names (ties go by id), accents written either
    way, emails, phones, cities and tags; a few of them in the trash. Built once: the tests
    here only read."""
    database = open_database(tmp_path_factory.mktemp("crowd") / "crowd.sqlite")
    rng = random.Random(17)
    ids = []
    for n in range(150):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        plain = f"{first}.{last}".lower().encode("ascii", "ignore").decode() or "someone"
        ids.append(
            create_contact(
                database,
                ContactInput(
                    name=f"{first} {last}",
                    company=rng.choice(COMPANIES),
                    emails=(EmailData(f"{plain}{n}@example.com"),),
                    phones=(PhoneData(f"+1 (555) 01{n:02d}-{rng.randint(0, 9999):04d}"),)
                    if n % 3
                    else (),
                    city=rng.choice(CITIES),
                    tags=tuple(rng.sample(TAGS, rng.randint(0, 2))),
                ),
            )
        )
    trash_contacts(database, ids[::11])
    yield database
    database.close()


@pytest.fixture
def database(crowd_database: Database) -> Database:
    return crowd_database


@pytest.fixture
def crowd(database: Database) -> list[int]:
    """The crowd's ids, trashed ones included, in the order they were added."""
    return contact_ids(database, ContactQuery(sort=SortKey.UPDATED), 0, 1000) + contact_ids(
        database, ContactQuery(trash=True, sort=SortKey.UPDATED), 0, 1000
    )


@pytest.fixture(autouse=True)
def no_remembered_searches() -> Iterator[None]:
    """Each test starts without the memory of searches found sparse (``listing._sparse``)."""
    listing._sparse.clear()
    yield
    listing._sparse.clear()


@pytest.fixture(params=["dense", "sparse"])
def form(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every search answered by one form: the dense one (walks the sort order's index, each
    contact tested against the matches) or the sparse one (looks each match up, then sorts)."""
    monkeypatch.setattr(listing, "DENSE_MATCHES", 0 if request.param == "dense" else 10**9)
    yield str(request.param)


def _listed(database: Database, query: ContactQuery) -> list[int]:
    return contact_ids(database, query, 0, 10_000)


@pytest.mark.parametrize("typed", TYPED)
def test_each_form_lists_the_same_contacts_in_the_same_order(
    database: Database,
    crowd: list[int],
    monkeypatch: pytest.MonkeyPatch,
    typed: str,
) -> None:
    for sort, descending in SORTS:
        for trash in (False, True):
            query = ContactQuery(text=typed, sort=sort, descending=descending, trash=trash)
            lists = {}
            for threshold in (0, 10**9):
                monkeypatch.setattr(listing, "DENSE_MATCHES", threshold)
                lists[threshold] = _listed(database, query)
            assert lists[0] == lists[10**9], (typed, sort, descending, trash)


@pytest.mark.parametrize("typed", TYPED)
def test_pages_and_count_agree_with_the_whole_list(
    database: Database, crowd: list[int], form: str, typed: str
) -> None:
    for sort, descending in SORTS[:3]:
        query = ContactQuery(text=typed, sort=sort, descending=descending)
        whole = _listed(database, query)
        paged = [
            i for at in range(0, len(whole) + 7, 7) for i in contact_ids(database, query, at, 7)
        ]
        assert paged == whole
        assert count_contacts(database, query) == len(whole)
        page = listing.first_page(database, query, 5, 3)
        assert page.ids == whole[:5]
        assert [row.id for row in page.rows] == whole[:3]


def test_the_forms_find_what_a_person_expects(
    database: Database, crowd: list[int], form: str
) -> None:
    """Not only the same as each other: the right contacts, by name, accent and trash."""
    trashed = contact_ids(database, ContactQuery(trash=True), 0, 1000)
    assert len(trashed) == 14
    everyone = _listed(database, ContactQuery())
    assert set(everyone) == set(crowd) - set(trashed)
    assert set(_listed(database, ContactQuery(text="example"))) == set(everyone)
    zoe = _listed(database, ContactQuery(text="zoe"))
    assert zoe == _listed(database, ContactQuery(text="ZOË"))
    rows = listing.rows_for_ids(database, zoe)
    assert rows and all(row.name.startswith(("Zoë", "Zoe")) for row in rows)
    names = [row.name for row in listing.rows_for_ids(database, _listed(database, ContactQuery()))]
    assert names == sorted(names, key=str.lower)  # ASCII-caseless, as the name index sorts
    assert _listed(database, ContactQuery(text="nobody")) == []


def test_a_search_typed_on_from_a_sparse_one_is_not_counted_again(
    database: Database, crowd: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[str] = []
    real = search.count_matches

    def spy(session: Session, match: str, cap: int) -> int:
        counted.append(match)
        return real(session, match, cap)

    monkeypatch.setattr(search, "count_matches", spy)
    monkeypatch.setattr(listing, "DENSE_MATCHES", 70)
    typing = ["m", "ma", "mar", "mari", "maria", "maria ", "maria g", "maria ga"]
    with database.reading() as session:  # what the index finds, trashed contacts included
        found = {t: real(session, search.expression(search.words(t)), 10**6) for t in typing}
        garcia = real(session, '"garcía"*', 10**6)
    first_sparse = next(t for t in typing if found[t] < 70)
    # Dense at first, sparse before the end of the typing.
    assert 0 < typing.index(first_sparse) < len(typing) - 1 and garcia < 70
    listed = {typed: _listed(database, ContactQuery(text=typed)) for typed in typing}
    # Counted up to the first sparse search; typing on from it, never again.
    counted_first = typing[: typing.index(first_sparse) + 1]
    assert counted == [search.match_expression(t) for t in counted_first]
    # A search that does not narrow a sparse one is counted; one that narrows it is not.
    for typed in ["garcía", "garcía m", "anna", "maria ga"]:
        listed[typed] = _listed(database, ContactQuery(text=typed))
    assert counted[len(counted_first) :] == ['"garcía"*', '"anna"*']
    # And every list is the one the sparse form gives without any memory.
    listing._sparse.clear()
    monkeypatch.setattr(listing, "DENSE_MATCHES", 10**9)
    for typed in typing:
        assert listed[typed] == _listed(database, ContactQuery(text=typed)), typed


@pytest.mark.parametrize(
    ("typed", "than", "narrows"),
    [
        ("mari", "mar", True),
        ("maria g", "maria", True),
        ("g maria", "mari", True),
        ("maria g", "mari gar", False),
        ("mar", "mari", False),
        ("anna", "mari", False),
        ("anna@ex", "anna@", True),
        ("anna—berg", "anna—b", True),
        ("smith", "", True),
    ],
)
def test_which_searches_narrow_which(typed: str, than: str, narrows: bool) -> None:
    assert search.narrows(search.words(typed), search.words(than)) is narrows
