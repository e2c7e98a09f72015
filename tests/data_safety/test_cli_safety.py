"""The command line with data at stake: check, backup, restore, refused paths, readers while
the app holds the database, usage errors, and unexpected errors written to a log."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from db import backups, contacts, errors
from db.engine import open_database
from desktop_app import cli, paths
from desktop_app.followups import commands
from tests.db.test_backups import damage_a_page

ROOT = Path(__file__).resolve().parents[2]


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    path = tmp_path / "shop" / "touchbase.sqlite"
    path.parent.mkdir()
    with open_database(path) as database:
        for n in range(3):
            contacts.create_contact(database, contacts.ContactInput(name=f"Customer {n}"))
    return path


# --- check -------------------------------------------------------------------------------------


def test_check_says_a_healthy_database_is_healthy(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--db", str(filled), "check"]) == 0
    assert "is healthy" in capsys.readouterr().out


def test_check_lists_damage_in_plain_words_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "damaged.sqlite"
    with open_database(path) as database:
        for n in range(300):
            contacts.create_contact(
                database, contacts.ContactInput(name=f"Person {n}", notes="x" * 400)
            )
    damage_a_page(path, page=5)
    before = path.read_bytes()
    assert cli.main(["--db", str(path), "check"]) == 1
    out = capsys.readouterr().out
    assert "The file is damaged" in out
    assert "Restore a backup" in out
    assert "Traceback" not in out
    assert path.read_bytes() == before, "checking never writes"


def test_check_finds_rows_pointing_at_nothing(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with closing(sqlite3.connect(filled)) as conn:  # foreign keys off: as a bug might do
        conn.execute(
            "INSERT INTO contact_email (contact_id, address, label, position)"
            " VALUES (999, 'ghost@example.com', 'work', 0)"
        )
        conn.commit()
    assert cli.main(["--db", str(filled), "check"]) == 1
    assert "1 email address belongs to a contact that no longer exists." in (
        capsys.readouterr().out
    )


# --- paths that do not exist, empty files ----------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["followups"],
        ["check"],
        ["backup"],
        ["export", "contacts", "--output", "{out}"],
        ["export", "followups", "--output", "{out}.ics"],
    ],
)
def test_read_only_commands_on_a_missing_path_say_so_and_create_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    before = _files(tmp_path)
    missing = tmp_path / "typo" / "touchbse.sqlite"
    out = str(tmp_path / "report.csv")
    argv = ["--db", str(missing), *(part.replace("{out}", out) for part in command)]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err == f"touchbase: There is no database at {missing}.\n"
    assert _files(tmp_path) == before


def test_demo_into_a_missing_folder_is_refused_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files(tmp_path)
    target = tmp_path / "tpyo" / "demo.sqlite"
    assert cli.main(["--db", str(target), "demo", "--contacts", "2"]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert _files(tmp_path) == before


def test_an_empty_file_is_not_turned_into_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    for argv in (["demo", "--contacts", "2"], ["followups"], ["check"]):
        assert cli.main(["--db", str(empty), *argv]) == 1
        assert "empty file (0 bytes)" in capsys.readouterr().err
    assert empty.stat().st_size == 0
    assert _files(tmp_path) - {"data", "config", "home"} == {"empty.sqlite"}


# --- backup and restore ---------------------------------------------------------------------


def test_backup_goes_to_the_backups_folder_readable_by_the_owner_only(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--db", str(filled), "backup"]) == 0
    [made] = (filled.parent / "backups").iterdir()
    assert made.stat().st_mode & 0o777 == 0o600
    assert f"to {made}" in capsys.readouterr().out
    assert backups.inspect_backup(made).contacts == 3


def test_backup_to_a_named_file_and_never_over_an_existing_one(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "copy.sqlite"
    assert cli.main(["--db", str(filled), "backup", "--to", str(target)]) == 0
    assert backups.inspect_backup(target).contacts == 3
    assert target.stat().st_mode & 0o777 == 0o600
    capsys.readouterr()
    assert cli.main(["--db", str(filled), "backup", "--to", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_restore_from_the_command_line(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "saved.sqlite"
    assert cli.main(["--db", str(filled), "backup", "--to", str(saved)]) == 0
    with open_database(filled) as database:
        contacts.create_contact(database, contacts.ContactInput(name="After"))
    assert cli.main(["--db", str(filled), "restore", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "Restored" in out and "(3 contacts)" in out
    assert "as it was is kept in" in out
    with open_database(filled) as database:
        assert contacts.count_contacts(database, contacts.ContactQuery()) == 3


def test_restore_refuses_a_file_that_is_not_a_backup(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list")
    before = filled.read_bytes()
    assert cli.main(["--db", str(filled), "restore", str(notes)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a Touchbase backup" in err
    assert filled.read_bytes() == before


# --- the writer's lock guards writers only ---------------------------------------------------


@pytest.fixture
def held(filled: Path) -> Iterator[Path]:
    """The database held open for writing by another process, as by the app in the tray."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-m", "tests.data_safety.holder", str(filled)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    ) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "holding"
        yield filled
        holder.stdin.close()
        holder.wait(timeout=30)


def test_readers_work_while_another_process_holds_the_database(
    held: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--db", str(held), "followups"]) == 0
    assert cli.main(["--db", str(held), "check"]) == 0
    out = tmp_path / "contacts.csv"
    assert cli.main(["--db", str(held), "export", "contact-list", "-o", str(out)]) == 0
    assert cli.main(["--db", str(held), "backup"]) == 0
    assert "Wrote 3 rows" in capsys.readouterr().out
    # A second writer is still refused, and a restore under the app's feet too.
    assert cli.main(["--db", str(held), "demo", "--contacts", "2"]) == 1
    assert "already open" in capsys.readouterr().err
    [saved] = (held.parent / "backups").iterdir()
    assert cli.main(["--db", str(held), "restore", str(saved)]) == 1
    assert "open in Touchbase" in capsys.readouterr().err


# --- usage errors and help ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--touches-per-contact", "-5"],
        ["demo", "--touches-per-contact", "nan"],
        ["demo", "--touches-per-contact", "1e9"],
        ["demo", "--touches-per-contact", "inf"],
        ["demo", "--contacts", "1e9"],
        ["demo", "--contacts", "-3"],
        ["demo", "--contacts", "99999999999"],
        ["demo", "--seed", "x"],
        ["restore"],
        ["followups", "--due-by", "tomorrow"],
    ],
)
def test_bad_arguments_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    target = tmp_path / "never.sqlite"
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--db", str(target), *argv])
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err
    assert not target.exists()


@pytest.mark.parametrize("command", ["demo", "export", "followups", "check", "backup", "restore"])
def test_every_command_says_what_it_does(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    description = text.split("\n\n")[1]
    assert len(description.split()) >= 8, f"{command} --help explains itself: {description!r}"


def test_export_help_lists_the_reports(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["export", "--help"])
    text = capsys.readouterr().out
    for report in ("contacts", "contact-list", "touches", "funnel", "satisfaction-by-month"):
        assert f"\n  {report} " in text


# --- errors: expected in one line, unexpected in the log -------------------------------------


def test_an_unexpected_error_is_one_line_naming_the_log(
    filled: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_args: object) -> int:
        raise KeyError("a bug")

    monkeypatch.setattr(commands, "print_due", broken)
    assert cli.main(["--db", str(filled), "followups"]) == 1
    err = capsys.readouterr().err
    log = paths.error_log()
    assert err.count("\n") == 1
    assert str(log) in err
    assert "Traceback" not in err
    written = log.read_text()
    assert "Traceback" in written and "KeyError: 'a bug'" in written


def test_a_full_disk_is_one_plain_line_without_a_traceback(
    filled: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full(*_args: object, **_kwargs: object) -> object:
        raise sqlite3.OperationalError("database or disk is full")

    from db import demo  # noqa: PLC0415

    monkeypatch.setattr(demo, "generate", full)
    assert cli.main(["--db", str(filled), "demo", "--contacts", "2"]) == 1
    err = capsys.readouterr().err
    assert err == f"touchbase: {errors.DISK_FULL}\n"
    assert not paths.error_log().exists()


def test_refused_files_get_no_lock_file_beside_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list")
    future = tmp_path / "future.sqlite"
    with open_database(future):
        pass
    (tmp_path / "future.sqlite.lock").unlink()
    with closing(sqlite3.connect(future)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    for refused in (notes, future, empty):
        assert cli.main(["--db", str(refused), "demo", "--contacts", "2"]) == 1
        assert not refused.with_name(refused.name + ".lock").exists(), refused.name
    capsys.readouterr()
