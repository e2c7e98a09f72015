"""The detail pane's feature sections: placed by their order, told which contact is shown."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from db.contacts import ContactDetail, get_contact
from db.engine import Database
from desktop_app.contacts.detail import DetailPane
from tests.conftest import ContactFactory


class _Section(QLabel):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.shown: list[str | None] = []

    def show_contact(self, contact: ContactDetail | None) -> None:
        self.shown.append(None if contact is None else contact.name)


def test_sections_stand_by_order_and_follow_the_contact(
    qtbot: QtBot, database: Database, contact_factory: ContactFactory
) -> None:
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.show()
    notes, stage, sales = _Section("notes"), _Section("stage"), _Section("sales")
    pane.add_section(notes, order=90)
    pane.add_section(stage, order=10)
    pane.add_section(sales, order=40)

    body = pane.details.widget()
    assert body is not None
    layout = body.layout()
    assert layout is not None
    positions = [layout.indexOf(s) for s in (stage, sales, notes)]
    assert positions == sorted(positions)
    assert layout.indexOf(pane.info) < positions[0]

    ada = get_contact(database, contact_factory(name="Ada"))
    pane.show_contact(ada)
    assert stage.isVisible() and pane.name.text() == "Ada"
    pane.show_contact(None)
    assert stage.shown == [None, "Ada", None]
    assert not stage.isVisible() and pane.empty.isVisible()


def test_a_section_on_a_tab_of_its_own_and_the_tab_stays_chosen(
    qtbot: QtBot, database: Database, contact_factory: ContactFactory
) -> None:
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.show()
    history, stage = _Section("history"), _Section("stage")
    pane.add_section(history, order=90, tab=pane.TIMELINE)
    pane.add_section(stage, order=10)
    assert [pane.tabs.tabText(i) for i in range(pane.tabs.count())] == ["Details", "Timeline"]
    assert pane.details.widget().layout().indexOf(history) == -1  # type: ignore[union-attr]

    ada = get_contact(database, contact_factory(name="Ada"))
    bob = get_contact(database, contact_factory(name="Bob"))
    pane.show_contact(ada)
    assert stage.isVisible() and not history.isVisible()
    pane.show_tab(pane.TIMELINE)
    assert history.isVisible() and not stage.isVisible()
    pane.show_contact(bob)
    assert history.isVisible(), "the Timeline tab stays chosen for the next contact"
    assert history.shown == [None, "Ada", "Bob"]
