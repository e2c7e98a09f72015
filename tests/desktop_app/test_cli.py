"""The touchbase command line: exit statuses, messages and the demo command."""

from __future__ import annotations

import csv
import gc
import sqlite3
from pathlib import Path

import pytest

from db import __version__, contacts, settings
from db.engine import open_database
from desktop_app import cli, paths


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"touchbase {__version__}"


def test_demo_fills_the_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.sqlite"
    assert cli.main(["--db", str(path), "demo", "--contacts", "25", "--seed", "3"]) == 0
    assert "Added 25 contacts" in capsys.readouterr().out
    with open_database(path) as database:
        assert contacts.count_contacts(database, contacts.ContactQuery()) == 25


def test_demo_profile_model_and_consent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "shop.sqlite"
    args = ["--db", str(path), "demo", "--contacts", "12"]
    assert cli.main([*args, "--profile", "bike-shop", "--model", "customers_for_life"]) == 0
    with open_database(path) as database, database.reading() as session:
        assert settings.get(session, settings.ACTIVE_MODEL) == "customers_for_life"
        assert settings.get(session, settings.CURRENCY) == "USD"
    capsys.readouterr()
    # Contacts are there now: more sample data needs an explicit yes.
    assert cli.main(args) == 1
    assert "--add-to-existing" in capsys.readouterr().err
    assert cli.main([*args, "--add-to-existing"]) == 0
    with open_database(path) as database:
        assert contacts.count_contacts(database, contacts.ContactQuery()) == 24
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*args, "--profile", "florist"])
    assert exit_info.value.code == 2


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--db", str(tmp_path / "x.sqlite"), "demo", "--contacts", "0"])
    assert exit_info.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_refused_database_exits_1_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("shopping list")
    assert cli.main(["--db", str(path), "demo"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("touchbase: ")
    assert "not a Touchbase database" in err
    assert path.read_text() == "shopping list"


def test_locked_database_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "busy.sqlite"
    with open_database(path):
        assert cli.main(["--db", str(path), "demo", "--contacts", "2"]) == 1
    assert "already open" in capsys.readouterr().err


def test_newer_database_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "future.sqlite"
    with open_database(path):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    assert cli.main(["--db", str(path), "demo", "--contacts", "2"]) == 1
    assert "newer version of Touchbase" in capsys.readouterr().err


def test_database_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert paths.database_path() == tmp_path / "data" / "touchbase.sqlite"
    monkeypatch.setenv("TOUCHBASE_DB", str(tmp_path / "env.sqlite"))
    assert paths.database_path() == tmp_path / "env.sqlite"
    assert paths.database_path(str(tmp_path / "flag.sqlite")) == tmp_path / "flag.sqlite"


def test_export_writes_csv_that_spreadsheets_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "db.sqlite"
    with open_database(path) as database:
        contacts.create_contact(
            database,
            contacts.ContactInput(
                name="Zoë “Zed” Ålund",
                company="Smith, Jones & Co",
                emails=(contacts.EmailData("zoe@example.com"), contacts.EmailData("z@x.org")),
                tags=("vip",),
            ),
        )
    output = tmp_path / "out" / "contacts.csv"
    assert cli.main(["--db", str(path), "export", "contact-list", "--output", str(output)]) == 0
    assert "Wrote 1 rows" in capsys.readouterr().out
    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte-order mark so Excel reads UTF-8"
    assert b"\r\n" in raw
    with output.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["ID", "Name", "Company"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Name"], row["Company"]) == ("Zoë “Zed” Ålund", "Smith, Jones & Co")
    assert (row["Email 1"], row["Email 2"]) == ("zoe@example.com", "z@x.org")
    assert row["Stage"] == "Suspect"
    assert row["Tags"] == "vip"
    assert not list(output.parent.glob(".*.tmp")), "no temporary file left behind"


def test_export_unknown_report_lists_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--db", str(tmp_path / "d.sqlite"), "export", "nope", "-o", "x.csv"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "unknown report 'nope'" in err
    assert "contact-list" in err
    # Every report name stands apart from its description, however long the name.
    listed = [line.split()[0] for line in err.splitlines() if line.startswith("  ")]
    assert "satisfaction-by-month" in listed


def test_export_bad_dates_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "d.sqlite")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--db", db, "export", "contact-list", "-o", "x.csv", "--since", "31/12/2026"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        cli.main(
            [
                *("--db", db, "export", "contact-list", "-o", "x.csv"),
                *("--since", "2026-05-01", "--until", "2026-04-01"),
            ]
        )
    assert exit_info.value.code == 2
    assert "--since is after --until" in capsys.readouterr().err


def test_export_to_an_unwritable_place_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    db = str(tmp_path / "d.sqlite")
    assert cli.main(["--db", db, "export", "contact-list", "-o", str(blocker / "x.csv")]) == 1
    assert capsys.readouterr().err.startswith("touchbase: ")


def test_export_refuses_a_period_for_a_report_of_today(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "contacts.csv"
    with pytest.raises(SystemExit) as exit_info:
        cli.main(
            [
                *("--db", str(tmp_path / "d.sqlite"), "export", "contacts", "-o", str(output)),
                *("--since", "2026-01-01"),
            ]
        )
    assert exit_info.value.code == 2
    assert "--since and --until do not apply" in capsys.readouterr().err
    assert not output.exists()


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--db", "shop.sqlite"],
        ["--db=shop.sqlite"],
        ["--db="],
        ["-v"],
        ["--verbose", "--db", "a b.sqlite", "-v"],
        ["--db", "first.sqlite", "--db", "demo"],
    ],
)
def test_a_plain_start_is_read_as_the_parser_reads_it(argv: list[str]) -> None:
    args = cli.build_parser().parse_args(argv)
    assert args.command is None
    assert cli.plain_start(argv) == (args.db, args.verbose)


@pytest.mark.parametrize(
    "argv",
    [
        ["demo"],
        ["--db"],
        ["--db", "-x"],
        ["-h"],
        ["--version"],
        ["--d", "shop.sqlite"],
        ["-vv"],
        ["--db", "shop.sqlite", "followups"],
        ["--", "--db"],
    ],
)
def test_anything_else_is_left_to_the_parser(argv: list[str]) -> None:
    assert cli.plain_start(argv) is None


def test_the_app_starts_with_automatic_collection_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Off from the command line on: start-up collects nothing, and the window collects on
    its own thread (desktop_app.collector)."""
    from desktop_app import app  # noqa: PLC0415

    seen: list[tuple[Path, bool, bool]] = []

    def run_gui(path: Path, *, explicit: bool = True) -> int:
        seen.append((path, explicit, gc.isenabled()))
        return 1

    monkeypatch.setattr(app, "run_gui", run_gui)
    monkeypatch.delenv("TOUCHBASE_DB", raising=False)
    assert cli.main(["--db", str(tmp_path / "shop.sqlite")]) == 1
    assert cli.main(["-v"]) == 1
    assert seen == [
        (tmp_path / "shop.sqlite", True, False),
        (paths.database_path(None), False, False),
    ]
