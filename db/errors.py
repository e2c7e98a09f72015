"""Storage failures in plain words: what went wrong with the file, said so an owner can act.

SQLite and the operating system report a full disk, a read-only file or a vanished drive in
their own vocabulary ("attempt to write a readonly database", ``ENOSPC``). ``describe`` turns
the ones a person can do something about into a sentence; anything else is a real bug and is
left for the caller to log in full.
"""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy.exc import DBAPIError

DISK_FULL = (
    "The disk is full, so the change could not be saved. Free some space (empty the "
    "computer's trash, or move large files elsewhere), then try again."
)
READ_ONLY = (
    "The database file or its folder is read-only, so the change could not be saved. "
    "Check that the drive is not write-protected and that you may change files in that folder."
)
LOCKED = (
    "Another program is busy writing to the database, so the change could not be saved. "
    "Wait a moment and try again."
)
GONE = (
    "The database file can no longer be reached (was it moved, renamed, or is its drive "
    "disconnected?), so the change could not be saved. Reconnect the drive and try again."
)
DAMAGED = (
    "The database file is damaged, so nothing more is written to it. Restore it from a "
    "backup (File → Restore from backup…)."
)
NO_PERMISSION = (
    "Touchbase is not allowed to write there. Check the file's permissions, or choose "
    "another place."
)


class StorageError(Exception):
    """A write could not be made for a reason the owner can act on; the message says which."""


def describe(exc: BaseException) -> str | None:
    """A plain sentence for a storage failure the owner can fix, or None for anything else."""
    if isinstance(exc, StorageError):
        return str(exc)
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return describe(exc.orig)
    if isinstance(exc, sqlite3.Error):
        return _describe_sqlite(exc)
    if isinstance(exc, OSError):
        return _describe_os(exc)
    return None


def _describe_sqlite(exc: sqlite3.Error) -> str | None:
    text = str(exc).lower()
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return DISK_FULL
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return READ_ONLY
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return LOCKED
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text:
        return DAMAGED
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_IOERR")) or "unable to open" in text:
        return GONE
    if "disk i/o error" in text:
        return GONE
    return None


def _describe_os(exc: OSError) -> str | None:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DISK_FULL
    if exc.errno == errno.EROFS:
        return READ_ONLY
    if exc.errno in (errno.EACCES, errno.EPERM):
        where = f" ({exc.filename})" if exc.filename else ""
        return NO_PERMISSION.replace("there.", f"there{where}.")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EIO, errno.ENXIO, errno.ENODEV):
        return GONE
    return None
