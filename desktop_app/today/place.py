"""How the Today page joins the main window: first in the sidebar, its count on the sidebar
entry and in the window title, and shown at start once the database has contacts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db import contacts
from db.today import TodayCounts
from desktop_app.first_run import SAMPLE_CONTACTS
from desktop_app.today.page import TodayPage
from desktop_app.touches import log_touch

if TYPE_CHECKING:
    from desktop_app.main_window import MainWindow

PLACE_TODAY = "today"


def install(window: MainWindow) -> TodayPage:
    """Add the Today place (call before the other places, so it comes first)."""
    page = TodayPage(window.ops)
    item = window.add_place(PLACE_TODAY, "Today", "today", page)
    base_title = window.windowTitle()

    def on_counts(counts: TodayCounts) -> None:
        due = counts.needs_attention
        item.setText(f"Today   {due:,}" if due else "Today")
        item.setToolTip(counts.headline() or "Nothing due")
        app, _dash, rest = base_title.partition(" — ")
        window.setWindowTitle(" — ".join(p for p in (app, counts.headline(), rest) if p))

    # Every count the window shows comes from the page's one reading (``TodayCounts``): the
    # sidebar and title here, the tray and the banner in ``reminders``.
    page.counts_changed.connect(on_counts)
    page.open_contact_requested.connect(window.open_contact)
    page.new_contact_requested.connect(window.new_contact)
    page.sample_data_requested.connect(lambda: window.load_sample_data(SAMPLE_CONTACTS))
    # Logging a touch completes what was due (db.touches.log_touch); the page refreshes on
    # the change signal.
    page.touch_requested.connect(lambda contact_id: log_touch(window, window.ops, contact_id))
    on_counts(page.counts)
    return page


def choose_start_place(window: MainWindow) -> None:
    """Today once there is data to act on; Contacts on a new, empty database (Today then
    offers the ways to start: import, a new contact, sample data)."""
    if contacts.has_contacts(window.database):
        window.show_place(PLACE_TODAY)
    else:
        window.show_place("contacts")
