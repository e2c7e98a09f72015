"""Finding likely duplicate contacts, and merging a pair so that every related row is kept and
the merge can be undone exactly."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from db import contacts, settings, stages, touches
from db.contacts import ContactInput, EmailData, PhoneData
from db.domain import Medium
from db.duplicates import (
    BOTH,
    KEEP,
    OTHER,
    MergeError,
    find_duplicates,
    merge_contacts,
    merge_preview,
    name_key,
    similar_names,
    undo_merge,
)
from db.engine import Database
from db.feedback import FeedbackInput, record_feedback
from db.followups import add_followup
from db.journeys import active_stages
from db.models import Contact, Feedback, Followup, Purchase, StageChange, Touch
from db.purchases import PurchaseInput, record_purchase
from db.touches import TouchInput

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)


def add(database: Database, name: str, **fields: Any) -> int:
    return contacts.create_contact(database, ContactInput(name=name, **fields), now=NOW)


def pairs(database: Database) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(p.first_name, p.second_name): p.reasons for p in find_duplicates(database)}


def test_name_keys_and_similarity() -> None:
    assert name_key("  Zoë  O'Brien-Smith ") == "zoe o brien smith"
    assert similar_names(name_key("Jon Smith"), name_key("John Smith"))
    assert similar_names(name_key("Smith, John"), name_key("John Smith"))
    assert not similar_names(name_key("Jane Smith"), name_key("John Smith"))
    assert not similar_names(name_key("Ann Lee"), name_key("Bob Lee"))


def test_pairs_by_email_phone_and_similar_names(database: Database) -> None:
    with database.write_session.begin() as session:
        settings.put(session, settings.PHONE_REGION, "GB")
    add(database, "Ann Archer", emails=(EmailData("ann@example.com"),))
    add(database, "Annie A.", emails=(EmailData("ANN@example.com"),))
    add(database, "Bob Baker", phones=(PhoneData("020 7946 0958"),))
    add(database, "Robert Baker", phones=(PhoneData("+44 20 7946 0958"),))
    add(database, "Rob Other", phones=(PhoneData("+1 202 794 0958"),))  # same last digits
    add(database, "Catherine Jones", company="Harbour Bakery")
    add(database, "Katherine Jones", company="harbour bakery")
    add(database, "Katherine Jones", company="Other Ltd")  # another company
    add(database, "Jane Jones", company="Harbour Bakery")  # different person
    gone = add(database, "Ann Gone", emails=(EmailData("ann@example.com"),))
    contacts.trash_contacts(database, [gone])

    found = pairs(database)
    assert found == {
        ("Ann Archer", "Annie A."): ("Same email ann@example.com",),
        ("Bob Baker", "Robert Baker"): ("Same phone +442079460958",),
        ("Catherine Jones", "Katherine Jones"): ("Similar names at Harbour Bakery",),
    }


def test_a_pair_found_several_ways_lists_every_reason(database: Database) -> None:
    both = {"emails": (EmailData("x@example.com"),), "phones": (PhoneData("+1 555 010 0001"),)}
    add(database, "Ann Archer", company="Acme", **both)
    add(database, "Ann Archer", company="ACME", **both)
    [pair] = find_duplicates(database)
    assert pair.reasons == (
        "Same email x@example.com",
        "Same phone +15550100001",
        "Similar names at Acme",
    )


def test_finding_can_be_stopped(database: Database) -> None:
    add(database, "A", emails=(EmailData("a@example.com"),))
    with pytest.raises(InterruptedError):
        find_duplicates(database, progress=lambda done, total: done < 1)


def _rows(database: Database, model: Any, contact_id: int) -> int:
    with database.reading() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(model).where(model.contact_id == contact_id)
            )
            or 0
        )


@pytest.fixture
def two(database: Database) -> tuple[int, int]:
    """Ann (older, Suspect) and her duplicate Annie (Customer), each with history."""
    with database.reading() as session:
        suspect, _prospect, customer, _loyal = active_stages(session)
    ann = add(
        database,
        "Ann Archer",
        company="Archer Ltd",
        emails=(EmailData("ann@example.com", "work"),),
        phones=(PhoneData("+44 20 7946 0958", "work"),),
        tags=("vip",),
        notes="Prefers mornings",
        stage_id=suspect.id,
    )
    annie = add(
        database,
        "Annie Archer",
        company="",
        title="Owner",
        emails=(EmailData("ANN@example.com", "home"), EmailData("annie@home.example", "home")),
        phones=(PhoneData("+44 7700 900123", "mobile"),),
        tags=("bakery",),
        notes="Met at the fair",
        city="Leeds",
        has_budget=True,
        stage_id=suspect.id,
    )
    referred = add(database, "Referred Person", referred_by_id=annie)
    assert referred
    stages.set_stage(database, [annie], customer.id, now=NOW)
    for cid, day in ((ann, 1), (annie, 2), (annie, 3)):
        at = datetime(2026, 3, day, 10, tzinfo=UTC)
        touches.log_touch(database, TouchInput(cid, Medium.PHONE, at, summary=f"Call {day}"))
    record_purchase(
        database, annie, PurchaseInput(date(2026, 3, 4), "Cake", "40.00", ""), now=NOW, today=TODAY
    )
    record_feedback(
        database,
        annie,
        FeedbackInput(date(2026, 3, 5), (("How was it?", 5),), "Great"),
        now=NOW,
        today=TODAY,
    )
    add_followup(database, annie, date(2026, 3, 20), "Send the menu", today=TODAY)
    return ann, annie


def test_merge_keeps_every_related_row_and_undo_puts_them_back(
    database: Database, two: tuple[int, int]
) -> None:
    ann, annie = two
    models = (Touch, Purchase, Followup, Feedback, StageChange)
    before = {m.__name__: (_rows(database, m, ann), _rows(database, m, annie)) for m in models}
    ann_before = contacts.get_contact(database, ann)
    annie_before = contacts.get_contact(database, annie)
    preview = merge_preview(database, ann, annie)
    assert set(preview.differing) >= {"name", "company", "title", "notes", "stage_id", "city"}
    assert preview.default_choice("title") == OTHER  # Ann has none
    assert preview.default_choice("name") == KEEP
    assert preview.other.touches == 2 and preview.other.purchases == 1

    record = merge_contacts(
        database,
        ann,
        annie,
        {"name": KEEP, "title": OTHER, "notes": BOTH, "stage_id": OTHER, "has_budget": OTHER},
        now=NOW,
    )

    for m in models:
        mine, theirs = before[m.__name__]
        assert _rows(database, m, ann) == mine + theirs, m.__name__
        assert _rows(database, m, annie) == 0, m.__name__
    merged = contacts.get_contact(database, ann)
    assert merged.name == "Ann Archer" and merged.company == "Archer Ltd"
    assert merged.title == "Owner" and merged.has_budget
    assert merged.notes == "Prefers mornings\n\nMet at the fair"
    assert merged.stage_label == "Customer"
    # Every email and phone of both, the shared address once; every tag.
    assert [e.address for e in merged.emails] == ["ann@example.com", "annie@home.example"]
    assert [p.number for p in merged.phones] == ["+44 20 7946 0958", "+44 7700 900123"]
    assert merged.tags == ("bakery", "vip")
    assert [name for _id, name in merged.referrals] == ["Referred Person"]
    gone = contacts.get_contact(database, annie)
    assert gone.deleted_at is not None and gone.name == "Annie Archer"
    with database.reading() as session:
        row = session.get(Contact, ann)
        assert row is not None
        assert row.purchase_count == 1 and row.satisfaction == "highly_satisfied"
        assert row.last_touch_at == datetime(2026, 3, 3, 10, tzinfo=UTC)
    assert find_duplicates(database) == []

    undo_merge(database, record)

    for m in models:
        assert (_rows(database, m, ann), _rows(database, m, annie)) == before[m.__name__]
    assert contacts.get_contact(database, ann) == _same_but_updated(
        ann_before, contacts.get_contact(database, ann)
    )
    restored = contacts.get_contact(database, annie)
    assert restored.deleted_at is None
    assert restored == _same_but_updated(annie_before, restored)
    with database.reading() as session:
        row = session.get(Contact, ann)
        assert row is not None and row.purchase_count == 0 and row.satisfaction is None


def _same_but_updated(before: contacts.ContactDetail, after: contacts.ContactDetail) -> Any:
    """``before`` with ``after``'s updated_at (a merge and its undo touch that stamp only)."""
    return replace(before, updated_at=after.updated_at)


def test_merge_is_refused_for_a_trashed_or_same_contact(
    database: Database, two: tuple[int, int]
) -> None:
    ann, annie = two
    with pytest.raises(MergeError, match="itself"):
        merge_contacts(database, ann, ann, {})
    contacts.trash_contacts(database, [annie])
    with pytest.raises(MergeError, match="no longer there"):
        merge_contacts(database, ann, annie, {})
    assert _rows(database, Touch, annie) == 2  # nothing moved


def test_unknown_choices_write_nothing(database: Database, two: tuple[int, int]) -> None:
    ann, annie = two
    with pytest.raises(MergeError):
        merge_contacts(database, ann, annie, {"name": "whatever"})
    assert _rows(database, Touch, annie) == 2
    assert contacts.get_contact(database, annie).deleted_at is None


def test_a_line_shared_by_many_is_not_a_sign_of_duplicates(database: Database) -> None:
    office = {"phones": (PhoneData("+1 555 010 9999", "switchboard"),)}
    for n in range(5):
        add(database, f"Colleague {n}", **office)
    add(database, "Ann Archer", emails=(EmailData("ann@example.com"),))
    add(database, "Annie", emails=(EmailData("ann@example.com"),))
    assert list(pairs(database)) == [("Ann Archer", "Annie")]
