"""Opening a Touchbase database: the lock, connection pragmas, version checks and migrations.

``open_database`` is the only way in. It refuses, with a message a person can act on, a file
that is not a Touchbase database, one written by a newer Touchbase, and one already open in
another Touchbase, and (after SQLite's quick check) a damaged one. Before migrating an older
database it backs it up (``db.backups``), so an upgrade can always be undone. Read-only
openings take no lock: WAL lets them read while the app writes.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from db import backups, schema
from db.files import BUSY_TIMEOUT_MS, connect_for_reading, writable
from db.lock import FileLock, LockHeldError, lock_path_for

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"

#: SQLite's page cache on each reading connection, in KiB (SQLite's default is 2,000). The
#: app's reads are index-ordered pages and counts that the system's file cache serves as
#: fast; each connection kept in the pool holds its cache for as long as it lives, so a
#: smaller one keeps the app's resident memory down (about 1.5 MiB a connection). Writes
#: keep the default: a long write's cache is let go when it ends (``release_memory``).
READ_CACHE_KIB = 512


class DatabaseError(Exception):
    """A database cannot be opened; the message is meant for the owner."""


class DatabaseLockedError(DatabaseError):
    pass


class DatabaseTooNewError(DatabaseError):
    pass


class NotATouchbaseDatabaseError(DatabaseError):
    pass


class DatabaseMissingError(DatabaseError):
    """There is no database at the path given, and none was to be made."""


class DatabaseReadOnlyError(DatabaseError):
    """The file or its folder cannot be written; it can still be opened read-only."""


class DatabaseDamagedError(DatabaseError):
    """The file fails SQLite's quick check; nothing may be written to it."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class DatabaseNeedsUpgradeError(DatabaseError):
    """An older database, opened read-only, cannot be upgraded."""


@dataclass
class Database:
    """An open database: where it is, and the two session factories that reach it.

    Reads use ``read_session`` (deferred transactions, never blocking a writer in WAL mode).
    Writes use ``write_session.begin()``, whose transactions start with ``BEGIN IMMEDIATE`` so
    two writers queue on the busy timeout instead of failing half-way through. A database
    opened ``readonly`` holds no lock and refuses every write.
    """

    path: Path
    read_engine: Engine
    write_engine: Engine
    read_session: sessionmaker[Session]
    write_session: sessionmaker[Session]
    backup_path: Path | None = None
    readonly: bool = False
    _lock: FileLock | None = field(default=None, repr=False)
    #: Set by ``close``: work left over from before (a timer, a queued task) then does nothing.
    closed: bool = field(default=False, repr=False)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self.read_session() as session:
            yield session

    def release_memory(self) -> None:
        """Close the idle connections; the next read or write opens a fresh one. A long write
        leaves SQLite's page cache and prepared statements on the connections it used, tens
        of MiB after a change to 100,000 contacts, kept for as long as the connection lives.
        A connection in use elsewhere is closed when it is given back."""
        self.read_engine.dispose()
        self.write_engine.dispose()

    def close(self) -> None:
        self.closed = True
        self.read_engine.dispose()
        self.write_engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_database(
    path: Path | str,
    *,
    seed: bool = True,
    create: bool = True,
    readonly: bool = False,
    check: bool = True,
) -> Database:
    """Open (creating or upgrading if needed) the Touchbase database at ``path``.

    With ``seed`` a new database receives the built-in journey models and default settings.
    ``create=False`` refuses a path with no database. ``readonly`` opens an existing database
    to look at and export: no lock, no upgrade, nothing written, however the file is shared.
    ``check`` runs SQLite's quick check first and refuses a damaged file.
    """
    path = Path(path).expanduser().resolve()
    if readonly:
        return _open_readonly(path, check=check)
    exists = path.exists()
    if not exists:
        if not create:
            raise DatabaseMissingError(f"There is no database at {path}.")
        if not path.parent.is_dir():
            raise DatabaseMissingError(
                f"The folder {path.parent} does not exist, so no database was made there."
            )
    # Refusals come before the lock, so a refused path is left without a .lock beside it.
    _inspect_revision(path)
    if not writable(path):
        raise DatabaseReadOnlyError(
            f"{path} is on a read-only drive or in a folder Touchbase may not change."
        )
    lock = FileLock(lock_path_for(path))
    try:
        lock.acquire()
    except LockHeldError:
        raise DatabaseLockedError(
            f"{path} is already open in another Touchbase window. "
            "Close that window first, or open a different database with --db."
        ) from None
    except OSError as exc:
        raise DatabaseReadOnlyError(
            f"{path} cannot be opened for writing: {exc.strerror}."
        ) from exc
    try:
        revision = _inspect_revision(path)  # again, now that no other writer can change it
        if check and revision is not None:
            _refuse_damaged(path)
        backup_path = None
        if revision is not None and revision != schema.HEAD:
            try:
                backup_path = backups.backup_file(path, f"before upgrading from schema {revision}")
            except backups.BackupError as exc:
                raise DatabaseError(
                    f"{exc} Touchbase needs a backup before it upgrades this database, "
                    "so it was left as it was."
                ) from exc
        if not path.exists():
            _create_file(path)
        read_engine = _make_engine(path, begin="BEGIN", cache_kib=READ_CACHE_KIB)
        write_engine = _make_engine(path, begin="BEGIN IMMEDIATE")
        if revision != schema.HEAD:
            _migrate(write_engine, revision)
        database = Database(
            path=path,
            read_engine=read_engine,
            write_engine=write_engine,
            read_session=sessionmaker(read_engine, expire_on_commit=False),
            write_session=sessionmaker(write_engine, expire_on_commit=False),
            backup_path=backup_path,
            _lock=lock,
        )
        if seed:
            from db.journeys import ensure_builtin_models  # noqa: PLC0415 - avoids a cycle

            ensure_builtin_models(database)
            from db.followups import ensure_plan_template  # noqa: PLC0415

            with database.write_session.begin() as session:
                ensure_plan_template(session)
    except BaseException:
        lock.release()
        raise
    return database


def _open_readonly(path: Path, *, check: bool) -> Database:
    if not path.exists():
        raise DatabaseMissingError(f"There is no database at {path}.")
    revision = _inspect_revision(path)
    if revision is None:
        raise NotATouchbaseDatabaseError(f"{path} is empty: it holds no Touchbase data.")
    if revision != schema.HEAD:
        raise DatabaseNeedsUpgradeError(
            f"{path} was made by an earlier version of Touchbase. Open it in the app once "
            "to upgrade it (a backup is taken first)."
        )
    if check:
        _refuse_damaged(path)
    engine = _make_engine(path, begin="BEGIN", readonly=True)
    session = sessionmaker(engine, expire_on_commit=False)
    return Database(
        path=path,
        read_engine=engine,
        write_engine=engine,
        read_session=session,
        write_session=session,
        readonly=True,
    )


def open_damaged_readonly(path: Path | str) -> Database:
    """Open a damaged database only to look at and export what can still be read."""
    return _open_readonly(Path(path).expanduser().resolve(), check=False)


def _create_file(path: Path) -> None:
    """Make an empty SQLite file only its owner can read, appearing whole or not at all.

    It is written under another name and linked into place, so a crash never leaves a 0-byte
    file at ``path`` (which Touchbase would then refuse as "not a database").
    """
    staged = path.with_name(f"{path.name}.new-{os.getpid()}")
    try:
        os.close(os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        with closing(sqlite3.connect(staged)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")  # writes the header: the file is a database
        os.link(staged, path)
    finally:
        with suppress(FileNotFoundError):
            staged.unlink()


def quick_check(path: Path) -> list[str]:
    """SQLite's quick check of a file: an empty list when it is healthy."""
    try:
        with closing(connect_for_reading(path)) as conn:
            rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def _refuse_damaged(path: Path) -> None:
    problems = quick_check(path)
    if problems:
        log.error("quick_check of %s failed: %s", path, problems[:20])
        raise DatabaseDamagedError(
            f"{path} is damaged: SQLite found {len(problems):,} problem"
            f"{'s' if len(problems) != 1 else ''} in it. Nothing was written to it. Restore "
            "the latest backup, or open it read-only to export what can still be read.",
            problems,
        )


def _inspect_revision(path: Path) -> str | None:
    """Read the schema revision without writing a byte (a refused file stays as it was).

    Returns None for a new or empty file.
    """
    if not path.exists():
        return None
    if path.stat().st_size == 0:
        raise NotATouchbaseDatabaseError(
            f"{path} is an empty file (0 bytes), not a Touchbase database. Choose another "
            "file, or delete this one to start a new database there."
        )
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise NotATouchbaseDatabaseError(f"{path} is not a Touchbase database (not SQLite).")
    uri = f"{path.as_uri()}?mode=ro"
    if not any(path.with_name(path.name + s).exists() for s in ("-wal", "-journal")):
        # Nothing to recover, so read the file exactly as it stands: a read-only connection to a
        # WAL database would otherwise leave -wal and -shm files beside a file we may refuse.
        uri += "&immutable=1"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if not tables:
                return None
            if "alembic_version" not in tables:
                raise NotATouchbaseDatabaseError(
                    f"{path} is an SQLite database, but not one Touchbase made."
                )
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise NotATouchbaseDatabaseError(f"{path} cannot be read: {exc}.") from exc
    if row is None:
        raise NotATouchbaseDatabaseError(
            f"{path} has Touchbase tables but no schema version; it may be damaged. "
            "Restore it from a backup."
        )
    revision = str(row[0])
    if not schema.is_known(revision):
        raise DatabaseTooNewError(
            f"{path} was written by a newer version of Touchbase (schema {revision}). "
            "Update Touchbase to open it; the file has not been changed."
        )
    return revision


def _make_engine(
    path: Path, *, begin: str, readonly: bool = False, cache_kib: int | None = None
) -> Engine:
    # URL.create, not an f-string: a folder name with "?", "#" or "%" must not be parsed as
    # URL syntax (which would open, or create, some other file).
    if readonly and not writable(path):
        # Read-only media: SQLite may not make its -shm there, so it reads the file alone.
        immutable = "&immutable=1" if not path.with_name(path.name + "-wal").exists() else ""
        url = URL.create(
            "sqlite", database=f"{path.as_uri()}?mode=ro{immutable}", query={"uri": "true"}
        )
    else:
        url = URL.create("sqlite", database=str(path))
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    if readonly:

        @event.listens_for(engine, "connect")
        def _on_connect_readonly(dbapi_connection: Any, _record: Any) -> None:
            # A read-write connection told to refuse writes, rather than mode=ro: the last one
            # to close then tidies the -wal and -shm files away, as a writer's would.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA query_only=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin_readonly(connection: Any) -> None:
            connection.exec_driver_sql(begin)

        return engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so that BEGIN is ours
        # (SQLAlchemy's documented recipe) and DDL in migrations is transactional.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if cache_kib is not None:
            cursor.execute(f"PRAGMA cache_size={-int(cache_kib)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def _migrate(engine: Engine, revision: str | None) -> None:
    # Alembic is imported here, not at the top: an up-to-date database never pays for it.
    from alembic import command  # noqa: PLC0415
    from alembic.config import Config  # noqa: PLC0415

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    log.info("migrating database from %s to %s", revision or "empty", schema.HEAD)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        if revision is not None:
            # Derived columns follow the current rules, whatever revision the data came from.
            from db import derived  # noqa: PLC0415

            derived.refresh_every(connection)


def open_beside(path: Path | str) -> Database:
    """A second connection to a database another ``Database`` in this program already holds
    open (and locked), for a helper process that only reads: no lock, no migration, no seed.
    Writing through it is refused by SQLite (``query_only``)."""
    path = Path(path).expanduser().resolve()
    if _inspect_revision(path) != schema.HEAD:
        raise DatabaseError(f"{path} is not open at the current schema.")
    read_engine = _make_engine(path, begin="BEGIN")

    @event.listens_for(read_engine, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only=ON")

    factory = sessionmaker(read_engine, expire_on_commit=False)
    return Database(
        path=path,
        read_engine=read_engine,
        write_engine=read_engine,
        read_session=factory,
        write_session=factory,
    )


class ChangeWatch:
    """Tells whether anything was committed to a database since a moment, for a process that
    keeps results read from it (the Reports helpers): SQLite's ``data_version``, which moves
    whenever another connection, in any process, commits. It asks on a connection of its own
    that never writes, so a change made through any other is seen."""

    def __init__(self, path: Path | str) -> None:
        self._connection = connect_for_reading(Path(path))

    def version(self) -> int:
        return int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        self._connection.close()
