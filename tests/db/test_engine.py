"""Opening databases: connection settings, locking, refusing files we must not touch, seeding."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError

from db import backups, contacts, engine, journeys, schema, settings
from db.engine import (
    READ_CACHE_KIB,
    ChangeWatch,
    Database,
    DatabaseLockedError,
    DatabaseTooNewError,
    NotATouchbaseDatabaseError,
    open_database,
)
from db.files import BUSY_TIMEOUT_MS
from db.lock import FileLock, lock_path_for
from db.models import Contact, ContactEmail, JourneyModel, Setting, Stage
from tests.conftest import ContactFactory


def _pragma(raw: object, name: str) -> object:
    cursor = raw.cursor()  # type: ignore[attr-defined]
    try:
        cursor.execute(f"PRAGMA {name}")
        return cursor.fetchone()[0]
    finally:
        cursor.close()


def _side_files(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-")}


def _snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def _revision_of(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


# --- Connection settings ----------------------------------------------------------------------


@pytest.mark.parametrize("which", ["read_engine", "write_engine"])
def test_every_connection_gets_wal_foreign_keys_full_sync_and_busy_timeout(
    database: Database, which: str
) -> None:
    eng: Engine = getattr(database, which)
    # Two connections checked out at once: the pool must open a second, fresh one.
    first = eng.raw_connection()
    second = eng.raw_connection()
    try:
        for raw in (first, second):
            assert str(_pragma(raw, "journal_mode")).lower() == "wal"
            assert _pragma(raw, "foreign_keys") == 1
            assert _pragma(raw, "synchronous") == 2  # FULL
            assert _pragma(raw, "busy_timeout") == BUSY_TIMEOUT_MS
            assert BUSY_TIMEOUT_MS > 0
    finally:
        first.close()
        second.close()


def test_reading_connections_keep_a_smaller_page_cache_than_the_writing_one(
    database: Database,
) -> None:
    database.release_memory()  # fresh connections, also after the pool is replaced
    reader = database.read_engine.raw_connection()
    writer = database.write_engine.raw_connection()
    try:
        assert _pragma(reader, "cache_size") == -READ_CACHE_KIB
        assert _pragma(writer, "cache_size") == -2000  # SQLite's default
        assert READ_CACHE_KIB < 2000
    finally:
        reader.close()
        writer.close()


def test_settings_survive_the_pool_being_replaced(database: Database) -> None:
    database.write_engine.dispose()
    raw = database.write_engine.raw_connection()
    try:
        assert _pragma(raw, "foreign_keys") == 1
        assert _pragma(raw, "busy_timeout") == BUSY_TIMEOUT_MS
    finally:
        raw.close()


def test_releasing_memory_closes_idle_connections_and_the_next_use_opens_one(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Ada Lovelace")
    with database.reading() as session:
        session.scalar(select(func.count(Contact.id)))
    assert database.read_engine.pool.checkedin() >= 1  # type: ignore[attr-defined]
    assert database.write_engine.pool.checkedin() >= 1  # type: ignore[attr-defined]
    with database.reading() as busy:  # in use elsewhere while memory is released
        database.release_memory()
        assert database.read_engine.pool.checkedin() == 0  # type: ignore[attr-defined]
        assert database.write_engine.pool.checkedin() == 0  # type: ignore[attr-defined]
        assert busy.scalar(select(Contact.name)) == "Ada Lovelace"
    contact_factory(name="Grace Hopper")
    with database.reading() as session:
        assert session.scalar(select(func.count(Contact.id))) == 2


def test_foreign_keys_are_enforced_on_writes(database: Database) -> None:
    with pytest.raises(IntegrityError), database.write_session.begin() as session:
        session.add(ContactEmail(contact_id=424242, address="ghost@example.com"))
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(ContactEmail)) == 0


# --- A new database -------------------------------------------------------------------------


def test_new_database_is_at_the_current_schema(database: Database) -> None:
    with database.reading() as session:
        assert session.scalar(text("SELECT version_num FROM alembic_version")) == schema.HEAD


def test_new_database_gets_the_builtin_models_with_customer_development_active(
    database: Database,
) -> None:
    models = journeys.list_models(database)
    assert [m.key for m in models] == list(journeys.BUILTIN_KEYS)
    assert [m.key for m in models if m.active] == ["customer_development"]
    with database.reading() as session:
        assert settings.get(session, settings.ACTIVE_MODEL) == "customer_development"


def test_reopening_does_not_seed_the_models_twice(db_path: Path) -> None:
    with open_database(db_path) as database, database.reading() as session:
        models = session.scalar(select(func.count()).select_from(JourneyModel))
        stages = session.scalar(select(func.count()).select_from(Stage))
    with open_database(db_path) as database, database.reading() as session:
        assert session.scalar(select(func.count()).select_from(JourneyModel)) == models == 4
        assert session.scalar(select(func.count()).select_from(Stage)) == stages == 4 + 10 + 8 + 6


def test_reopening_keeps_the_owners_choice_of_model(db_path: Path) -> None:
    with open_database(db_path) as database:
        journeys.choose_initial_model(database, "customer_lifecycle")
    with open_database(db_path) as database:
        assert [m.key for m in journeys.list_models(database) if m.active] == ["customer_lifecycle"]


def test_unseeded_database_has_no_models(db_path: Path) -> None:
    with open_database(db_path, seed=False) as database, database.reading() as session:
        assert session.scalar(select(func.count()).select_from(JourneyModel)) == 0
        assert session.scalar(select(func.count()).select_from(Setting)) == 0


def test_data_survives_close_and_reopen(db_path: Path) -> None:
    with open_database(db_path) as database:
        contact_id = contacts.create_contact(database, contacts.ContactInput(name="Ines Duarte"))
    with open_database(db_path) as database:
        assert contacts.get_contact(database, contact_id).name == "Ines Duarte"


def test_an_empty_file_is_refused_not_turned_into_a_database(db_path: Path) -> None:
    db_path.touch()
    with pytest.raises(NotATouchbaseDatabaseError, match="empty file"):
        open_database(db_path)
    assert db_path.stat().st_size == 0
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


def test_a_new_database_is_created_readable_by_its_owner_only(db_path: Path) -> None:
    with open_database(db_path) as database:
        assert len(journeys.list_models(database)) == 4
        contacts.create_contact(database, contacts.ContactInput(name="Private"))
        for side in ("", "-wal", "-shm"):
            assert db_path.with_name(db_path.name + side).stat().st_mode & 0o777 == 0o600
    assert _revision_of(db_path) == schema.HEAD
    assert not any(p.name.startswith(f"{db_path.name}.new") for p in db_path.parent.iterdir())


def test_tilde_in_path_means_the_home_folder(tmp_path: Path) -> None:
    # conftest points HOME at tmp_path / "home".
    (tmp_path / "home" / "Touchbase").mkdir(parents=True)
    with open_database("~/Touchbase/mine.sqlite") as database:
        expected = (tmp_path / "home" / "Touchbase" / "mine.sqlite").resolve()
        assert database.path == expected
    assert expected.is_file()
    assert not (Path.cwd() / "~").exists()


def test_folder_names_with_url_characters_open_the_right_file(tmp_path: Path) -> None:
    folder = tmp_path / "Sales%20Reports #2 & 100%41"
    path = folder / "touchbase.sqlite"
    folder.mkdir()
    with open_database(path) as database:
        contacts.create_contact(database, contacts.ContactInput(name="Ana"))
    assert _revision_of(path) == schema.HEAD
    # Nothing was created anywhere else (e.g. a "Sales Reports" folder or a truncated name).
    assert sorted(
        p.name for p in tmp_path.iterdir() if p.name not in {"home", "data", "config"}
    ) == [folder.name]
    with open_database(path) as database:
        assert contacts.count_contacts(database, contacts.ContactQuery()) == 1


# --- One window per database ----------------------------------------------------------------


def test_second_open_of_the_same_file_is_refused_until_the_first_closes(
    database: Database, db_path: Path
) -> None:
    with pytest.raises(DatabaseLockedError) as refused:
        open_database(db_path)
    message = str(refused.value)
    assert str(db_path.resolve()) in message
    assert "already open" in message
    assert "--db" in message

    # The first one is unaffected by the refused attempt.
    contact_id = contacts.create_contact(database, contacts.ContactInput(name="Still works"))

    database.close()
    with open_database(db_path) as again:
        assert contacts.get_contact(again, contact_id).name == "Still works"


def test_same_file_by_another_spelling_is_still_refused(database: Database, db_path: Path) -> None:
    other_spelling = db_path.parent / "sub" / ".." / db_path.name
    (db_path.parent / "sub").mkdir()
    with pytest.raises(DatabaseLockedError):
        open_database(other_spelling)


def test_a_refused_open_releases_its_lock(db_path: Path) -> None:
    db_path.write_bytes(b"not a database at all")
    with pytest.raises(NotATouchbaseDatabaseError):
        open_database(db_path)
    lock = FileLock(lock_path_for(db_path.resolve()))
    lock.acquire()  # would raise LockHeldError if the refused open had kept it
    lock.release()


# --- Files Touchbase must not touch ---------------------------------------------------------


def test_database_from_a_newer_touchbase_is_refused_and_left_untouched(db_path: Path) -> None:
    with open_database(db_path) as database:
        contacts.create_contact(database, contacts.ContactInput(name="Future"))
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()
    assert _side_files(db_path) == set()
    before = _snapshot(db_path)

    with pytest.raises(DatabaseTooNewError) as refused:
        open_database(db_path)

    assert "newer version" in str(refused.value)
    assert "9999" in str(refused.value)
    assert _snapshot(db_path) == before
    assert _side_files(db_path) == set(), "no -wal or -shm may appear beside a refused file"
    assert not backups.default_folder(db_path).exists()


def test_text_file_is_refused_and_left_untouched(db_path: Path) -> None:
    db_path.write_text("name,email\nAnna Berg,anna@example.com\n", encoding="utf-8")
    before = _snapshot(db_path)
    with pytest.raises(NotATouchbaseDatabaseError) as refused:
        open_database(db_path)
    assert "not SQLite" in str(refused.value)
    assert _snapshot(db_path) == before
    assert _side_files(db_path) == set()


def test_another_apps_sqlite_database_is_refused_and_left_untouched(db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('shopping list')")
        conn.commit()
    before = _snapshot(db_path)
    with pytest.raises(NotATouchbaseDatabaseError) as refused:
        open_database(db_path)
    assert "not one Touchbase made" in str(refused.value)
    assert _snapshot(db_path) == before
    assert _side_files(db_path) == set()


def test_damaged_sqlite_file_is_refused_and_left_untouched(db_path: Path) -> None:
    db_path.write_bytes(engine.SQLITE_HEADER + b"\xff" * 4000)
    before = _snapshot(db_path)
    with pytest.raises(NotATouchbaseDatabaseError) as refused:
        open_database(db_path)
    assert "cannot be read" in str(refused.value)
    assert _snapshot(db_path) == before


def test_committed_work_left_in_the_wal_after_a_crash_is_seen(db_path: Path) -> None:
    """A -wal file left by a crash holds committed data; the version check must read it."""
    with open_database(db_path) as database:
        contacts.create_contact(database, contacts.ContactInput(name="Before"))
    crashed = sqlite3.connect(db_path)
    try:
        crashed.execute("PRAGMA wal_autocheckpoint=0")
        crashed.execute("UPDATE alembic_version SET version_num = '9999'")
        crashed.commit()
        assert db_path.with_name(db_path.name + "-wal").exists()
        # The newer revision lives only in the WAL; it must still be noticed.
        with pytest.raises(DatabaseTooNewError):
            open_database(db_path)
    finally:
        crashed.close()


# --- Transactions ---------------------------------------------------------------------------


def test_a_write_that_fails_leaves_nothing_behind(database: Database) -> None:
    with pytest.raises(RuntimeError, match="power cut"), database.write_session.begin() as session:
        session.add(Contact(name="Half saved"))
        session.add(Setting(key="half.saved", value="1"))
        session.flush()
        raise RuntimeError("power cut")
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0
        assert session.get(Setting, "half.saved") is None
    with closing(sqlite3.connect(database.path)) as conn:
        assert conn.execute("SELECT count(*) FROM contact").fetchone()[0] == 0


def test_a_write_transaction_takes_the_write_lock_at_once(database: Database) -> None:
    """BEGIN IMMEDIATE: a second writer waits at the start, never half-way through."""
    with database.write_session.begin() as session:
        session.connection()  # start the transaction without writing anything yet
        with closing(sqlite3.connect(database.path, timeout=0)) as other:
            other.isolation_level = None
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            # Readers are never blocked by a writer in WAL mode.
            assert other.execute("SELECT count(*) FROM journey_model").fetchone()[0] == 4


def test_readers_see_only_committed_writes(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Committed")
    with database.write_session.begin() as writer:
        writer.add(Contact(name="Pending"))
        writer.flush()
        with database.reading() as reader:
            names = set(reader.scalars(select(Contact.name)))
        assert names == {"Committed"}
    with database.reading() as reader:
        assert set(reader.scalars(select(Contact.name))) == {"Committed", "Pending"}


def test_a_database_with_an_empty_version_table_is_refused_untouched(db_path: Path) -> None:
    with open_database(db_path):
        pass
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("DELETE FROM alembic_version")
        conn.commit()
    before = db_path.read_bytes()
    with pytest.raises(NotATouchbaseDatabaseError, match="no schema version"):
        open_database(db_path)
    assert db_path.read_bytes() == before


def test_a_change_watch_sees_every_commit_made_through_another_connection(
    database: Database, contact_factory: ContactFactory
) -> None:
    watch = ChangeWatch(database.path)
    try:
        before = watch.version()
        with database.reading() as session:
            session.execute(text("SELECT count(*) FROM contact")).all()
        assert watch.version() == before  # reading changes nothing
        contact_factory()
        after = watch.version()
        assert after != before
        assert watch.version() == after
    finally:
        watch.close()
