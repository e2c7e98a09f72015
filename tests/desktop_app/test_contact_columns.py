"""The contacts table's columns: stage chip and follow-up in view, a chooser, kept on restart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QByteArray, QEvent, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QToolTip
from pytestqt.qtbot import QtBot

from db import followups
from db.clock import local_today
from db.engine import Database
from desktop_app import options, theme
from desktop_app.contacts.columns import DEFAULT_COLUMNS, ColumnLayout
from desktop_app.contacts.page import ContactsPage
from desktop_app.contacts.table_model import STAGE_CHIP_ROLE, Column
from desktop_app.ops import OpsBus
from desktop_app.tasks import Task
from tests.conftest import ContactFactory


def _visible(page: ContactsPage) -> list[Column]:
    header = page.table.horizontalHeader()
    return [
        Column(header.logicalIndex(v))
        for v in range(header.count())
        if not header.isSectionHidden(header.logicalIndex(v))
    ]


def _new_page(qtbot: QtBot, ops: OpsBus, width: int = 1000) -> ContactsPage:
    page = ContactsPage(ops)
    qtbot.addWidget(page)
    page.resize(width, 600)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_name_with_stage_chip_and_follow_up_come_first_and_fit(
    qtbot: QtBot, ops: OpsBus, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Ada Byron")
    page = _new_page(qtbot, ops)
    assert _visible(page) == list(DEFAULT_COLUMNS)
    header = page.table.horizontalHeader()
    used = sum(header.sectionSize(c) for c in _visible(page))
    # Every default column is in view: nothing to scroll sideways for.
    assert used <= page.table.viewport().width() + 1
    assert not page.table.horizontalScrollBar().isVisible()
    label, tone = page.model.index(0, Column.NAME).data(STAGE_CHIP_ROLE)
    assert label == page.model.index(0, Column.STAGE).data()
    assert tone in theme.STAGE_TONES


def test_an_overdue_follow_up_reads_in_red_with_how_late(
    ops: OpsBus, page: ContactsPage, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Late Larry")
    today = local_today()
    past = today - timedelta(days=3)
    followups.add_followup(database, cid, past, "Call back", today=past)
    page.model.reload()
    index = page.model.index(0, Column.NEXT_FOLLOWUP)
    assert index.data() == "3 d overdue"
    assert index.data(Qt.ItemDataRole.ForegroundRole) == theme.color("danger")
    assert "Overdue by 3 days" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_the_header_menu_shows_and_hides_columns(page: ContactsPage) -> None:
    menu = page.columns.menu()
    actions = {a.text(): a for a in menu.actions()}
    assert not actions["Name"].isEnabled()  # The name always shows.
    actions["Lifecycle"].setChecked(True)
    assert Column.LIFECYCLE in _visible(page)
    actions["Company"].setChecked(False)
    assert Column.COMPANY not in _visible(page)
    actions["Reset columns"].trigger()
    assert _visible(page) == list(DEFAULT_COLUMNS)


def test_columns_widths_order_and_sort_come_back_after_a_restart(
    qtbot: QtBot, ops: OpsBus, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Ada Byron")
    page = _new_page(qtbot, ops)
    header = page.table.horizontalHeader()
    page.columns.set_visible(Column.TAGS, True)
    page.columns.set_visible(Column.EMAIL, False)
    header.moveSection(header.visualIndex(Column.TAGS), 1)
    header.resizeSection(Column.NEXT_FOLLOWUP, 133)
    page.table.sortByColumn(Column.COMPANY, Qt.SortOrder.DescendingOrder)
    page.close()

    again = _new_page(qtbot, ops, width=1300)
    header = again.table.horizontalHeader()
    assert _visible(again)[:2] == [Column.NAME, Column.TAGS]
    assert header.isSectionHidden(Column.EMAIL)
    assert header.sectionSize(Column.NEXT_FOLLOWUP) == 133
    assert header.sortIndicatorSection() == Column.COMPANY
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder


def test_a_cut_value_shows_in_full_on_hover(
    page: ContactsPage, contact_factory: ContactFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QToolTip, "showText", lambda _pos, text, *_a: shown.append(text))
    long_company = "The Extraordinarily Long-Named Harbourside Bakery and Coffee Roasters Ltd"
    contact_factory(name="Ada Byron", company=long_company)
    page.model.reload()
    page.table.horizontalHeader().resizeSection(Column.COMPANY, 90)
    rect = page.table.visualRect(page.model.index(0, Column.COMPANY))
    pos = rect.center()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, page.table.viewport().mapToGlobal(pos))
    page.table.viewportEvent(event)
    assert shown == [long_company]
    # A value that fits has nothing to add.
    page.table.horizontalHeader().resizeSection(Column.COMPANY, 900)
    rect = page.table.visualRect(page.model.index(0, Column.COMPANY))
    pos = rect.center()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, page.table.viewport().mapToGlobal(pos))
    page.table.viewportEvent(event)
    assert shown == [long_company]


def test_a_sort_is_written_to_the_preferences_a_moment_later_once(
    qtbot: QtBot, ops: OpsBus, contact_factory: ContactFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    contact_factory(name="Ada Byron")
    monkeypatch.setattr(ColumnLayout, "SAVE_DELAY_MS", 50)
    page = _new_page(qtbot, ops)
    written: list[QByteArray] = []
    monkeypatch.setattr(options, "save_window_state", lambda _name, state: written.append(state))
    page.table.sortByColumn(Column.COMPANY, Qt.SortOrder.DescendingOrder)
    page.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
    assert written == []  # not in the click that sorts
    qtbot.waitUntil(lambda: len(written) == 1)
    qtbot.wait(100)
    assert len(written) == 1  # one write for the run of sorts
    page.table.sortByColumn(Column.COMPANY, Qt.SortOrder.AscendingOrder)
    page.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
    qtbot.wait(150)
    assert len(written) == 1  # back as written: nothing to write
    page.table.sortByColumn(Column.COMPANY, Qt.SortOrder.AscendingOrder)
    page.close()  # closing writes what is waiting at once
    assert len(written) == 2


def test_a_change_waited_out_is_written_on_the_runner_and_never_over_a_newer_one(
    qtbot: QtBot,
    database: Database,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    contact_factory(name="Ada Byron")
    monkeypatch.setattr(ColumnLayout, "SAVE_DELAY_MS", 20)
    held: list[Task] = []

    class Held:
        def submit(self, task: Task) -> None:
            held.append(task)

    page = _new_page(qtbot, OpsBus(database, Held()))
    for task in held:  # the page's first reads
        task.run()
    held.clear()
    written: list[QByteArray] = []
    monkeypatch.setattr(options, "save_window_state", lambda _name, state: written.append(state))
    page.table.sortByColumn(Column.COMPANY, Qt.SortOrder.DescendingOrder)
    qtbot.wait(150)  # the delay runs out
    assert held  # the write is queued on the runner
    assert written == []  # not written by the GUI thread
    page.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
    page.close()  # written at once on the way out
    assert len(written) == 1
    for task in held:
        task.run()  # the queued write comes late: it writes the newest state again
    assert len(written) == 2 and written[1] == written[0]
    assert page.table.horizontalHeader().sortIndicatorSection() == Column.NAME
