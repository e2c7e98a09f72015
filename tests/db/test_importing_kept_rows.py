"""A preview keeps the records it read (``pipeline.Spool``) for the import of the same file
that follows, which then writes them instead of reading and checking the file again; any
other import reads the file (docs/architecture.md, "A bulk load: the import")."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from db import settings
from db.engine import Database, open_database
from db.importing import pipeline, service
from db.importing.fields import ColumnRule, Field
from db.importing.service import ImportOptions
from db.models import Contact, ContactTag
from tests.db.test_importing_same_rows import _digests

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _file(tmp_path: Path, rows: int = 30) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(
        "Name,Email,Phone,Tags\n"
        + "".join(
            f"Person {i},p{i}@example.com,+1 555 010 {i:04d},{('VIP', 'vip; Fair', '')[i % 3]}\n"
            for i in range(rows)
        )
        + ",not an address,,\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files an import read itself (rather than its preview's records)."""
    seen: list[Path] = []
    real = pipeline.records

    @contextmanager
    def spy(reading: pipeline.Reading, **kwargs: Any) -> Iterator[pipeline.Feed]:
        seen.append(reading.path)
        with real(reading, **kwargs) as feed:
            yield feed

    monkeypatch.setattr(pipeline, "records", spy)
    return seen


def _names(database: Database) -> list[str]:
    with database.reading() as session:
        return list(session.scalars(select(Contact.name).order_by(Contact.id)))


def test_the_import_after_a_preview_writes_the_rows_the_preview_read(
    database: Database, tmp_path: Path, reads: list[Path]
) -> None:
    source = service.open_source(_file(tmp_path))
    preview = service.preview(database, source)
    summary = service.run_import(database, source, ImportOptions(skip_invalid=True))
    assert reads == []
    assert (summary.created, summary.invalid) == (preview.new, preview.invalid) == (30, 1)
    assert _names(database) == [f"Person {i}" for i in range(30)]
    # Kept records serve one import: the next one reads the file.
    again = service.run_import(database, source, ImportOptions(skip_invalid=True))
    assert reads == [source.path] and again.skipped == 30


def test_rows_kept_by_a_preview_are_not_written_for_another_reading_of_the_file(
    database: Database, tmp_path: Path, reads: list[Path]
) -> None:
    source = service.open_source(_file(tmp_path))
    service.preview(database, source)
    ignore = ColumnRule(Field.IGNORE)
    other = source.with_mapping(
        (ColumnRule(Field.NAME), ColumnRule(Field.EMAIL, 1), ignore, ignore)
    )
    service.run_import(database, other, ImportOptions(skip_invalid=True))
    assert reads == [source.path]
    with database.reading() as session:  # the tags the other reading leaves out
        assert session.scalar(select(func.count()).select_from(ContactTag)) == 0


def test_rows_kept_for_another_region_are_not_written(
    database: Database, tmp_path: Path, reads: list[Path]
) -> None:
    source = service.open_source(_file(tmp_path))
    service.preview(database, source)
    settings.write(database, settings.PHONE_REGION, "NZ")
    service.run_import(database, source, ImportOptions(skip_invalid=True))
    assert reads == [source.path]


def test_only_the_last_preview_is_kept(
    database: Database, tmp_path: Path, reads: list[Path]
) -> None:
    first = service.open_source(_file(tmp_path))
    second_path = tmp_path / "second.csv"
    second_path.write_text("Name,Email\nAnn,ann@example.com\n", encoding="utf-8")
    second = service.open_source(second_path)
    service.preview(database, first)
    service.preview(database, second)
    service.run_import(database, first, ImportOptions(skip_invalid=True))
    assert reads == [first.path]


def test_a_cancelled_preview_keeps_nothing(
    database: Database, tmp_path: Path, reads: list[Path]
) -> None:
    source = service.open_source(_file(tmp_path, rows=600))
    with pytest.raises(service.ImportCancelledError):
        service.preview(database, source, progress=lambda _done, _total: False)
    service.run_import(database, source, ImportOptions(skip_invalid=True))
    assert reads == [source.path]
    assert len(_names(database)) == 600


def test_a_preview_that_cannot_keep_its_rows_still_says_what_an_import_would_do(
    database: Database, tmp_path: Path, reads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_room() -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "Spool", no_room)
    source = service.open_source(_file(tmp_path))
    preview = service.preview(database, source)
    assert (preview.new, preview.invalid) == (30, 1)
    service.run_import(database, source, ImportOptions(skip_invalid=True))
    assert reads == [source.path]


@pytest.mark.parametrize("tag", ["", "imported", "VIP", "vip", "fair"])
def test_kept_rows_are_written_as_the_rows_read_from_the_file_are(
    tmp_path: Path, reads: list[Path], tag: str
) -> None:
    """Every table alike, the search index's included, with the import's tag new or one a
    row gives already (in any case)."""
    path = _file(tmp_path)
    found = []
    for previewed in (False, True):
        with open_database(tmp_path / f"{previewed}.sqlite") as database:
            source = service.open_source(path)
            if previewed:
                service.preview(database, source)
            options = ImportOptions(skip_invalid=True, tag=tag)
            service.run_import(database, source, options, now=NOW)
            found.append(_digests(database))
    assert reads == [path]
    assert found[0] == found[1]
