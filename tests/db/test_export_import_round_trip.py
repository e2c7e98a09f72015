"""Export contacts, import the file into another database: the same contacts come back
(docs/export.md, "Importing it back")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from db import contacts
from db.contacts import ContactInput, EmailData, PhoneData
from db.engine import Database, open_database
from db.export import ExportOptions, load_reports, write_csv
from db.importing.fields import TOUCHBASE, Field
from db.importing.service import (
    DuplicateAction,
    ImportOptions,
    open_source,
    preview,
    run_import,
)
from db.journeys import active_stages
from db.vcard import write_vcards
from tests.db.test_contact_exports import people, typed


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "other.sqlite")
    yield database
    database.close()


def _by_name(database: Database) -> dict[str, contacts.ContactDetail]:
    query = contacts.ContactQuery()
    rows = contacts.contact_rows(database, query, 0, 100)
    return {r.name: contacts.get_contact(database, r.id) for r in rows}


def _exported(database: Database, report: str, path: Path) -> Path:
    built = load_reports()[report].build(database, ExportOptions(today=date(2026, 3, 2)))
    write_csv(built, path)
    return path


def _comparable(detail: contacts.ContactDetail) -> ContactInput:
    """Typed fields, except the referrer (an id of the other database; it comes back as a
    line of the notes instead)."""
    return ContactInput(
        **{
            **typed(detail).__dict__,
            "referred_by_id": None,
            "notes": detail.notes,
        }
    )


def test_a_contacts_export_imports_back_with_every_field(
    database: Database, other: Database, tmp_path: Path
) -> None:
    people(database)
    # Text a spreadsheet would run, including text that starts with an apostrophe before it.
    tricky = contacts.create_contact(
        database,
        ContactInput(
            name="=Eve",
            company="@home",
            emails=(EmailData("eve@example.com", "-work"),),
            phones=(PhoneData("+1 212 555 0199", "+cell"),),
            notes="'-- keep the apostrophe\n=SUM(A1)",
            tags=("+plus", "semi; colon"),
        ),
    )
    path = _exported(database, "contacts", tmp_path / "contacts.csv")
    source = open_source(path)
    shown = preview(other, source)
    assert source.layout == TOUCHBASE
    assert (shown.new, shown.invalid) == (4, 0)
    summary = run_import(other, source, ImportOptions())
    assert summary.created == 4
    before, after = _by_name(database), _by_name(other)
    assert sorted(after) == sorted(before)
    for name, original in before.items():
        back = after[name]
        expected = _comparable(original)
        if original.referred_by_name:
            expected = ContactInput(
                **{**expected.__dict__, "notes": f"Referred by: {original.referred_by_name}"}
            )
        assert _comparable(back) == expected, name
        assert back.stage_label == original.stage_label, name
    assert after["=Eve"].notes == "'-- keep the apostrophe\n=SUM(A1)"
    assert contacts.get_contact(database, tricky).tags == after["=Eve"].tags


def test_a_second_import_of_the_same_file_matches_every_contact(
    database: Database, other: Database, tmp_path: Path
) -> None:
    people(database)
    path = _exported(database, "contacts", tmp_path / "contacts.csv")
    run_import(other, open_source(path), ImportOptions())
    again = preview(other, open_source(path))
    # Zed has no email or phone to match by, so he is the one new row.
    assert (again.new, again.matched) == (1, 2)


def test_an_update_from_the_file_sets_the_flags_it_states(
    database: Database, other: Database, tmp_path: Path
) -> None:
    people(database)
    path = _exported(database, "contacts", tmp_path / "contacts.csv")
    run_import(other, open_source(path), ImportOptions())
    ann_id = next(i for n, i in ((d.name, d.id) for d in _by_name(other).values()) if "Ann" in n)
    ann = contacts.get_contact(other, ann_id)
    contacts.update_contact(
        other,
        ann_id,
        ContactInput(**{**typed(ann).__dict__, "centre_of_influence": False, "stage_id": None}),
    )
    assert not contacts.get_contact(other, ann_id).centre_of_influence
    run_import(other, open_source(path), ImportOptions(on_duplicate=DuplicateAction.UPDATE))
    assert contacts.get_contact(other, ann_id).centre_of_influence


def test_a_stage_the_model_lacks_leaves_the_contact_at_the_first_stage(
    other: Database, tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "ID,Name,Email 1,Email 1 label,Stage,Do not contact,Purchase interval days\n"
        "1,Ann,ann@example.com,work,No such stage,yes,30\n",
        encoding="utf-8",
    )
    source = open_source(path)
    assert source.layout == TOUCHBASE
    run_import(other, source, ImportOptions())
    (ann,) = _by_name(other).values()
    with other.reading() as session:
        first = active_stages(session)[0]
    assert (ann.stage_id, ann.do_not_contact, ann.purchase_interval_days) == (first.id, True, 30)


def test_a_flag_that_is_not_yes_or_no_is_an_invalid_row(other: Database, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "ID,Name,Phone 1,Phone 1 label,Do not contact,Purchase interval days\n"
        "1,Ann,555 0100,,maybe,\n"
        "2,Ben,555 0101,,no,soon\n"
        "3,Cy,555 0102,,,\n",
        encoding="utf-8",
    )
    source = open_source(path)
    assert [r.field for r in source.mapping] == [
        Field.IGNORE,
        Field.NAME,
        Field.PHONE,
        Field.PHONE_LABEL,
        Field.DO_NOT_CONTACT,
        Field.PURCHASE_INTERVAL,
    ]
    shown = preview(other, source)
    assert (shown.new, shown.invalid) == (1, 2)
    reasons = [r.error for r in shown.invalid_rows]
    assert "Do not contact: “maybe” is not yes or no." in reasons[0]
    assert "Days between purchases “soon” is not a number." in reasons[1]


def test_a_vcard_export_imports_back_with_names_emails_phones_and_more(
    database: Database, other: Database, tmp_path: Path
) -> None:
    people(database)
    path = tmp_path / "contacts.vcf"
    write_vcards(database, path)
    summary = run_import(other, open_source(path), ImportOptions())
    assert summary.created == 3
    before, after = _by_name(database), _by_name(other)
    assert sorted(after) == sorted(before)
    for name, original in before.items():
        back = after[name]
        assert back.emails == original.emails, name
        assert back.phones == original.phones, name
        assert (back.company, back.title, back.tags) == (
            original.company,
            original.title,
            original.tags,
        ), name
        assert (back.street, back.city, back.region, back.postal_code, back.country) == (
            original.street,
            original.city,
            original.region,
            original.postal_code,
            original.country,
        ), name
        assert back.notes == original.notes, name
