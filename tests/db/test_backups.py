"""Backups: taking, listing, thinning on a fake clock, the start-up rule, and restoring."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db import backups, contacts, settings
from db.engine import Database, open_database
from db.importing import service
from tests.conftest import ContactFactory

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _names(path: Path) -> list[str]:
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM contact ORDER BY name")]


def test_a_backup_is_a_private_consistent_copy_listed_with_date_reason_and_count(
    database: Database, db_path: Path, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Anna Berg")
    trashed = contact_factory(name="Bruno Costa")
    contacts.trash_contacts(database, [trashed])

    path = backups.take_backup(database, backups.BEFORE_EMPTYING_TRASH, now=NOW)

    assert path.parent == db_path.parent / "backups"
    assert path.name == "touchbase-20261130-120000-before-emptying-the-trash.sqlite"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert _names(path) == ["Anna Berg", "Bruno Costa"]
    assert not list(path.parent.glob("*.partial"))
    [info] = backups.list_backups(db_path, path.parent)
    assert (info.path, info.taken_at, info.reason, info.contacts) == (
        path,
        NOW,
        "before emptying the trash",
        1,  # the one in the trash is not counted
    )


def test_two_backups_in_one_second_are_both_kept(database: Database, db_path: Path) -> None:
    first = backups.take_backup(database, backups.BY_HAND, now=NOW)
    second = backups.take_backup(database, backups.BY_HAND, now=NOW)
    assert first != second
    assert first.exists() and second.exists()
    assert len(backups.list_backups(db_path, first.parent)) == 2


def test_the_backups_folder_is_a_setting(database: Database, db_path: Path, tmp_path: Path) -> None:
    synced = tmp_path / "Synced drive" / "Touchbase backups"
    with database.write_session.begin() as session:
        settings.put(session, settings.BACKUP_FOLDER, str(synced))
    path = backups.take_backup(database, backups.BY_HAND, now=NOW)
    assert path.parent == synced
    assert backups.folder_for_file(db_path) == synced
    assert not (db_path.parent / "backups").exists()


def test_files_of_other_databases_and_strangers_are_not_listed_or_thinned(
    database: Database, db_path: Path
) -> None:
    folder = db_path.parent / "backups"
    folder.mkdir()
    stranger = folder / "holiday-photos.sqlite"
    stranger.write_bytes(b"x")
    other = folder / "other-20200101-000000-automatic.sqlite"
    other.write_bytes(b"x")
    backups.take_backup(database, backups.BY_HAND, now=NOW)
    assert [b.reason for b in backups.list_backups(db_path, folder)] == ["by hand"]
    backups.thin(db_path, folder, now=NOW + timedelta(days=5000))
    assert stranger.exists() and other.exists()


# --- thinning -----------------------------------------------------------------------------------


def test_thinning_keeps_the_last_day_then_12_daily_10_weekly_9_monthly() -> None:
    # A backup every 6 hours for two years.
    times = [NOW - timedelta(hours=6 * i) for i in range(4 * 730)]
    keep = backups.to_keep(times, NOW)

    last_day = {t for t in times if NOW - t < timedelta(days=1)}
    assert last_day <= keep
    days = {t.date() for t in keep}
    # Every one of the last 12 days still has a backup, and each of 9 months.
    assert {(NOW - timedelta(days=d)).date() for d in range(12)} <= days
    assert len({(t.year, t.month) for t in keep}) == 9
    weeks = {t.isocalendar()[:2] for t in keep}
    assert len(weeks) >= 10
    assert len(keep) <= len(last_day) + 12 + 10 + 9
    # The oldest kept is about 9 months old; nothing older survives.
    assert NOW - min(keep) < timedelta(days=9 * 31)
    assert NOW - min(keep) > timedelta(days=8 * 28)


def test_thinning_keeps_the_newest_of_each_day() -> None:
    day = NOW - timedelta(days=3)
    morning, evening = day.replace(hour=8), day.replace(hour=20)
    keep = backups.to_keep([morning, evening, NOW], NOW)
    assert evening in keep
    assert morning not in keep


def test_thinning_a_folder_deletes_only_what_is_not_kept(database: Database, db_path: Path) -> None:
    for days in range(40):
        backups.take_backup(database, backups.AUTOMATIC, now=NOW - timedelta(days=days))
    folder = db_path.parent / "backups"
    # take_backup thins as it goes (with its own "now"); thin again as of NOW.
    removed = backups.thin(db_path, folder, now=NOW)
    left = backups.list_backups(db_path, folder, count=False)
    kept_times = backups.to_keep([NOW - timedelta(days=d) for d in range(40)], NOW)
    assert {b.taken_at for b in left} == kept_times
    assert all(not p.exists() for p in removed)
    assert len(left) < 40


def test_a_backup_of_the_last_day_is_never_thinned_away(database: Database, db_path: Path) -> None:
    before_trash = backups.take_backup(database, backups.BEFORE_EMPTYING_TRASH, now=NOW)
    later = backups.take_backup(database, backups.AUTOMATIC, now=NOW + timedelta(hours=2))
    assert before_trash.exists() and later.exists()


# --- the start-up backup ------------------------------------------------------------------------


def test_the_start_up_backup_waits_30_minutes_after_the_last_one(
    database: Database, db_path: Path, contact_factory: ContactFactory
) -> None:
    contact_factory()
    first = backups.take_automatic_backup(database, now=NOW)
    assert first is not None
    assert backups.take_automatic_backup(database, now=NOW + timedelta(minutes=29)) is None
    again = backups.take_automatic_backup(database, now=NOW + timedelta(minutes=31))
    assert again is not None and again != first


def test_an_empty_database_is_not_backed_up_at_start_up(database: Database, db_path: Path) -> None:
    assert backups.take_automatic_backup(database, now=NOW) is None
    assert not (db_path.parent / "backups").exists()


def test_a_backup_into_a_folder_that_is_a_file_says_so(database: Database, db_path: Path) -> None:
    (db_path.parent / "backups").write_text("not a folder")
    with pytest.raises(backups.BackupError, match=r"backups folder .* cannot be made"):
        backups.take_backup(database, backups.BY_HAND, now=NOW)


def test_a_full_disk_during_a_backup_says_so_and_leaves_no_partial_file(
    database: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_connect = sqlite3.connect

    def tiny_disk(path: object) -> sqlite3.Connection:
        """The copy's connection, on a "disk" of two pages: SQLite reports SQLITE_FULL."""
        conn: sqlite3.Connection = real_connect(path)  # type: ignore[call-overload]
        conn.execute("PRAGMA max_page_count=2")
        return conn

    monkeypatch.setattr(sqlite3, "connect", tiny_disk)
    with pytest.raises(backups.BackupError, match="disk is full"):
        backups.take_backup(database, backups.BY_HAND, now=NOW)
    monkeypatch.undo()
    assert list((db_path.parent / "backups").iterdir()) == []


# --- restoring ----------------------------------------------------------------------------------


def test_restore_brings_back_the_backup_and_keeps_the_current_one(
    db_path: Path, contact_factory: ContactFactory, database: Database
) -> None:
    contact_factory(name="Before")
    saved = backups.take_backup(database, backups.BY_HAND, now=NOW)
    contact_factory(name="After the backup")  # still in the -wal while open
    database.close()

    before = backups.restore(db_path, saved, now=NOW + timedelta(hours=1))

    assert _names(db_path) == ["Before"]
    assert before is not None and _names(before) == ["After the backup", "Before"]
    assert "before restoring a backup" in [
        b.reason for b in backups.list_backups(db_path, saved.parent)
    ]
    assert db_path.stat().st_mode & 0o777 == 0o600
    assert not db_path.with_name(db_path.name + "-wal").exists()
    assert not db_path.with_name(db_path.name + ".restoring").exists()
    with open_database(db_path) as reopened:
        names = [r.name for r in contacts.contact_rows(reopened, contacts.ContactQuery(), 0, 9)]
        assert names == ["Before"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,email\nAnna,anna@example.com\n", "not a Touchbase backup"),
        (b"", "not a Touchbase backup"),
    ],
)
def test_restore_refuses_what_is_not_a_backup_and_leaves_the_database(
    db_path: Path,
    database: Database,
    contact_factory: ContactFactory,
    tmp_path: Path,
    content: bytes,
    message: str,
) -> None:
    contact_factory(name="Still here")
    database.close()
    impostor = tmp_path / "impostor.sqlite"
    impostor.write_bytes(content)
    before = db_path.read_bytes()
    with pytest.raises(backups.NotABackupError, match=message):
        backups.restore(db_path, impostor)
    assert db_path.read_bytes() == before
    assert not (db_path.parent / "backups").exists()


def test_restore_refuses_another_sqlite_database(
    db_path: Path, database: Database, tmp_path: Path
) -> None:
    database.close()
    other = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE notes (text)")
    with pytest.raises(backups.NotABackupError, match="not one Touchbase made"):
        backups.restore(db_path, other)


def test_restore_refuses_while_the_database_is_open(
    database: Database, db_path: Path, contact_factory: ContactFactory
) -> None:
    contact_factory()
    saved = backups.take_backup(database, backups.BY_HAND, now=NOW)
    with pytest.raises(backups.BackupError, match="open in Touchbase"):
        backups.restore(db_path, saved)


def test_restore_refuses_a_damaged_backup(
    database: Database, db_path: Path, contact_factory: ContactFactory
) -> None:
    for n in range(300):
        contact_factory(name=f"Person {n}", notes="x" * 400)
    saved = backups.take_backup(database, backups.BY_HAND, now=NOW)
    database.close()
    damage_a_page(saved)
    with pytest.raises(backups.NotABackupError, match="damaged"):
        backups.restore(db_path, saved)
    assert backups.latest_good_backup(db_path, saved.parent) is None


def damage_a_page(path: Path, page: int = 3) -> None:
    """Overwrite one page in the middle of a database file with rubbish."""
    with closing(sqlite3.connect(path)) as conn:
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    with path.open("r+b") as handle:
        handle.seek(page_size * (page - 1))
        handle.write(b"\xde\xad\xbe\xef" * (page_size // 4))


def test_an_import_backs_up_a_database_that_has_contacts_first(
    database: Database, db_path: Path, contact_factory: ContactFactory, tmp_path: Path
) -> None:
    source_file = tmp_path / "new.csv"
    source_file.write_text("Name,E-mail\nZoe Park,zoe@example.com\n", encoding="utf-8")
    source = service.open_source(source_file)
    folder = db_path.parent / "backups"

    service.run_import(database, source, service.ImportOptions())  # nothing to lose yet
    assert not folder.exists()
    contact_factory(name="Already here")
    service.run_import(database, service.open_source(source_file), service.ImportOptions())

    [saved] = backups.list_backups(db_path, folder)
    assert saved.reason == "before importing contacts"
    assert sorted(_names(saved.path)) == ["Already here", "Zoe Park"]
