"""Journey filters, the qualification column, and moving stages from the contacts page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from db import journeys
from db.contacts import ContactInput, ContactQuery, create_contact, get_contact
from db.domain import Qualification
from db.engine import Database
from desktop_app.contacts import page as page_module
from desktop_app.contacts.editor import ContactDialog
from desktop_app.contacts.filters import FilterBar
from desktop_app.contacts.page import ContactsPage
from desktop_app.contacts.table_model import Column, ContactTableModel
from desktop_app.journeys.prompts import BackwardReasonDialog
from desktop_app.journeys.section import StageSection
from desktop_app.main_window import MainWindow
from desktop_app.ops import Changes, OpsBus

ADDED = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _stages(database: Database) -> list[journeys.StageInfo]:
    with database.reading() as session:
        return journeys.active_stages(session)


def _add(database: Database, name: str, stage: int = 0, **fields: object) -> int:
    stage_id = _stages(database)[stage].id
    data = ContactInput(name=name, stage_id=stage_id, **fields)  # type: ignore[arg-type]
    return create_contact(database, data, now=ADDED)


def _names(page: ContactsPage) -> list[str]:
    model = page.model
    return [model.index(r, Column.NAME).data() for r in range(model.rowCount())]


def _menu_action(menu: QMenu, *path: str) -> object:
    for text in path[:-1]:
        found = next(a for a in menu.actions() if a.text() == text).menu()
        assert isinstance(found, QMenu)
        menu = found
    return next(a for a in menu.actions() if a.text() == path[-1])


@pytest.fixture
def people(database: Database) -> dict[str, int]:
    centre = _add(database, "Centre", 0, centre_of_influence=True)
    return {
        "centre": centre,
        "referred": _add(database, "Referred", 0, referred_by_id=centre),
        "prospect": _add(database, "Prospect", 1, has_need=True, has_budget=True, has_urgency=True),
        "loyal": _add(
            database,
            "Loyal",
            3,
            has_need=True,
            has_budget=True,
            has_urgency=True,
            is_decision_maker=True,
        ),
    }


def test_filters_from_the_menu_show_as_chips_and_narrow_the_list(
    page: ContactsPage, people: dict[str, int]
) -> None:
    page.model.reload()
    bar = page.filters
    bar._fill_menu()

    _menu_action(bar.menu, "Stage", "Prospect").trigger()  # type: ignore[attr-defined]
    assert _names(page) == ["Prospect"]
    assert [c.text() for c in bar.chip_buttons] == ["Stage: Prospect  ✕"]
    assert page.count_label.text() == "1 contact matches"

    bar.clear()
    bar._fill_menu()
    _menu_action(bar.menu, "Qualification", "Qualified prospect").trigger()  # type: ignore[attr-defined]
    assert _names(page) == ["Loyal"]
    bar._fill_menu()
    _menu_action(bar.menu, "Centre of influence").trigger()  # type: ignore[attr-defined]
    assert _names(page) == []
    assert page.empty_hint.text() == "No contact matches these filters."
    assert bar.button.text() == "Filter (2)"

    # Removing a chip removes its filter.
    bar.chip_buttons[0].click()
    assert _names(page) == ["Centre"]
    bar.chip_buttons[0].click()
    assert _names(page) == ["Centre", "Loyal", "Prospect", "Referred"]
    assert bar.chip_buttons == [] and bar.button.text() == "Filter"


def test_referred_filter(page: ContactsPage, people: dict[str, int]) -> None:
    page.filters.change(referred=True)
    assert _names(page) == ["Referred"]


def test_stuck_and_at_risk_filters_use_the_querys_today(
    database: Database, people: dict[str, int]
) -> None:
    model = ContactTableModel(database)
    query = model.query
    # Prospect is stuck after 45 days (16 April); Loyal is at risk after 12 (15 March).
    model.set_query(replace(query, stuck=True, today=date(2026, 4, 16)))
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Prospect"]
    model.set_query(replace(query, at_risk=True, today=date(2026, 3, 15)))
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Loyal"]
    model.set_query(replace(query, at_risk=True, today=date(2026, 3, 14)))
    assert model.rowCount() == 0


def test_a_filtered_stage_that_goes_away_is_dropped(
    page: ContactsPage, people: dict[str, int], database: Database
) -> None:
    prospect = _stages(database)[1]
    page.filters.change(stage_id=prospect.id, stage_label=prospect.label)
    assert _names(page) == ["Prospect"]
    mapping = journeys.suggest_mapping(
        database, [s.id for s in _stages(database)], "customer_lifecycle"
    )

    page.ops.run(
        lambda db: journeys.activate_model(db, "customer_lifecycle", mapping),
        Changes(settings=True, stages=True),
    )

    assert not page.filters.active()
    assert len(_names(page)) == 4


def test_qualification_column(
    page: ContactsPage, people: dict[str, int], qtmodeltester: object
) -> None:
    page.model.reload()
    model = page.model
    header = model.headerData(Column.QUALIFICATION, Qt.Orientation.Horizontal)
    assert header == "Qualification"
    shown = {
        model.index(r, Column.NAME).data(): model.index(r, Column.QUALIFICATION).data()
        for r in range(model.rowCount())
    }
    assert shown == {
        "Centre": "Suspect",
        "Loyal": "Qualified prospect",
        "Prospect": "Prospect",
        "Referred": "Suspect",
    }
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_context_menu_moves_every_selected_contact(
    page: ContactsPage, database: Database, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = _add(database, "Ada", 2)
    b = _add(database, "Ben", 0)
    page.model.reload()
    page.table.selectAll()
    menus: list[QMenu] = []

    class RecordingMenu(QMenu):
        def exec(self, *_args: object) -> None:  # type: ignore[override]
            menus.append(self)

    monkeypatch.setattr(page_module, "QMenu", RecordingMenu)
    asked: list[str] = []

    def reason(cls: object, parent: object, what: str, to_label: str) -> str:
        asked.append(f"{what} -> {to_label}")
        return "Restarting"

    monkeypatch.setattr(BackwardReasonDialog, "ask", classmethod(reason))
    page._on_context_menu(page.table.visualRect(page.model.index(0, 0)).center())

    _menu_action(menus[0], "Move to stage", "Prospect").trigger()  # type: ignore[attr-defined]

    prospect = _stages(database)[1].id
    assert get_contact(database, a).stage_id == prospect
    assert get_contact(database, b).stage_id == prospect
    assert asked == ["2 contacts -> Prospect"]  # Ada moves back from Customer
    assert page.selected_ids() == [a, b]


def test_detail_section_changes_the_stage(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = window.database
    ada = _add(database, "Ada", 2)
    window.ops.announce(Changes(contacts=True))
    window.contacts_page.select_contact(ada)
    section = window.contacts_page.detail.findChild(StageSection)
    assert isinstance(section, StageSection)
    assert section.isVisible()
    assert section.stage_box.currentText() == "Customer"
    assert section.description.text().startswith("A customer has bought from you.")
    assert "days in this stage (stuck after 90)" in section.days.text()

    monkeypatch.setattr(BackwardReasonDialog, "ask", classmethod(lambda cls, *a: None))
    section.stage_box.setCurrentIndex(0)
    section.stage_box.activated.emit(0)
    assert get_contact(database, ada).stage_id == _stages(database)[2].id
    assert section.stage_box.currentText() == "Customer"  # cancelled: unchanged

    section.stage_box.setCurrentIndex(3)
    section.stage_box.activated.emit(3)
    assert get_contact(database, ada).stage_id == _stages(database)[3].id
    assert window.contacts_page.detail.contact is not None
    assert window.contacts_page.detail.contact.stage_label == "Loyal customer"
    assert section.stage_box.currentText() == "Loyal customer"


def test_filter_bar_fills_in_the_query(qtbot: QtBot, ops: OpsBus) -> None:
    bar = FilterBar(ops)
    qtbot.addWidget(bar)
    with qtbot.waitSignal(bar.changed):
        bar.change(qualification=Qualification.PROSPECT)
    assert bar.filters.chips() == [("qualification", "Prospect")]
    assert bar.apply(ContactQuery()).qualification == "prospect"


def test_editing_a_contact_back_a_stage_asks_why(
    page: ContactsPage, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = _add(database, "Ada", 2)
    suspect = _stages(database)[0]
    edited = replace(get_contact(database, ada), stage_id=suspect.id)
    data = ContactInput(**{f: getattr(edited, f) for f in ContactInput.__dataclass_fields__})
    monkeypatch.setattr(ContactDialog, "ask", classmethod(lambda cls, *a: data))

    monkeypatch.setattr(BackwardReasonDialog, "ask", classmethod(lambda cls, *a: None))
    page.edit_contact(ada)
    assert get_contact(database, ada).stage_label == "Customer"

    monkeypatch.setattr(BackwardReasonDialog, "ask", classmethod(lambda cls, *a: "Budget cut"))
    page.edit_contact(ada)
    assert get_contact(database, ada).stage_label == "Suspect"


def test_a_stage_that_contradicts_the_facts_is_flagged_and_fixed_in_one_click(
    window: MainWindow, database: Database
) -> None:
    ada = _add(database, "Ada", 2)  # at Customer, but nothing was ever bought
    ben = _add(database, "Ben", 0)
    window.ops.announce(Changes(contacts=True))
    window.contacts_page.select_contact(ada)
    section = window.contacts_page.detail.findChild(StageSection)
    assert isinstance(section, StageSection)
    assert section.conflict_box.isVisible()
    assert "No purchase yet" in section.conflict_text.text()
    assert section.fix_button.text() == "Move to Suspect"

    # The contacts filter finds exactly the contacts the pane flags.
    page = window.contacts_page
    page.filters.change(contradicts=True)
    assert _names(page) == ["Ada"]
    assert page.filters.filters.chips() == [("contradicts", "Stage does not fit the facts")]

    page.select_contact(ada)
    assert section.conflict_box.isVisible()
    section.fix_button.click()
    assert get_contact(database, ada).stage_label == "Suspect"
    assert _names(page) == []
    page.filters.clear()
    window.contacts_page.select_contact(ada)
    assert not section.conflict_box.isVisible()
    window.contacts_page.select_contact(ben)
    assert not section.conflict_box.isVisible()


def test_fix_all_moves_every_contact_the_contradiction_filter_lists(
    window: MainWindow, database: Database
) -> None:
    ids = [_add(database, "Ada", 2), _add(database, "Bo", 3), _add(database, "Cy", 0)]
    window.ops.announce(Changes(contacts=True))
    page = window.contacts_page
    assert page.filters.fix_all_button.isHidden()
    page.filters.change(contradicts=True)
    assert _names(page) == ["Ada", "Bo"]
    assert not page.filters.fix_all_button.isHidden()
    page.filters.fix_all_button.click()
    assert _names(page) == []
    assert {get_contact(database, i).stage_label for i in ids} == {"Suspect"}
    page.filters.clear()
    assert page.filters.fix_all_button.isHidden()
    assert _names(page) == ["Ada", "Bo", "Cy"]
