"""A large import builds the contact indexes anew at the end, inside its one transaction: the
database ends with the very same indexes, and a cancel or a failure leaves it as it was."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Index

from db import contacts, derived, search
from db.engine import Database
from db.importing import service
from db.importing.fields import ColumnRule, Field
from db.importing.service import DuplicateAction, ImportOptions
from tests.conftest import ContactFactory


def _schema(database: Database) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(database.path) as raw:
        rows = raw.execute(
            "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY name"
        ).fetchall()
    return [tuple(r) for r in rows]


def _dump(database: Database) -> list[str]:
    with sqlite3.connect(database.path) as raw:
        return list(raw.iterdump())


def _file(tmp_path: Path, rows: int, extra: str = "") -> Path:
    path = tmp_path / "many.csv"
    path.write_text(
        "Name,Email,Phone\n"
        + "".join(f"Person {i},p{i}@example.com,+1 555 010 {i:04d}\n" for i in range(rows))
        + extra,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def deferrals(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times an import dropped its indexes to build them again."""
    seen: list[int] = []
    real = service._Writer.defer_indexes

    def spy(self: service._Writer) -> None:
        seen.append(self.created)
        real(self)

    monkeypatch.setattr(service._Writer, "defer_indexes", spy)
    return seen


def test_only_an_import_large_for_the_table_builds_its_indexes_anew() -> None:
    assert service.worth_deferring_indexes(existing=0, expected_new=100_000)
    assert service.worth_deferring_indexes(existing=100_000, expected_new=60_000)
    assert not service.worth_deferring_indexes(existing=100_000, expected_new=20_000)
    assert not service.worth_deferring_indexes(existing=0, expected_new=50)


def test_a_large_import_ends_with_the_same_indexes(
    database: Database, tmp_path: Path, contact_factory: ContactFactory, deferrals: list[int]
) -> None:
    kept = contact_factory(
        name="Already Here", emails=(contacts.EmailData("p7@example.com", "work"),), phones=()
    )
    before = _schema(database)
    summary = service.run_import(
        database,
        service.open_source(_file(tmp_path, 6000)),
        ImportOptions(on_duplicate=DuplicateAction.UPDATE, tag="big"),
    )
    assert deferrals, "the import should have built its indexes anew"
    assert (summary.created, summary.updated) == (5999, 1)
    assert _schema(database) == before
    with sqlite3.connect(database.path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        # The name index, rebuilt, answers as a table scan does.
        by_index = raw.execute(
            "SELECT id FROM contact INDEXED BY ix_contact_live_name "
            "WHERE deleted_at IS NULL AND name >= 'Person 59' ORDER BY name"
        ).fetchall()
        scanned = raw.execute(
            "SELECT id FROM contact NOT INDEXED "
            "WHERE deleted_at IS NULL AND name >= 'Person 59' ORDER BY name, id"
        ).fetchall()
    assert by_index == scanned and len(by_index) > 100
    found = contacts.contact_ids(database, contacts.ContactQuery(text="Person 5998"), 0, 10)
    assert len(found) == 1
    assert [p.number for p in contacts.get_contact(database, kept).phones] == ["+1 555 010 0007"]
    detail = contacts.get_contact(database, found[0])
    assert detail.next_followup_on is not None
    # The derived columns are what the rules give for every contact.
    as_imported = _dump(database)
    with database.write_session.begin() as session:
        derived.refresh_all(session)
    assert _dump(database) == as_imported


def _cancel_once_deferred(deferrals: list[int]) -> Callable[[int, int], bool]:
    def progress(_done: int, _total: int) -> bool:
        time.sleep(0.06)  # so that the next few hundred rows call again
        return not deferrals

    return progress


def test_a_cancel_after_the_indexes_were_dropped_leaves_the_database_as_it_was(
    database: Database, tmp_path: Path, contact_factory: ContactFactory, deferrals: list[int]
) -> None:
    contact_factory(name="Already Here")
    before, rows = _schema(database), _dump(database)
    with pytest.raises(service.ImportCancelledError):
        service.run_import(
            database,
            service.open_source(_file(tmp_path, 12000)),
            ImportOptions(),
            progress=_cancel_once_deferred(deferrals),
        )
    assert deferrals
    assert _schema(database) == before
    assert _dump(database) == rows


def test_a_failure_after_the_indexes_were_dropped_leaves_the_database_as_it_was(
    database: Database, tmp_path: Path, deferrals: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    before, rows = _schema(database), _dump(database)
    real = search.insert_rows

    def failing(session: object, rows: object) -> None:
        if deferrals:
            raise OSError("disk full")
        real(session, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "insert_rows", failing)
    with pytest.raises(OSError, match="disk full"):
        service.run_import(database, service.open_source(_file(tmp_path, 8000)), ImportOptions())
    assert deferrals
    assert _schema(database) == before
    assert _dump(database) == rows


def test_an_invalid_row_after_the_indexes_were_dropped_writes_nothing(
    database: Database, tmp_path: Path, deferrals: list[int]
) -> None:
    before, rows = _schema(database), _dump(database)
    path = _file(tmp_path, 8000, extra="Broken,not-an-email,\n")
    with pytest.raises(service.InvalidRowsError, match="line 8002"):
        service.run_import(database, service.open_source(path), ImportOptions())
    assert deferrals
    assert _schema(database) == before
    assert _dump(database) == rows


def test_an_index_the_database_lacks_is_neither_dropped_nor_made(
    database: Database, tmp_path: Path, deferrals: list[int]
) -> None:
    with database.write_session.begin() as session:
        session.connection().exec_driver_sql("DROP INDEX ix_contact_live_value")
    before = _schema(database)
    summary = service.run_import(
        database, service.open_source(_file(tmp_path, 6000)), ImportOptions()
    )
    assert deferrals and summary.created == 6000
    assert _schema(database) == before


def test_a_cancel_while_the_indexes_are_built_again_leaves_the_database_as_it_was(
    database: Database, tmp_path: Path, deferrals: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    before, rows = _schema(database), _dump(database)
    built: list[str] = []
    real_create = Index.create

    def create(self: Index, bind: Any, checkfirst: bool = False) -> None:
        built.append(str(self.name))
        real_create(self, bind, checkfirst)

    monkeypatch.setattr(Index, "create", create)

    def progress(_done: int, _total: int) -> bool:
        return len(built) < 3  # Cancel once a few indexes are built again

    with pytest.raises(service.ImportCancelledError):
        service.run_import(
            database, service.open_source(_file(tmp_path, 6000)), ImportOptions(), progress=progress
        )
    assert deferrals and len(built) == 3
    assert _schema(database) == before
    assert _dump(database) == rows


def _mapped(path: Path) -> service.ImportSource:
    """The file's columns: name, then its flags and days between purchases as they come."""
    source = service.open_source(path)
    fields = {
        "Email": Field.EMAIL,
        "Centre of influence": Field.CENTRE_OF_INFLUENCE,
        "Days between purchases": Field.PURCHASE_INTERVAL,
    }
    return source.with_mapping(
        [ColumnRule(fields.get(header, Field.NAME)) for header in source.headers]
    )


def test_the_indexes_of_a_few_contacts_stay_and_hold_the_imported_ones(
    database: Database, tmp_path: Path, deferrals: list[int]
) -> None:
    path = tmp_path / "centres.csv"
    path.write_text(
        "Name,Email,Centre of influence\n"
        + "".join(
            f"Person {i},p{i}@example.com,{'yes' if i % 500 == 0 else ''}\n" for i in range(6000)
        ),
        encoding="utf-8",
    )
    summary = service.run_import(database, _mapped(path), ImportOptions())
    assert deferrals and summary.created == 6000
    deferred = {index.name for index in service._deferrable_indexes()}
    assert not deferred & {"ix_contact_live_centres", "ix_contact_live_referred"}
    with sqlite3.connect(database.path) as raw:
        by_index = raw.execute(
            "SELECT id FROM contact INDEXED BY ix_contact_live_centres "
            "WHERE deleted_at IS NULL AND centre_of_influence IS 1 ORDER BY name"
        ).fetchall()
        scanned = raw.execute(
            "SELECT id FROM contact NOT INDEXED "
            "WHERE deleted_at IS NULL AND centre_of_influence IS 1 ORDER BY name, id"
        ).fetchall()
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert by_index == scanned and len(by_index) == 12


def _stored(database: Database, name: str) -> list[tuple[str, Any]]:
    """Each column of the contact as SQLite holds it: its type and value."""
    with sqlite3.connect(database.path) as raw:
        columns = [c[1] for c in raw.execute("PRAGMA table_info(contact)")]
        values = raw.execute(
            f"SELECT {', '.join(f'typeof({c}), {c}' for c in columns)} FROM contact WHERE name = ?",
            (name,),
        ).fetchone()
    skip = {"id", "name", "created_at", "updated_at", "stage_entered_at"}
    return [
        (column, values[2 * i : 2 * i + 2])
        for i, column in enumerate(columns)
        if column not in skip
    ]


@pytest.mark.parametrize("large", [False, True], ids=["a few rows", "rows by the thousand"])
def test_imported_contacts_are_stored_as_the_form_stores_them(
    database: Database, tmp_path: Path, large: bool
) -> None:
    """Nothing the import leaves empty is stored as an empty text instead of NULL, and a flag
    is the number the form stores."""
    for name, flag, days in (("Form Plain", False, None), ("Form Flagged", True, 30)):
        contacts.create_contact(
            database,
            contacts.ContactInput(name=name, centre_of_influence=flag, purchase_interval_days=days),
        )
    path = tmp_path / "kinds.csv"
    filler = "".join(f"Person {i},,\n" for i in range(6000 if large else 0))
    path.write_text(
        "Name,Centre of influence,Days between purchases\n"
        f"File Plain,,\nFile Flagged,yes,30\n{filler}",
        encoding="utf-8",
    )
    service.run_import(database, _mapped(path), ImportOptions())
    assert _stored(database, "File Plain") == _stored(database, "Form Plain")
    assert _stored(database, "File Flagged") == _stored(database, "Form Flagged")
    plain = dict(_stored(database, "File Plain"))
    assert plain["purchase_interval_days"] == ("null", None)
    assert plain["centre_of_influence"] == ("integer", 0)


def test_the_import_gives_its_larger_page_cache_back(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cache_size(session: Any) -> int:
        return int(session.connection().exec_driver_sql("PRAGMA cache_size").scalar())

    with database.write_session.begin() as session:
        before = cache_size(session)
    during: list[int] = []
    real = service._Writer.finish

    def finish(self: service._Writer, *args: Any, **kwargs: Any) -> None:
        during.append(cache_size(self.session))
        real(self, *args, **kwargs)

    monkeypatch.setattr(service._Writer, "finish", finish)
    service.run_import(database, service.open_source(_file(tmp_path, 50)), ImportOptions())
    assert during == [-service._CACHE_KIB] and before != -service._CACHE_KIB
    with database.write_session.begin() as session:
        assert cache_size(session) == before
