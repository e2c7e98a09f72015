"""Per-computer preferences, declared once with their type and default.

Stored in an INI file in the user's config folder (never the registry, never pickles); the
database's own settings live in ``db.settings``. Window geometry is kept apart from the
preferences a person chooses, under the ``window/`` group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from PySide6.QtCore import QByteArray, QSettings

from desktop_app import paths

T = TypeVar("T", bool, int, str)


@dataclass(frozen=True)
class Option(Generic[T]):
    key: str
    default: T
    description: str


SHOW_DETAIL_PANE = Option("view/show_detail_pane", True, "Show the detail pane beside the list")
LAST_DATABASE = Option("files/last_database", "", "The database opened last time")
#: One path a line, the latest first.
RECENT_DATABASES = Option("files/recent_databases", "", "Databases opened lately")
THEME = Option("view/theme", "system", "Light, dark, or follow the system's colour scheme")
START_IN_TRAY = Option("reminders/start_in_tray", False, "Start minimised to the tray icon")


def _store() -> QSettings:
    return QSettings(str(paths.settings_file()), QSettings.Format.IniFormat)


def get(option: Option[T]) -> T:
    raw: object = _store().value(option.key, option.default)
    default: object = option.default
    value: object
    if isinstance(default, bool):
        # INI files hand booleans back as the strings "true" / "false".
        value = raw if isinstance(raw, bool) else str(raw).lower() == "true"
    elif isinstance(default, int):
        try:
            value = int(str(raw))
        except ValueError:
            value = default
    else:
        value = str(raw)
    return cast(T, value)


def put(option: Option[T], value: T) -> None:
    store = _store()
    store.setValue(option.key, value)
    store.sync()


def window_state(name: str) -> QByteArray | None:
    value = _store().value(f"window/{name}")
    return value if isinstance(value, QByteArray) else None


def save_window_state(name: str, state: QByteArray) -> None:
    store = _store()
    store.setValue(f"window/{name}", state)
    store.sync()
