"""Puts the Reports place into the main window.

Nothing of Reports loads while the window starts. A few seconds later, once the app is idle
(``WARM_UP_AFTER_MS``), the page's modules are imported on the background runner and its
helper processes started, which load the plotting library and read the default period's
charts (``desktop_app.reports.worker``). The first time the place is shown it says "Opening
Reports…" until the modules are there (at once, after that warm-up), then builds the page;
the page reads and draws its charts in the helper processes.
"""

from __future__ import annotations

import importlib
import threading
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from db.clock import local_today
from desktop_app.contacts.filters import Filters
from desktop_app.tasks import ThreadRunner

if TYPE_CHECKING:
    from db.engine import Database
    from desktop_app.main_window import MainWindow
    from desktop_app.reports.catalogue import Drill
    from desktop_app.reports.page import ReportsPage
    from desktop_app.reports.worker import ReportsReader

PLACE_REPORTS = "reports"
#: How long after the window is built the Reports helpers start (the first page is read and
#: the window idle by then).
WARM_UP_AFTER_MS = 1500


def install_reports(window: MainWindow) -> None:
    helpers = ReportsHelpers(window)
    window.add_place(PLACE_REPORTS, "Reports", "export", lambda: ReportsPlace(window, helpers))
    if helpers.wanted:
        QTimer.singleShot(WARM_UP_AFTER_MS, helpers, helpers.warm_up)


def _page_class(_database: Database) -> Any:
    return importlib.import_module("desktop_app.reports.page").ReportsPage


class ReportsHelpers(QObject):
    """The Reports helper processes, started at idle after start-up or when Reports is first
    opened, whichever comes first (only with the app's background thread: tests that run
    work in-line have no helper processes)."""

    _imported = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.wanted = isinstance(window.runner, ThreadRunner)
        self.reader: ReportsReader | None = None
        self._imported.connect(self._on_imported)

    def warm_up(self) -> None:
        """Import Reports' modules on a thread of their own (not behind the reads queued on
        the background runner at start-up), then start the helpers reading ahead."""
        if self.reader is None:
            threading.Thread(target=self._import, name="reports-warm-up", daemon=True).start()

    def _import(self) -> None:
        importlib.import_module("desktop_app.reports.page")
        worker = importlib.import_module("desktop_app.reports.worker")
        # Delivered on the GUI thread (a queued connection); the window may be gone by now.
        with suppress(RuntimeError):
            self._imported.emit(worker)

    def _on_imported(self, worker: Any) -> None:
        if self.reader is None:
            self.reader = worker.start_helpers(self.window_.ops, local_today(), read_ahead=True)

    def for_page(self, page_class: Any) -> ReportsReader | None:
        """The helpers a new page uses (started now if they were not yet)."""
        if self.wanted and self.reader is None:
            self.reader = page_class.start_helpers(
                self.window_.ops, local_today(), read_ahead=False
            )
        return self.reader


class ReportsPlace(QWidget):
    """Holds the Reports page once its modules are loaded."""

    def __init__(self, window: MainWindow, helpers: ReportsHelpers) -> None:
        super().__init__()
        self.window_ = window
        self.helpers = helpers
        self.page: ReportsPage | None = None
        self.loading = QLabel("Opening Reports…")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.loading)
        window.ops.read(_page_class, self._on_loaded)

    def _on_loaded(self, page_class: Any) -> None:
        window = self.window_
        # With the app's background thread, reads and drawing go to helper processes.
        page: ReportsPage = page_class(window.ops, reader=self.helpers.for_page(page_class))
        page.export_requested.connect(window.export_report)
        page.contacts_requested.connect(lambda drill: open_drill(window, drill))
        page.status_message.connect(lambda text: window.statusBar().showMessage(text, 6000))
        self.loading.hide()
        self._layout.addWidget(page)
        self.page = page


def open_drill(window: MainWindow, drill: Drill) -> None:
    """Show the contacts a chart's bar stands for."""
    if drill.kind == "contact":
        window.open_contact(int(drill.value))
    elif drill.kind == "stage":
        window.open_contacts(Filters(stage_id=int(drill.value), stage_label=drill.label))
    elif drill.kind == "stuck":
        window.open_contacts(
            Filters(stage_id=int(drill.value), stage_label=drill.label, stuck=True)
        )
    elif drill.kind == "lifecycle":
        window.open_contacts(Filters(), lifecycle=str(drill.value))
