"""The log-touch dialog driven by the keyboard, as a person in a hurry would use it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db import contacts, touches
from db.domain import Direction, Medium
from db.engine import Database
from db.models import Followup, Touch
from db.touches import TouchInput
from desktop_app.contacts.page import ContactsPage
from desktop_app.contacts.table_model import Column, format_date
from desktop_app.main_window import PLACE_TRASH, MainWindow
from desktop_app.ops import OpsBus
from desktop_app.touches.dialog import TouchDialog
from desktop_app.touches.sections import TouchStatsSection
from tests.conftest import ContactFactory


def stored_touches(database: Database) -> list[Touch]:
    with database.reading() as session:
        return list(session.scalars(select(Touch).order_by(Touch.id)))


@pytest.fixture
def opened(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> list[TouchDialog]:
    """Dialogs opened through ``TouchDialog.ask``, shown without blocking."""
    dialogs: list[TouchDialog] = []

    def ask(
        cls: type[TouchDialog],
        ops: OpsBus,
        parent: QWidget | None = None,
        contact_id: int | None = None,
    ) -> int | None:
        dialog = cls(ops, parent, contact_id)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.activateWindow()
        dialogs.append(dialog)
        return None

    monkeypatch.setattr(TouchDialog, "ask", classmethod(ask))
    return dialogs


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def test_ctrl_l_then_a_name_a_number_and_enter_logs_a_touch(
    qtbot: QtBot,
    window: MainWindow,
    database: Database,
    contact_factory: ContactFactory,
    opened: list[TouchDialog],
) -> None:
    contact_factory(name="Bob Byron", company="Poets")
    ada = contact_factory(name="Ada Lovelace", company="Engines")
    window.contacts_page.model.reload()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    qtbot.keyClick(window.contacts_page.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    assert len(opened) == 1
    dialog = opened[0]
    qtbot.waitUntil(lambda: focused() is dialog.picker)
    qtbot.keyClicks(focused(), "ada")
    qtbot.keyClick(focused(), Qt.Key.Key_3)  # Phone: the third medium
    assert focused() is dialog.summary
    qtbot.keyClick(focused(), Qt.Key.Key_Return)

    assert not dialog.isVisible()
    [touch] = stored_touches(database)
    assert (touch.contact_id, touch.medium, touch.direction) == (ada, "phone", "outbound")
    assert touch.summary == ""
    # The contacts table shows it at once.
    model = window.contacts_page.model
    row = model.row_of(ada)
    assert row is not None
    assert model.index(row, Column.LAST_TOUCH).data() == format_date(touch.occurred_at)
    assert model.index(row, Column.DAYS_SINCE).data() == "0"


def test_number_keys_pick_the_six_mediums_in_order(
    qtbot: QtBot, ops: OpsBus, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ada")
    dialog = TouchDialog(ops, None, cid)
    qtbot.addWidget(dialog)
    dialog.show()
    for number, medium in enumerate(Medium, start=1):
        dialog.mediums.buttons[Medium.GIFT].setFocus()
        qtbot.keyClick(dialog.mediums.buttons[Medium.GIFT], Qt.Key.Key_0 + number)
        assert dialog.mediums.medium() == medium
    assert dialog.mediums.buttons[Medium.PHONE].text().endswith("3")


def test_ctrl_l_with_a_contact_selected_logs_for_that_contact(
    qtbot: QtBot,
    window: MainWindow,
    database: Database,
    contact_factory: ContactFactory,
    opened: list[TouchDialog],
) -> None:
    ada = contact_factory(name="Ada Lovelace")
    window.contacts_page.model.reload()
    window.contacts_page.select_contact(ada)

    window.log_touch_action.trigger()

    dialog = opened[0]
    assert dialog.picker.contact_id == ada
    assert dialog.picker.text() == "Ada Lovelace — Harbour Bakery"
    dialog.mediums.set_medium(Medium.VIDEO)
    dialog.inbound.setChecked(True)
    dialog.save_button.click()
    [touch] = stored_touches(database)
    assert (touch.contact_id, touch.medium, touch.direction) == (ada, "video", "inbound")


def test_digits_stay_digits_while_searching_by_phone(
    qtbot: QtBot, ops: OpsBus, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Ada")
    dialog = TouchDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.picker, "555 3")
    assert dialog.picker.text() == "555 3"
    assert dialog.mediums.medium() is None


def test_missing_answers_are_shown_beside_their_fields(
    qtbot: QtBot, ops: OpsBus, database: Database, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Ada")
    dialog = TouchDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()

    dialog.save_button.click()

    assert dialog.isVisible()
    assert dialog.contact_error.text() == "Choose who the touch was with."
    assert dialog.medium_error.text().startswith("Choose how")
    assert stored_touches(database) == []

    dialog.set_occurred_at(datetime.now(UTC) + timedelta(days=5))
    dialog.summary.setText("x" * 301)
    dialog.save_button.click()
    assert "a day ahead" in dialog.when_error.text()
    assert "300" in dialog.summary_error.text()


def test_follow_up_in_n_days_sets_a_follow_up(
    qtbot: QtBot, ops: OpsBus, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ada")
    dialog = TouchDialog(ops, None, cid)
    qtbot.addWidget(dialog)
    dialog.show()
    touched = datetime(2026, 3, 2, 10, 0).astimezone()
    dialog.set_occurred_at(touched)
    dialog.mediums.set_medium(Medium.EMAIL)
    dialog.follow_check.setChecked(True)
    dialog.follow_days.setValue(10)
    dialog.follow_reason.setText("Send the quote")
    dialog.save_button.click()

    with database.reading() as session:
        followup = session.scalars(select(Followup)).one()
    assert (followup.contact_id, followup.due_on, followup.reason) == (
        cid,
        date(2026, 3, 12),
        "Send the quote",
    )


def test_edit_mode_starts_filled_in_and_saves_changes(
    qtbot: QtBot, ops: OpsBus, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ada")
    at = datetime(2026, 2, 1, 9, 15, tzinfo=UTC)
    touch_id = touches.log_touch(
        database,
        TouchInput(cid, Medium.MAIL, at, Direction.INBOUND, "Letter", "Long", "Order"),
    )
    dialog = TouchDialog(ops, None, touch=touches.get_touch(database, touch_id))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.mediums.medium() == Medium.MAIL
    assert dialog.inbound.isChecked()
    assert dialog.occurred_at() == at
    assert (dialog.summary.text(), dialog.notes.toPlainText(), dialog.outcome.text()) == (
        "Letter",
        "Long",
        "Order",
    )
    assert not dialog.follow_check.isVisible()

    with qtbot.waitSignal(ops.changed):
        qtbot.keyClick(dialog.summary, Qt.Key.Key_End)
        qtbot.keyClicks(dialog.summary, " back")
        qtbot.keyClick(dialog.summary, Qt.Key.Key_Return)

    record = touches.get_touch(database, touch_id)
    assert record.summary == "Letter back"
    assert len(stored_touches(database)) == 1


def test_enter_in_the_picker_takes_the_best_match_and_asks_for_the_medium(
    qtbot: QtBot, ops: OpsBus, database: Database, contact_factory: ContactFactory
) -> None:
    ada = contact_factory(name="Ada Lovelace")
    dialog = TouchDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: focused() is dialog.picker)
    qtbot.keyClicks(dialog.picker, "lovel")
    qtbot.keyClick(dialog.picker, Qt.Key.Key_Return)

    assert dialog.isVisible()
    assert dialog.picker.contact_id == ada
    assert dialog.picker.text() == "Ada Lovelace — Harbour Bakery"
    assert focused() is dialog.mediums.buttons[Medium.IN_PERSON]
    assert stored_touches(database) == []


def test_log_touch_from_the_table_is_for_the_selected_contact(
    page: ContactsPage, contact_factory: ContactFactory, opened: list[TouchDialog]
) -> None:
    contact_factory(name="Bob")
    ada = contact_factory(name="Ada")
    page.model.reload()
    page.select_contact(ada)

    page._log_touch()

    assert opened[0].picker.contact_id == ada


def test_ctrl_l_in_the_trash_asks_who(
    window: MainWindow,
    database: Database,
    contact_factory: ContactFactory,
    opened: list[TouchDialog],
) -> None:
    gone = contact_factory(name="Gone")
    contacts.trash_contacts(database, [gone])
    window.show_place(PLACE_TRASH)
    window.contacts_page.table.selectRow(0)
    assert window.contacts_page.current_id() == gone

    window.log_touch_action.trigger()

    assert opened[0].picker.contact_id is None
    assert opened[0].picker.text() == ""


def test_the_detail_pane_button_logs_for_the_contact_shown(
    page: ContactsPage, contact_factory: ContactFactory, opened: list[TouchDialog]
) -> None:
    contact_factory(name="Bob")
    ada = contact_factory(name="Ada")
    page.model.reload()
    page.select_contact(ada)
    stats = page.detail.findChild(TouchStatsSection)
    assert stats is not None and stats.log_button.isEnabled()

    stats.log_button.click()

    assert [d.picker.contact_id for d in opened] == [ada]


def test_namesakes_are_listed_and_one_key_chooses_before_the_medium(
    qtbot: QtBot,
    window: MainWindow,
    database: Database,
    contact_factory: ContactFactory,
    opened: list[TouchDialog],
) -> None:
    first = contact_factory(name="Milena Novak", company="Harbour Bakery")
    second = contact_factory(name="Milena Ortiz", company="Ortiz Tiles")
    contact_factory(name="Bob Byron", company="Poets")
    window.contacts_page.model.reload()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    qtbot.keyClick(window.contacts_page.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    dialog = opened[0]
    qtbot.waitUntil(lambda: focused() is dialog.picker)
    qtbot.keyClicks(focused(), "milena")
    qtbot.waitUntil(dialog.namesakes.isVisible)
    listed = dialog.namesakes.text()
    assert "Milena Novak" in listed and "Harbour Bakery" in listed
    assert "Milena Ortiz" in listed and "Ortiz Tiles" in listed
    assert "Suspect" in listed  # Each with its stage.
    picked_before = dialog.picker.contact_id
    assert picked_before is None  # Nobody is picked for the owner.

    qtbot.keyClick(focused(), Qt.Key.Key_2)  # The second Milena ...
    picked = dialog.picker.contact_id
    assert picked == second
    assert not dialog.namesakes.isVisible()
    assert dialog.contact_info.isVisible()
    assert "Suspect" in dialog.contact_info.text()
    assert "follow-up" in dialog.contact_info.text().lower()
    qtbot.keyClick(focused(), Qt.Key.Key_3)  # ... by phone
    assert dialog.mediums.medium() is Medium.PHONE
    qtbot.keyClick(focused(), Qt.Key.Key_Return)

    [touch] = stored_touches(database)
    assert (touch.contact_id, touch.medium) == (second, Medium.PHONE.value)
    assert first != second


def test_enter_among_namesakes_asks_rather_than_guessing(
    qtbot: QtBot, ops: OpsBus, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Milena Novak")
    contact_factory(name="Milena Ortiz")
    dialog = TouchDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.picker, "milena")
    qtbot.keyClick(dialog.picker, Qt.Key.Key_Return)
    assert dialog.picker.contact_id is None
    assert "press 1 to 2" in dialog.namesakes.text()
    qtbot.keyClick(dialog.picker, Qt.Key.Key_5)  # Not a listed number: still nobody.
    assert dialog.picker.contact_id is None
