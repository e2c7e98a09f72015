"""Puts journeys into the main window: the board after Contacts, and the detail section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from db.clock import local_today
from desktop_app.touches import log_touch

if TYPE_CHECKING:
    from desktop_app.journeys.board import BoardPage
    from desktop_app.main_window import MainWindow

PLACE_BOARD = "board"


def install(window: MainWindow) -> None:
    """Add the journey board place (built when first shown) and the stage section (built
    when the detail pane first needs it)."""
    window.add_place(PLACE_BOARD, "Journey board", "board", lambda: _board(window))
    window.contacts_page.detail.add_section(lambda: _stage_section(window), order=10)


def _stage_section(window: MainWindow) -> QWidget:
    from desktop_app.journeys.section import StageSection  # noqa: PLC0415 - when first needed

    return StageSection(window.ops)


def _board(window: MainWindow) -> BoardPage:
    from desktop_app.followups.actions import add_followup  # noqa: PLC0415
    from desktop_app.journeys.board import BoardPage  # noqa: PLC0415 - only when first shown

    page = BoardPage(window.ops)
    page.status_message.connect(lambda message: window.statusBar().showMessage(message, 6000))
    page.contact_opened.connect(window.open_contact)
    page.touch_requested.connect(lambda contact_id: log_touch(window, window.ops, contact_id))
    page.followup_requested.connect(
        lambda contact_id: add_followup(window, window.ops, contact_id, local_today())
    )
    return page
