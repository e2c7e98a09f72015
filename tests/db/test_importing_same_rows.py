"""What an import writes, pinned table by table: every table of the database, the search
index's own tables included, after two imports of a mixed file (duplicates of contacts
already there and of earlier rows, invalid and blank rows, stages, flags, tags) must hold
exactly the rows it held when these digests were taken. A change to how the import writes
(docs/architecture.md, "A bulk load: the import") must leave them alone.

The clock is fixed (the moment of the import, the local day and the time zone), so the
derived dates and statuses are the same on every run. Should a digest change on purpose,
``_digests`` gives the new ones.
"""

from __future__ import annotations

import csv
import hashlib
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from db import derived, lifecycle, search
from db.engine import Database
from db.importing import service
from db.importing.fields import ColumnRule, Field
from db.importing.service import DuplicateAction, ImportOptions

TODAY = date(2026, 12, 1)
FIRST = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
SECOND = datetime(2026, 12, 1, 9, 15, 30, 123456, tzinfo=UTC)

HEADERS = (
    "Name",
    "Company",
    "Title",
    "Email 1",
    "Email 2",
    "Phone 1",
    "City",
    "Country",
    "Notes",
    "Tags",
    "Stage",
    "Do not contact",
    "Centre of influence",
    "Has need",
    "Days between purchases",
)
MAPPING = (
    ColumnRule(Field.NAME),
    ColumnRule(Field.COMPANY),
    ColumnRule(Field.TITLE),
    ColumnRule(Field.EMAIL, 1),
    ColumnRule(Field.EMAIL, 2),
    ColumnRule(Field.PHONE, 1),
    ColumnRule(Field.CITY, 1),
    ColumnRule(Field.COUNTRY, 1),
    ColumnRule(Field.NOTES),
    ColumnRule(Field.TAGS),
    ColumnRule(Field.STAGE),
    ColumnRule(Field.DO_NOT_CONTACT),
    ColumnRule(Field.CENTRE_OF_INFLUENCE),
    ColumnRule(Field.HAS_NEED),
    ColumnRule(Field.PURCHASE_INTERVAL),
)
STAGES = ("", "Prospect", "customer", "  Loyal   CUSTOMER ", "No such stage")


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    monkeypatch.setattr(derived, "local_today", lambda: TODAY)
    monkeypatch.setattr(lifecycle, "local_today", lambda: TODAY, raising=False)
    yield
    monkeypatch.undo()
    time.tzset()


def _row(i: int, offset: int) -> list[str]:
    n = i + offset
    email = f"person{n}@example.com"
    if i % 50 == 49:
        email = f"PERSON{n - 25}@Example.com"  # an earlier row of the file
    phone = f"+1 555 {n // 10000 % 1000:03d} {n % 10000:04d}"
    if i % 70 == 69:
        email, phone = "", f"(555) 000-{i % 300:04d}"  # a contact there already, by phone
    if i % 91 == 90:
        email = f"existing{i % 300}@example.com"  # a contact there already, by email
    if i % 503 == 502:
        return [""] * len(HEADERS)  # blank
    interval = str(30 + i % 4 * 15) if i % 9 == 0 else ""
    if i % 211 == 210:
        interval = "often"  # invalid
    if i % 307 == 306:
        email = "not an address"  # invalid
    return [
        f"Given{n} Family{n % 7919}",
        f"Company {n % 503}" if i % 6 else "",
        "Owner" if i % 4 == 0 else "",
        email,
        f"p{n}@home.example" if i % 10 == 0 else "",
        phone if i % 11 else "",
        "Zürich" if i % 8 == 0 else "Springfield",
        "CH" if i % 8 == 0 else "US",
        "Met at the fair\nlikes rye" if i % 3 == 0 else "",
        ("Customers; VIP", "", "customers", "Bäckerei, Café")[i % 4],
        STAGES[i % len(STAGES)],
        "yes" if i % 13 == 0 else "",
        "yes" if i % 7 == 0 else "no",
        "yes" if i % 5 == 0 else "",
        interval,
    ]


def _existing(i: int) -> list[str]:
    return [
        f"Existing {i}",
        "Old Company",
        "",
        f"existing{i}@example.com",
        "",
        f"+1 555 000 {i:04d}",
        "",
        "",
        "Known for years",
        "Old friends",
        "",
        "",
        "",
        "",
        "",
    ]


def _write(path: Path, rows: list[list[str]]) -> service.ImportSource:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return service.open_source(path).with_mapping(MAPPING)


def _import_both(database: Database, tmp_path: Path, *, previewed: bool = False) -> None:
    """Two imports; ``previewed``: each after its preview, which keeps the rows it read for
    the import to write (``pipeline.Spool``)."""
    first = _write(tmp_path / "first.csv", [_existing(i) for i in range(300)])
    if previewed:
        service.preview(database, first)
    service.run_import(database, first, ImportOptions(tag="first"), now=FIRST)
    second = _write(tmp_path / "second.csv", [_row(i, 1000) for i in range(6000)])
    if previewed:
        service.preview(database, second)
    summary = service.run_import(
        database,
        second,
        ImportOptions(
            on_duplicate=DuplicateAction.UPDATE,
            choices={71: DuplicateAction.SKIP, 141: DuplicateAction.CREATE},
            skip_invalid=True,
            tag="imported 2026-12-01",
        ),
        now=SECOND,
    )
    assert summary.created > 5000 and summary.updated > 100 and summary.invalid > 10


#: Tables that hold when things happened rather than what was imported (the last backup, when
#: the journey models were put in).
_UNPINNED = {"setting", "journey_model"}


def _digests(database: Database) -> dict[str, str]:
    """A digest of every table's rows in rowid (or key) order, and of the schema."""
    out: dict[str, str] = {}
    with sqlite3.connect(database.path) as raw:
        tables = [
            name
            for (name,) in raw.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " ORDER BY name"
            )
        ]
        for name in tables:
            if name in _UNPINNED:
                continue
            try:  # the rowid too, where the table has one
                rows = raw.execute(f"SELECT rowid, * FROM {name} ORDER BY rowid").fetchall()
            except sqlite3.OperationalError:
                rows = sorted(raw.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
            out[name] = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
        schema = raw.execute(
            "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY name"
        ).fetchall()
        out["(schema)"] = hashlib.sha256(repr(schema).encode()).hexdigest()[:16]
    return out


EXPECTED: dict[str, str] = {
    "alembic_version": "52400b4687d2d33f",
    "contact": "2f7b72e3edaab0bc",
    "contact_email": "9294dbc8d69624d4",
    "contact_fts": "d392257763755d28",
    "contact_fts_config": "ada92526309f86a3",
    "contact_fts_content": "b2d7fea15f19494e",
    "contact_fts_data": "772616732eaa0c2a",
    "contact_fts_idx": "9ef2e0695cec2a34",
    "contact_phone": "b7308ed95f7d7665",
    "contact_tag": "5915b15c02d33c5c",
    "feedback": "4f53cda18c2baa0c",
    "feedback_answer": "4f53cda18c2baa0c",
    "feedback_question": "4f53cda18c2baa0c",
    "followup": "4f53cda18c2baa0c",
    "key_date": "4f53cda18c2baa0c",
    "plan_step": "bccefe89fbf8abf3",
    "purchase": "4f53cda18c2baa0c",
    "stage": "1ada9f3a58ebad64",
    "stage_change": "3f66e25095e680ac",
    "tag": "d0b878b420155ac0",
    "touch": "4f53cda18c2baa0c",
    "(schema)": "a8dd7b2fbb14f344",
}


@pytest.mark.parametrize(
    ("previewed", "kinds"),
    [(False, None), (True, None), (True, 3)],
    ids=["read now", "kept by its preview", "derived at the end"],
)
def test_an_import_writes_the_same_rows_as_it_always_did(
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    previewed: bool,
    kinds: int | None,
) -> None:
    if kinds is not None:  # more kinds of new contact than the rules are asked about
        monkeypatch.setattr(service, "_KINDS", kinds)
    _import_both(database, tmp_path, previewed=previewed)
    found = _digests(database)
    differ = sorted(
        name for name in found.keys() | EXPECTED.keys() if found.get(name) != EXPECTED.get(name)
    )
    assert not differ, f"tables that differ: {differ}; digests now: {found}"


def test_imported_contacts_are_found_as_the_index_built_anew_finds_them(
    database: Database, tmp_path: Path
) -> None:
    _import_both(database, tmp_path)
    with sqlite3.connect(database.path) as raw:
        written = raw.execute("SELECT rowid, * FROM contact_fts ORDER BY rowid").fetchall()
    with database.write_session.begin() as session:
        search.rebuild(session)
    with sqlite3.connect(database.path) as raw:
        rebuilt = raw.execute("SELECT rowid, * FROM contact_fts ORDER BY rowid").fetchall()
    # The same words in each column, case and order aside (the index folds case and a
    # search takes words in any order): a row's tags are indexed as the file spells and
    # orders them, the index built anew spells them as the tags already there do.
    assert _words(written) == _words(rebuilt)


def _words(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return [
        tuple(sorted(v.casefold().split()) if isinstance(v, str) else v for v in row)
        for row in rows
    ]


def test_imported_contacts_derived_columns_are_what_the_rules_give(
    database: Database, tmp_path: Path
) -> None:
    _import_both(database, tmp_path)
    columns = (
        "id, cadence_due_on, stuck_on, next_followup_on, last_interaction_on, lifecycle,"
        " lifecycle_until, purchase_count, lifetime_value, season, satisfaction"
    )
    with sqlite3.connect(database.path) as raw:
        written = raw.execute(f"SELECT {columns} FROM contact ORDER BY id").fetchall()
    with database.write_session.begin() as session:
        derived.refresh_all(session)
    with sqlite3.connect(database.path) as raw:
        again = raw.execute(f"SELECT {columns} FROM contact ORDER BY id").fetchall()
    assert written == again
    assert any(row[1] is not None for row in written)
    assert any(row[3] is None for row in written)


@pytest.mark.parametrize("midnight", [False, True])
def test_new_contacts_statuses_are_worked_out_again_when_midnight_passes(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, midnight: bool
) -> None:
    """The derived columns written with the rows are for the day the import started; should
    the day end before the rows are all in, they are worked out again for the new one."""
    days = iter([TODAY, date(2026, 12, 2)] if midnight else [TODAY, TODAY])
    monkeypatch.setattr(service, "local_today", lambda: next(days))
    passes: list[int] = []
    real = derived.refresh_schedule_from

    def spy(session: object, first_id: int) -> None:
        passes.append(first_id)
        real(session, first_id)  # type: ignore[arg-type]

    monkeypatch.setattr(derived, "refresh_schedule_from", spy)
    source = _write(tmp_path / "few.csv", [_row(i, 0) for i in range(40)])
    summary = service.run_import(database, source, ImportOptions(skip_invalid=True))
    assert passes == ([min(summary.created_ids)] if midnight else [])
