"""Where Touchbase keeps files. The only module that decides; tests point it at tmp_path.

``TOUCHBASE_DATA_DIR`` and ``TOUCHBASE_CONFIG_DIR`` override the per-user folders that
appdirs finds; ``TOUCHBASE_DB`` (or ``--db``) names the database file itself.
"""

from __future__ import annotations

import os
from pathlib import Path

import appdirs

APP_NAME = "Touchbase"
DB_FILENAME = "touchbase.sqlite"


def data_dir() -> Path:
    override = os.environ.get("TOUCHBASE_DATA_DIR")
    return Path(override) if override else Path(appdirs.user_data_dir(APP_NAME, False))


def config_dir() -> Path:
    override = os.environ.get("TOUCHBASE_CONFIG_DIR")
    return Path(override) if override else Path(appdirs.user_config_dir(APP_NAME, False))


def database_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The database to open: ``--db``, else ``TOUCHBASE_DB``, else the user's data folder."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get("TOUCHBASE_DB")
    if from_env:
        return Path(from_env).expanduser()
    return data_dir() / DB_FILENAME


def database_from_environment() -> bool:
    """Whether ``TOUCHBASE_DB`` names the database (so it was chosen on purpose)."""
    return bool(os.environ.get("TOUCHBASE_DB"))


def settings_file() -> Path:
    return config_dir() / "touchbase.ini"


def error_log() -> Path:
    """Where unexpected errors are written in full (the one-line message points here)."""
    return data_dir() / "touchbase-errors.log"
