"""Contacts: saving, validating, trashing, and the sorted, paged, filtered list."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from db import journeys
from db.contacts import (
    ContactInput,
    ContactNotFoundError,
    ContactQuery,
    ContactRow,
    EmailData,
    PhoneData,
    SortKey,
    TagCount,
    ValidationError,
    contact_choices,
    contact_ids,
    contact_rows,
    count_contacts,
    create_contact,
    get_contact,
    normalise,
    purge_contacts,
    restore_contacts,
    tag_counts,
    trash_contacts,
    update_contact,
)
from db.domain import Qualification
from db.engine import Database
from db.journeys import StageInfo
from db.models import Contact, ContactEmail, ContactPhone, ContactTag, StageChange, Tag
from tests.conftest import ContactFactory

NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def _stages(database: Database) -> list[StageInfo]:
    with database.reading() as session:
        return journeys.active_stages(session)


def _rows(database: Database, **query: Any) -> list[ContactRow]:
    return contact_rows(database, ContactQuery(**query), 0, 10_000)


def _names(database: Database, **query: Any) -> list[str]:
    return [r.name for r in _rows(database, **query)]


def _set(database: Database, contact_id: int, **values: Any) -> None:
    """Set columns the services keep in step elsewhere (last touch, next follow-up, ...)."""
    with database.write_session.begin() as session:
        session.execute(update(Contact).where(Contact.id == contact_id).values(**values))


def _count(database: Database, model: type[Any]) -> int:
    with database.reading() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _fts_rows(database: Database, contact_id: int) -> int:
    with database.reading() as session:
        return int(
            session.scalar(
                text("SELECT count(*) FROM contact_fts WHERE rowid = :id"), {"id": contact_id}
            )
            or 0
        )


def _tag_names(database: Database) -> set[str]:
    with database.reading() as session:
        return set(session.scalars(select(Tag.name)))


# --- Saving and reading back ----------------------------------------------------------------


def test_every_field_round_trips(database: Database, contact_factory: ContactFactory) -> None:
    referrer = contact_factory(name="Rita Referrer")
    prospect = _stages(database)[1]
    data = ContactInput(
        name="Anna Berg",
        company="Harbour Bakery",
        title="Owner",
        emails=(
            EmailData("anna@harbour.example", "work"),
            EmailData("anna.berg+news@mail.example.co.uk", "home"),
        ),
        phones=(
            PhoneData("+44 20 7946 0018", "work"),
            PhoneData("(555) 123-4567 ext. 12", "mobile"),
        ),
        street="12 Quay Street",
        city="Bristol",
        region="Avon",
        postal_code="BS1 4DJ",
        country="United Kingdom",
        notes="Prefers calls before 10am.\nAllergic to nuts.",
        tags=("vip", "Wholesale"),
        stage_id=prospect.id,
        referred_by_id=referrer,
        centre_of_influence=True,
        do_not_contact=True,
        has_need=True,
        has_budget=True,
        has_urgency=True,
        is_decision_maker=False,
    )
    contact_id = create_contact(database, data, now=NOW)

    detail = get_contact(database, contact_id)

    for field in dataclasses.fields(ContactInput):
        assert getattr(detail, field.name) == getattr(data, field.name), field.name
    assert detail.id == contact_id
    assert detail.stage_label == "Prospect"
    assert detail.referred_by_name == "Rita Referrer"
    assert detail.created_at == detail.updated_at == NOW
    assert detail.created_at is not None and detail.created_at.tzinfo is not None
    assert detail.deleted_at is None
    assert detail.last_touch_at is None
    assert detail.next_followup_on is None
    assert detail.qualification is Qualification.PROSPECT


def test_booleans_default_to_false_and_text_to_empty(database: Database) -> None:
    detail = get_contact(database, create_contact(database, ContactInput(name="Bare")))
    assert (detail.company, detail.title, detail.notes, detail.city) == ("", "", "", "")
    assert (detail.emails, detail.phones, detail.tags) == ((), (), ())
    assert not any(
        (
            detail.centre_of_influence,
            detail.do_not_contact,
            detail.has_need,
            detail.has_budget,
            detail.has_urgency,
            detail.is_decision_maker,
        )
    )
    assert detail.qualification is Qualification.SUSPECT


def test_input_is_tidied_before_saving(database: Database) -> None:
    messy = ContactInput(
        name="  Anna \t  Berg  ",
        company="  Harbour Bakery ",
        title=" Owner ",
        emails=(EmailData("   ", "work"), EmailData(" anna@example.com ", " work ")),
        phones=(PhoneData(""), PhoneData(" 555 0100 ", "mobile"), PhoneData("  ", "home")),
        city=" Bristol ",
        notes="\n Call on Mondays \n",
        tags=(" VIP ", "vip", "Vip", "  ", "whole   sale", "WHOLE SALE"),
    )
    tidy = normalise(messy)
    assert tidy.name == "Anna Berg"
    assert tidy.company == "Harbour Bakery"
    assert tidy.title == "Owner"
    assert tidy.emails == (EmailData("anna@example.com", "work"),)
    assert tidy.phones == (PhoneData("555 0100", "mobile"),)
    assert tidy.city == "Bristol"
    assert tidy.notes == "Call on Mondays"
    assert tidy.tags == ("VIP", "whole sale")  # first spelling wins

    detail = get_contact(database, create_contact(database, messy))
    assert detail.name == "Anna Berg"
    assert detail.emails == (EmailData("anna@example.com", "work"),)
    assert detail.phones == (PhoneData("555 0100", "mobile"),)
    assert detail.tags == ("VIP", "whole sale")


def test_a_tag_typed_in_another_case_reuses_the_existing_tag(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_factory(tags=("VIP",))
    contact_factory(tags=("vip",))
    assert tag_counts(database) == [TagCount("VIP", 2)]
    assert _count(database, Tag) == 1


# --- Validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "A name is required."),
        ({"name": "  \t "}, "name", "A name is required."),
        ({"name": "x" * 201}, "name", "Keep the name under 200 characters."),
        ({"emails": (EmailData("anna@"),)}, "emails.0", "does not look like an email address"),
        ({"emails": (EmailData("anna@@x.com"),)}, "emails.0", "“anna@@x.com” does not look"),
        ({"emails": (EmailData("no-at-sign"),)}, "emails.0", "does not look like an email"),
        ({"emails": (EmailData("anna@localhost"),)}, "emails.0", "does not look like an email"),
        ({"emails": (EmailData("anna berg@x.com"),)}, "emails.0", "does not look like an email"),
        ({"phones": (PhoneData("call me maybe"),)}, "phones.0", "does not look like a phone"),
        ({"phones": (PhoneData("555-CALL-NOW"),)}, "phones.0", "does not look like a phone"),
        ({"phones": (PhoneData("12"),)}, "phones.0", "“12” does not look like a phone number"),
        ({"phones": (PhoneData("+ ( ) -"),)}, "phones.0", "does not look like a phone"),
        ({"tags": ("wholesale, vip",)}, "tags", "A tag cannot contain a comma."),
        ({"tags": ("t" * 81,)}, "tags", "Keep each tag under 80 characters."),
    ],
)
def test_invalid_input_is_refused_with_a_message_for_the_field_and_saves_nothing(
    database: Database, overrides: dict[str, Any], field: str, message: str
) -> None:
    fields: dict[str, Any] = {"name": "Valid Name", "tags": ("new-tag",)}
    fields.update(overrides)
    with pytest.raises(ValidationError) as refused:
        create_contact(database, ContactInput(**fields))
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field]
    assert message in str(refused.value)
    for model in (Contact, ContactEmail, ContactPhone, Tag, ContactTag, StageChange):
        assert _count(database, model) == 0, model.__name__
    assert _fts_rows(database, 1) == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": "x" * 200},
        {"emails": (EmailData("anna.berg+news@mail.example.co.uk"),)},
        {"phones": (PhoneData("+1 (555) 010-2030 ext. 12"),)},
        {"phones": (PhoneData("555.010.2030 x12"),)},
        {"phones": (PhoneData("123"),)},
        {"tags": ("t" * 80,)},
    ],
)
def test_valid_edge_cases_are_accepted(database: Database, overrides: dict[str, Any]) -> None:
    fields: dict[str, Any] = {"name": "Valid Name"}
    fields.update(overrides)
    contact_id = create_contact(database, ContactInput(**fields))
    detail = get_contact(database, contact_id)
    for key, value in overrides.items():
        assert getattr(detail, key) == value


def test_every_problem_is_reported_at_once(database: Database) -> None:
    with pytest.raises(ValidationError) as refused:
        create_contact(
            database,
            ContactInput(
                name="",
                emails=(EmailData("good@example.com"), EmailData("bad@")),
                phones=(PhoneData("nope"),),
                tags=("a,b",),
            ),
        )
    assert set(refused.value.errors) == {"name", "emails.1", "phones.0", "tags"}


def test_row_errors_count_only_the_rows_that_were_filled_in(database: Database) -> None:
    """Empty rows are dropped first, so ``emails.1`` is the second *non-empty* row."""
    with pytest.raises(ValidationError) as refused:
        create_contact(
            database,
            ContactInput(
                name="Anna",
                emails=(
                    EmailData(""),
                    EmailData("good@example.com"),
                    EmailData("  "),
                    EmailData("x@"),
                ),
            ),
        )
    assert list(refused.value.errors) == ["emails.1"]
    assert "x@" in refused.value.errors["emails.1"]


def test_a_refused_update_changes_nothing(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_id = contact_factory(name="Original", tags=("keep",))
    before = get_contact(database, contact_id)
    with pytest.raises(ValidationError):
        update_contact(
            database,
            contact_id,
            ContactInput(name="Changed", emails=(EmailData("broken@"),), tags=("other",)),
            now=NOW,
        )
    assert get_contact(database, contact_id) == before
    assert _tag_names(database) == {"keep"}


# --- Updating -------------------------------------------------------------------------------


def test_update_replaces_emails_phones_and_tags_and_drops_unused_tags(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_id = contact_factory(
        name="Anna",
        emails=(EmailData("old@example.com", "work"), EmailData("older@example.com", "home")),
        phones=(PhoneData("555 0100", "work"),),
        tags=("old-only", "shared"),
    )
    contact_factory(name="Other", tags=("shared",))

    update_contact(
        database,
        contact_id,
        ContactInput(
            name="Anna Berg",
            emails=(EmailData("new@example.com", "home"),),
            phones=(PhoneData("555 0199", "mobile"), PhoneData("555 0198", "work")),
            tags=("fresh",),
        ),
        now=NOW,
    )

    detail = get_contact(database, contact_id)
    assert detail.name == "Anna Berg"
    assert detail.emails == (EmailData("new@example.com", "home"),)
    assert detail.phones == (PhoneData("555 0199", "mobile"), PhoneData("555 0198", "work"))
    assert detail.tags == ("fresh",)
    assert detail.updated_at == NOW
    assert _tag_names(database) == {"fresh", "shared"}  # "old-only" was used by no one else
    with database.reading() as session:
        assert (
            session.scalar(select(func.count()).where(ContactEmail.contact_id == contact_id)) == 1
        )
        assert (
            session.scalar(select(func.count()).where(ContactPhone.contact_id == contact_id)) == 2
        )


def test_update_of_a_missing_contact_is_an_error(database: Database) -> None:
    with pytest.raises(ContactNotFoundError):
        update_contact(database, 999, ContactInput(name="Nobody"))
    assert _count(database, Contact) == 0


def test_update_clears_optional_fields(database: Database, contact_factory: ContactFactory) -> None:
    contact_id = contact_factory(name="Anna", company="Bakery", centre_of_influence=True)
    update_contact(database, contact_id, ContactInput(name="Anna"))
    detail = get_contact(database, contact_id)
    assert (detail.company, detail.emails, detail.phones) == ("", (), ())
    assert detail.centre_of_influence is False


# --- Stages ---------------------------------------------------------------------------------


def test_a_new_contact_starts_at_the_first_stage_with_a_recorded_change(
    database: Database,
) -> None:
    first = _stages(database)[0]
    contact_id = create_contact(database, ContactInput(name="Newcomer"), now=NOW)
    detail = get_contact(database, contact_id)
    assert detail.stage_id == first.id
    assert detail.stage_label == "Suspect"
    with database.reading() as session:
        changes = list(session.scalars(select(StageChange)))
        assert session.get(Contact, contact_id).stage_entered_at == NOW  # type: ignore[union-attr]
    assert len(changes) == 1
    change = changes[0]
    assert (change.contact_id, change.from_stage_id, change.to_stage_id) == (
        contact_id,
        None,
        first.id,
    )
    assert change.changed_at == NOW
    assert change.automatic is True


def test_a_new_contact_follows_the_active_model(database: Database) -> None:
    journeys.choose_initial_model(database, "customer_lifecycle")
    contact_id = create_contact(database, ContactInput(name="Newcomer"))
    assert get_contact(database, contact_id).stage_label == "Prospective"


def test_changing_the_stage_by_hand_is_recorded(
    database: Database, contact_factory: ContactFactory
) -> None:
    suspect, _prospect, customer, _loyal = _stages(database)
    contact_id = contact_factory(name="Mover")
    later = NOW + timedelta(days=3)

    update_contact(
        database, contact_id, ContactInput(name="Mover", stage_id=customer.id), now=later
    )
    # Saving again without a stage change records nothing new.
    update_contact(database, contact_id, ContactInput(name="Mover", stage_id=customer.id))
    update_contact(database, contact_id, ContactInput(name="Mover Renamed"))

    detail = get_contact(database, contact_id)
    assert detail.stage_label == "Customer"
    with database.reading() as session:
        changes = list(
            session.scalars(
                select(StageChange)
                .where(StageChange.contact_id == contact_id)
                .order_by(StageChange.id)
            )
        )
        assert session.get(Contact, contact_id).stage_entered_at == later  # type: ignore[union-attr]
    assert [(c.from_stage_id, c.to_stage_id, c.automatic) for c in changes] == [
        (None, suspect.id, True),
        (suspect.id, customer.id, False),
    ]
    assert changes[1].changed_at == later


# --- Referrals ------------------------------------------------------------------------------


def test_referrals_are_listed_on_the_referrer(
    database: Database, contact_factory: ContactFactory
) -> None:
    referrer = contact_factory(name="Rita")
    zed = contact_factory(name="Zed", referred_by_id=referrer)
    amy = contact_factory(name="amy", referred_by_id=referrer)
    gone = contact_factory(name="Gone", referred_by_id=referrer)
    contact_factory(name="Unrelated")
    trash_contacts(database, [gone])

    assert get_contact(database, referrer).referrals == ((amy, "amy"), (zed, "Zed"))
    assert get_contact(database, zed).referred_by_name == "Rita"


def test_a_contact_cannot_refer_themselves(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_id = contact_factory(name="Narcissus")
    with pytest.raises(ValidationError) as refused:
        update_contact(database, contact_id, ContactInput(name="Other", referred_by_id=contact_id))
    assert refused.value.errors == {"referred_by_id": "A contact cannot refer themselves."}
    detail = get_contact(database, contact_id)
    assert (detail.name, detail.referred_by_id) == ("Narcissus", None)


def test_the_referrer_must_exist(database: Database, contact_factory: ContactFactory) -> None:
    with pytest.raises(ValidationError) as refused:
        create_contact(database, ContactInput(name="Orphan", referred_by_id=4242))
    assert list(refused.value.errors) == ["referred_by_id"]
    assert "no longer exists" in refused.value.errors["referred_by_id"]
    assert _count(database, Contact) == 0

    contact_id = contact_factory(name="Existing")
    with pytest.raises(ValidationError):
        update_contact(database, contact_id, ContactInput(name="Existing", referred_by_id=4242))
    assert get_contact(database, contact_id).referred_by_id is None


# --- Trash ----------------------------------------------------------------------------------


def test_trash_hides_a_contact_and_restore_brings_it_back(
    database: Database, contact_factory: ContactFactory
) -> None:
    keep = contact_factory(name="Keep")
    bin_me = contact_factory(name="Bin me")

    assert trash_contacts(database, [bin_me], now=NOW) == 1
    assert trash_contacts(database, [bin_me, keep + 1000]) == 0  # already trashed / missing

    assert _names(database) == ["Keep"]
    trashed = _rows(database, trash=True)
    assert [(r.id, r.deleted_at) for r in trashed] == [(bin_me, NOW)]
    assert get_contact(database, bin_me).deleted_at == NOW
    assert count_contacts(database, ContactQuery()) == 1
    assert count_contacts(database, ContactQuery(trash=True)) == 1

    assert restore_contacts(database, [bin_me, keep]) == 1  # a live contact is not "restored"
    assert _names(database) == ["Bin me", "Keep"]
    assert _rows(database, trash=True) == []
    assert get_contact(database, bin_me).deleted_at is None


def test_purge_deletes_only_trashed_contacts_for_good(
    database: Database, contact_factory: ContactFactory
) -> None:
    referrer = contact_factory(name="Referrer", tags=("only-on-referrer",))
    referred = contact_factory(name="Referred", referred_by_id=referrer, tags=("kept",))
    live = contact_factory(name="Live")
    assert _fts_rows(database, referrer) == 1

    assert purge_contacts(database, [referrer, live]) == 0  # nothing trashed yet
    assert count_contacts(database, ContactQuery()) == 3

    trash_contacts(database, [referrer])
    assert purge_contacts(database, [referrer, live]) == 1

    with pytest.raises(ContactNotFoundError):
        get_contact(database, referrer)
    assert count_contacts(database, ContactQuery(trash=True)) == 0
    assert _names(database) == ["Live", "Referred"]
    assert _fts_rows(database, referrer) == 0
    assert _fts_rows(database, referred) == 1
    assert _tag_names(database) == {"kept"}
    # The people they referred stay, now with no referrer.
    assert get_contact(database, referred).referred_by_id is None
    with database.reading() as session:
        for model in (ContactEmail, ContactPhone, StageChange):
            remaining = session.scalar(
                select(func.count()).select_from(model).where(model.contact_id == referrer)
            )
            assert remaining == 0, model.__name__


def test_missing_contacts_are_reported(database: Database) -> None:
    with pytest.raises(ContactNotFoundError):
        get_contact(database, 12345)


# --- The list: sorting, paging, filtering ---------------------------------------------------


@pytest.fixture
def sortable(database: Database, contact_factory: ContactFactory) -> dict[str, int]:
    """Five contacts whose sort columns differ, with some values missing."""
    stages = _stages(database)
    day = datetime(2024, 1, 1, tzinfo=UTC)
    specs: dict[str, dict[str, Any]] = {
        # name: (company, stage position, last touch day, next follow-up day, updated day)
        "Adam": {"company": "Zeta", "stage": 2, "touch": 3, "due": None, "updated": 1},
        "bea": {"company": "alpha", "stage": 0, "touch": None, "due": 5, "updated": 4},
        "Carl": {"company": "Mid", "stage": 3, "touch": 1, "due": 2, "updated": 2},
        "dana": {"company": "", "stage": 1, "touch": 2, "due": None, "updated": 3},
        "Eve": {"company": "mid", "stage": None, "touch": None, "due": 1, "updated": 5},
    }
    ids: dict[str, int] = {}
    for name, spec in specs.items():
        contact_id = contact_factory(name=name, company=spec["company"])
        ids[name] = contact_id
        _set(
            database,
            contact_id,
            stage_id=None if spec["stage"] is None else stages[spec["stage"]].id,
            last_touch_at=None if spec["touch"] is None else day + timedelta(days=spec["touch"]),
            next_followup_on=None if spec["due"] is None else date(2024, 6, spec["due"]),
            updated_at=day + timedelta(days=spec["updated"]),
        )
    return ids


@pytest.mark.parametrize(
    ("sort", "ascending", "descending"),
    [
        (SortKey.NAME, "Adam bea Carl dana Eve", "Eve dana Carl bea Adam"),
        # Case is ignored; equal companies fall back to the name; descending is the mirror.
        (SortKey.COMPANY, "dana bea Carl Eve Adam", "Adam Eve Carl bea dana"),
        # Stage order is the journey's order; no stage goes last both ways.
        (SortKey.STAGE, "bea dana Adam Carl Eve", "Carl Adam dana bea Eve"),
        # Never touched counts as touched longest ago: first when the oldest come first.
        (SortKey.LAST_TOUCH, "bea Eve Carl dana Adam", "Adam dana Carl Eve bea"),
        (SortKey.NEXT_FOLLOWUP, "Eve Carl bea Adam dana", "bea Carl Eve Adam dana"),
        (SortKey.UPDATED, "Adam Carl dana bea Eve", "Eve bea dana Carl Adam"),
    ],
)
def test_sorting_by_each_column(
    database: Database, sortable: dict[str, int], sort: SortKey, ascending: str, descending: str
) -> None:
    assert _names(database, sort=sort) == ascending.split()
    assert _names(database, sort=sort, descending=True) == descending.split()


def test_every_sort_key_is_covered() -> None:
    assert set(SortKey) == {
        SortKey.NAME,
        SortKey.COMPANY,
        SortKey.STAGE,
        SortKey.LAST_TOUCH,
        SortKey.NEXT_FOLLOWUP,
        SortKey.UPDATED,
        SortKey.VALUE,
        SortKey.PURCHASES,
        SortKey.LIFECYCLE,
        SortKey.SATISFACTION,
    }


@pytest.mark.parametrize("sort", list(SortKey))
@pytest.mark.parametrize("descending", [False, True])
def test_pages_are_disjoint_and_complete(
    database: Database, contact_factory: ContactFactory, sort: SortKey, descending: bool
) -> None:
    # Many contacts share a company and a stage, so the order relies on its tie-breakers.
    ids = {contact_factory(name=f"Person {n % 7}") for n in range(23)}
    query = ContactQuery(sort=sort, descending=descending)
    whole = [r.id for r in contact_rows(database, query, 0, 100)]
    pages = [[r.id for r in contact_rows(database, query, offset, 5)] for offset in range(0, 25, 5)]
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert [i for page in pages for i in page] == whole
    assert set(whole) == ids
    assert contact_rows(database, query, 23, 5) == []
    assert count_contacts(database, query) == 23


@pytest.mark.parametrize("sort", [SortKey.STAGE, SortKey.NEXT_FOLLOWUP, SortKey.SATISFACTION])
@pytest.mark.parametrize("descending", [False, True])
def test_sorts_read_in_parts_page_across_the_parts(
    database: Database, contact_factory: ContactFactory, sort: SortKey, descending: bool
) -> None:
    """Stage, next follow-up and satisfaction are read a part at a time (a stage, the dated
    ones, a level, then the missing ones); any page size gives the same list, and that list
    is ranked as promised, with ties and missing values by name."""
    stages = _stages(database)
    levels = ("dissatisfied", "satisfied", "highly_satisfied", None)
    expected: list[tuple[Any, ...]] = []
    for n in range(29):
        name = f"Person {n * 7 % 29:02d}"
        # Some in each stage and none; a few due on each of three days, many with none.
        stage = None if n % 5 == 4 else stages[n % len(stages)]
        due = date(2024, 6, 1 + n % 3) if n % 2 else None
        level = levels[n % 4]
        contact_id = contact_factory(name=name, tags=("vip",) if n % 6 else ())
        _set(
            database,
            contact_id,
            stage_id=None if stage is None else stage.id,
            next_followup_on=due,
            satisfaction=level,
        )
        if n % 6:
            expected.append((contact_id, name, stage, due, level))

    def ranked(row: tuple[Any, ...]) -> tuple[Any, ...]:
        _id, name, stage, due, level = row
        if sort is SortKey.STAGE:
            rank = None if stage is None else stage.position
        elif sort is SortKey.SATISFACTION:
            rank = None if level is None else levels.index(level)
        else:
            rank = due
        return rank, name

    present = sorted((r for r in expected if ranked(r)[0] is not None), key=ranked)
    missing = sorted((r for r in expected if ranked(r)[0] is None), key=lambda r: r[1])
    if descending:
        present.sort(key=lambda r: ranked(r)[0], reverse=True)  # stable: names stay ascending
        if sort is SortKey.NEXT_FOLLOWUP:
            present = sorted(present, key=ranked, reverse=True)  # a day's ties go by name too
    want = [r[0] for r in [*present, *missing]]

    query = ContactQuery(sort=sort, descending=descending, tag="vip")
    assert contact_ids(database, query, 0, 100) == want
    for size in (1, 2, 3, 7):
        pages = [contact_ids(database, query, at, size) for at in range(0, len(want), size)]
        assert [i for page in pages for i in page] == want, f"pages of {size}"
    assert contact_ids(database, query, len(want), 5) == []


def test_a_row_shows_the_first_email_and_phone_the_stage_and_sorted_tags(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_id = contact_factory(
        name="Anna",
        company="Bakery",
        title="Owner",
        emails=(EmailData("first@example.com"), EmailData("second@example.com")),
        phones=(PhoneData("555 0101"), PhoneData("555 0102")),
        tags=("wholesale", "Alpha", "vip"),
    )
    contact_factory(name="Bare", emails=(), phones=())
    anna, bare = _rows(database)
    assert (anna.id, anna.name, anna.company, anna.title) == (contact_id, "Anna", "Bakery", "Owner")
    assert (anna.email, anna.phone) == ("first@example.com", "555 0101")
    assert anna.stage_label == "Suspect"
    assert anna.tags == ("Alpha", "vip", "wholesale")
    assert anna.deleted_at is None
    assert (bare.email, bare.phone, bare.tags) == ("", "", ())


def test_tag_filter_ignores_case_and_the_trash(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Ann", tags=("VIP",))
    contact_factory(name="Ben", tags=("vip", "wholesale"))
    contact_factory(name="Cat", tags=("wholesale",))
    trashed = contact_factory(name="Dan", tags=("vip",))
    trash_contacts(database, [trashed])

    assert _names(database, tag="vip") == ["Ann", "Ben"]
    assert _names(database, tag="VIP", trash=True) == ["Dan"]
    assert _names(database, tag="wholesale") == ["Ben", "Cat"]
    assert _names(database, tag="nobody") == []
    assert _names(database, tag="vip", text="ben") == ["Ben"]


def test_count_matches_the_rows_for_every_kind_of_query(
    database: Database, contact_factory: ContactFactory
) -> None:
    for n in range(12):
        contact_factory(
            name=f"{'Anna' if n % 3 == 0 else 'Bruno'} {n}",
            tags=("vip",) if n % 2 == 0 else (),
        )
    trash_contacts(database, [1, 2, 3])
    queries = [
        ContactQuery(),
        ContactQuery(trash=True),
        ContactQuery(tag="vip"),
        ContactQuery(text="anna"),
        ContactQuery(text="bruno", tag="vip"),
        ContactQuery(text="anna", trash=True),
        ContactQuery(text="nobody"),
    ]
    counts = [count_contacts(database, q) for q in queries]
    assert counts == [len(contact_rows(database, q, 0, 100)) for q in queries]
    assert counts[:2] == [9, 3]
    assert counts[-1] == 0


def test_tag_counts_ignore_trashed_contacts(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_factory(tags=("vip", "wholesale"))
    contact_factory(tags=("VIP",))
    trashed = contact_factory(tags=("vip", "trash-only"))
    trash_contacts(database, [trashed])

    assert tag_counts(database) == [TagCount("vip", 2), TagCount("wholesale", 1)]

    restore_contacts(database, [trashed])
    assert tag_counts(database) == [
        TagCount("trash-only", 1),
        TagCount("vip", 3),
        TagCount("wholesale", 1),
    ]

    # Deleted for good, a contact's tags no longer count either; a tag left on no one is
    # not listed.
    trash_contacts(database, [trashed])
    purge_contacts(database, [trashed])
    assert tag_counts(database) == [TagCount("vip", 2), TagCount("wholesale", 1)]


def test_contact_choices_show_name_and_company(
    database: Database, contact_factory: ContactFactory
) -> None:
    with_company = contact_factory(name="Anna Berg", company="Harbour Bakery")
    without = contact_factory(name="Anna Solo", company="")
    contact_factory(name="Bruno")
    assert contact_choices(database, "anna") == [
        (with_company, "Anna Berg — Harbour Bakery"),
        (without, "Anna Solo"),
    ]
