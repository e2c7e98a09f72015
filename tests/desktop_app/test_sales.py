"""Sales in the app: recording a sale or feedback from the detail pane, the dialogs, the
contacts table's sales columns and filters, the Reports place and the Sales settings tab."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QTableWidgetItem, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from db import feedback, purchases, settings
from db.engine import Database
from db.feedback import FeedbackInput, Level
from db.purchases import PurchaseInput
from desktop_app.contacts.table_model import Column, ContactTableModel
from desktop_app.main_window import MainWindow
from desktop_app.ops import Changes, OpsBus
from desktop_app.reports.page import ReportsPage
from desktop_app.sales.dialogs import FeedbackDialog, PurchaseDialog
from desktop_app.sales.section import SalesSection
from desktop_app.sales.settings_page import SalesSettingsPage
from desktop_app.settings.dialog import SettingsDialog
from tests.conftest import ContactFactory

TODAY = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def _section(window: MainWindow) -> SalesSection:
    section = window.sales_section
    assert isinstance(section, SalesSection)
    section.today = TODAY
    return section


def _show(window: MainWindow, contact_id: int) -> SalesSection:
    window.ops.announce(settings_changed())
    window.contacts_page.select_contact(contact_id)
    section = _section(window)
    section.show_contact(window.contacts_page.detail.contact)
    return section


def settings_changed() -> Changes:
    return Changes(contacts=True)


def _first(section: SalesSection) -> QTreeWidgetItem:
    item = section.list.topLevelItem(0)
    assert item is not None
    return item


def _text(item: QTableWidgetItem | None) -> str:
    assert item is not None
    return item.text()


def _cell(window: MainWindow, contact_id: int, column: Column) -> str:
    model = window.contacts_page.model
    row = model.row_of(contact_id)
    assert row is not None
    return str(model.index(row, column).data())


def test_recording_a_sale_updates_lifecycle_stage_and_value_at_once(
    window: MainWindow, contact_factory: ContactFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = contact_factory(name="Ada Baker")
    section = _show(window, cid)
    assert "Prospective" in section.badges.text()
    assert "No purchases yet" in section.empty.text() and section.empty.isVisible()

    monkeypatch.setattr(
        PurchaseDialog,
        "ask",
        classmethod(lambda cls, *a, **k: PurchaseInput(TODAY, "Sourdough course", "120.00")),
    )
    section.record_button.click()

    detail = window.contacts_page.detail
    assert "New" in section.badges.text()
    assert detail.contact is not None and detail.contact.stage_label == "Customer"
    assert "Customer" in detail.status.texts()
    assert "USD 120.00" in section.value_label.text()
    assert section.list.topLevelItemCount() == 1
    assert _first(section).text(1) == "Sourdough course"
    assert "moved to Customer" in section.notice.text()
    assert "100-day plan" in section.notice.text()
    assert _cell(window, cid, Column.VALUE) == "120.00"
    assert _cell(window, cid, Column.PURCHASES) == "1"
    assert _cell(window, cid, Column.STAGE) == "Customer"


def test_edit_and_delete_with_undo(
    window: MainWindow,
    database: Database,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cid = contact_factory()
    purchases.record_purchase(
        database, cid, PurchaseInput(TODAY, "Rye loaf", "4.50"), now=NOW, today=TODAY
    )
    section = _show(window, cid)
    _first(section).setSelected(True)
    assert section.delete_button.isEnabled()

    seen: list[object] = []

    def edit(cls: object, db: Database, name: str, current: object, *a: object) -> PurchaseInput:
        seen.append(current)
        return PurchaseInput(TODAY, "Rye loaf (large)", "6.00")

    monkeypatch.setattr(PurchaseDialog, "ask", classmethod(edit))
    section.edit_button.click()
    assert isinstance(seen[0], purchases.PurchaseRow) and seen[0].product == "Rye loaf"
    assert _first(section).text(1) == "Rye loaf (large)"
    assert "USD 6.00" in section.value_label.text()

    _first(section).setSelected(True)
    section.delete_button.click()
    assert section.list.topLevelItemCount() == 0
    assert section.undo_bar.isVisible()
    assert _cell(window, cid, Column.PURCHASES) == ""
    section.undo_bar.undo_button.click()
    assert section.list.topLevelItemCount() == 1
    assert _cell(window, cid, Column.VALUE) == "6.00"


def test_purchase_dialog_shows_errors_beside_fields(
    qtbot: QtBot, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    purchases.record_purchase(
        database, cid, PurchaseInput(TODAY, "Wedding cake", "300"), now=NOW, today=TODAY
    )
    dialog = PurchaseDialog(database, "Ada", None, TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.currency_label.text() == "USD"
    completer = dialog.product.completer()
    completer.setCompletionPrefix("wed")
    assert completer.currentCompletion() == "Wedding cake"

    dialog.amount.setText("-5")
    dialog.save()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.product_error.isVisible() and "what was bought" in dialog.product_error.text()
    assert dialog.amount_error.isVisible() and "more than zero" in dialog.amount_error.text()

    qtbot.keyClicks(dialog.product, "Birthday cake")
    dialog.amount.setText("45.5")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.result_input == PurchaseInput(TODAY, "Birthday cake", "45.5", "")


def test_feedback_dialog_warns_and_previews_the_level(
    qtbot: QtBot, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    feedback.record_feedback(
        database, cid, FeedbackInput(date(2026, 6, 1), (("Q", 4),)), now=NOW, today=TODAY
    )
    warning = feedback.survey_warning(database, cid, TODAY)
    dialog = FeedbackDialog("Ada", feedback.questions(database), warning, TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.warning.isVisible() and "29 days ago" in dialog.warning.text()
    assert len(dialog.scores) == 3

    dialog.save()
    assert dialog.answers_error.isVisible()
    dialog.scores[0].set_score(5)
    dialog.scores[2].set_score(4)
    assert dialog.level_preview.text() == "Highly satisfied (average 4.50)"
    dialog.comment.setPlainText("Lovely bread")
    dialog.save()
    assert dialog.result_input is not None
    assert dialog.result_input.answers[1] == (feedback.DEFAULT_QUESTIONS[1], None)
    assert dialog.result_input.level is None

    quiet = FeedbackDialog("Bo", ["Q"], None, TODAY)
    qtbot.addWidget(quiet)
    assert not quiet.warning.isVisibleTo(quiet)


def test_recording_feedback_shows_level_and_change(
    window: MainWindow,
    database: Database,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cid = contact_factory()
    feedback.record_feedback(
        database, cid, FeedbackInput(date(2026, 1, 5), (("Q", 2),)), now=NOW, today=TODAY
    )
    section = _show(window, cid)
    assert "Dissatisfied" in section.satisfaction_label.text()
    monkeypatch.setattr(
        FeedbackDialog,
        "ask",
        classmethod(
            lambda cls, *a, **k: FeedbackInput(TODAY, (("Q", 5),), "Much better", Level.SATISFIED)
        ),
    )
    section.feedback_button.click()
    text = section.satisfaction_label.text()
    assert "<b>Satisfied</b>" in text and "up from dissatisfied" in text
    assert "Much better" in text
    assert _cell(window, cid, Column.SATISFACTION) == "Satisfied"


def test_an_unchanged_level_says_so_plainly(
    window: MainWindow, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    for month in (1, 3):
        form = FeedbackInput(date(2026, month, 5), (("Q", 4),))
        feedback.record_feedback(database, cid, form, now=NOW, today=TODAY)
    text = _show(window, cid).satisfaction_label.text()
    assert "<b>Satisfied</b> = unchanged" in text
    assert "same as" not in text


def test_the_purchase_list_is_as_tall_as_its_rows(
    qtbot: QtBot, window: MainWindow, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    heights = []
    for day in range(1, 8):
        purchases.record_purchase(
            database, cid, PurchaseInput(date(2026, 1, day), "Bread", "4.50"), now=NOW, today=TODAY
        )
        section = _show(window, cid)
        heights.append(section.list.height())
    row = heights[1] - heights[0]
    assert row > 10
    assert heights[:5] == [heights[0] + n * row for n in range(5)], "one row more each time"
    assert heights[5:] == [heights[4], heights[4]], "then it scrolls"
    qtbot.waitUntil(lambda: section.list.verticalScrollBar().maximum() > 0)


def test_table_sales_columns_pass_the_model_tester(
    qtmodeltester: object, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Buyer")
    contact_factory(name="Browser")
    purchases.record_purchase(
        database, cid, PurchaseInput(TODAY, "Bread", "1234.5"), now=NOW, today=TODAY
    )
    model = ContactTableModel(database)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.sort(Column.VALUE, Qt.SortOrder.DescendingOrder)
    assert model.index(0, Column.NAME).data() == "Buyer"
    assert model.index(0, Column.VALUE).data() == "1,234.50"
    assert model.index(1, Column.VALUE).data() == ""
    assert model.index(1, Column.LIFECYCLE).data() == "Prospective"
    assert model.headerData(Column.LIFECYCLE, Qt.Orientation.Horizontal) == "Lifecycle"
    model.sort(Column.PURCHASES, Qt.SortOrder.AscendingOrder)
    assert model.index(0, Column.NAME).data() == "Browser"
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_page_filters_by_lifecycle_and_satisfaction(
    window: MainWindow, database: Database, contact_factory: ContactFactory
) -> None:
    buyer = contact_factory(name="Buyer")
    contact_factory(name="Browser")
    purchases.record_purchase(
        database, buyer, PurchaseInput(TODAY, "Bread", "10"), now=NOW, today=TODAY
    )
    feedback.record_feedback(database, buyer, FeedbackInput(TODAY, (("Q", 5),)), now=NOW)
    page = window.contacts_page
    window.ops.announce(settings_changed())
    filters = page.sales_filters
    assert filters.isVisible()
    filters.set_lifecycle("prospective")
    assert page.count_label.text() == "1 contact matches"
    assert page.model.index(0, Column.NAME).data() == "Browser"
    filters.set_lifecycle(None)
    filters.set_satisfaction("highly_satisfied")
    assert page.model.index(0, Column.NAME).data() == "Buyer"
    filters.set_satisfaction("satisfied")
    assert page.empty_hint.text() == "No contact matches these filters."
    filters.reset()
    assert page.count_label.text() == "2 contacts"
    window.show_place("trash")
    assert not filters.isVisible()


def test_reports_place_and_retention_calculator(
    window: MainWindow, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    purchases.record_purchase(
        database, cid, PurchaseInput(date(2026, 6, 1), "Bread", "100"), now=NOW, today=TODAY
    )
    window.ops.announce(settings_changed())
    window.show_place("reports")
    page = window.reports_page
    assert isinstance(page, ReportsPage) and page.isVisible()
    QApplication.processEvents()  # read once the page is laid out, on the next turn
    panel = page.value_panel
    assert panel.isVisible() and not panel.empty.isVisible()
    assert panel.figures["customers"].text() == "1"
    assert panel.figures["historic_total"].text() == "USD 100.00"
    panel.retention.setValue(50)
    assert "2.0 years" in panel.result.text()
    assert _text(panel.table.item(4, 0)) == "90 %"
    assert _text(panel.table.item(4, 1)) == "10.0"


def test_sales_settings_validate_beside_the_field_and_save(
    qtbot: QtBot, ops: OpsBus, database: Database
) -> None:
    page = SalesSettingsPage(ops)
    qtbot.addWidget(page)
    page.show()
    page.currency.setText("E1")
    page.long_lapse_days.setValue(60)
    assert page.validate() is not None
    assert page.errors["currency"].isVisible()
    assert "longer than the interval" in page.errors["long_lapse_days"].text()

    page.currency.setText("eur")
    page.long_lapse_days.setValue(200)
    page.margin_percent.setText("40")
    page.stage_automation.setChecked(False)
    page.regular_purchases.setValue(4)
    page.regular_window_days.setValue(180)
    page.questions[3].setText("Would you buy again?")
    assert page.validate() is None
    with qtbot.waitSignal(ops.changed):
        page.apply()
    with database.reading() as session:
        assert settings.get(session, settings.CURRENCY) == "EUR"
        assert settings.get(session, settings.LONG_LAPSE_DAYS) == 200
        assert settings.get(session, settings.MARGIN_PERCENT) == "40"
        assert settings.get(session, settings.STAGE_AUTOMATION) is False
        assert settings.get(session, settings.REGULAR_PURCHASES) == 4
        assert settings.get(session, settings.REGULAR_WINDOW_DAYS) == 180
    assert feedback.questions(database)[-1] == "Would you buy again?"


def test_settings_dialog_has_a_sales_tab(window: MainWindow) -> None:
    dialog = SettingsDialog(window.ops, window)
    assert isinstance(dialog.page("Sales"), SalesSettingsPage)
    dialog.deleteLater()


def test_contact_editor_sets_the_seasonal_interval(
    qtbot: QtBot, database: Database, contact_factory: ContactFactory
) -> None:
    from db.contacts import get_contact  # noqa: PLC0415
    from desktop_app.contacts.editor import ContactDialog  # noqa: PLC0415

    cid = contact_factory()
    dialog = ContactDialog(database, [], get_contact(database, cid))
    qtbot.addWidget(dialog)
    assert dialog.purchase_interval.value() == 0
    assert dialog.purchase_interval.text() == "the usual interval (Settings)"
    assert dialog.form_input().purchase_interval_days is None
    dialog.purchase_interval.setValue(365)
    assert dialog.form_input().purchase_interval_days == 365


@pytest.mark.parametrize(
    ("report", "header"),
    [
        ("contacts", "Lifecycle"),
        ("purchases", "Amount"),
        ("satisfaction", "Previous level"),
        ("satisfaction-by-month", "Moved up"),
    ],
)
def test_command_line_exports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], report: str, header: str
) -> None:
    from desktop_app import cli  # noqa: PLC0415

    path = tmp_path / "cli.sqlite"
    assert cli.main(["--db", str(path), "demo", "--contacts", "20", "--seed", "1"]) == 0
    output = tmp_path / f"{report}.csv"
    assert cli.main(["--db", str(path), "export", report, "--output", str(output)]) == 0
    assert "Wrote" in capsys.readouterr().out
    first_line = output.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header in first_line.split(",")
