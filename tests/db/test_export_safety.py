"""Exports a spreadsheet cannot turn against the owner, and targets an export must not touch:
formulas neutralised, numbers left numbers, the database and its files refused, symlinks
followed, permissions kept."""

from __future__ import annotations

import csv
import os
import stat
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import String, literal, null, select, type_coerce

from db import backups, contacts, touches
from db.backups import default_folder as backups_dir_for
from db.domain import Medium
from db.engine import Database
from db.export import (
    FORMULA_STARTS,
    ExportOptions,
    Report,
    load_reports,
    neutralise,
    safe_text,
    write_csv,
)
from db.lock import lock_path_for
from db.targets import TargetRefusedError, WriteFailedError, check_target, replacing
from db.touches import TouchInput

HOSTILE = ["=1+1", "+44 20", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_text_that_would_start_a_formula_gets_an_apostrophe_numbers_stay(tmp_path: Path) -> None:
    rows = [(text, 5, -3, Decimal("-12.50"), 1.5, None, date(2026, 1, 2)) for text in HOSTILE]
    rows.append(("plain", 0, 0, Decimal("0"), 0.0, None, date(2026, 1, 2)))
    out = tmp_path / "r.csv"
    write_csv(Report(("a", "b", "c", "d", "e", "f", "g"), rows), out)
    written = read(out)
    assert [r[0] for r in written[1:]] == ["'" + t for t in HOSTILE] + ["plain"]
    # Numbers, negative ones included, stay numbers: no apostrophe.
    assert written[1][1:] == ["5", "-3", "-12.50", "1.5", "", "2026-01-02"]
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == len(rows) + 1  # CRLF line ends
    assert b'"\'\rx"' in raw  # RFC 4180: a cell with a line break is quoted


def test_neutralise() -> None:
    assert neutralise("=cmd") == "'=cmd"
    assert neutralise("") == ""
    assert neutralise("Ann") == "Ann"
    assert neutralise("a=b") == "a=b"
    # An apostrophe the owner typed before such text gets one more, so that dropping one on
    # import gives the text back; any other apostrophe is left alone.
    assert neutralise("'-- note") == "''-- note"
    assert neutralise("''=x") == "'''=x"
    assert neutralise("'tis") == "'tis"
    assert neutralise("'") == "'"


def test_sql_and_python_neutralise_alike(database: Database) -> None:
    texts = [*HOSTILE, "'-x", "''=y", "'plain", "'", "", "plain", "a=b", "9=x", " =x", "é=x"]
    with database.reading() as session:
        in_sql = [session.scalar(select(safe_text(literal(t)))) for t in texts]
        assert session.scalar(select(safe_text(null()))) == ""
    assert in_sql == [neutralise(t) for t in texts]


def test_every_formula_start_sorts_before_the_letters_safe_text_lets_through() -> None:
    # safe_text lets text whose first byte sorts at or after "A" through without a closer look.
    assert all(start.encode() < b"A" for start in (*FORMULA_STARTS, "'"))


@hypothesis_settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from("=+-@\t\r'aAzZ09 é€\n\"\x00"), max_size=6))
def test_sql_and_python_neutralise_any_text_alike(database: Database, text: str) -> None:
    with database.reading() as session:
        # A NOCASE column as well as plain text: the quick comparison ignores collation.
        as_name = select(safe_text(type_coerce(literal(text), String(collation="NOCASE"))))
        assert session.scalar(select(safe_text(literal(text)))) == neutralise(text)
        assert session.scalar(as_name) == neutralise(text)


def test_every_report_neutralises_hostile_text(database: Database, tmp_path: Path) -> None:
    """Hostile names, companies, notes and touch text come out neutralised in every report
    that carries them, including the touch log whose cells are finished in SQL."""
    cid = contacts.create_contact(
        database,
        contacts.ContactInput(
            name="=cmd|' /C calc'!A0",
            company="+Evil Ltd",
            title="-Boss",
            notes="@SUM(1)",
            city="=X",
            emails=(contacts.EmailData("a@b.co", "=lbl"),),
            phones=(contacts.PhoneData("+1 555 0100", "mobile"),),
            tags=("=tag",),
        ),
    )
    at = datetime(2026, 3, 1, 10, tzinfo=UTC)
    touches.log_touch(
        database,
        TouchInput(cid, Medium.EMAIL, at, summary="=s", notes="+n", outcome="-o"),
        now=at,
    )
    for name in ("contacts", "contact-list", "touches"):
        out = tmp_path / f"{name}.csv"
        kind = load_reports()[name]
        write_csv(kind.build(database, ExportOptions(today=date(2026, 3, 2))), out)
        for row in read(out)[1:]:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
        cells = {c for row in read(out)[1:] for c in row}
        assert "'=cmd|' /C calc'!A0" in cells
    touch_row = read(tmp_path / "touches.csv")[1]
    assert touch_row[6:] == ["'=s", "'+n", "'-o"]


# --- targets --------------------------------------------------------------------------------


def test_the_open_database_and_its_files_are_refused(database: Database, tmp_path: Path) -> None:
    db = database.path
    before = db.read_bytes()
    targets = [
        db,
        db.with_name(db.name + "-wal"),
        db.with_name(db.name + "-shm"),
        db.with_name(db.name + "-journal"),
        lock_path_for(db),
        backups_dir_for(db) / "touchbase-copy.sqlite",
        backups_dir_for(db) / "nested" / "x.csv",
    ]
    for target in targets:
        with pytest.raises(TargetRefusedError) as refused:
            write_csv(Report(("a",), [("x",)]), target, database_path=db)
        assert str(target) in str(refused.value)
    assert db.read_bytes() == before
    assert not backups_dir_for(db).exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_backups_folder_the_owner_chose_is_refused(database: Database, tmp_path: Path) -> None:
    chosen = tmp_path / "elsewhere" / "my backups"
    chosen.mkdir(parents=True)
    backups.set_folder(database, chosen)
    with pytest.raises(TargetRefusedError, match="backups folder"):
        write_csv(Report(("a",), [("x",)]), chosen / "report.csv", database_path=database.path)
    assert list(chosen.iterdir()) == []
    # Beside it is fine.
    write_csv(Report(("a",), [("x",)]), chosen.parent / "report.csv", database_path=database.path)


def test_the_database_reached_another_way_is_refused(database: Database, tmp_path: Path) -> None:
    """Through a symlink, a hard link, or a relative path with "..", it is still the database."""
    db = database.path
    link = tmp_path / "innocent.csv"
    link.symlink_to(db)
    hard = tmp_path / "hard.csv"
    os.link(db, hard)
    sideways = tmp_path / "sub" / ".." / db.name
    (tmp_path / "sub").mkdir()
    for target in (link, hard, sideways):
        with pytest.raises(TargetRefusedError):
            check_target(target, db)
    assert link.is_symlink()


def test_any_sqlite_file_and_a_folder_are_refused(database: Database, tmp_path: Path) -> None:
    with pytest.raises(TargetRefusedError, match="is a database"):
        check_target(database.path)  # even without saying which database is open
    with pytest.raises(TargetRefusedError, match="folder"):
        check_target(tmp_path)


def test_a_symlink_writes_the_file_it_points_to_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real" / "report.csv"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_csv(Report(("a",), [("new",)]), link)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert read(real) == [["a"], ["new"]]
    assert not list(real.parent.glob(".*.tmp")) and not list(tmp_path.glob(".*.tmp"))


def test_a_dangling_symlink_creates_the_file_it_points_to(tmp_path: Path) -> None:
    real = tmp_path / "target.csv"
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_csv(Report(("a",), [("x",)]), link)
    assert link.is_symlink() and read(real) == [["a"], ["x"]]


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_a_new_file_follows_the_umask_an_existing_one_keeps_its_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        fresh = tmp_path / "fresh.csv"
        write_csv(Report(("a",), [("x",)]), fresh)
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o640
        kept = tmp_path / "kept.csv"
        kept.write_text("old", encoding="utf-8")
        kept.chmod(0o604)
        write_csv(Report(("a",), [("x",)]), kept)
        assert stat.S_IMODE(kept.stat().st_mode) == 0o604
    finally:
        os.umask(old)


def test_a_failure_names_the_file_given_and_leaves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.csv"
    target.write_text("before", encoding="utf-8")

    def full(_self: Path, _target: Path) -> None:
        raise OSError(28, "No space left on device", str(_self))

    monkeypatch.setattr(Path, "replace", full)
    with pytest.raises(WriteFailedError) as failed:
        write_csv(Report(("a",), [("x",)]), target)
    message = str(failed.value)
    assert message == f"{target} could not be written: No space left on device"
    assert ".tmp" not in message
    assert target.read_text(encoding="utf-8") == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_an_error_while_writing_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_text("before", encoding="utf-8")
    with pytest.raises(RuntimeError), replacing(target) as handle:
        handle.write("half")
        raise RuntimeError("stopped")
    assert target.read_text(encoding="utf-8") == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]
