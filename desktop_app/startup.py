"""Starting the window before the storage: first paint first, the database beside it.

SQLAlchemy, the database and the pages take most of a start. So the window's frame — the
sidebar of places and a "Opening …" note — is painted at once, from Qt alone, while a
background thread imports the storage layer and opens (and if needed upgrades) the database.
When that arrives, the main window's modules are imported and the real ``MainWindow`` is
built in the frame's place, at the same size and position, on the GUI thread: modules that
define Qt classes are never imported on another thread (PySide6 sets up its classes when
they are first used, which is not safe beside the GUI thread).

Nothing here imports ``db.engine``, SQLAlchemy or the pages at module level: that is the
point of the module (a test checks it).
"""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from desktop_app import icons

log = logging.getLogger(__name__)

#: The sidebar as the main window shows it (label, icon), painted before the window exists.
#: A test keeps it equal to ``MainWindow``'s own sidebar.
PLACES: tuple[tuple[str, str], ...] = (
    ("Today", "today"),
    ("Contacts", "contacts"),
    ("Journey board", "board"),
    ("Trash", "trash"),
    ("Reports", "export"),
)

#: The titles of the window's menus, in order.
MENUS = ("&File", "&Edit", "&Contacts", "&View", "&Tools", "&Help")

#: Files up to this size get SQLite's quick check before the window opens (about 0.15 s);
#: bigger ones get it in the background once the window is up (about 4 s for 400 MB), so
#: start-up stays quick.
CHECK_BEFORE_OPENING = 16 * 1024 * 1024


def checked_before_opening(path: Path) -> bool:
    try:
        return path.stat().st_size <= CHECK_BEFORE_OPENING
    except OSError:
        return True


class StartWindow(QMainWindow):
    """The window's frame while the storage loads: the sidebar and where it is opening."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.setWindowTitle(f"Touchbase — {path.name}")
        self.resize(1280, 800)
        sidebar = QListWidget()
        sidebar.setObjectName("sidebar")
        sidebar.setIconSize(QSize(20, 20))
        sidebar.setFixedWidth(190)
        sidebar.setEnabled(False)
        for label, icon in PLACES:
            item = QListWidgetItem(icons.icon(icon), label)
            item.setSizeHint(QSize(0, 38))
            sidebar.addItem(item)
        self.sidebar = sidebar
        self.message = QLabel(f"Opening {path.name}…")
        self.message.setObjectName("emptyHint")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        page = QVBoxLayout()
        page.addWidget(self.message, 1)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(sidebar)
        row.addLayout(page, 1)
        self.setCentralWidget(central)
        # The window's menus, inert until it arrives, so nothing moves when it takes over.
        for title in MENUS:
            self.menuBar().addMenu(title).setEnabled(False)


@dataclass(frozen=True)
class Opened:
    """What the background start delivers: the open database, or the reason it failed."""

    database: Any = None
    error: Exception | None = None


def _refusals() -> tuple[type[BaseException], ...]:
    """The errors by which the storage refuses a file with a message for the owner (none
    when the storage itself could not be loaded)."""
    try:
        engine = importlib.import_module("db.engine")
        errors = importlib.import_module("db.errors")
    except Exception:
        return ()
    return (engine.DatabaseError, errors.StorageError)


class StorageLoader(QObject):
    """Imports the storage (no Qt) and opens the database on a thread."""

    #: An ``Opened``, delivered on the GUI thread.
    opened = Signal(object)

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        #: What the thread delivered, also kept here for a start abandoned before it arrived.
        self.result: Opened | None = None
        self._thread = threading.Thread(target=self._load, name="touchbase-start", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wait(self) -> Opened | None:
        """Wait for the thread (the window closed early, say) and return what it opened."""
        self._thread.join()
        return self.result

    def _load(self) -> None:
        try:
            engine = importlib.import_module("db.engine")
            # A big file gets its quick check once the window is up (``launcher``).
            database = engine.open_database(self.path, check=checked_before_opening(self.path))
        except Exception as error:  # reported to the owner in a window, not lost
            if isinstance(error, _refusals()):
                # A refusal the owner is told about in plain words (a newer schema, a file
                # that is not a database, a read-only drive): one line is enough here.
                log.info("%s was not opened: %s", self.path, error)
            else:
                log.exception("opening %s failed", self.path)
            self._deliver(Opened(error=error))
            return
        self._deliver(Opened(database=database))

    def _deliver(self, result: Opened) -> None:
        self.result = result
        self.opened.emit(result)
