"""``touchbase export`` from the command line: targets it refuses with nothing changed, vCard
output, and a console that cannot show every character."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import vobject

from db import contacts
from db.backups import default_folder as backups_dir_for
from db.clock import local_today
from db.engine import open_database
from db.followups import add_followup
from db.lock import lock_path_for
from desktop_app import cli


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "self.sqlite"
    with open_database(path) as database:
        contacts.create_contact(
            database,
            contacts.ContactInput(
                name="Zoë 日本 Ålund",
                emails=(contacts.EmailData("zoe@example.com", "work"),),
                phones=(contacts.PhoneData("+81 3 1234 5678", "mobile"),),
            ),
        )
    return path


def digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and its content, to show nothing changed."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def test_export_over_the_database_is_refused_with_nothing_changed(
    db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backups = backups_dir_for(db_file)
    backups.mkdir()
    (backups / "old.sqlite").write_bytes(db_file.read_bytes())
    link = tmp_path / "link.csv"
    link.symlink_to(db_file)
    before = digest(tmp_path)
    refused = [
        db_file,
        Path(f"{db_file}-wal"),
        Path(f"{db_file}-shm"),
        lock_path_for(db_file),
        backups / "old.sqlite",
        backups / "new.csv",
        link,
    ]
    for target in refused:
        for report in ("contacts", "touches"):
            argv = ["--db", str(db_file), "export", report, "--output", str(target)]
            assert cli.main(argv) == 1, target
            err = capsys.readouterr().err
            assert err.startswith(f"touchbase: {target}"), err
            assert ".tmp" not in err
    for target in (backups / "cards.vcf", link.with_name("db-link.vcf")):
        if target.name == "db-link.vcf":
            target.symlink_to(db_file)
        assert cli.main(["--db", str(db_file), "export", "contacts", "-o", str(target)]) == 1
        assert capsys.readouterr().err.startswith(f"touchbase: {target}")
    after = digest(tmp_path)
    # The -wal/-shm files come and go with SQLite; the database and backups are untouched.
    assert {k: v for k, v in after.items() if not k.endswith(("-wal", "-shm"))} == {
        k: v for k, v in before.items() if not k.endswith(("-wal", "-shm"))
    }
    assert link.is_symlink()
    with open_database(db_file) as database:
        assert contacts.has_contacts(database)


def test_contacts_as_vcard_from_the_command_line(
    db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "address-book.vcf"
    assert cli.main(["--db", str(db_file), "export", "contacts", "--output", str(out)]) == 0
    assert f"Wrote 1 contacts to {out}" in capsys.readouterr().out
    card = vobject.readOne(out.read_bytes().decode("utf-8"))
    assert card.fn.value == "Zoë 日本 Ålund"
    assert card.email.value == "zoe@example.com"
    assert card.tel.value == "+81 3 1234 5678"


def test_only_contacts_can_be_written_as_vcard(
    db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "touches.vcf"
    with pytest.raises(SystemExit) as exited:
        cli.main(["--db", str(db_file), "export", "touches", "--output", str(out)])
    assert exited.value.code == 2
    assert "only contacts can be written as vCard" in capsys.readouterr().err
    assert not out.exists()


def _run(db_file: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "PYTHONUTF8": "0"}
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", "--db", str(db_file), *args],
        capture_output=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_a_cp1252_console_gets_replacement_characters_not_a_crash(
    db_file: Path, tmp_path: Path
) -> None:
    with open_database(db_file) as database:
        cid = contacts.contact_ids(database, contacts.ContactQuery(), 0, 1)[0]
        today = local_today()
        add_followup(database, cid, today + timedelta(days=1), "Call 日本 back — soon", today=today)
    done = _run(db_file, "followups", "--due-by", (local_today() + timedelta(days=3)).isoformat())
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("cp1252")
    assert "Zoë ?? Ålund" in out  # ë and Å exist in cp1252; the Japanese does not
    assert "Call ?? back — soon" in out
    # An error message with a path the console cannot show still reaches it.
    folder = tmp_path / "日本"
    folder.mkdir()
    failed = _run(db_file, "export", "contacts", "--output", str(folder))
    assert failed.returncode == 1
    assert b"Traceback" not in failed.stderr
    assert "is a folder" in failed.stderr.decode("cp1252")
