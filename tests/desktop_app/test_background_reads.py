"""Reads and long writes that leave the GUI thread: their results arrive later, and a result
overtaken by a newer request is dropped rather than shown."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from db import contacts, followups, touches
from db.contacts import ContactQuery
from db.domain import Medium
from db.engine import Database
from db.today import Section
from desktop_app.contacts.page import ContactsPage
from desktop_app.contacts.table_model import Column, ContactTableModel
from desktop_app.dialogs import Confirm
from desktop_app.journeys.board import BoardPage
from desktop_app.main_window import MainWindow
from desktop_app.ops import Changes, OpsBus
from desktop_app.touches.dialog import TOUCH_CHANGES
from desktop_app.touches.sections import TouchStatsSection
from tests.conftest import ContactFactory
from tests.desktop_app.conftest import HeldRunner


@pytest.fixture
def slow_page(qtbot: QtBot, database: Database, held: HeldRunner) -> ContactsPage:
    page = ContactsPage(OpsBus(database, held))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    held.run()  # the first count, the tags, the lifecycle upkeep
    return page


def shown_id(page: ContactsPage) -> int | None:
    return None if page.detail.contact is None else page.detail.contact.id


@pytest.mark.parametrize("newest_first", [False, True])
def test_the_detail_pane_shows_only_the_last_contact_selected(
    slow_page: ContactsPage, held: HeldRunner, contact_factory: ContactFactory, newest_first: bool
) -> None:
    ada = contact_factory(name="Ada")
    bo = contact_factory(name="Bo")
    slow_page.model.reload()
    held.run()

    slow_page.select_contact(ada)
    slow_page.select_contact(bo)
    assert shown_id(slow_page) is None  # nothing read on the GUI thread

    held.run(newest_first=newest_first)

    assert shown_id(slow_page) == bo
    assert slow_page.detail.name.text() == "Bo"


def test_emptying_the_trash_runs_in_the_background_then_refreshes(
    slow_page: ContactsPage,
    held: HeldRunner,
    contact_factory: ContactFactory,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = [contact_factory(name=f"Gone {n}") for n in range(3)]
    contacts.trash_contacts(database, ids)
    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, *a, **k: True))
    slow_page.set_trash(True)
    held.run()
    assert slow_page.model.total == 3

    slow_page.empty_trash()
    assert contacts.count_contacts(database, contacts.ContactQuery(trash=True)) == 3
    held.run()  # the purge, then the refresh it caused

    held.run()
    assert contacts.count_contacts(database, contacts.ContactQuery(trash=True)) == 0
    assert slow_page.model.rowCount() == 0


def test_a_refresh_overtaken_by_a_search_is_dropped(
    slow_page: ContactsPage, held: HeldRunner, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Ada")
    contact_factory(name="Bo")
    slow_page.model.reload(keep_loaded=True)  # as after a change: read on the runner
    slow_page.search.setText("Bo")  # answered at once
    held.run()
    held.run()
    shown = [slow_page.model.index(r, 0).data() for r in range(slow_page.model.rowCount())]
    assert shown == ["Bo"]


@pytest.mark.parametrize("newest_first", [False, True])
def test_the_board_shows_only_the_newest_filter(
    qtbot: QtBot,
    database: Database,
    held: HeldRunner,
    contact_factory: ContactFactory,
    newest_first: bool,
) -> None:
    contact_factory(name="Ada Lovelace")
    contact_factory(name="Bo Diddley")
    contact_factory(name="Bo Derek")
    board = BoardPage(OpsBus(database, held))
    qtbot.addWidget(board)
    assert board.columns == []  # nothing read on the GUI thread
    held.run()
    assert sum(c.model.total for c in board.columns) == 3

    board.search.setText("Ada")
    board.search.setText("Bo")
    held.run(newest_first=newest_first)

    assert sum(c.model.total for c in board.columns) == 2
    assert board.count_label.text().startswith("2 contacts")


def test_today_builds_its_rows_when_shown_not_after_every_change_elsewhere(
    window: MainWindow, database: Database, contact_factory: ContactFactory
) -> None:
    today = datetime.now(UTC).astimezone().date()
    window.show_place("contacts")
    cid = contact_factory(name="Cleo Park")
    with database.write_session.begin() as session:
        followups.create_followup(session, cid, today - timedelta(days=3), "Send the proposal")
    window.ops.announce(Changes(followups=True))

    page = window.today_page
    assert page.counts.overdue == 1  # the counts are current at once (sidebar, title)
    assert page.sections[Section.OVERDUE].rows == []  # the rows wait

    window.show_place("today")
    [row] = page.sections[Section.OVERDUE].rows
    assert row.item.contact_id == cid


def test_today_keeps_the_rows_that_did_not_change(
    window: MainWindow, database: Database, contact_factory: ContactFactory
) -> None:
    today = datetime.now(UTC).astimezone().date()
    ada, bo = contact_factory(name="Ada"), contact_factory(name="Bo")
    with database.write_session.begin() as session:
        followups.create_followup(session, ada, today - timedelta(days=5), "Call back")
        followups.create_followup(session, bo, today - timedelta(days=3), "Send the quote")
    window.ops.announce(Changes(followups=True))
    window.show_place("today")
    page = window.today_page
    first, second = page.sections[Section.OVERDUE].rows

    page.snooze(ada, today + timedelta(days=7))

    [left] = page.sections[Section.OVERDUE].rows
    assert left is second and left.item.contact_id == bo  # the same widget, not rebuilt
    assert first not in page.sections[Section.OVERDUE].rows


def test_after_a_touch_the_detail_pane_is_read_again_off_the_gui_thread(
    slow_page: ContactsPage, held: HeldRunner, contact_factory: ContactFactory
) -> None:
    ada = contact_factory(name="Ada")
    slow_page.model.reload()
    held.run()
    slow_page.select_contact(ada)
    held.run()
    [stats] = [
        s for s in slow_page.detail.findChildren(TouchStatsSection) if isinstance(s, QWidget)
    ]
    assert stats.recent.text().endswith("0 in all")

    data = touches.TouchInput(contact_id=ada, medium=Medium.PHONE, occurred_at=datetime.now(UTC))
    slow_page.ops.run(lambda db: touches.log_touch(db, data), TOUCH_CHANGES)
    assert stats.recent.text().endswith("0 in all")  # nothing read on the GUI thread

    held.run()  # the list's refresh, which selects Ada again
    held.run()  # the contact and its sections, read again
    assert stats.recent.text().endswith("1 in all")


def test_loading_every_contact_reads_on_the_runner_then_goes_on(
    database: Database,
    contact_factory: ContactFactory,
    held: HeldRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = [contact_factory(name=f"Person {n:02d}") for n in range(30)]
    monkeypatch.setattr(ContactTableModel, "PAGE_SIZE", 4)
    model = ContactTableModel(database, runner=held)
    held.run()  # the count
    went_on: list[int] = []
    model.fetch_all(then=lambda: went_on.append(model.rowCount()))
    assert model.rowCount() == 4 and went_on == []  # nothing read on the GUI thread yet
    model.fetchMore(QModelIndex())  # a page scrolled into view meanwhile
    held.run()
    assert went_on == [30]
    assert [model.contact_id(row) for row in range(30)] == ids  # each once, in order
    assert not model.canFetchMore(QModelIndex())
    model.fetch_all(then=lambda: went_on.append(-1))  # all in already: at once
    assert went_on == [30, -1]


def test_loading_every_contact_is_dropped_when_the_query_changes(
    database: Database,
    contact_factory: ContactFactory,
    held: HeldRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n in range(12):
        contact_factory(name=f"Person {n:02d}")
    monkeypatch.setattr(ContactTableModel, "PAGE_SIZE", 4)
    model = ContactTableModel(database, runner=held)
    held.run()
    went_on: list[int] = []
    model.fetch_all(then=lambda: went_on.append(model.rowCount()))
    model.set_query(ContactQuery(descending=True))  # answered at once, on the GUI thread
    held.run()
    assert went_on == []
    names = [model.index(r, Column.NAME).data() for r in range(model.rowCount())]
    assert names == ["Person 11", "Person 10", "Person 09", "Person 08"]
    assert model.canFetchMore(QModelIndex())


def test_sorting_the_same_matches_another_way_counts_them_once(
    database: Database,
    contact_factory: ContactFactory,
    held: HeldRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n in range(12):
        contact_factory(name=f"Person {n:02d}", company="Acme" if n % 3 else "Bakery")
    monkeypatch.setattr(ContactTableModel, "PAGE_SIZE", 4)
    model = ContactTableModel(database, runner=held)
    assert len(held.held) == 1  # the first count
    held.run()
    assert model.total == 12
    totals: list[int] = []
    model.total_changed.connect(totals.append)

    model.sort(Column.COMPANY, Qt.SortOrder.DescendingOrder)
    assert held.held == [] and totals == [12]  # no new count, the total said again
    model.set_query(dataclasses.replace(model.query, text="acme"))
    assert len(held.held) == 1  # other matches: counted again
    held.run()
    assert totals[-1] == 8
    model.sort(Column.NAME, Qt.SortOrder.AscendingOrder)
    assert held.held == [] and totals[-1] == 8

    contact_factory(name="Person 99", company="Acme")
    model.reload(keep_loaded=True)  # after a change: the same query is counted again
    held.run()
    assert len(held.held) == 1
    held.run()
    assert totals[-1] == 9
