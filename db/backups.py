"""Backups of a Touchbase database: taking, listing, thinning and restoring them.

A backup is a complete, self-contained copy made with SQLite's online backup API (so it is
consistent even while the app writes, and holds what is still in the -wal file). Backups live
in a folder beside the database (``backups/``), or wherever the owner chose (a synced drive,
say: the ``backups.folder`` setting). Each file is named after the database, the moment it was
taken (UTC) and why, e.g. ``touchbase-20261130-192700-before-emptying-the-trash.sqlite``, so a
person browsing the folder can tell them apart too. Files are readable by their owner only.

Old backups are thinned: everything from the last day is kept, then the newest of each of the
last 12 days, 10 weeks and 9 months that have one.

``restore`` puts a backup in place of the database: it checks that the file is a Touchbase
backup (leaving the database alone if not), backs up the current database first, writes the
copy beside it and swaps it in with one atomic rename, so a crash leaves either the old
database or the restored one, never half of each.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from db import schema, settings
from db.errors import DAMAGED, StorageError, describe
from db.files import connect_for_reading
from db.lock import FileLock, LockHeldError, lock_path_for

if TYPE_CHECKING:
    from db.engine import Database

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
SUFFIX = ".sqlite"
PARTIAL = ".partial"
#: A start-up backup is skipped when another was taken this recently.
AUTOMATIC_INTERVAL = timedelta(minutes=30)
KEEP_ALL_WITHIN = timedelta(days=1)
KEEP_DAILY = 12
KEEP_WEEKLY = 10
KEEP_MONTHLY = 9

# Why a backup was taken; these read well after "Backup taken …" and in a file name.
AUTOMATIC = "automatic"
BY_HAND = "by hand"
BEFORE_RESTORE = "before restoring a backup"
BEFORE_EMPTYING_TRASH = "before emptying the trash"
BEFORE_JOURNEY_CHANGE = "before changing the journey model"
BEFORE_IMPORT = "before importing contacts"
BEFORE_REMOVING_SAMPLE = "before removing sample data"
BEFORE_MERGING = "before merging duplicates"

_STAMP = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"^(?P<stamp>\d{8}-\d{6})(?:\.(?P<n>\d+))?(?:-(?P<slug>[a-z0-9-]+))?$")
# What the schema upgrades of earlier versions wrote: <stem>-schema-<rev>-<stamp>[-n].sqlite
_LEGACY = re.compile(r"^schema-(?P<rev>\w+)-(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?$")


class BackupError(StorageError):
    """A backup could not be taken or restored; the message is meant for the owner."""


class NotABackupError(BackupError):
    """The file chosen for restoring is not a Touchbase backup (or is damaged)."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime  # aware, UTC
    reason: str
    #: Contacts outside the trash; None when the file cannot be read.
    contacts: int | None
    size: int


# --- where backups go -------------------------------------------------------------------------


def default_folder(db_path: Path) -> Path:
    return db_path.parent / "backups"


def folder_for(database: Database) -> Path:
    """The backups folder the owner chose for this database, or the one beside it."""
    try:
        with database.reading() as session:
            chosen = settings.get(session, settings.BACKUP_FOLDER)
    except Exception:  # a damaged database still has a place for its backups
        log.warning("could not read the backups folder setting", exc_info=True)
        chosen = ""
    return Path(chosen).expanduser() if chosen else default_folder(database.path)


def set_folder(database: Database, folder: Path | None) -> None:
    """Send this database's backups to ``folder`` (None: the folder beside it)."""
    with database.write_session.begin() as session:
        settings.put(session, settings.BACKUP_FOLDER, "" if folder is None else str(folder))


def folder_for_file(db_path: Path) -> Path:
    """Like ``folder_for``, for a database that is not open (read without writing a byte)."""
    try:
        with closing(connect_for_reading(db_path)) as conn:
            row = conn.execute(
                "SELECT value FROM setting WHERE key = ?", (settings.BACKUP_FOLDER.key,)
            ).fetchone()
    except sqlite3.Error:
        row = None
    chosen = settings.BACKUP_FOLDER.decode(row[0]) if row else ""
    return Path(chosen).expanduser() if chosen else default_folder(db_path)


# --- taking ------------------------------------------------------------------------------------


def take_backup(database: Database, reason: str, *, now: datetime | None = None) -> Path:
    """Back up an open database into its backups folder, thin the old ones, and return the
    new file. Raises ``BackupError`` with a plain message if it cannot be written."""
    folder = folder_for(database)
    raw = database.read_engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        target = _write_backup(source, database.path, folder, reason, now)
    finally:
        raw.close()
    thin(database.path, folder, now=now)
    return target


def backup_before(database: Database, reason: str) -> Path | None:
    """A backup before a bulk change (an import, say); none while the database holds no
    contact yet, since there is nothing to lose."""
    if not _holds_contacts(database):
        return None
    return take_backup(database, reason)


def _holds_contacts(database: Database) -> bool:
    with database.reading() as session:
        found = session.connection().exec_driver_sql("SELECT 1 FROM contact LIMIT 1").first()
    return found is not None


def take_automatic_backup(database: Database, *, now: datetime | None = None) -> Path | None:
    """The start-up backup: skipped when one was taken in the last 30 minutes (so opening
    and closing the app all day does not fill the disk) or when there is nothing to keep."""
    now = now or datetime.now(UTC)
    newest = next(iter(list_backups(database.path, folder_for(database), count=False)), None)
    if newest is not None and now - newest.taken_at < AUTOMATIC_INTERVAL:
        return None
    if not _holds_contacts(database):
        return None
    return take_backup(database, AUTOMATIC, now=now)


def backup_file(
    db_path: Path, reason: str, *, folder: Path | None = None, now: datetime | None = None
) -> Path:
    """Back up a database that is not open here (before a migration or a restore)."""
    folder = folder or folder_for_file(db_path)
    with closing(sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)) as source:
        return _write_backup(source, db_path, folder, reason, now)


def backup_to(database: Database, target: Path) -> Path:
    """Back up an open database to a file the owner named (``touchbase backup --to``)."""
    raw = database.read_engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        _copy_into(source, target)
    finally:
        raw.close()
    return target


def _write_backup(
    source: sqlite3.Connection, db_path: Path, folder: Path, reason: str, now: datetime | None
) -> Path:
    now = now or datetime.now(UTC)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(_plain(exc, f"The backups folder {folder} cannot be made")) from exc
    base = f"{db_path.stem}-{now.astimezone(UTC).strftime(_STAMP)}"
    # Two backups within one second are numbered, so they sort in the order they were taken.
    copy_number = 1
    while any(folder.glob(f"{glob_escape(_numbered(base, copy_number))}-*{SUFFIX}")):
        copy_number += 1
    target = folder / f"{_numbered(base, copy_number)}-{_slug(reason)}{SUFFIX}"
    _copy_into(source, target)
    log.info("backed up %s to %s (%s)", db_path, target, reason)
    return target


def _copy_into(source: sqlite3.Connection, target: Path) -> None:
    """Copy a database into ``target`` (created 0600), complete or not at all."""
    partial = target.with_name(target.name + PARTIAL)
    try:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        with closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)
            # One self-contained file, whatever journal mode the source was in.
            copy.execute("PRAGMA journal_mode=DELETE")
        _fsync(partial)
        partial.replace(target)
        _fsync_folder(target.parent)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise BackupError(_plain(exc, f"The backup {target.name} could not be written")) from exc


def _numbered(base: str, copy_number: int) -> str:
    return base if copy_number == 1 else f"{base}.{copy_number}"


def _slug(reason: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-")[:60] or "backup"


def _plain(exc: BaseException, what: str) -> str:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EEXIST):
        return f"{what}: {exc.strerror} ({exc.filename})."
    return f"{what}. {describe(exc) or exc}"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover - folders cannot be opened for fsync there
        return
    _fsync(folder)


# --- listing and checking --------------------------------------------------------------------


def list_backups(db_path: Path, folder: Path, *, count: bool = True) -> list[BackupInfo]:
    """This database's backups in ``folder``, newest first (with contact counts if asked)."""
    found: list[tuple[int, BackupInfo]] = []
    if not folder.is_dir():
        return []
    prefix = f"{db_path.stem}-"
    for path in folder.glob(f"{glob_escape(prefix)}*{SUFFIX}"):
        parsed = _parse(path.name[len(prefix) : -len(SUFFIX)])
        if parsed is None:
            continue
        taken_at, copy_number, reason = parsed
        try:
            size = path.stat().st_size
        except OSError:
            continue
        contacts = _count_contacts(path) if count else None
        found.append((copy_number, BackupInfo(path, taken_at, reason, contacts, size)))
    found.sort(key=lambda pair: (pair[1].taken_at, pair[0]), reverse=True)
    return [info for _n, info in found]


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _parse(rest: str) -> tuple[datetime, int, str] | None:
    match = _NAME.match(rest)
    if match is not None:
        reason = (match["slug"] or "backup").replace("-", " ")
    else:
        match = _LEGACY.match(rest)
        if match is None:
            return None
        reason = f"before upgrading from schema {match['rev']}"
    try:
        taken = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
    return taken, int(match["n"] or 1), reason


def _connect_readonly(path: Path) -> sqlite3.Connection:
    # immutable: read the file exactly as it stands, without creating -wal or -shm beside it.
    return sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)


def _count_contacts(path: Path) -> int | None:
    try:
        with closing(_connect_readonly(path)) as conn:
            row = conn.execute("SELECT count(*) FROM contact WHERE deleted_at IS NULL").fetchone()
            return int(row[0])
    except sqlite3.Error:
        return None


def inspect_backup(path: Path) -> BackupInfo:
    """Check that ``path`` is a healthy Touchbase database this version can open.

    Raises ``NotABackupError`` saying what is wrong with it otherwise.
    """
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
        size = path.stat().st_size
    except OSError as exc:
        raise NotABackupError(f"{path} cannot be read: {describe(exc) or exc.strerror}") from exc
    if header != SQLITE_HEADER:
        raise NotABackupError(f"{path} is not a Touchbase backup (it is not a database file).")
    try:
        with closing(_connect_readonly(path)) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if not {"alembic_version", "contact"} <= tables:
                raise NotABackupError(f"{path} is a database, but not one Touchbase made.")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            problems = [r[0] for r in conn.execute("PRAGMA quick_check")]
            contacts = int(
                conn.execute("SELECT count(*) FROM contact WHERE deleted_at IS NULL").fetchone()[0]
            )
    except sqlite3.Error as exc:
        raise NotABackupError(f"{path} cannot be read as a Touchbase backup ({exc}).") from exc
    if problems != ["ok"]:
        raise NotABackupError(f"{path} is damaged, so it cannot be restored.")
    if row is None or not schema.is_known(str(row[0])):
        raise NotABackupError(
            f"{path} was made by a newer version of Touchbase; update Touchbase to restore it."
        )
    parsed = _parse(path.stem.partition("-")[2])
    taken_at = parsed[0] if parsed else datetime.fromtimestamp(path.stat().st_mtime, UTC)
    reason = parsed[2] if parsed else "backup"
    return BackupInfo(path, taken_at, reason, contacts, size)


# --- thinning ----------------------------------------------------------------------------------


def to_keep(times: Iterable[datetime], now: datetime) -> set[datetime]:
    """Which of these backup times to keep: all of the last day, then the newest of each of
    the last 12 days, 10 ISO weeks and 9 months that have a backup."""
    ordered = sorted(set(times), reverse=True)
    keep = {t for t in ordered if now - t < KEEP_ALL_WITHIN}
    rules: list[tuple[int, Callable[[datetime], object]]] = [
        (KEEP_DAILY, lambda t: t.date()),
        (KEEP_WEEKLY, lambda t: t.isocalendar()[:2]),
        (KEEP_MONTHLY, lambda t: (t.year, t.month)),
    ]
    for limit, bucket_of in rules:
        seen: set[object] = set()
        for t in ordered:  # newest first, so the first of each bucket is its newest
            bucket = bucket_of(t)
            if bucket in seen:
                continue
            if len(seen) == limit:
                break
            seen.add(bucket)
            keep.add(t)
    return keep


def thin(db_path: Path, folder: Path, *, now: datetime | None = None) -> list[Path]:
    """Delete the backups ``to_keep`` does not keep; returns what was deleted."""
    now = now or datetime.now(UTC)
    backups = list_backups(db_path, folder, count=False)
    keep = to_keep((b.taken_at for b in backups), now)
    removed: list[Path] = []
    for backup in backups:
        if backup.taken_at in keep:
            continue
        try:
            backup.path.unlink()
            removed.append(backup.path)
        except OSError:
            log.warning("could not remove old backup %s", backup.path, exc_info=True)
    return removed


# --- restoring ---------------------------------------------------------------------------------


def restore(db_path: Path, backup: Path, *, now: datetime | None = None) -> Path | None:
    """Replace the database at ``db_path`` with ``backup``.

    The database must not be open for writing (by this process or another: its lock is taken
    here). Returns the backup of the database as it was before, or None if there was none.
    """
    db_path = db_path.expanduser().resolve()
    backup = backup.expanduser().resolve()
    inspect_backup(backup)
    if backup == db_path:
        raise BackupError("That is the database itself; choose one of its backups.")
    lock = FileLock(lock_path_for(db_path))
    try:
        lock.acquire()
    except LockHeldError:
        raise BackupError(
            f"{db_path} is open in Touchbase. Close it there first, or restore from the app "
            "(File → Restore from backup…)."
        ) from None
    except OSError as exc:
        raise BackupError(_plain(exc, f"{db_path} cannot be restored")) from exc
    try:
        before = _save_current(db_path, now)
        staged = db_path.with_name(db_path.name + ".restoring")
        with closing(_connect_readonly(backup)) as source:
            _copy_into(source, staged)
        try:
            _checkpoint(db_path)
            for side in ("-wal", "-shm", "-journal"):
                # Left beside the new file, an old -wal would be replayed into it.
                with contextlib.suppress(FileNotFoundError):
                    db_path.with_name(db_path.name + side).unlink()
            staged.replace(db_path)
            _fsync_folder(db_path.parent)
        except OSError as exc:
            with contextlib.suppress(OSError):
                staged.unlink()
            raise BackupError(_plain(exc, f"{db_path} could not be replaced")) from exc
    finally:
        lock.release()
    log.info("restored %s from %s", db_path, backup)
    return before


def _save_current(db_path: Path, now: datetime | None) -> Path | None:
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    folder = folder_for_file(db_path)
    try:
        return backup_file(db_path, BEFORE_RESTORE, folder=folder, now=now)
    except BackupError as exc:
        if exc.__cause__ is None or describe(exc.__cause__) != DAMAGED:
            raise
    # A damaged database cannot be read page by page: keep its bytes as they are.
    now = now or datetime.now(UTC)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / f"{db_path.stem}-{now.strftime(_STAMP)}-damaged-before-restoring{SUFFIX}"
    partial = target.with_name(target.name + PARTIAL)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out, db_path.open("rb") as src:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(target)
    return target


def _checkpoint(db_path: Path) -> None:
    """Fold the -wal into the old file (best effort) before it is set aside."""
    if not db_path.with_name(db_path.name + "-wal").exists():
        return
    try:
        with closing(sqlite3.connect(db_path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error:
        log.warning("could not checkpoint %s before restoring", db_path, exc_info=True)


def latest_good_backup(db_path: Path, folder: Path) -> BackupInfo | None:
    """The newest backup that passes ``inspect_backup`` (for a damaged database)."""
    for candidate in list_backups(db_path, folder, count=False):
        try:
            return inspect_backup(candidate.path)
        except NotABackupError:
            continue
    return None
