"""``touchbase import``: summary, exit statuses, and nothing written on a refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import contacts
from db.engine import open_database
from db.importing import pipeline, service
from desktop_app import cli

FILES = Path(__file__).parents[1] / "db" / "import_files"


def _count(path: Path) -> int:
    with open_database(path) as database:
        return contacts.count_contacts(database, contacts.ContactQuery())


def test_import_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.sqlite"
    argv = ["--db", str(db), "import", str(FILES / "google_contacts.csv"), "--tag", "imported"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "Google Contacts; UTF-8, comma" in out
    assert "created 3 (tagged “imported”)" in out
    assert _count(db) == 3
    # Again: every row matches now and is skipped, or updates with --on-duplicate update.
    assert cli.main(argv) == 0
    assert "skipped 3 (already here)" in capsys.readouterr().out
    assert cli.main([*argv, "--on-duplicate", "update"]) == 0
    assert "updated 3" in capsys.readouterr().out
    assert _count(db) == 3


def test_an_invalid_row_exits_1_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.sqlite"
    path = str(FILES / "broken_row.csv")
    assert cli.main(["--db", str(db), "import", path]) == 1
    out = capsys.readouterr().out
    assert "line 3: “ian-at-jay.example” does not look like an email address." in out
    assert "Nothing was written" in out
    assert _count(db) == 0
    assert cli.main(["--db", str(db), "import", path, "--dry-run"]) == 1
    assert _count(db) == 0
    assert cli.main(["--db", str(db), "import", path, "--skip-invalid"]) == 0
    out = capsys.readouterr().out
    assert "created 2" in out and "invalid 1 (left out)" in out and "line 3:" in out
    assert _count(db) == 2


def test_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.sqlite"
    assert cli.main(["--db", str(db), "import", str(FILES / "vcard40.vcf"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "vcard40.vcf (vCard): 2 rows; nothing was written." in out
    assert "would create 2 new contacts" in out
    assert _count(db) == 0


def test_a_dry_run_keeps_no_copy_of_the_rows_for_an_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept: list[object] = []
    spool = pipeline.Spool

    def counted() -> pipeline.Spool:
        kept.append("spool")
        return spool()

    monkeypatch.setattr(pipeline, "Spool", counted)
    db = tmp_path / "t.sqlite"
    path = str(FILES / "vcard40.vcf")

    assert cli.main(["--db", str(db), "import", path, "--dry-run"]) == 0
    assert kept == []
    # The wizard's preview, which an import follows, still keeps them.
    with open_database(db) as database:
        service.preview(database, service.open_source(Path(path)))
    assert kept == ["spool"]


def test_overrides_and_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.sqlite"
    semicolons = str(FILES / "spreadsheet_cp1252_semicolon.csv")
    argv = ["--db", str(db), "import", semicolons, "--encoding", "latin-1", "--dry-run"]
    assert cli.main([*argv, "--delimiter", "semicolon"]) == 0
    assert "ISO 8859-1 (Latin-1), semicolon" in capsys.readouterr().out
    for bad in (["--encoding", "klingon"], ["--tag", "a,b"], ["--on-duplicate", "merge"]):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["--db", str(db), "import", semicolons, *bad])
        assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--db", str(db), "import", str(FILES / "vcard21.vcf"), "--delimiter", "tab"])
    assert exit_info.value.code == 2


def test_a_missing_file_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.csv"
    assert cli.main(["--db", str(tmp_path / "t.sqlite"), "import", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err == f"touchbase import: cannot read {missing}: No such file or directory\n"


def test_a_file_without_contacts_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    headers_only = tmp_path / "headers.csv"
    headers_only.write_text("Name,Email\n,\n", encoding="utf-8")
    for extra in ([], ["--dry-run"]):
        argv = ["--db", str(tmp_path / "t.sqlite"), "import", str(headers_only), *extra]
        assert cli.main(argv) == 1
        assert "headers.csv (Spreadsheet; UTF-8, comma) holds no contacts to import" in (
            capsys.readouterr().err
        )
