"""Where an export may write, and writing a file there whole.

Every file Touchbase writes for the owner (CSV reports, vCards, calendars) goes through
``replacing``. It refuses a target that would destroy data: the open database itself, its
``-wal``/``-shm``/``-journal``/``.lock`` companions, anything in its backups folder, and any
file that is an SQLite database. It writes a temporary file beside the real target and moves
it into place only once complete, so a failed or stopped export leaves what was there.

Through a symlink it writes the file the link points to and leaves the link as it is. A new
file gets the permissions the owner's umask gives (as any program creating a file would); a
file that is replaced keeps its own. Every message names the file the owner asked for, never
the temporary one.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

SQLITE_HEADER = b"SQLite format 3\x00"
#: Files SQLite and Touchbase keep beside a database.
COMPANIONS = ("-wal", "-shm", "-journal", ".lock")


class TargetRefusedError(ValueError):
    """The file asked for must not be written (it is, or belongs to, a database)."""


class WriteFailedError(OSError):
    """Writing the file failed; the message names the file the owner gave."""


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def check_target(path: Path, database_path: Path | None = None) -> Path:
    """The real file to write for ``path`` (symlinks followed), or ``TargetRefusedError``.

    ``database_path`` is the open database, whose files and backups are refused.
    """
    given = Path(path).expanduser()
    real = _real(given)
    if real.is_dir():
        raise TargetRefusedError(f"{given} is a folder; give a file name to write.")
    if database_path is not None:
        database = _real(Path(database_path))
        guarded = [database, *(database.with_name(database.name + s) for s in COMPANIONS)]
        for protected in guarded:
            if real == protected or (real.exists() and _same_file(real, protected)):
                what = (
                    "the open database"
                    if protected == database
                    else f"a file of the open database ({protected.name})"
                )
                raise TargetRefusedError(
                    f"{given} is {what}; writing there would destroy it. Choose another file."
                )
        # The folder beside the database, and the one the owner chose under Settings.
        from db.backups import default_folder, folder_for_file  # noqa: PLC0415

        for backups in {_real(default_folder(database)), _real(folder_for_file(database))}:
            if real.parent != backups and backups not in real.parents:
                continue
            raise TargetRefusedError(
                f"{given} is in the database's backups folder; choose a file elsewhere."
            )
    if real.exists() and _is_sqlite(real):
        raise TargetRefusedError(
            f"{given} is a database, not a report; writing there would destroy it. "
            "Choose another file."
        )
    return real


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


@contextmanager
def replacing(
    path: Path, *, database_path: Path | None = None, encoding: str = "utf-8"
) -> Iterator[IO[str]]:
    """A text handle to write ``path``'s new content; the file is replaced when the block ends
    without an error, and left as it was otherwise. No newline translation: callers choose
    their line ends."""
    given = Path(path).expanduser()
    real = check_target(given, database_path)
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        existing = real.stat() if real.exists() else None
        temporary, fd = _create_beside(real)
    except OSError as exc:
        raise WriteFailedError(f"{given} could not be written: {_reason(exc)}") from exc
    try:
        try:
            with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            if existing is not None:
                # The replaced file keeps its own permissions, not the temporary file's.
                temporary.chmod(stat.S_IMODE(existing.st_mode))
            temporary.replace(real)
        except OSError as exc:
            raise WriteFailedError(f"{given} could not be written: {_reason(exc)}") from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _create_beside(real: Path) -> tuple[Path, int]:
    """A new, empty temporary file in ``real``'s folder, created with mode 0666 so the umask
    decides its permissions, exactly as for any new file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temporary = real.with_name(f".{real.name}.{secrets.token_hex(4)}.tmp")
        try:
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue


__all__ = ["TargetRefusedError", "WriteFailedError", "check_target", "replacing"]
