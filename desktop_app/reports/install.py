"""Puts the Reports place into the main window; its page is built when first shown, so the
charts cost nothing until the owner opens them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.contacts.filters import Filters

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from desktop_app.main_window import MainWindow
    from desktop_app.reports.catalogue import Drill

PLACE_REPORTS = "reports"


def install_reports(window: MainWindow) -> None:
    window.add_place(PLACE_REPORTS, "Reports", "export", lambda: _reports(window))


def _reports(window: MainWindow) -> QWidget:
    # The page (and the charts behind it) load when Reports is first shown.
    from desktop_app.reports.page import ReportsPage  # noqa: PLC0415

    page = ReportsPage(window.ops)
    page.export_requested.connect(window.export_report)
    page.contacts_requested.connect(lambda drill: open_drill(window, drill))
    page.status_message.connect(lambda text: window.statusBar().showMessage(text, 6000))
    return page


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
