"""The detail pane's feature sections: placed by their order, told which contact is shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from db import followups
from db.clock import local_today
from db.contacts import ContactDetail, get_contact
from db.engine import Database
from desktop_app.contacts.detail import DetailPane
from desktop_app.contacts.page import ContactsPage
from desktop_app.main_window import MainWindow
from desktop_app.sales.section import SalesSection
from desktop_app.tasks import ImmediateRunner
from desktop_app.touches.sections import TimelineSection
from tests.conftest import ContactFactory


class _Section(QLabel):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.shown: list[str | None] = []

    def show_contact(self, contact: ContactDetail | None) -> None:
        self.shown.append(None if contact is None else contact.name)


@pytest.fixture
def pane(qtbot: QtBot) -> DetailPane:
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.show()
    return pane


def _positions(pane: DetailPane, sections: tuple[QWidget, ...]) -> list[int]:
    """Where each section stands in the Details tab (-1: not there)."""
    body = pane.details.widget()
    assert body is not None
    layout = body.layout()
    assert layout is not None
    return [layout.indexOf(s) for s in sections]


def test_sections_stand_by_order_and_follow_the_contact(
    pane: DetailPane, database: Database, contact_factory: ContactFactory
) -> None:
    notes, stage, sales = _Section("notes"), _Section("stage"), _Section("sales")
    pane.add_section(notes, order=90)
    pane.add_section(stage, order=10)
    pane.add_section(sales, order=40)

    positions = _positions(pane, (stage, sales, notes))
    assert positions == sorted(positions)
    # Journey, follow-ups and the other sections first; the contact's facts after them.
    assert _positions(pane, (pane.info,))[0] > positions[-1]

    ada = get_contact(database, contact_factory(name="Ada"))
    pane.show_contact(ada)
    assert stage.isVisible() and pane.name.text() == "Ada"
    pane.show_contact(None)
    assert stage.shown == [None, "Ada", None]
    assert not stage.isVisible() and pane.empty.isVisible()


def test_a_section_on_a_tab_of_its_own_and_the_tab_stays_chosen(
    pane: DetailPane, database: Database, contact_factory: ContactFactory
) -> None:
    history, stage = _Section("history"), _Section("stage")
    pane.add_section(history, order=90, tab=pane.TIMELINE)
    pane.add_section(stage, order=10)
    assert [pane.tabs.tabText(i) for i in range(pane.tabs.count())] == ["Details", "Timeline"]
    assert _positions(pane, (history,)) == [-1]

    ada = get_contact(database, contact_factory(name="Ada"))
    bob = get_contact(database, contact_factory(name="Bob"))
    pane.show_contact(ada)
    assert stage.isVisible() and not history.isVisible()
    pane.show_tab(pane.TIMELINE)
    assert history.isVisible() and not stage.isVisible()
    pane.show_contact(bob)
    assert history.isVisible(), "the Timeline tab stays chosen for the next contact"
    assert history.shown == [None, "Ada", "Bob"]


def test_a_section_given_as_a_factory_is_built_when_a_contact_is_shown(
    pane: DetailPane, database: Database, contact_factory: ContactFactory
) -> None:
    built: list[_Section] = []

    def later(name: str) -> _Section:
        built.append(_Section(name))
        return built[-1]

    notes, sales = _Section("notes"), _Section("sales")
    pane.add_section(notes, order=90)
    pane.add_section(lambda: later("stage"), order=10)
    pane.add_section(sales, order=40)
    pane.add_section(lambda: later("history"), order=90, tab=pane.TIMELINE)
    pane.show_contact(None)
    assert built == [] and pane.waiting_sections() == 2
    assert [pane.tabs.tabText(i) for i in range(pane.tabs.count())] == ["Details"]

    ada = get_contact(database, contact_factory(name="Ada"))
    pane.show_contact(ada)
    stage, history = built
    assert pane.waiting_sections() == 0
    positions = _positions(pane, (stage, sales, notes))
    assert positions == sorted(positions) and -1 not in positions
    assert [pane.tabs.tabText(i) for i in range(pane.tabs.count())] == ["Details", "Timeline"]
    assert stage.shown == [None, "Ada"] and history.shown == [None, "Ada"]
    assert stage.isVisible()


def test_waiting_sections_can_be_built_one_at_a_time(qtbot: QtBot) -> None:
    pane = DetailPane()
    qtbot.addWidget(pane)
    built: list[str] = []

    def later(name: str) -> _Section:
        built.append(name)
        return _Section(name)

    for name in ("a", "b", "c"):
        pane.add_section(lambda n=name: later(n))  # type: ignore[misc]
    assert pane.build_next_section()
    assert built == ["a"] and pane.waiting_sections() == 2
    pane.build_sections()
    assert built == ["a", "b", "c"] and pane.waiting_sections() == 0
    assert not pane.build_next_section()


def test_the_window_builds_the_detail_sections_after_it_shows(
    qtbot: QtBot, welcomed: Database
) -> None:
    window = MainWindow(welcomed, ImmediateRunner())
    qtbot.addWidget(window)
    waiting = window.contacts_page.detail.waiting_sections()
    assert waiting == 5, "the stage, follow-ups, touches, sales and timeline sections wait"
    window.show()
    # Built a step at a time once the window is up, without a contact being selected.
    assert window.contacts_page.detail.waiting_sections() == waiting
    qtbot.waitUntil(lambda: window.contacts_page.detail.waiting_sections() == waiting - 1)
    qtbot.waitUntil(lambda: window.contacts_page.detail.waiting_sections() == 0)
    detail = window.contacts_page.detail
    assert detail.findChild(TimelineSection) is not None
    assert detail.findChild(SalesSection) is window.sales_section


def test_the_sales_section_is_built_when_asked_for(welcomed: Database, qtbot: QtBot) -> None:
    window = MainWindow(welcomed, ImmediateRunner())
    qtbot.addWidget(window)
    assert window.contacts_page.detail.waiting_sections() > 0, "nothing built before shown"
    section = window.sales_section
    assert isinstance(section, SalesSection)
    assert window.contacts_page.detail.findChild(SalesSection) is section


def test_the_status_line_ranks_stage_then_overdue_then_the_rest(
    page: ContactsPage, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ada Byron", has_need=True, has_budget=True)
    past = local_today() - timedelta(days=4)
    followups.add_followup(database, cid, past, "Call back", today=past)
    page.model.reload()
    page.select_contact(cid)
    texts = page.detail.status.texts()
    assert page.detail.contact is not None
    assert texts[0] == page.detail.contact.stage_label
    assert texts[1] == "Overdue 4 days"
    assert texts[2] == "Prospective"
    assert texts[-1] == "Suspect"
    tips = [chip.toolTip() for chip in page.detail.status.chips]
    assert all(tips)
    assert "2 of 4 criteria (need, budget)" in tips[-1]
    assert "was due on" in tips[1]
