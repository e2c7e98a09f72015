"""The keyboard shortcuts sheet lists every shortcut; icon-only buttons have names."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from db import followups
from db.clock import local_today
from desktop_app.main_window import MainWindow
from desktop_app.shortcuts import ShortcutsSheet, menu_shortcuts
from tests.conftest import ContactFactory


def test_the_sheet_lists_every_shortcut_of_the_window(qtbot: QtBot, window: MainWindow) -> None:
    sheet = ShortcutsSheet(window)
    qtbot.addWidget(sheet)
    text = sheet.text.text()
    for action in window.findChildren(QAction):
        for keys in action.shortcuts():
            if not keys.isEmpty():
                shown = keys.toString(QKeySequence.SequenceFormat.NativeText)
                assert shown in text, (action.text(), shown)
    for needed in ("Ctrl+L", "Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+N", "Ctrl+Tab", "1 to 6"):
        assert needed in text
    assert ("F1, Ctrl+/", "Keyboard shortcuts") in menu_shortcuts(window)


def test_icon_only_buttons_have_accessible_names(
    qtbot: QtBot, window: MainWindow, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ada Byron")
    past = local_today() - timedelta(days=2)
    followups.add_followup(window.database, cid, past, "Call", today=past)
    window.today_page.refresh()
    for place in ("today", "contacts", "board", "trash"):
        window.show_place(place)
        if place == "contacts":
            window.contacts_page.model.reload()
            window.contacts_page.select_contact(cid)
        unnamed = [
            button
            for button in window.findChildren(QAbstractButton)
            if button.isVisibleTo(window)
            and not button.text().strip()
            and not button.accessibleName().strip()
        ]
        assert unnamed == [], (place, [(b.objectName(), repr(b.parentWidget())) for b in unnamed])
