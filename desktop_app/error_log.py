"""Unexpected errors, written in full to a log in the user's data folder.

The command line prints one line naming the log; the app shows a dialog naming it. Failures
the owner can act on (``db.errors``) never get here: they are said in plain words instead.
"""

from __future__ import annotations

import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from db import __version__
from desktop_app import paths


def log_unexpected(exc: BaseException) -> Path | None:
    """Append ``exc`` and its traceback to the error log; the log's path, or None if it could
    not be written (the traceback then goes to stderr)."""
    path = paths.error_log()
    text = "".join(traceback.format_exception(exc))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now(UTC).isoformat()} touchbase {__version__}\n{text}\n")
    except OSError:
        sys.stderr.write(text)
        return None
    return path
