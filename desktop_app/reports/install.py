"""Puts the Reports place into the main window.

Nothing of Reports loads at start-up. The first time the place is shown it says "Opening
Reports…" while the page's modules are imported on the background runner (so the window keeps
responding), then builds the page; the page reads and draws its charts in the background too.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop_app.contacts.filters import Filters
from desktop_app.tasks import ThreadRunner

if TYPE_CHECKING:
    from db.engine import Database
    from desktop_app.main_window import MainWindow
    from desktop_app.reports.catalogue import Drill
    from desktop_app.reports.page import ReportsPage

PLACE_REPORTS = "reports"


def install_reports(window: MainWindow) -> None:
    window.add_place(PLACE_REPORTS, "Reports", "export", lambda: ReportsPlace(window))


def _page_class(_database: Database) -> Any:
    return importlib.import_module("desktop_app.reports.page").ReportsPage


class ReportsPlace(QWidget):
    """Holds the Reports page once its modules are loaded."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window_ = window
        self.page: ReportsPage | None = None
        self.loading = QLabel("Opening Reports…")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.loading)
        window.ops.read(_page_class, self._on_loaded)

    def _on_loaded(self, page_class: Any) -> None:
        window = self.window_
        # With the app's background thread, reads and drawing go to a helper process.
        page: ReportsPage = page_class(
            window.ops, helper_process=isinstance(window.runner, ThreadRunner)
        )
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
