"""Reminders: one notification per due follow-up, the tray's count, and the in-app banner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from db import followups, purchases, settings
from db.contacts import get_contact
from db.engine import Database
from db.today import Notice, TodayCounts
from desktop_app import options, reminders
from desktop_app.main_window import MainWindow
from desktop_app.ops import OpsBus
from desktop_app.reminders import ReminderBanner, Reminders
from tests.conftest import ContactFactory
from tests.db.test_followups_rules import NOW, TODAY, place


class FakeTray:
    """Records what a real tray icon would show."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []
        self.tooltip = ""
        self.icon: QIcon | None = None
        self.menu: QMenu | None = None
        self.shown = False

    def setIcon(self, icon: QIcon) -> None:
        self.icon = icon

    def setToolTip(self, tip: str) -> None:
        self.tooltip = tip

    def setContextMenu(self, menu: QMenu) -> None:
        self.menu = menu

    def showMessage(self, title: str, message: str, icon: QIcon, msecs: int) -> None:
        self.messages.append((title, message))

    def show(self) -> None:
        self.shown = True


@pytest.fixture
def due(database: Database, contact_factory: ContactFactory) -> Database:
    ann = contact_factory(name="Ann Archer")
    bob = contact_factory(name="Bob Baker")
    place(database, ann, touched=NOW - timedelta(days=20))
    place(database, bob, touched=NOW)
    followups.add_followup(database, bob, TODAY, "Send the proposal", today=TODAY)
    return database


def make(qtbot: QtBot, ops: OpsBus, tray: FakeTray | None) -> Reminders:
    banner = ReminderBanner()
    qtbot.addWidget(banner)
    return Reminders(ops, tray, banner, today_fn=lambda: TODAY)


def test_due_follow_ups_are_notified_once(qtbot: QtBot, ops: OpsBus, due: Database) -> None:
    tray = FakeTray()
    rem = make(qtbot, ops, tray)

    rem.check()
    rem.check()  # the next timer tick: nothing new

    assert tray.messages == [("2 follow-ups are due", "Ann Archer and Bob Baker")]
    assert tray.shown
    assert not rem.banner.isVisible()


def test_a_follow_up_falling_due_later_is_notified_then(
    qtbot: QtBot, ops: OpsBus, due: Database, contact_factory: ContactFactory
) -> None:
    tray = FakeTray()
    rem = make(qtbot, ops, tray)
    rem.check()
    cid = contact_factory(name="Cy Later")
    place(due, cid, touched=NOW)
    followups.add_followup(due, cid, TODAY + timedelta(days=1), "Call", today=TODAY)

    rem.today = lambda: TODAY + timedelta(days=1)
    with qtbot.waitSignal(rem.notified) as sent:
        rem.check()

    assert sent.args[0] == Notice(1, ("Cy Later",))
    assert tray.messages[-1] == ("1 follow-up is due", "Cy Later")


def test_the_tray_shows_the_count_and_offers_show_today_and_quit(qtbot: QtBot, ops: OpsBus) -> None:
    tray = FakeTray()
    rem = make(qtbot, ops, tray)
    rem.update_counts(TodayCounts(overdue=3, due_today=1))
    assert tray.tooltip == "Touchbase — 3 overdue, 1 due today"
    assert tray.menu is not None
    assert [a.text() for a in tray.menu.actions()] == ["Show Touchbase", "Today", "Quit"]
    with qtbot.waitSignal(rem.today_requested):
        tray.menu.actions()[1].trigger()
    rem.update_counts(TodayCounts())
    assert tray.tooltip == "Touchbase — nothing due"


def test_without_a_tray_a_banner_tells_the_owner(qtbot: QtBot, ops: OpsBus, due: Database) -> None:
    rem = make(qtbot, ops, None)
    rem.banner.show()  # stands in for the window being on screen
    rem.banner.hide()

    rem.check()

    assert (
        rem.banner.isVisibleTo(rem.banner.parentWidget() or rem.banner) or not rem.banner.isHidden()
    )
    assert rem.banner.title.text() == "2 follow-ups are due:"
    with qtbot.waitSignal(rem.today_requested):
        rem.banner.show_button.click()
    assert rem.banner.isHidden()


def test_the_window_shows_the_banner_and_opens_today_from_it(
    qtbot: QtBot, window: MainWindow, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ann Archer")
    place(window.database, cid, touched=NOW - timedelta(days=20))
    assert not window.reminders.has_tray  # offscreen: no system tray
    window.reminders.check()
    banner = window.reminders.banner
    assert banner.isVisible()
    assert banner.body.text() == "Ann Archer"
    banner.show_button.click()
    assert window.current_place() == "today"
    assert not banner.isVisible()


def test_start_minimised_only_with_a_tray(qtbot: QtBot, ops: OpsBus) -> None:
    options.put(options.START_IN_TRAY, True)
    assert reminders.start_hidden(make(qtbot, ops, FakeTray()))
    assert not reminders.start_hidden(make(qtbot, ops, None))
    options.put(options.START_IN_TRAY, False)
    assert not reminders.start_hidden(make(qtbot, ops, FakeTray()))


def test_badge_icon_draws_the_count() -> None:
    assert not reminders.badge_icon(7).isNull()
    assert (
        reminders.badge_icon(7).pixmap(64, 64).toImage()
        != reminders.badge_icon(0).pixmap(64, 64).toImage()
    )


def test_the_daily_check_keeps_lifecycle_stages_in_step(
    qtbot: QtBot, ops: OpsBus, database: Database, contact_factory: ContactFactory
) -> None:
    with database.write_session.begin() as session:
        settings.put(session, settings.ACTIVE_MODEL, "customer_lifecycle")
    cid = contact_factory(name="Lapsing")
    purchases.record_purchase(
        database,
        cid,
        purchases.PurchaseInput(TODAY - timedelta(days=200), "Bread", "10"),
        now=NOW,
        today=TODAY - timedelta(days=200),
    )
    assert get_contact(database, cid).stage_label == "New"  # as it stood that day
    rem = make(qtbot, ops, None)
    with qtbot.waitSignal(ops.changed):
        rem.check()
    assert get_contact(database, cid).stage_label == "Lapsed"
