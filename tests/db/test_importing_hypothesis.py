"""Random CSV and vCard files never crash the importer and never leave half an import."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import contacts
from db.engine import Database
from db.importing import service
from db.importing.errors import ImportProblemError
from db.importing.service import ImportOptions

_examples = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_names = itertools.count()

cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "Ann Lee", "ann@example.com", "not-an-email", "+44 20 7946 0958"]),
    st.text(alphabet='",;\t\r\n :@+', max_size=10),
)
header = st.sampled_from(
    [
        "Name",
        "First Name",
        "Last Name",
        "E-mail 1 - Value",
        "Phone 1 - Value",
        "Company",
        "Email",
        "Phone",
        "Notes",
        "Labels",
        "Address 1 - City",
        "Mobile Phone",
        "Whatever",
        "",
    ]
)


def _count(database: Database) -> int:
    return contacts.count_contacts(database, contacts.ContactQuery())


def _try_import(database: Database, path: Path, *, skip_invalid: bool) -> None:
    """Import ``path``: either all of it is written, or none of it."""
    before = _count(database)
    try:
        source = service.open_source(path)
        preview = service.preview(database, source)
        summary = service.run_import(database, source, ImportOptions(skip_invalid=skip_invalid))
    except ImportProblemError:
        assert _count(database) == before
        return
    assert summary.created == preview.new
    assert summary.invalid == preview.invalid
    assert summary.skipped == preview.matched
    assert _count(database) == before + summary.created
    if preview.invalid:
        assert skip_invalid


@_examples
@given(
    headers=st.lists(header, min_size=1, max_size=6),
    rows=st.lists(st.lists(cell, max_size=7), max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    skip_invalid=st.booleans(),
)
def test_random_csv_files(
    database: Database,
    tmp_path: Path,
    headers: list[str],
    rows: list[list[str]],
    delimiter: str,
    encoding: str,
    skip_invalid: bool,
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    path = tmp_path / f"random-{next(_names)}.csv"
    path.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))
    _try_import(database, path, skip_invalid=skip_invalid)


@_examples
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".vcf"]))
def test_random_bytes(database: Database, tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"bytes-{next(_names)}{suffix}"
    path.write_bytes(data)
    _try_import(database, path, skip_invalid=True)


prop = st.tuples(
    st.sampled_from(
        [
            "FN",
            "N",
            "EMAIL",
            "TEL",
            "ADR",
            "ORG",
            "NOTE",
            "CATEGORIES",
            "BDAY",
            "PHOTO",
            "X-ABLabel",
            "item1.EMAIL",
            "URL",
            "TITLE",
            "AGENT",
            "BEGIN",
            "END",
        ]
    ),
    st.sampled_from(
        [
            "",
            ";TYPE=work",
            ";CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE",
            ";ENCODING=b",
            ";CELL;PREF",
            ";VALUE=uri",
        ]
    ),
    st.text(max_size=25),
)


@_examples
@given(
    cards=st.lists(st.lists(prop, max_size=8), min_size=1, max_size=4),
    version=st.sampled_from(["2.1", "3.0", "4.0"]),
    skip_invalid=st.booleans(),
)
def test_random_vcards(
    database: Database,
    tmp_path: Path,
    cards: list[list[tuple[str, str, str]]],
    version: str,
    skip_invalid: bool,
) -> None:
    lines = []
    for card in cards:
        lines += ["BEGIN:VCARD", f"VERSION:{version}"]
        lines += [f"{name}{params}:{value}" for name, params, value in card]
        lines.append("END:VCARD")
    path = tmp_path / f"cards-{next(_names)}.vcf"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", errors="replace")
    _try_import(database, path, skip_invalid=skip_invalid)


def test_a_failure_half_way_writes_nothing(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "many.csv"
    path.write_text(
        "Name,Email\n" + "".join(f"P{i},p{i}@example.com\n" for i in range(5000)),
        encoding="utf-8",
    )
    real_flush = service._Writer.flush
    calls = itertools.count()

    def failing_flush(self: service._Writer) -> None:
        if next(calls) == 1:  # the second batch, after the first was written
            raise OSError("disk full")
        real_flush(self)

    monkeypatch.setattr(service._Writer, "flush", failing_flush)
    with pytest.raises(OSError, match="disk full"):
        service.run_import(database, service.open_source(path), ImportOptions())
    assert _count(database) == 0
