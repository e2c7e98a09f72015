"""The features the main window is made of, in one list that ``MainWindow`` reads.

Each feature is a function given the window while it is being built. It adds what the
feature brings: a place in the sidebar (``window.add_place``), a section of the contact's
detail pane (``window.contacts_page.detail.add_section``), a banner. Their order is the
sidebar's order. Settings tabs are listed in ``desktop_app.settings.dialog.PAGES``; the
tray and the reminders banner come last, once the menus exist (``desktop_app.reminders``).
docs/architecture.md, "Adding a feature", says how to add one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from desktop_app.journeys.install import install as journeys
from desktop_app.reports.install import install_reports as reports
from desktop_app.sales.install import install_sales as sales
from desktop_app.today import place as today_place

if TYPE_CHECKING:
    from desktop_app.main_window import MainWindow

Feature = Callable[["MainWindow"], None]

PLACE_CONTACTS = "contacts"
PLACE_TRASH = "trash"


def today(window: MainWindow) -> None:
    """Today: what is due, first in the sidebar."""
    window.today_page = today_place.install(window)


def contacts(window: MainWindow) -> None:
    """The contacts list, and the follow-ups section of the detail pane (built when the pane
    first needs it)."""
    window.add_place(PLACE_CONTACTS, "Contacts", "contacts", window.contacts_page)

    def followups() -> QWidget:
        from desktop_app.followups.section import FollowupsSection  # noqa: PLC0415

        return FollowupsSection(window.ops)

    window.contacts_page.detail.add_section(followups, order=20)


def trash(window: MainWindow) -> None:
    """The trash: the contacts list in its trash mode."""
    window.add_place(PLACE_TRASH, "Trash", "trash", window.contacts_page)


#: Every feature, in the sidebar's order.
FEATURES: tuple[Feature, ...] = (today, contacts, journeys, trash, sales, reports)


def install_all(window: MainWindow) -> None:
    for feature in FEATURES:
        feature(window)
