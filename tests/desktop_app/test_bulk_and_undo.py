"""Bulk actions on a selection, and Edit → Undo / Redo for them and the everyday changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from db import contacts, followups
from db.clock import local_today
from db.domain import Medium
from db.engine import Database
from db.journeys import active_stages
from db.models import Contact, Touch
from desktop_app.contacts import bulk
from desktop_app.contacts.bulk import BulkTouchDialog, TagDialog
from desktop_app.contacts.editor import ContactDialog
from desktop_app.followups.dialog import FollowupDialog, FollowupRequest
from desktop_app.journeys import moves
from desktop_app.main_window import MainWindow
from tests.conftest import ContactFactory


def _select_all(window: MainWindow) -> list[int]:
    page = window.contacts_page
    page.model.fetch_all()
    page.table.selectAll()
    return page.selected_ids()


def _tags(database: Database, cid: int) -> tuple[str, ...]:
    return contacts.get_contact(database, cid).tags


def _touches(database: Database) -> int:
    with database.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Touch)) or 0)


def _undo(qtbot: QtBot, window: MainWindow) -> None:
    assert window.undo_action.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def _redo(qtbot: QtBot, window: MainWindow) -> None:
    assert window.redo_action.isEnabled()
    qtbot.keyClick(
        window,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )


@pytest.fixture
def crowd(window: MainWindow, contact_factory: ContactFactory) -> list[int]:
    ids = [contact_factory(name=f"Customer {n:03d}") for n in range(40)]
    window.show_place("contacts")
    window.contacts_page.model.reload()
    window.activateWindow()
    return ids


def test_tag_all_selected_then_undo_and_redo(
    qtbot: QtBot, window: MainWindow, crowd: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = window.database
    ids = _select_all(window)
    assert len(ids) == 40
    monkeypatch.setattr(TagDialog, "ask", classmethod(lambda cls, *a, **k: "newsletter"))
    assert bulk.tag(window.ops, ids, window) == 40
    assert all(_tags(database, cid) == ("newsletter",) for cid in ids)
    assert window.undo_action.text().replace("&", "") == "Undo Tag 40 contacts “newsletter”"
    _undo(qtbot, window)
    assert all(_tags(database, cid) == () for cid in ids)
    assert [t.name for t in contacts.tag_counts(database)] == []
    _redo(qtbot, window)
    assert all(_tags(database, cid) == ("newsletter",) for cid in ids)


def test_one_touch_for_all_is_one_step_to_undo(
    qtbot: QtBot, window: MainWindow, crowd: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = window.database
    ids = _select_all(window)
    when = datetime.now(UTC) - timedelta(hours=1)
    monkeypatch.setattr(
        BulkTouchDialog,
        "ask",
        classmethod(lambda cls, *a, **k: (Medium.EMAIL, when, "Spring newsletter")),
    )
    assert bulk.log_touch(window.ops, ids, window) == 40
    assert _touches(database) == 40
    with database.reading() as session:
        touched = session.scalar(
            select(func.count()).where(Contact.last_touch_medium == Medium.EMAIL.value)
        )
    assert touched == 40
    _undo(qtbot, window)
    assert _touches(database) == 0
    _redo(qtbot, window)
    assert _touches(database) == 40


def test_follow_up_for_all_stage_for_all_and_trash_with_undo(
    qtbot: QtBot, window: MainWindow, crowd: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = window.database
    ids = _select_all(window)
    due = local_today() + timedelta(days=5)
    monkeypatch.setattr(
        FollowupDialog,
        "ask",
        classmethod(lambda cls, *a, **k: FollowupRequest(due, "Send the catalogue", None)),
    )
    assert bulk.add_followup(window.ops, ids, window) == 40
    assert all(followups.contact_schedule(database, c).next_followup_on == due for c in ids)

    with database.reading() as session:
        customer = next(s for s in active_stages(session) if s.key == "customer")
    moves.move_to_stage(window.ops, ids, customer, window)
    assert {contacts.get_contact(database, c).stage_id for c in ids} == {customer.id}

    window.contacts_page.trash(ids)
    assert not contacts.has_contacts(database)

    _undo(qtbot, window)  # the trash
    assert contacts.has_contacts(database)
    _undo(qtbot, window)  # the stage
    assert customer.id not in {contacts.get_contact(database, c).stage_id for c in ids}
    _undo(qtbot, window)  # the follow-ups
    assert all(followups.contact_schedule(database, c).next_followup_on != due for c in ids)
    assert not window.undo_action.isEnabled()


def test_edits_and_follow_up_done_are_undone_from_the_edit_menu(
    qtbot: QtBot,
    window: MainWindow,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = window.database
    cid = contact_factory(name="Ada Byron")
    window.show_place("contacts")
    window.contacts_page.model.reload()
    window.contacts_page.select_contact(cid)
    current = contacts.get_contact(database, cid)
    edited = contacts.ContactInput(name="Ada King", stage_id=current.stage_id)
    monkeypatch.setattr(ContactDialog, "ask", classmethod(lambda cls, *a, **k: edited))
    window.contacts_page.edit_contact(cid)
    assert contacts.get_contact(database, cid).name == "Ada King"
    assert "Edit Ada Byron" in window.undo_action.text()
    window.undo_action.trigger()
    assert contacts.get_contact(database, cid).name == "Ada Byron"
    window.redo_action.trigger()
    assert contacts.get_contact(database, cid).name == "Ada King"
    # The selection survives: the table reloads on the change signal.
    assert window.contacts_page.current_id() == cid
