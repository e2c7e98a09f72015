"""The timeline model and section: month headers, lazy pages, edit, delete and undo."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from db import contacts, feedback, touches
from db.domain import Medium
from db.engine import Database
from db.feedback import FeedbackInput, Level, record_feedback
from db.models import Contact
from db.timeline import EntryKind
from db.touches import TouchInput
from desktop_app.contacts.page import ContactsPage
from desktop_app.contacts.table_model import Column
from desktop_app.ops import OpsBus
from desktop_app.touches.dialog import TOUCH_CHANGES, TouchDialog
from desktop_app.touches.sections import TimelineSection, TouchStatsSection
from desktop_app.touches.timeline_model import IS_HEADER_ROLE, TimelineModel
from tests.conftest import ContactFactory

START = datetime(2025, 1, 3, 10, 0, tzinfo=UTC)


def add_touches(database: Database, cid: int, count: int, *, every: int = 5) -> list[int]:
    return [
        touches.log_touch(
            database,
            TouchInput(
                cid, list(Medium)[n % 6], START + timedelta(days=every * n), summary=f"T{n}"
            ),
            now=START + timedelta(days=every * count),
        )
        for n in range(count)
    ]


def test_model_pages_lazily_with_month_headers(
    qtmodeltester: ModelTester,
    database: Database,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cid = contact_factory(name="Ada")
    add_touches(database, cid, 120)
    monkeypatch.setattr(TimelineModel, "PAGE_SIZE", 25)
    model = TimelineModel(database)
    model.set_contact(cid)

    assert model.entry_count() == 25
    assert model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)  # (it fetches a page or two itself)
    first_header = model.index(0, 0)
    assert first_header.data(IS_HEADER_ROLE)
    assert not model.flags(first_header) & Qt.ItemFlag.ItemIsSelectable
    # The contact's "Added" entry (wall-clock today) comes first, then the newest touch.
    newest = [model.entry(r) for r in range(model.rowCount()) if model.entry(r)]
    touches_shown = [e for e in newest if e is not None and e.kind == EntryKind.TOUCH]
    assert touches_shown[0].title == "T119"

    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    qtmodeltester.check(model)

    assert model.entry_count() == 121  # 120 touches and the "Added" stage entry
    headers = [
        model.index(r, 0).data()
        for r in range(model.rowCount())
        if model.index(r, 0).data(IS_HEADER_ROLE)
    ]
    assert len(headers) == len(set(headers)), " | ".join(
        headers
    )  # one header per month, even across pages
    assert headers[-1] == "January 2025"
    titles = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert titles[-1] == "T0"
    assert titles[titles.index("January 2025") + 1] == "T5"  # 3, 8, ... 28 January


def test_empty_model_for_no_contact(qtmodeltester: ModelTester, database: Database) -> None:
    model = TimelineModel(database)
    model.set_contact(None)
    qtmodeltester.check(model)
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())


@pytest.fixture
def section(qtbot: QtBot, ops: OpsBus) -> TimelineSection:
    section = TimelineSection(ops)
    qtbot.addWidget(section)
    section.resize(400, 600)
    section.show()
    return section


def select_touch(section: TimelineSection, touch_id: int) -> None:
    row = section.model.row_of_touch(touch_id)
    assert row is not None
    section.list.setCurrentIndex(section.model.index(row, 0))


def test_delete_from_the_timeline_can_be_undone(
    qtbot: QtBot,
    section: TimelineSection,
    database: Database,
    contact_factory: ContactFactory,
) -> None:
    cid = contact_factory(name="Ada")
    ids = add_touches(database, cid, 3)
    section.show_contact(contacts.get_contact(database, cid))
    select_touch(section, ids[-1])

    qtbot.keyClick(section.list, Qt.Key.Key_Delete)

    assert section.model.row_of_touch(ids[-1]) is None
    assert section.undo_bar.isVisible()
    assert "Phone touch of 13 Jan 2025 deleted." in section.undo_bar.message.text()
    with database.reading() as session:
        assert session.get(Contact, cid).last_touch_at == START + timedelta(days=5)  # type: ignore[union-attr]

    section.undo_bar.undo_button.click()

    assert not section.undo_bar.isVisible()
    assert section.model.row_of_touch(ids[-1]) is not None
    with database.reading() as session:
        contact = session.get(Contact, cid)
        assert contact is not None
        assert (contact.last_touch_at, contact.last_touch_medium) == (
            START + timedelta(days=10),
            "phone",
        )


def test_a_stage_change_can_be_neither_edited_nor_deleted(
    section: TimelineSection, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ada")
    section.show_contact(contacts.get_contact(database, cid))
    stage_row = next(
        r for r in range(section.model.rowCount()) if section.model.entry(r) is not None
    )
    section.list.setCurrentIndex(section.model.index(stage_row, 0))
    assert section.selected_touch_id() is None
    assert not section.edit_action.isEnabled() and not section.delete_action.isEnabled()
    section.delete_selected()
    assert not section.undo_bar.isVisible()


def test_a_feedback_form_is_deleted_from_the_timeline_with_undo(
    qtbot: QtBot,
    section: TimelineSection,
    database: Database,
    contact_factory: ContactFactory,
) -> None:
    cid = contact_factory(name="Ada")
    ids = add_touches(database, cid, 1)
    form = FeedbackInput(received_on=date(2025, 2, 1), answers=(("How was it?", 1),))
    form_id = record_feedback(database, cid, form, now=START, today=date(2025, 2, 2))
    section.show_contact(contacts.get_contact(database, cid))

    def row_of_form() -> int | None:
        for row in range(section.model.rowCount()):
            entry = section.model.entry(row)
            if entry is not None and entry.kind == EntryKind.FEEDBACK and entry.id == form_id:
                return row
        return None

    row = row_of_form()
    assert row is not None
    section.list.setCurrentIndex(section.model.index(row, 0))
    assert section.delete_action.text() == "Delete feedback"
    assert section.delete_action.isEnabled() and not section.edit_action.isEnabled()

    qtbot.keyClick(section.list, Qt.Key.Key_Delete)

    assert row_of_form() is None
    assert "Feedback of 1 Feb 2025 deleted." in section.undo_bar.message.text()
    assert feedback.satisfaction(database, cid).level is None

    section.undo_bar.undo_button.click()

    assert row_of_form() is not None
    assert feedback.satisfaction(database, cid).level is Level.DISSATISFIED
    select_touch(section, ids[0])
    assert section.delete_action.text() == "Delete touch" and section.edit_action.isEnabled()


def test_edit_from_the_timeline_opens_the_dialog_on_that_touch(
    section: TimelineSection,
    database: Database,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cid = contact_factory(name="Ada")
    ids = add_touches(database, cid, 2)
    section.show_contact(contacts.get_contact(database, cid))
    asked: list[int] = []

    def edit(cls: type[TouchDialog], ops: OpsBus, parent: object, touch_id: int) -> bool:
        asked.append(touch_id)
        return True

    monkeypatch.setattr(TouchDialog, "edit", classmethod(edit))
    select_touch(section, ids[0])
    section.edit_selected()
    assert asked == [ids[0]]


def test_a_touch_logged_elsewhere_shows_at_once_in_the_page(
    page: ContactsPage, ops: OpsBus, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ada")
    page.model.reload()
    page.select_contact(cid)
    timeline = page.detail.findChild(TimelineSection)
    stats = page.detail.findChild(TouchStatsSection)
    assert timeline is not None and stats is not None
    assert stats.last.text() == "No touches yet."
    at = datetime.now(UTC) - timedelta(days=3)

    ops.run(
        lambda db: touches.log_touch(db, TouchInput(cid, Medium.GIFT, at, summary="Flowers")),
        TOUCH_CHANGES,
    )

    titles = [timeline.model.index(r, 0).data() for r in range(timeline.model.rowCount())]
    assert "Flowers" in titles
    assert "Gift" in stats.last.text() and "3 days ago" in stats.last.text()
    assert stats.medium_labels[Medium.GIFT].text() == "1"
    row = page.model.row_of(cid)
    assert row is not None
    assert page.model.index(row, Column.DAYS_SINCE).data() == "3"
    assert page.selected_ids() == [cid]


def test_one_click_on_days_since_shows_who_was_not_spoken_to_longest(
    qtbot: QtBot, page: ContactsPage, ops: OpsBus, contact_factory: ContactFactory
) -> None:
    now = datetime.now(UTC)
    ages: dict[str, int | None] = {"Recent": 2, "Never": None, "Long ago": 200, "Month": 30}
    for name, age in ages.items():
        cid = contact_factory(name=name)
        if age is not None:
            data = TouchInput(cid, Medium.MAIL, now - timedelta(days=age))
            ops.run(lambda db, d=data: touches.log_touch(db, d), TOUCH_CHANGES)  # type: ignore[misc]
    page.columns.set_visible(Column.DAYS_SINCE, True)  # From the header's column chooser.
    header = page.table.horizontalHeader()
    page.table.scrollTo(page.model.index(0, Column.DAYS_SINCE))
    x = header.sectionViewportPosition(Column.DAYS_SINCE) + 10

    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))

    shown = [page.model.index(r, Column.NAME).data() for r in range(page.model.rowCount())]
    days = [page.model.index(r, Column.DAYS_SINCE).data() for r in range(page.model.rowCount())]
    assert shown == ["Never", "Long ago", "Month", "Recent"]
    assert days == ["", "200", "30", "2"]
