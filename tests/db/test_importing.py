"""Importing contacts from CSV and vCard files: what is read, previewed and written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db import contacts, settings
from db.engine import Database
from db.importing import csvfile, service
from db.importing.errors import ImportProblemError
from db.importing.fields import (
    GOOGLE,
    GOOGLE_OLD,
    OUTLOOK,
    SPREADSHEET,
    ColumnRule,
    Field,
    guess_layout,
)
from db.importing.service import DuplicateAction, ImportOptions
from db.models import Contact, StageChange
from tests.conftest import ContactFactory

FILES = Path(__file__).parent / "import_files"


@pytest.fixture(autouse=True, params=["indexes kept", "indexes built anew"])
def index_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test here runs twice: as a small import runs, and as a large one does, with the
    indexes dropped and built again at the end (tests/db/test_importing_indexes.py)."""
    if request.param == "indexes built anew":
        monkeypatch.setattr(service, "DEFER_INDEXES_FROM", 0)
    return str(request.param)


def _import(database: Database, name: str, **options: object) -> service.ImportSummary:
    source = service.open_source(FILES / name)
    return service.run_import(database, source, ImportOptions(**options))  # type: ignore[arg-type]


def _by_name(database: Database) -> dict[str, contacts.ContactDetail]:
    with database.reading() as session:
        ids = list(session.scalars(select(Contact.id)))
    return {d.name: d for d in (contacts.get_contact(database, i) for i in ids)}


def _count(database: Database) -> int:
    with database.reading() as session:
        return int(session.scalar(select(func.count(Contact.id))) or 0)


# --- Reading files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "layout"),
    [
        ("google_contacts.csv", "utf-8", ",", GOOGLE),
        ("google_contacts_old.csv", "utf-8", ",", GOOGLE_OLD),
        ("outlook.csv", "utf-8", ",", OUTLOOK),
        ("spreadsheet_cp1252_semicolon.csv", "cp1252", ";", SPREADSHEET),
        ("bom_newlines.csv", "utf-8-sig", ",", SPREADSHEET),
        ("tabs.csv", "utf-8", "\t", SPREADSHEET),
    ],
)
def test_encoding_delimiter_and_layout_are_recognised(
    name: str, encoding: str, delimiter: str, layout: str
) -> None:
    source = service.open_source(FILES / name)
    assert source.format is service.Format.CSV
    assert source.dialect == csvfile.CsvDialect(encoding, delimiter)
    assert source.layout == layout


def test_a_cyrillic_windows_file_is_not_read_as_western(tmp_path: Path) -> None:
    path = tmp_path / "ru.csv"
    path.write_bytes(
        "Имя,Компания,Email\nИван Петров,Рога и копыта,ivan@example.ru\n".encode("cp1251")  # noqa: RUF001
    )
    assert csvfile.detect(path).encoding == "cp1251"


def test_google_contacts_keep_every_email_phone_label_address_and_note(
    database: Database,
) -> None:
    summary = _import(database, "google_contacts.csv")
    assert (summary.created, summary.invalid) == (3, 0)
    people = _by_name(database)
    ann = people["Ann Lee"]
    assert ann.company == "Harbour Bakery"
    assert ann.title == "Owner"
    assert [(e.address, e.label) for e in ann.emails] == [
        ("ann@harbour.example", "work"),
        ("ann.lee@mail.example", "work"),
    ]
    assert [(p.number, p.label) for p in ann.phones] == [
        ("+44 7700 900123", "mobile"),
        ("020 7946 0958", "work"),
    ]
    assert (ann.street, ann.city, ann.postal_code, ann.country) == (
        "1 Quay St",
        "Bristol",
        "BS1 4DJ",
        "United Kingdom",
    )
    assert ann.notes.splitlines() == [
        "Met at the trade fair.",
        "Likes rye.",
        "Birthday: 1980-04-01",
        "Website: https://harbour.example",
    ]
    assert ann.tags == ("Suppliers",)  # not Google's "* myContacts"
    # A company alone, and an email alone, are contacts too.
    assert people["Quayside Deliveries"].company == "Quayside Deliveries"
    assert people["someone@example.org"].emails[0].label == "other"


def test_older_google_export_builds_names_from_parts(database: Database) -> None:
    _import(database, "google_contacts_old.csv")
    people = _by_name(database)
    bob = people["Bob Marsh"]
    assert [p.number for p in bob.phones] == ["(555) 010-2000", "(555) 010-2001"]
    assert set(bob.tags) == {"Customers", "VIP"}
    assert (bob.city, bob.region) == ("Springfield", "IL")
    assert people["Dr Cara Nunez"].emails[0].address == "cara@clinic.example"


def test_outlook_export_maps_its_own_columns(database: Database) -> None:
    _import(database, "outlook.csv")
    dana = _by_name(database)["Ms. Dana Okafor"]
    assert (dana.company, dana.title) == ("Okafor Foods", "Director")
    assert [p.label for p in dana.phones] == ["work", "mobile"]
    assert dana.street == "400 Market St\nSuite 5"
    assert "Other address: 9 Pine Ave, Portland" in dana.notes
    assert "0/0/00" not in dana.notes and "Normal" not in dana.notes
    assert set(dana.tags) == {"Wholesale", "Key account"}


def test_windows_1252_semicolon_file(database: Database) -> None:
    _import(database, "spreadsheet_cp1252_semicolon.csv")
    zoe = _by_name(database)["Zoé Dupré"]
    assert (zoe.company, zoe.city) == ("Café Müller", "Besançon")
    assert zoe.notes == "Crème brûlée \u2013 5 \u20ac"


def test_quoted_newlines_bom_and_blank_rows(database: Database) -> None:
    preview = service.preview(database, service.open_source(FILES / "bom_newlines.csv"))
    assert (preview.new, preview.blank, preview.invalid) == (2, 1, 0)
    assert [r.line for r in preview.new_rows] == [2, 7]  # Eve's row spans lines 2-5
    _import(database, "bom_newlines.csv")
    eve = _by_name(database)["Eve Stone"]
    assert eve.street == "1 Main St\nApt 2"
    assert eve.notes == 'First line\nsecond line, with a comma\nthird "quoted" line'


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("vcard21.vcf", {"Jürgen Müller", "Lena Kim"}),
        ("vcard30.vcf", {"Mina Park"}),
        ("vcard40.vcf", {"Omar Quinn", "Rivera Plumbing"}),
    ],
)
def test_vcards_of_every_version(database: Database, name: str, expected: set[str]) -> None:
    summary = _import(database, name)
    assert summary.created == len(expected) and summary.invalid == 0
    assert set(_by_name(database)) == expected


def test_vcard_21_quoted_printable_and_charsets(database: Database) -> None:
    _import(database, "vcard21.vcf")
    jurgen = _by_name(database)["Jürgen Müller"]
    assert jurgen.company == "Bäckerei Müller"
    assert (jurgen.street, jurgen.city, jurgen.postal_code) == ("Hauptstraße 1", "Berlin", "10115")
    assert [(p.number, p.label) for p in jurgen.phones] == [
        ("+49 170 1234567", "mobile"),
        ("030 123456", "work"),
    ]
    assert jurgen.notes.splitlines() == [
        "Department: Verkauf",
        "Erste Zeile",
        "Zweite Zeile",
        "Birthday: 19750312",
    ]


def test_vcard_30_apple_labels_second_address_and_categories(database: Database) -> None:
    _import(database, "vcard30.vcf")
    mina = _by_name(database)["Mina Park"]
    assert [(e.address, e.label) for e in mina.emails] == [
        ("mina@park.example", "other"),
        ("studio@park.example", "work"),
    ]
    assert [p.label for p in mina.phones] == ["mobile", "work fax"]
    assert mina.street == "77 Ocean Ave"
    assert "Other address: 5 Studio Ln" in mina.notes
    assert "Website: https://park.example" in mina.notes
    assert "3f1c2d" not in mina.notes  # UID is not the owner's business
    assert set(mina.tags) == {"Designers", "Friends"}


# --- Invalid rows, duplicates, tags, all or nothing -----------------------------------------------


def test_one_broken_row_writes_nothing_and_names_its_line(database: Database) -> None:
    source = service.open_source(FILES / "broken_row.csv")
    preview = service.preview(database, source)
    assert (preview.new, preview.invalid) == (2, 1)
    assert preview.invalid_rows[0].line == 3
    assert "ian-at-jay.example" in preview.invalid_rows[0].error
    with pytest.raises(service.InvalidRowsError) as raised:
        service.run_import(database, source, ImportOptions())
    assert "line 3" in str(raised.value)
    assert _count(database) == 0
    summary = service.run_import(database, source, ImportOptions(skip_invalid=True))
    assert (summary.created, summary.invalid) == (2, 1)
    assert _count(database) == 2


def test_duplicates_match_by_email_then_phone(
    database: Database, contact_factory: ContactFactory, tmp_path: Path
) -> None:
    with database.write_session.begin() as session:
        settings.put(session, settings.PHONE_REGION, "US")
    hana = contact_factory(
        name="Hana I.", emails=(contacts.EmailData("HANA@ito.example"),), phones=()
    )
    jo = contact_factory(name="Jo", emails=(), phones=(contacts.PhoneData("+1 555 555 0104"),))
    path = tmp_path / "people.csv"
    path.write_text(
        "Name,Email,Phone\n"
        "Hana Ito,hana@ito.example,555-0102\n"
        "Ian Jay,ian@jay.example,(555) 555-0199\n"
        "Jo King,jo@king.example,(555) 555-0104\n",
        encoding="utf-8",
    )
    preview = service.preview(database, service.open_source(path))
    assert (preview.new, preview.matched) == (1, 2)
    assert [(r.line, r.contact_id) for r in preview.matched_rows] == [(2, hana), (4, jo)]
    assert preview.matched_rows[0].existing.startswith("Hana I.")


def test_duplicate_choices_skip_update_create(
    database: Database, contact_factory: ContactFactory, tmp_path: Path
) -> None:
    ann = contact_factory(
        name="Ann Lee",
        company="Old Name Ltd",
        emails=(contacts.EmailData("ann@harbour.example", "work"),),
        phones=(),
        notes="Known since 2019.",
    )
    source = service.open_source(FILES / "google_contacts.csv")
    skipped = service.run_import(database, source, ImportOptions(skip_invalid=True))
    assert (skipped.created, skipped.skipped, skipped.updated) == (2, 1, 0)
    assert contacts.get_contact(database, ann).company == "Old Name Ltd"

    updated = service.run_import(
        database, source, ImportOptions(on_duplicate=DuplicateAction.UPDATE)
    )
    # The two contacts created by the first import now match too.
    assert (updated.created, updated.updated) == (0, 3)
    after = contacts.get_contact(database, ann)
    assert after.company == "Harbour Bakery"
    assert [e.address for e in after.emails] == ["ann@harbour.example", "ann.lee@mail.example"]
    assert len(after.phones) == 2
    assert after.notes.startswith("Known since 2019.\nMet at the trade fair.")

    created = service.run_import(
        database,
        source,
        ImportOptions(on_duplicate=DuplicateAction.SKIP, choices={2: DuplicateAction.CREATE}),
    )
    assert (created.created, created.skipped) == (1, 2)
    assert sum(1 for d in _by_name_all(database) if d.name == "Ann Lee") == 2


def _by_name_all(database: Database) -> list[contacts.ContactDetail]:
    with database.reading() as session:
        ids = list(session.scalars(select(Contact.id)))
    return [contacts.get_contact(database, i) for i in ids]


def test_imported_contacts_are_tagged_start_their_journey_and_can_be_found(
    database: Database,
) -> None:
    summary = _import(database, "tabs.csv", tag="imported 2026-12-01")
    gus = contacts.get_contact(database, summary.created_ids[0])
    assert gus.tags == ("imported 2026-12-01",)
    assert gus.stage_id is not None
    with database.reading() as session:
        reasons = list(session.scalars(select(StageChange.reason)))
    assert reasons == ["Imported"]
    found = contacts.contact_ids(database, contacts.ContactQuery(text="imported 2026"), 0, 10)
    assert found == [gus.id]


def test_a_tag_with_a_comma_is_refused(database: Database) -> None:
    with pytest.raises(ImportProblemError, match="comma"):
        _import(database, "tabs.csv", tag="a, b")
    assert _count(database) == 0


def test_cancelling_leaves_nothing_behind(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text(
        "Name,Email\n" + "".join(f"P{i},p{i}@example.com\n" for i in range(3000)),
        encoding="utf-8",
    )
    calls: list[int] = []

    def progress(done: int, total: int) -> bool:
        calls.append(done)
        return False

    with pytest.raises(service.ImportCancelledError):
        service.run_import(database, service.open_source(path), ImportOptions(), progress=progress)
    assert calls and _count(database) == 0


def test_a_file_changed_after_its_preview_is_refused(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    shutil.copy(FILES / "tabs.csv", path)
    source = service.open_source(path)
    path.write_text("name\temail\nSomeone Else\tx@example.com\n", encoding="utf-8")
    with pytest.raises(service.FileChangedError):
        service.run_import(database, source, ImportOptions())
    assert _count(database) == 0


def test_the_mapping_can_be_corrected(database: Database) -> None:
    source = service.open_source(FILES / "tabs.csv")
    assert [r.field for r in source.mapping] == [Field.NAME, Field.EMAIL, Field.PHONE]
    mapping = list(source.mapping)
    mapping[2] = ColumnRule(Field.IGNORE)
    summary = service.run_import(database, source.with_mapping(mapping), ImportOptions())
    assert contacts.get_contact(database, summary.created_ids[0]).phones == ()


def test_empty_and_missing_files_say_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportProblemError, match="empty"):
        service.open_source(empty)
    with pytest.raises(FileNotFoundError):
        service.open_source(tmp_path / "nope.csv")


def test_a_plain_spreadsheet_names_its_columns_in_many_ways() -> None:
    layout = guess_layout(
        [
            "Surname",
            "Forename",
            "Organisation",
            "Work Email",
            "E-mail",
            "Cell",
            "Tel",
            "Postcode",
            "Town",
            "Comments",
            "Groups",
            "ID",
            "Favourite colour",
        ]
    )
    assert layout.name == SPREADSHEET
    assert layout.mapping == (
        ColumnRule(Field.LAST_NAME, label="Surname"),
        ColumnRule(Field.FIRST_NAME, label="Forename"),
        ColumnRule(Field.COMPANY, label="Organisation"),
        ColumnRule(Field.EMAIL, 1, "work"),
        ColumnRule(Field.EMAIL, 2, ""),
        ColumnRule(Field.PHONE, 1, "mobile"),
        ColumnRule(Field.PHONE, 2, ""),
        ColumnRule(Field.POSTAL_CODE, label="Postcode"),
        ColumnRule(Field.CITY, label="Town"),
        ColumnRule(Field.NOTES, label="Comments"),
        ColumnRule(Field.TAGS, label="Groups"),
        ColumnRule(Field.IGNORE, label="ID"),
        ColumnRule(Field.EXTRA, label="Favourite colour"),
    )


def _twice_in_one_file(tmp_path: Path) -> Path:
    path = tmp_path / "twice.csv"
    path.write_text(
        "Name,Email,Phone,Company\n"
        "Ann Lee,ann@harbour.example,,\n"
        "Bo Park,,+44 20 7946 0001,\n"
        "Ann Lee,ANN@harbour.example,+44 20 7946 0002,Harbour Bakery\n"
        "Bo P.,,+44 20 7946 0001,Park Ltd\n",
        encoding="utf-8",
    )
    return path


def test_a_contact_twice_in_one_file_is_a_duplicate_of_the_first_row(
    database: Database, tmp_path: Path
) -> None:
    source = service.open_source(_twice_in_one_file(tmp_path))
    shown = service.preview(database, source)
    assert (shown.new, shown.matched) == (2, 2)
    assert [(r.line, r.existing) for r in shown.matched_rows] == [
        (4, "line 2 of this file"),
        (5, "line 3 of this file"),
    ]
    assert [service.in_file_line(r.contact_id) for r in shown.matched_rows] == [2, 3]
    skipped = service.run_import(database, source, ImportOptions())
    assert (skipped.created, skipped.skipped) == (2, 2)
    assert _count(database) == 2


def test_a_later_row_of_the_same_file_can_update_the_contact_the_first_made(
    database: Database, tmp_path: Path
) -> None:
    source = service.open_source(_twice_in_one_file(tmp_path))
    summary = service.run_import(
        database,
        source,
        ImportOptions(on_duplicate=DuplicateAction.UPDATE, choices={5: DuplicateAction.CREATE}),
    )
    assert (summary.created, summary.updated) == (3, 1)
    people = _by_name(database)
    ann = people["Ann Lee"]
    assert ann.company == "Harbour Bakery"
    assert [p.number for p in ann.phones] == ["+44 20 7946 0002"]
    assert [e.address for e in ann.emails] == ["ann@harbour.example"]
    assert {"Bo Park", "Bo P."} <= set(people)
