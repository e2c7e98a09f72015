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
    timeline, stage, sales = _Section("timeline"), _Section("stage"), _Section("sales")
    pane.add_section(timeline, order=90)
    pane.add_section(stage, order=10)
    pane.add_section(sales, order=40)

    body = pane.widget()
    assert body is not None
    layout = body.layout()
    assert layout is not None
    positions = [layout.indexOf(s) for s in (stage, sales, timeline)]
    assert positions == sorted(positions)
    assert layout.indexOf(pane.info) < positions[0]

    ada = get_contact(database, contact_factory(name="Ada"))
    pane.show_contact(ada)
    pane.show_contact(None)
    assert stage.shown == [None, "Ada", None]
    assert stage.isHidden()
