"""Puts journeys into the main window: the board after Contacts, and the detail section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.journeys.board import BoardPage
from desktop_app.journeys.section import StageSection

if TYPE_CHECKING:
    from desktop_app.main_window import MainWindow

PLACE_BOARD = "board"


def install(window: MainWindow) -> BoardPage:
    """Add the journey board place and the stage section; returns the board page."""
    page = BoardPage(window.ops)
    window.add_place(PLACE_BOARD, "Journey board", "board", page)
    page.status_message.connect(lambda message: window.statusBar().showMessage(message, 6000))

    def open_contact(contact_id: int) -> None:
        window.show_place("contacts")
        window.contacts_page.select_contact(contact_id)

    page.contact_opened.connect(open_contact)
    section = StageSection(window.ops)
    window.contacts_page.detail.add_section(section)
    return page
