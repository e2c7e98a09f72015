"""The import wizard, driven through its real widgets: file, columns, preview, import, done."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from db import contacts, matching
from db.engine import Database
from db.importing.fields import Field
from db.importing.service import DuplicateAction
from desktop_app import importing
from desktop_app.importing import ImportWizard
from desktop_app.main_window import MainWindow
from desktop_app.ops import OpsBus
from desktop_app.settings.contacts_page import ContactsSettingsPage
from desktop_app.settings.dialog import SettingsDialog
from desktop_app.tasks import ImmediateRunner, Task
from tests.conftest import ContactFactory

FILES = Path(__file__).parents[1] / "db" / "import_files"
TODAY = date(2026, 12, 1)


def _wizard(qtbot: QtBot, ops: OpsBus, path: Path | None = None) -> ImportWizard:
    wizard = ImportWizard(ops, ImmediateRunner(), today=TODAY)
    qtbot.addWidget(wizard)
    wizard.show()
    if path is not None:
        wizard.open_file(path)
        assert wizard.source is not None
    return wizard


def _cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def _opened(wizard: ImportWizard) -> bool:
    return wizard.source is not None


def _count(database: Database) -> int:
    return contacts.count_contacts(database, contacts.ContactQuery())


def test_a_file_goes_through_every_step_to_the_database(
    qtbot: QtBot, ops: OpsBus, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    wizard = _wizard(qtbot, ops)
    assert not wizard.next_button.isEnabled()  # nothing chosen yet
    monkeypatch.setattr(
        ImportWizard, "choose_path", classmethod(lambda cls, parent: FILES / "broken_row.csv")
    )
    qtbot.mouseClick(wizard.file_step.choose, Qt.MouseButton.LeftButton)
    step = wizard.file_step
    assert step.encoding.currentData() == "utf-8"
    assert step.delimiter.currentData() == ","
    assert step.layout_label.text() == "Spreadsheet (3 columns)"
    assert _cell(step.sample, 0, 0) == "Hana Ito"

    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.current_step() is wizard.mapping_step
    fields = [combo.currentData() for combo in wizard.mapping_step.combos]
    assert fields == [Field.NAME, Field.EMAIL, Field.PHONE]
    wizard.mapping_step.set_field(2, Field.IGNORE)  # leave the phone numbers out
    assert "2 columns of 3" in wizard.mapping_step.summary.text()

    with qtbot.waitSignal(ops.changed, timeout=5000) as changed:
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
        preview = wizard.preview_step
        assert wizard.current_step() is preview
        assert "3 rows" in preview.counts.text().replace("<b>", "").replace("</b>", "")
        assert preview.tabs.tabText(2) == "Cannot import (1)"
        assert _cell(preview.invalid_table, 0, 0) == "3"
        assert "ian-at-jay.example" in _cell(preview.invalid_table, 0, 1)
        # One bad row holds the import back until the owner leaves it out.
        assert not wizard.next_button.isEnabled()
        assert "cannot be imported" in wizard.status.text()
        preview.skip_invalid.setChecked(True)
        assert wizard.next_button.isEnabled() and wizard.next_button.text() == "Import"
        assert preview.tag.text() == "imported 2026-12-01"
        qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert changed.args[0].contacts
    assert wizard.current_step() is wizard.done_step
    assert wizard.summary is not None and wizard.summary.created == 2
    assert "2 contacts</b> created, tagged “imported 2026-12-01”" in wizard.done_step.text.text()
    assert _cell(wizard.done_step.invalid, 0, 0) == "3"
    hana = contacts.get_contact(database, wizard.summary.created_ids[0])
    assert hana.phones == () and hana.tags == ("imported 2026-12-01",)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert not wizard.isVisible()


def test_the_encoding_and_delimiter_can_be_changed(qtbot: QtBot, ops: OpsBus) -> None:
    wizard = _wizard(qtbot, ops, FILES / "spreadsheet_cp1252_semicolon.csv")
    step = wizard.file_step
    assert step.encoding.currentData() == "cp1252"
    assert _cell(step.sample, 0, 0) == "Zoé Dupré"
    step.encoding.setCurrentIndex(step.encoding.findData("utf-8"))
    assert _cell(step.sample, 0, 0) == "Zo\ufffd Dupr\ufffd"
    step.delimiter.setCurrentIndex(step.delimiter.findData(","))
    assert step.sample.columnCount() == 1  # everything in one column: the hint says why
    step.encoding.setCurrentIndex(step.encoding.findData("cp1252"))
    step.delimiter.setCurrentIndex(step.delimiter.findData(";"))
    assert wizard.source is not None and wizard.source.dialect is not None
    assert (wizard.source.dialect.encoding, wizard.source.dialect.delimiter) == ("cp1252", ";")
    assert _cell(step.sample, 0, 1) == "Café Müller"


def test_a_vcard_skips_the_column_step(qtbot: QtBot, ops: OpsBus, database: Database) -> None:
    wizard = _wizard(qtbot, ops, FILES / "vcard40.vcf")
    assert not wizard.file_step.encoding.isVisible()
    wizard.go_next()
    assert wizard.current_step() is wizard.preview_step
    assert wizard.preview_step.tabs.tabText(0) == "New (2)"
    wizard.go_back()
    assert wizard.current_step() is wizard.file_step


def test_duplicates_can_be_skipped_updated_or_added_row_by_row(
    qtbot: QtBot, ops: OpsBus, database: Database, contact_factory: ContactFactory
) -> None:
    hana = contact_factory(name="Hana", emails=(contacts.EmailData("hana@ito.example"),))
    jo = contact_factory(name="Jo", emails=(contacts.EmailData("jo@king.example"),))
    wizard = _wizard(qtbot, ops, FILES / "broken_row.csv")
    wizard.go_next()
    wizard.go_next()
    preview = wizard.preview_step
    preview.skip_invalid.setChecked(True)
    table = preview.matched_table
    assert [_cell(table, r, 2) for r in range(2)] == [
        "Hana · Harbour Bakery",
        "Jo · Harbour Bakery",
    ]
    assert [_cell(table, r, 3) for r in range(2)] == ["Skip", "Skip"]
    # Nothing new to write while every match is skipped.
    assert not wizard.next_button.isEnabled()
    preview.set_policy(DuplicateAction.UPDATE)
    table.selectionModel().select(
        table.model().index(1, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    qtbot.mouseClick(preview.row_buttons[DuplicateAction.SKIP], Qt.MouseButton.LeftButton)
    assert [_cell(table, r, 3) for r in range(2)] == ["Update", "Skip (chosen)"]
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.summary is not None
    assert (wizard.summary.updated, wizard.summary.skipped) == (1, 1)
    assert contacts.get_contact(database, hana).name == "Hana Ito"
    assert contacts.get_contact(database, jo).name == "Jo"
    assert _count(database) == 2


def test_cancel_during_the_import_writes_nothing(
    qtbot: QtBot, ops: OpsBus, database: Database
) -> None:
    class CancelAtOnce(ImmediateRunner):
        def submit(self, task: Task) -> None:
            task.cancel()
            super().submit(task)

    wizard = _wizard(qtbot, ops, FILES / "google_contacts.csv")
    wizard.go_next()
    wizard.go_next()
    wizard.runner = CancelAtOnce()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.current_step() is wizard.preview_step
    assert wizard.preview_step.message.text() == "Import cancelled: nothing was written."
    assert wizard.summary is None
    assert _count(database) == 0


def test_a_file_that_cannot_be_read_says_why(qtbot: QtBot, ops: OpsBus, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    wizard = _wizard(qtbot, ops)
    wizard.open_file(empty)
    assert wizard.source is None
    assert "empty.csv cannot be read" in wizard.file_step.error.text()
    assert not wizard.next_button.isEnabled()
    wizard.open_file(tmp_path / "gone.csv")
    assert "No such file or directory" in wizard.file_step.error.text()
    wizard.open_file(FILES / "tabs.csv")
    assert _opened(wizard) and not wizard.file_step.error.isVisible()


def test_the_menu_and_the_empty_list_open_the_wizard(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[object] = []
    monkeypatch.setattr(
        importing.ImportWizard,
        "ask",
        classmethod(lambda cls, ops, runner, parent: opened.append(parent)),
    )
    window.show_place("contacts")
    assert window.contacts_page.import_button.isVisible()
    qtbot.mouseClick(window.contacts_page.import_button, Qt.MouseButton.LeftButton)
    window.import_action.trigger()
    assert opened == [window, window]


def test_the_phone_region_is_chosen_in_settings(qtbot: QtBot, ops: OpsBus) -> None:
    dialog = SettingsDialog(ops)
    qtbot.addWidget(dialog)
    page = dialog.page("Contacts")
    assert isinstance(page, ContactsSettingsPage)
    assert page.chosen() == ""
    assert page.region.findData("GB") > 0
    assert page.region.itemText(page.region.findData("GB")) == "United Kingdom (GB)"
    page.region.setCurrentIndex(page.region.findData("GB"))
    with qtbot.waitSignal(ops.changed):
        assert dialog.save()
    assert matching.stored_region(ops.database) == "GB"
    with ops.database.reading() as session:
        assert matching.default_region(session) == "GB"
