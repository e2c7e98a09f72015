"""Plain SQLite files below the engine: reading one without writing a byte, and asking whether
a file and its folder can be written. Used by the engine and by backups alike."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

BUSY_TIMEOUT_MS = 5000


def writable(path: Path) -> bool:
    """Whether Touchbase may change ``path`` (and make its -wal and -shm beside it)."""
    folder_ok = os.access(path.parent, os.W_OK)
    return folder_ok and (not path.exists() or os.access(path, os.W_OK))


def connect_for_reading(path: Path) -> sqlite3.Connection:
    """A plain connection that will not write (and, closing, leaves no -wal or -shm)."""
    if writable(path):
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute("PRAGMA query_only=ON")
        return conn
    # Read-only media: nothing can be recovered into the file, so read it as it stands.
    immutable = "" if path.with_name(path.name + "-wal").exists() else "&immutable=1"
    return sqlite3.connect(f"{path.as_uri()}?mode=ro{immutable}", uri=True)
