"""Opening a Touchbase database: the lock, connection pragmas, version checks and migrations.

``open_database`` is the only way in. It refuses, with a message a person can act on, a file
that is not a Touchbase database, one written by a newer Touchbase, and one already open in
another Touchbase. Before migrating an older database it copies it aside with SQLite's backup
API, so an upgrade can always be undone.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from db import schema
from db.lock import FileLock, LockHeldError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
SQLITE_HEADER = b"SQLite format 3\x00"


class DatabaseError(Exception):
    """A database cannot be opened; the message is meant for the owner."""


class DatabaseLockedError(DatabaseError):
    pass


class DatabaseTooNewError(DatabaseError):
    pass


class NotATouchbaseDatabaseError(DatabaseError):
    pass


@dataclass
class Database:
    """An open database: where it is, and the two session factories that reach it.

    Reads use ``read_session`` (deferred transactions, never blocking a writer in WAL mode).
    Writes use ``write_session.begin()``, whose transactions start with ``BEGIN IMMEDIATE`` so
    two writers queue on the busy timeout instead of failing half-way through.
    """

    path: Path
    read_engine: Engine
    write_engine: Engine
    read_session: sessionmaker[Session]
    write_session: sessionmaker[Session]
    backup_path: Path | None = None
    _lock: FileLock | None = field(default=None, repr=False)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self.read_session() as session:
            yield session

    def close(self) -> None:
        self.read_engine.dispose()
        self.write_engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def lock_path_for(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def backups_dir_for(path: Path) -> Path:
    return path.parent / "backups"


def open_database(path: Path | str, *, seed: bool = True) -> Database:
    """Open (creating or upgrading if needed) the Touchbase database at ``path``.

    With ``seed`` a new database receives the built-in journey models and default settings.
    """
    path = Path(path).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path_for(path))
    try:
        lock.acquire()
    except LockHeldError:
        raise DatabaseLockedError(
            f"{path} is already open in another Touchbase window. "
            "Close that window first, or open a different database with --db."
        ) from None
    try:
        revision = _inspect_revision(path)
        backup_path = None
        if revision is not None and revision != schema.HEAD:
            backup_path = backup_before_migration(path, revision)
        read_engine = _make_engine(path, begin="BEGIN")
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


def _inspect_revision(path: Path) -> str | None:
    """Read the schema revision without writing a byte (a refused file stays as it was).

    Returns None for a new or empty file.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
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


def backup_before_migration(path: Path, revision: str) -> Path:
    """Copy the database aside, consistently, with SQLite's online backup API."""
    folder = backups_dir_for(path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}-schema-{revision}-{stamp}.sqlite"
    copy_number = 1
    while target.exists():  # two upgrades within one second must not overwrite a backup
        copy_number += 1
        target = folder / f"{path.stem}-schema-{revision}-{stamp}-{copy_number}.sqlite"
    with (
        closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)
    log.info("backed up %s to %s before migrating from %s", path, target, revision)
    return target


def _make_engine(path: Path, *, begin: str) -> Engine:
    # URL.create, not an f-string: a folder name with "?", "#" or "%" must not be parsed as
    # URL syntax (which would open, or create, some other file).
    url = URL.create("sqlite", database=str(path))
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

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

            for statement in derived.all_statements():
                connection.execute(statement)


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
