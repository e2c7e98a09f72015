"""A large file is read by a helper process (``db.importing.pipeline``): the import writes the
very same rows and search index as when it reads the file itself, and a Cancel or a helper
that fails leaves the database as it was, with a clear message."""

from __future__ import annotations

import dataclasses
import multiprocessing
import socket
import sqlite3
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from db import contacts, search
from db.engine import Database, open_database
from db.importing import csvfile, pipeline, rows, service
from db.importing.service import DuplicateAction, ImportOptions

FILES = Path(__file__).parent / "import_files"
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as raw:
        return list(raw.iterdump())


def _written(path: Path) -> list[str]:
    """The dump but for the built-in journey models (stamped when the database was made)."""
    return [line for line in _dump(path) if not line.startswith('INSERT INTO "journey_model"')]


def _index(path: Path) -> list[tuple[Any, ...]]:
    """Each contact's words in the search index, column by column (in any order: a search
    matches words, not their order)."""
    with sqlite3.connect(path) as raw:
        rows = raw.execute(
            "SELECT rowid, name, company, title, emails, phones, tags, place FROM contact_fts "
            "ORDER BY rowid"
        ).fetchall()
    return [(row[0], *(sorted(column.split()) for column in row[1:])) for row in rows]


def _file(tmp_path: Path, rows: int = 2500) -> Path:
    """Rows of every kind: new, matching an existing contact, matching an earlier row,
    invalid, blank, several emails, a stage, flags and notes with a newline."""
    lines = ["Name,Company,Email,Phone,Stage,Do not contact,Tags,Notes"]
    for i in range(rows):
        email = f"person{i}@example.com" + (f"; p{i}@home.example" if i % 10 == 0 else "")
        stage = "Customer" if i % 7 == 0 else ""
        flag = "yes" if i % 11 == 0 else ""
        notes = '"Met at the fair\nlikes rye"' if i % 3 == 0 else ""
        lines.append(
            f"Person {i},Company {i % 50},{email},+1 555 01{i % 10} {i:04d},{stage},{flag},"
            f"Customers;Fair {i % 4},{notes}"
        )
    lines.append("Kept Already,,kept@example.com,,,,,")  # matches an existing contact
    lines.append("Again Person 5,,person5@example.com,,,,,")  # matches row 7
    lines.append("Broken,,not-an-email,,,,,")
    lines.append(",,,,,,,")
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _helpers() -> list[multiprocessing.process.BaseProcess]:
    """The import's helper processes still running (other tests may leave processes of
    their own)."""
    return [p for p in multiprocessing.active_children() if p.name == "touchbase-import-reader"]


@pytest.fixture
def by_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file, however small, is read by the helper process."""
    monkeypatch.setattr(pipeline, "HELPER_FROM_BYTES", 0)


@pytest.mark.parametrize("name", sorted(p.name for p in FILES.iterdir()))
def test_a_record_gives_back_the_row_it_was_made_from(name: str) -> None:
    source = service.open_source(FILES / name)
    with service._rows(source) as each:
        read = list(each.records("imported", "US"))
    assert read
    for record in read:
        assert rows.to_record(rows.row_of(record), "imported", "US") == record


def _import(path: Path, source_file: Path) -> service.ImportSummary:
    with open_database(path) as database:
        contacts.create_contact(
            database,
            contacts.ContactInput(
                name="Kept", emails=(contacts.EmailData("kept@example.com", "work"),)
            ),
            now=NOW,
        )
        return service.run_import(
            database,
            service.open_source(source_file),
            ImportOptions(on_duplicate=DuplicateAction.UPDATE, skip_invalid=True, tag="fair"),
            now=NOW,
        )


@pytest.mark.parametrize(
    ("rows", "read_here_first"),
    [(2500, False), (20_000, True)],
    ids=["the helper reads it all", "the helper takes over"],
)
def test_the_helper_writes_what_reading_here_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int, read_here_first: bool
) -> None:
    source_file = _file(tmp_path, rows)
    monkeypatch.setattr(pipeline, "HELPER_FROM_BYTES", 1 << 62)
    here = _import(tmp_path / "here.sqlite", source_file)
    monkeypatch.setattr(pipeline, "HELPER_FROM_BYTES", 0)
    monkeypatch.setattr(pipeline, "READ_HERE_WHILE_STARTING", read_here_first)
    helped = _import(tmp_path / "helped.sqlite", source_file)
    assert helped == here
    assert (here.created, here.updated, here.invalid, here.blank) == (rows, 2, 1, 1)
    assert _written(tmp_path / "helped.sqlite") == _written(tmp_path / "here.sqlite")
    assert not _helpers()


def test_search_finds_contacts_imported_through_the_helper_as_it_finds_any_other(
    database: Database, tmp_path: Path, by_helper: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "READ_HERE_WHILE_STARTING", False)
    service.run_import(
        database,
        service.open_source(_file(tmp_path)),
        ImportOptions(skip_invalid=True, tag="fair"),
        now=NOW,
    )
    imported = _index(database.path)
    assert len(imported) == 2501
    # The index rows are those the ordinary upkeep (``db.search``) builds from the tables.
    with database.write_session.begin() as session:
        search.rebuild(session)
    assert _index(database.path) == imported
    for typed, expected in (
        ("person 1234", 1),
        ("15550140014", 1),
        ("customers", 2500),
        ("p40@home.example", 2),  # p40@ and p400@
        ("home.example", 250),
    ):
        found = contacts.contact_ids(database, contacts.ContactQuery(text=typed), 0, 10_000)
        assert len(found) == expected, typed
    with sqlite3.connect(database.path) as raw:
        raw.execute("INSERT INTO contact_fts(contact_fts, rank) VALUES ('integrity-check', 1)")
        # The larger buffer the import gave the index is not left behind.
        assert raw.execute("SELECT k FROM contact_fts_config").fetchall() == [("version",)]


@pytest.mark.parametrize("waiting", [True, False], ids=["waiting on the helper", "reading here"])
def test_a_cancel_while_the_helper_reads_stops_it_and_writes_nothing(
    database: Database,
    tmp_path: Path,
    by_helper: None,
    monkeypatch: pytest.MonkeyPatch,
    waiting: bool,
) -> None:
    monkeypatch.setattr(pipeline, "READ_HERE_WHILE_STARTING", not waiting)
    before = _dump(database.path)
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return False

    with pytest.raises(service.ImportCancelledError):
        service.run_import(
            database, service.open_source(_file(tmp_path)), ImportOptions(), progress=progress
        )
    if waiting:  # asked while it waited for the helper's first rows: Cancel is heard then too
        assert calls[0][0] == 0
    assert not _helpers()
    assert _dump(database.path) == before


def test_a_helper_that_ends_half_way_leaves_the_database_as_it_was(
    database: Database, tmp_path: Path, by_helper: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "READ_HERE_WHILE_STARTING", False)
    before = _dump(database.path)
    killed: list[int] = []

    def progress(done: int, _total: int) -> bool:
        if done and not killed:
            for child in _helpers():
                child.kill()
                killed.append(child.pid or 0)
        return True

    with pytest.raises(pipeline.HelperFailedError) as raised:
        service.run_import(
            database,
            service.open_source(_file(tmp_path, 20_000)),
            ImportOptions(),
            progress=progress,
        )
    assert killed
    assert "people.csv stopped unexpectedly" in str(raised.value)
    assert "nothing was written" in str(raised.value)
    assert not _helpers()
    assert _dump(database.path) == before


def _tagged(reading: pipeline.Reading) -> pipeline.Reading:
    """``reading`` with records tagged as they are made (the import adds its tag itself)."""
    return dataclasses.replace(reading, tag="fair")


def test_a_helper_that_ends_before_it_takes_over_leaves_the_reading_here(
    tmp_path: Path,
) -> None:
    reading = _tagged(service._reading(service.open_source(_file(tmp_path)), "US"))
    with pipeline.records(reading, helper=False) as feed:
        expected = list(feed)
    with pipeline.records(reading, helper=True) as helped:
        # Long before it has started Python and imported what it needs.
        for child in _helpers():
            child.kill()
        assert list(helped) == expected
        assert helped.position == helped.size
    assert not _helpers()


def _runaway_quote(tmp_path: Path) -> Path:
    path = tmp_path / "runaway.csv"
    rows = "".join(f"Person {i},p{i}@example.com\n" for i in range(100))
    path.write_text(
        "Name,Email\n" + rows + 'Late,"' + "x" * (csvfile.FIELD_LIMIT + 10) + "\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("helper", [True, False], ids=["helper", "here"])
def test_a_file_that_cannot_be_read_fails_alike_here_and_in_the_helper(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helper: bool
) -> None:
    monkeypatch.setattr(pipeline, "HELPER_FROM_BYTES", 0 if helper else 1 << 62)
    before = _dump(database.path)
    with pytest.raises(csvfile.CsvFileError, match=r"^Line 102: field larger than field limit"):
        service.run_import(database, service.open_source(_runaway_quote(tmp_path)), ImportOptions())
    assert _dump(database.path) == before


def test_a_failure_in_the_helper_is_told_with_what_failed(tmp_path: Path) -> None:
    failure = pipeline._failure(tmp_path / "people.csv", pipeline._failed(KeyError("email")))
    assert isinstance(failure, pipeline.HelperFailedError)
    assert str(failure) == (
        "Reading people.csv failed in the helper process (KeyError: 'email'); nothing was written."
    )
    gone = pipeline._failure(
        tmp_path / "people.csv",
        pipeline._failed(FileNotFoundError(2, "No such file or directory", "people.csv")),
    )
    assert isinstance(gone, FileNotFoundError) and gone.filename == "people.csv"


def test_the_helper_takes_over_after_the_rows_read_here(tmp_path: Path) -> None:
    """``read_in_helper`` itself, run on a thread here so that it is measured and traced."""
    source = service.open_source(_file(tmp_path))
    here, there = multiprocessing.Pipe()
    reading = _tagged(service._reading(source, "US"))
    helper = threading.Thread(target=pipeline.read_in_helper, args=(reading, there))
    helper.start()
    assert here.recv() == ("ready",)
    here.send(1200)  # rows read here
    messages: list[tuple[Any, ...]] = []
    while not messages or messages[-1][0] == "rows":
        messages.append(here.recv())
    helper.join()
    assert [m[0] for m in messages] == ["rows", "rows", "end"]
    assert [len(m[1]) for m in messages[:-1]] == [pipeline.CHUNK, 304]
    with pipeline.records(reading, helper=False) as feed:
        assert [r for m in messages[:-1] for r in m[1]] == list(feed)[1200:]


@pytest.mark.parametrize("name", ["vcard21.vcf", "vcard30.vcf", "vcard40.vcf", "outlook.csv"])
def test_the_helper_reads_cards_and_other_layouts_as_they_read_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setattr(pipeline, "HELPER_FROM_BYTES", 1 << 62)
    here = _import(tmp_path / "here.sqlite", FILES / name)
    monkeypatch.setattr(pipeline, "HELPER_FROM_BYTES", 0)
    monkeypatch.setattr(pipeline, "READ_HERE_WHILE_STARTING", False)
    helped = _import(tmp_path / "helped.sqlite", FILES / name)
    assert helped == here and here.created
    assert _written(tmp_path / "helped.sqlite") == _written(tmp_path / "here.sqlite")
    # Taking over after the first row read here.
    reading = _tagged(service._reading(service.open_source(FILES / name), "US"))
    with pipeline.records(reading, helper=False) as feed:
        expected = list(feed)
    with pipeline.open_rows(reading) as rows:
        assert list(rows.records("fair", "US", after=1)) == expected[1:]


@pytest.mark.skipif(sys.platform == "win32", reason="the connection is a socket pair elsewhere")
def test_the_connection_to_the_helper_holds_several_chunks() -> None:
    """So that neither the helper nor the import waits on the other's turn to run."""
    here, there = multiprocessing.get_context("spawn").Pipe()

    def buffer() -> int:
        with socket.fromfd(there.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as end:
            return int(end.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))

    try:
        before = buffer()
        pipeline._widen(there)
        cap = Path("/proc/sys/net/core/wmem_max")
        allowed = int(cap.read_text()) if cap.exists() else pipeline._IN_FLIGHT
        # Linux caps what is asked at ``net.core.wmem_max`` (and doubles it for its own use).
        assert buffer() >= min(pipeline._IN_FLIGHT, allowed)
        if allowed > before:
            assert buffer() > before
    finally:
        here.close()
        there.close()
