"""``export contacts`` as CSV and as vCard carries every field a person typed, so reading the
file back gives the same contacts (the CSV read with ``csv``, the vCard with ``vobject``)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import vobject

from db import contacts
from db.contacts import ContactDetail, ContactInput, EmailData, PhoneData
from db.engine import Database
from db.export import ExportOptions, load_reports, write_csv
from db.journeys import active_stages
from db.vcard import split_name, write_vcards


def people(database: Database) -> list[int]:
    with database.reading() as session:
        stages = active_stages(session)
    ann = contacts.create_contact(
        database,
        ContactInput(
            name="Ann Ö'Brien-Aalto",
            company="Smith, Jones & Co",
            title='Head of "Buying"',
            emails=(
                EmailData("ann@example.com", "work"),
                EmailData("ann.home@example.org", "home"),
                EmailData("ann@club.example", "Tennis club"),
            ),
            phones=(
                PhoneData("+44 20 7946 0958", "mobile"),
                PhoneData("020 7946 0000", "work"),
            ),
            street="1 High St;\nFlat 2",
            city="London",
            region="Greater London",
            postal_code="N1 9GU",
            country="United Kingdom",
            notes="Met at the fair.\nLikes rye, not wheat; call after 10",
            tags=("vip", "bakery; wholesale"),
            stage_id=stages[2].id,
            centre_of_influence=True,
            do_not_contact=False,
            has_need=True,
            has_budget=True,
            is_decision_maker=True,
            purchase_interval_days=45,
        ),
    )
    ben = contacts.create_contact(
        database,
        ContactInput(
            name="Ben",
            phones=(PhoneData("555 0100"),),
            referred_by_id=ann,
            do_not_contact=True,
            has_urgency=True,
        ),
    )
    zed = contacts.create_contact(database, ContactInput(name="Zed Nobody", company="Solo"))
    return [ann, ben, zed]


def _unneutralised(cell: str) -> str:
    """What an importer does with a cell the export neutralised (docs/export.md)."""
    if cell[:1] == "'" and cell.lstrip("'")[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return cell[1:]
    return cell


def contact_from_row(row: dict[str, str]) -> ContactInput:
    """Read one exported row back the way the layout in docs/export.md describes."""
    row = {k: _unneutralised(v) for k, v in row.items()}
    emails, phones = [], []
    n = 1
    while f"Email {n}" in row:
        if row[f"Email {n}"]:
            emails.append(EmailData(row[f"Email {n}"], row[f"Email {n} label"]))
        n += 1
    n = 1
    while f"Phone {n}" in row:
        if row[f"Phone {n}"]:
            phones.append(PhoneData(row[f"Phone {n}"], row[f"Phone {n} label"]))
        n += 1
    return ContactInput(
        name=row["Name"],
        company=row["Company"],
        title=row["Title"],
        emails=tuple(emails),
        phones=tuple(phones),
        street=row["Street"],
        city=row["City"],
        region=row["Region"],
        postal_code=row["Postal code"],
        country=row["Country"],
        notes=row["Notes"],
        tags=tuple(t for t in row["Tags"].split(", ") if t),
        referred_by_id=int(row["Referred by ID"]) if row["Referred by ID"] else None,
        centre_of_influence=row["Centre of influence"] == "yes",
        do_not_contact=row["Do not contact"] == "yes",
        has_need=row["Has need"] == "yes",
        has_budget=row["Has budget"] == "yes",
        has_urgency=row["Has urgency"] == "yes",
        is_decision_maker=row["Decision maker"] == "yes",
        purchase_interval_days=(
            int(row["Purchase interval days"]) if row["Purchase interval days"] else None
        ),
    )


def typed(detail: ContactDetail) -> ContactInput:
    """The fields a person types, as stored (the stage is compared by its label)."""
    return ContactInput(
        **{
            name: getattr(detail, name)
            for name in ContactInput.__dataclass_fields__
            if name != "stage_id"
        }
    )


def test_csv_round_trip_gives_every_field_back(database: Database, tmp_path: Path) -> None:
    ids = people(database)
    out = tmp_path / "contacts.csv"
    report = load_reports()["contacts"].build(database, ExportOptions(today=date(2026, 3, 2)))
    assert write_csv(report, out) == 3
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["ID"]) for r in rows] == ids  # by name: Ann, Ben, Zed
    for row, cid in zip(rows, ids, strict=True):
        stored = contacts.get_contact(database, cid)
        assert contact_from_row(row) == typed(stored)
        assert row["Stage"] == stored.stage_label
    ann, ben, _zed = rows
    assert ann["Email 3 label"] == "Tennis club"
    assert ann["Phone 1"] == "'+44 20 7946 0958"  # neutralised; read back above
    assert (ann["Qualification"], ben["Qualification"]) == ("Prospect", "Suspect")
    assert ben["Referred by"] == "Ann Ö'Brien-Aalto"


def test_vcard_round_trip_keeps_names_emails_phones(database: Database, tmp_path: Path) -> None:
    ids = people(database)
    out = tmp_path / "contacts.vcf"
    assert write_vcards(database, out) == 3
    text = out.read_bytes().decode("utf-8")
    assert text.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")
    cards = list(vobject.readComponents(text))
    assert len(cards) == 3
    for card, cid in zip(cards, ids, strict=True):
        stored = contacts.get_contact(database, cid)
        assert card.fn.value == stored.name
        given, family = split_name(stored.name)
        assert (card.n.value.given, card.n.value.family) == (given, family)
        emails = [e.value for e in card.contents.get("email", [])]
        phones = [t.value for t in card.contents.get("tel", [])]
        assert emails == [e.address for e in stored.emails]
        assert phones == [p.number for p in stored.phones]
    ann = cards[0]
    assert ann.org.value == ["Smith, Jones & Co"]
    assert ann.title.value == 'Head of "Buying"'
    assert ann.note.value == "Met at the fair.\nLikes rye, not wheat; call after 10"
    address = ann.adr.value
    assert (address.street, address.city, address.code, address.country) == (
        "1 High St;\nFlat 2",
        "London",
        "N1 9GU",
        "United Kingdom",
    )
    assert ann.categories.value == ["bakery; wholesale", "vip"]
    types = [e.params.get("TYPE") for e in ann.contents["email"]]
    assert types == [["INTERNET", "WORK"], ["INTERNET", "HOME"], ["INTERNET"]]
    labels = [x.value for x in ann.contents["x-ablabel"]]
    assert labels == ["Tennis club"]
    assert [t.params.get("TYPE") for t in ann.contents["tel"]] == [["CELL"], ["WORK"]]
    assert "adr" not in cards[2].contents and cards[2].org.value == ["Solo"]


def test_trashed_contacts_are_not_exported(database: Database, tmp_path: Path) -> None:
    ann, _ben, zed = people(database)
    contacts.trash_contacts(database, [zed])
    out = tmp_path / "c.vcf"
    assert write_vcards(database, out) == 2
    report = load_reports()["contact-list"].build(database, ExportOptions())
    assert [row[0] for row in report.rows] == [ann, _ben]


def test_vcard_escapes_and_folds_what_vobject_reads_back(
    database: Database, tmp_path: Path
) -> None:
    long_note = "Ærøskøbing straße · " * 12 + "\nline two; with, punctuation \\ and a backslash"
    cid = contacts.create_contact(
        database,
        ContactInput(
            name="Zoë Ünal-Løvlie",
            company="Smith; Jones, & Co \\ Ltd",
            title="Ünïcode " * 15,
            emails=(EmailData("zoe@example.com", "Ski club; winter, 2026"),),
            phones=(PhoneData("+44 20 7946 0999", "mobile"),),
            street="1 Long Road,\nFlat 3; back door",
            city="Kraków",
            notes=long_note,
            tags=("a;b", "ünï"),
        ),
    )
    out = tmp_path / "c.vcf"
    write_vcards(database, out)
    raw = out.read_bytes()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n")), "folded at 75 octets"
    raw.decode("utf-8")  # no character split by the folding
    (card,) = list(vobject.readComponents(raw.decode("utf-8")))
    stored = contacts.get_contact(database, cid)
    assert card.fn.value == stored.name
    assert card.org.value == [stored.company]
    assert card.title.value == stored.title
    assert card.note.value == stored.notes
    assert card.adr.value.street == stored.street and card.adr.value.city == "Kraków"
    assert card.categories.value == ["a;b", "ünï"]
    assert [x.value for x in card.contents["x-ablabel"]] == ["Ski club; winter, 2026"]
