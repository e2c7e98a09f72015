"""The contacts page through its real widgets: add, edit, validate, delete, restore, search."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db import contacts, derived
from db.contacts import ContactInput, EmailData, KeyDateData, PhoneData
from db.engine import Database
from db.models import StageChange
from desktop_app.contacts import page as page_module
from desktop_app.contacts.editor import ContactDialog
from desktop_app.contacts.page import ContactsPage
from desktop_app.contacts.table_model import Column
from desktop_app.dialogs import Confirm
from desktop_app.ops import EVERYTHING, OpsBus
from tests.conftest import ContactFactory


def names_shown(page: ContactsPage) -> list[str]:
    model = page.model
    return [model.index(row, Column.NAME).data() for row in range(model.rowCount())]


def test_new_contact_appears_selected_with_its_details(
    page: ContactsPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = ContactInput(
        name="Mara Lindqvist",
        company="Nordic Knits",
        emails=(EmailData("mara@nordicknits.se", "work"),),
        tags=("wholesale",),
    )
    monkeypatch.setattr(ContactDialog, "ask", classmethod(lambda cls, *a, **k: data))

    page.new_button.click()

    assert names_shown(page) == ["Mara Lindqvist"]
    assert page.selected_ids() == [page.model.contact_id(0)]
    assert page.detail.name.text() == "Mara Lindqvist"
    assert "mara@nordicknits.se" in page.detail.info.text()
    assert page.count_label.text() == "1 contact"
    assert page.tag_filter.findData("wholesale") > 0


def test_dialog_shows_errors_beside_fields_and_saves_once_fixed(
    qtbot: QtBot, database: Database
) -> None:
    dialog = ContactDialog(database, [])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.emails.rows[0].value.setText("anna@")
    dialog.phones.rows[0].value.setText("call me")

    dialog.save_button.click()

    assert dialog.result() == 0 and dialog.isVisible()
    assert dialog.name_error.isVisible()
    assert dialog.name_error.text() == "A name is required."
    assert "does not look like an email" in dialog.emails.rows[0].error.text()
    assert "does not look like a phone" in dialog.phones.rows[0].error.text()

    qtbot.keyClicks(dialog.name, "Anna Berg")
    dialog.emails.rows[0].value.setText("anna@berg.no")
    dialog.phones.rows[0].value.setText("+47 22 33 44 55")
    dialog.save_button.click()

    assert not dialog.isVisible()
    assert dialog.result_input is not None
    assert dialog.result_input.name == "Anna Berg"
    assert not dialog.name_error.isVisible()


def test_dialog_empty_email_rows_are_ignored_and_rows_can_be_added(
    qtbot: QtBot, database: Database
) -> None:
    dialog = ContactDialog(database, [])
    qtbot.addWidget(dialog)
    dialog.name.setText("Kim")
    dialog.emails.add_button.click()
    dialog.emails.rows[1].value.setText("kim@example.org")
    dialog.save_button.click()
    assert dialog.result_input is not None
    saved = contacts.normalise(dialog.result_input)
    assert saved.emails == (EmailData("kim@example.org", "work"),)
    assert saved.phones == ()


def test_dialog_qualification_label_follows_checkboxes(qtbot: QtBot, database: Database) -> None:
    dialog = ContactDialog(database, [])
    qtbot.addWidget(dialog)
    assert "Suspect" in dialog.qualification_label.text()
    for box in (dialog.has_need, dialog.has_budget, dialog.has_urgency):
        box.setChecked(True)
    assert "Prospect" in dialog.qualification_label.text()
    dialog.is_decision_maker.setChecked(True)
    assert "Qualified prospect" in dialog.qualification_label.text()


def test_edit_changes_name_and_stage_and_records_the_move(
    page: ContactsPage,
    contact_factory: ContactFactory,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    contact_id = contact_factory(name="Old Name")
    page.model.reload()
    page.select_contact(contact_id)
    stages = page._stages()
    current = contacts.get_contact(database, contact_id)
    edited = ContactInput(
        name="New Name",
        company=current.company,
        emails=current.emails,
        phones=current.phones,
        stage_id=stages[1].id,
    )
    monkeypatch.setattr(ContactDialog, "ask", classmethod(lambda cls, *a, **k: edited))

    page.detail.edit_button.click()

    assert names_shown(page) == ["New Name"]
    assert page.detail.name.text() == "New Name"
    assert page.detail.contact is not None
    assert page.detail.contact.stage_label == stages[1].label
    with database.reading() as session:
        moves = session.scalars(
            select(StageChange).where(StageChange.contact_id == contact_id)
        ).all()
    assert [(m.to_stage_id, m.automatic) for m in moves] == [
        (stages[0].id, True),
        (stages[1].id, False),
    ]


def test_edit_dialog_is_filled_with_the_contact(
    qtbot: QtBot, database: Database, contact_factory: ContactFactory
) -> None:
    referrer = contact_factory(name="Rita Referrer")
    contact_id = contact_factory(
        name="Filled In",
        title="Chef",
        tags=("vip", "golf"),
        referred_by_id=referrer,
        has_need=True,
        notes="Likes sourdough",
    )
    detail = contacts.get_contact(database, contact_id)
    dialog = ContactDialog(database, [], detail)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Edit Filled In"
    assert dialog.title.text() == "Chef"
    assert dialog.tags.text() == "golf, vip"
    assert dialog.referred_by.contact_id == referrer
    assert dialog.has_need.isChecked()
    assert dialog.notes.toPlainText() == "Likes sourdough"
    assert dialog.form_input().referred_by_id == referrer


def test_delete_moves_to_trash_and_undo_brings_it_back(
    page: ContactsPage, contact_factory: ContactFactory
) -> None:
    keep = contact_factory(name="Keep Me")
    gone = contact_factory(name="Trash Me")
    page.model.reload()
    page.select_contact(gone)

    page.delete_action.trigger()

    assert names_shown(page) == ["Keep Me"]
    assert page.undo_bar.isVisible()
    assert page.undo_bar.message.text() == "1 contact moved to the trash."

    page.undo_bar.undo_button.click()

    assert names_shown(page) == ["Keep Me", "Trash Me"]
    assert not page.undo_bar.isVisible()
    assert keep in [page.model.contact_id(r) for r in range(page.model.rowCount())]


def test_trash_view_restores_and_deletes_forever(
    page: ContactsPage,
    contact_factory: ContactFactory,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = contact_factory(name="First")
    second = contact_factory(name="Second")
    contacts.trash_contacts(database, [first, second])
    page.set_trash(True)
    assert names_shown(page) == ["First", "Second"]
    assert page.count_label.text() == "2 contacts in the trash"

    page.restore([first])
    assert names_shown(page) == ["Second"]

    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, *a: False))
    page.table.selectRow(0)
    page.delete_action.trigger()
    assert names_shown(page) == ["Second"], "cancelled: nothing deleted"

    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, *a: True))
    page.delete_action.trigger()
    assert names_shown(page) == []
    assert page.empty_hint.isVisible()
    assert page.empty_hint.text() == "The trash is empty."
    with pytest.raises(contacts.ContactNotFoundError):
        contacts.get_contact(database, second)

    page.set_trash(False)
    assert names_shown(page) == ["First"]


def test_search_filters_as_you_type(
    qtbot: QtBot, page: ContactsPage, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Ben Okafor", company="Okafor Builders")
    contact_factory(name="Chloé Martin", company="Atelier Martin")
    contact_factory(name="Diego Ramos", phones=(PhoneData("(503) 555-0199"),))
    page.model.reload()

    qtbot.keyClicks(page.search, "okaf")
    assert names_shown(page) == ["Ben Okafor"]
    assert page.count_label.text() == "1 contact matches"

    page.search.clear()
    qtbot.keyClicks(page.search, "chloe")
    assert names_shown(page) == ["Chloé Martin"]

    page.search.clear()
    qtbot.keyClicks(page.search, "5035550199")
    assert names_shown(page) == ["Diego Ramos"]

    page.search.clear()
    qtbot.keyClicks(page.search, "nobody-here")
    assert names_shown(page) == []
    assert page.empty_hint.isVisible()
    assert "No contact matches" in page.empty_hint.text()

    qtbot.keyClick(page.search, Qt.Key.Key_Escape)
    assert page.search.text() == ""
    assert len(names_shown(page)) == 3


def test_tag_filter_shows_only_tagged_contacts(
    page: ContactsPage, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Tagged", tags=("vip",))
    contact_factory(name="Plain")
    page.ops.announce(EVERYTHING)
    index = page.tag_filter.findData("vip")
    assert page.tag_filter.itemText(index) == "vip  (1)"

    page.tag_filter.setCurrentIndex(index)
    assert names_shown(page) == ["Tagged"]
    page.tag_filter.setCurrentIndex(0)
    assert names_shown(page) == ["Plain", "Tagged"]


def test_referral_links_in_detail_pane_select_the_other_contact(
    page: ContactsPage, contact_factory: ContactFactory
) -> None:
    referrer = contact_factory(name="Ada Advocate")
    referred = contact_factory(name="Zed Newcomer", referred_by_id=referrer)
    page.model.reload()
    page.select_contact(referred)
    assert "Referred by" in page.detail.info.text()

    page.detail.info.linkActivated.emit(f"contact:{referrer}")

    assert page.current_id() == referrer
    assert "Referred 1" in page.detail.info.text()


def test_empty_database_shows_a_hint(page: ContactsPage) -> None:
    assert not page.table.isVisible()
    assert "No contacts yet" in page.empty_hint.text()
    assert page.count_label.text() == "0 contacts"
    assert not page.detail.name.isVisible()


def test_dialog_edits_key_dates(
    qtbot: QtBot, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(
        name="Kim",
        key_dates=(
            KeyDateData("birthday", date(1984, 5, 12)),
            KeyDateData("occasion", date(2012, 9, 1), "Shop opening"),
        ),
    )
    dialog = ContactDialog(database, [], contacts.get_contact(database, cid))
    qtbot.addWidget(dialog)
    assert dialog.has_birthday.isChecked() and dialog.birthday.isEnabled()
    assert dialog.birthday.date() == QDate(1984, 5, 12)
    assert not dialog.anniversary.isEnabled()
    assert dialog.occasion.text() == "Shop opening"
    dialog.has_anniversary.setChecked(True)
    dialog.anniversary.setDate(QDate(2010, 6, 20))
    dialog.occasion.setText("   ")
    assert not dialog.season_from.isEnabled()
    dialog.by_season.setChecked(True)
    dialog.season_from.setCurrentIndex(10)  # November
    dialog.season_to.setCurrentIndex(0)  # to January
    dialog.save_button.click()
    assert dialog.result_input is not None
    assert contacts.normalise(dialog.result_input).key_dates == (
        KeyDateData("birthday", date(1984, 5, 12)),
        KeyDateData("anniversary", date(2010, 6, 20)),
    )
    assert dialog.result_input.season == "11,12,1"


def test_the_page_has_the_write_statements_built_once_soon_after_start(
    qtbot: QtBot, ops: OpsBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepared: list[Database] = []

    def prepare_writes(database: Database) -> int:
        prepared.append(database)
        return 0

    monkeypatch.setattr(derived, "prepare_writes", prepare_writes)
    page = ContactsPage(ops)
    qtbot.addWidget(page)
    timer = page.prepare_timer
    # Seconds after start-up, once: not with start-up's own reads, nor every hour.
    assert timer.isActive() and timer.isSingleShot()
    assert timer.interval() == page_module.PREPARE_WRITES_AFTER_MS >= 1000
    assert prepared == []

    timer.timeout.emit()
    page._lifecycle_timer.timeout.emit()  # the hourly refresh of lifecycles

    assert prepared == [ops.database]
