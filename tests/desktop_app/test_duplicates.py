"""Contacts → Find duplicates in the window: the pairs listed, a merge chosen field by field in
the merge dialog, and Undo in the window's undo bar putting both contacts back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from db import backups, contacts, touches
from db.contacts import ContactInput, EmailData
from db.domain import Medium
from db.duplicates import BOTH, OTHER, MergePreview, merge_preview
from db.engine import Database
from db.touches import TouchInput
from desktop_app.contacts.duplicates import DuplicatesDialog, MergeDialog
from desktop_app.main_window import MainWindow


@pytest.fixture
def twins(welcomed: Database) -> tuple[int, int]:
    ann = contacts.create_contact(
        welcomed,
        ContactInput(
            name="Ann Archer",
            company="Archer Ltd",
            emails=(EmailData("ann@example.com"),),
            notes="Mornings",
        ),
    )
    annie = contacts.create_contact(
        welcomed,
        ContactInput(
            name="Annie Archer",
            title="Owner",
            emails=(EmailData("ann@example.com"),),
            notes="Met at the fair",
        ),
    )
    at = datetime(2026, 3, 1, 10, tzinfo=UTC)
    touches.log_touch(welcomed, TouchInput(annie, Medium.EMAIL, at, summary="Hello"))
    return ann, annie


def test_the_merge_dialog_offers_each_differing_field(
    qtbot: QtBot, welcomed: Database, twins: tuple[int, int]
) -> None:
    dialog = MergeDialog(merge_preview(welcomed, *twins))
    qtbot.addWidget(dialog)
    dialog.show()
    assert set(dialog.groups) == {"name", "company", "title", "notes"}
    # Ann's own value by default; the other's where Ann has none.
    assert dialog.form_input() == {
        "name": "keep",
        "company": "keep",
        "title": "other",
        "notes": "keep",
    }
    dialog.choose("notes", BOTH)
    dialog.choose("name", OTHER)
    dialog.save()
    assert dialog.result_input == {
        "name": "other",
        "company": "keep",
        "title": "other",
        "notes": "both",
    }


def test_find_merge_and_undo_from_the_window(
    window: MainWindow,
    twins: tuple[int, int],
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ann, annie = twins
    asked: list[MergePreview] = []

    def answer(cls: type, preview: MergePreview, parent: object = None) -> dict[str, str]:
        asked.append(preview)
        dialog = MergeDialog(preview)
        qtbot.addWidget(dialog)
        dialog.choose("notes", BOTH)
        dialog.save()
        assert dialog.result_input is not None
        return dialog.result_input

    monkeypatch.setattr(MergeDialog, "ask", classmethod(answer))
    window.duplicates_action.trigger()
    found = window.duplicates_dialog
    assert isinstance(found, DuplicatesDialog)
    qtbot.waitUntil(lambda: found.model.rowCount() == 1)
    assert found.status.text() == "1 likely pair."
    index = found.model.index(0, 4)
    assert found.model.data(index) == "Same email ann@example.com"
    assert found.merge_button.isEnabled()

    assert backups.list_backups(window.database.path, backups.folder_for(window.database)) == []
    found.merge_button.click()

    assert [p.other.id for p in asked] == [annie]
    # A backup came first, with what both contacts were.
    (taken,) = backups.list_backups(window.database.path, backups.folder_for(window.database))
    assert (taken.reason, taken.contacts) == (backups.BEFORE_MERGING, 2)
    assert found.model.rowCount() == 0
    assert found.status.text() == "No likely duplicates."
    assert found.undo_bar.isVisible()
    assert "Merged “Annie Archer” into “Ann Archer”" in found.undo_bar.message.text()
    merged = contacts.get_contact(window.database, ann)
    assert merged.title == "Owner" and merged.notes == "Mornings\n\nMet at the fair"
    assert contacts.get_contact(window.database, annie).deleted_at is not None
    assert window.contacts_page.current_id() == ann
    assert window.contacts_page.model.rowCount() == 1

    found.undo_bar.undo_button.click()

    assert contacts.get_contact(window.database, annie).deleted_at is None
    assert contacts.get_contact(window.database, ann).notes == "Mornings"
    qtbot.waitUntil(lambda: found.model.rowCount() == 1)
    assert window.contacts_page.model.rowCount() == 2
