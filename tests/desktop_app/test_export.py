"""Exporting a report from the app: the dialog's choices and checks, the file it writes, and
an export that is stopped or fails leaving the chosen file as it was."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import vobject
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

import db.export
import desktop_app.export
from db import touches
from db.domain import Medium
from db.engine import Database
from db.export import ExportOptions, Report, load_reports
from db.touches import TouchInput
from desktop_app import dialogs
from desktop_app.export import ExportDialog, ExportRequest, export_report, write_report
from desktop_app.main_window import MainWindow
from desktop_app.tasks import CancelledError, ImmediateRunner, Progress
from tests.conftest import ContactFactory

KeepGoing = Callable[[int], bool] | None

TODAY = date(2026, 3, 20)
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def logged(database: Database, contact_factory: ContactFactory) -> Database:
    """Three phone touches with Ann, on 1, 5 and 9 March."""
    ann = contact_factory(name="Ann Aalto")
    for day in (1, 5, 9):
        at = datetime(2026, 3, day, 10, 0, tzinfo=UTC)
        touches.log_touch(
            database, TouchInput(ann, Medium.PHONE, at, summary=f"Call {day}"), now=NOW
        )
    return database


def dialog_for(qtbot: QtBot, folder: Path, report: str | None = None) -> ExportDialog:
    dialog = ExportDialog(TODAY, folder, report)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def saved(dialog: ExportDialog) -> Path | None:
    """Press Export; where the dialog would write, or None if it stayed open."""
    dialog.save()
    return None if dialog.result_input is None else dialog.result_input.path


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_every_report_is_offered_with_a_file_name_in_the_folder(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = dialog_for(qtbot, tmp_path)
    offered = [dialog.report.itemData(i) for i in range(dialog.report.count())]
    assert offered == list(load_reports())
    dialog.report.setCurrentIndex(dialog.report.findData("purchases"))
    assert dialog.path.text() == str(tmp_path / "touchbase-purchases-2026-03-20.csv")
    assert dialog.since.isVisibleTo(dialog) and dialog.until.isVisibleTo(dialog)
    assert "the day of the purchase" in dialog.period_hint.text()
    assert dialog.description.text().startswith("Every purchase")


def test_a_report_of_today_offers_no_period(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = dialog_for(qtbot, tmp_path, "touches")
    dialog.since.check.setChecked(True)
    dialog.report.setCurrentIndex(dialog.report.findData("funnel"))
    assert not dialog.since.isVisibleTo(dialog)
    assert "as they stand today" in dialog.period_hint.text()
    dialog.save()
    assert dialog.result_input is not None
    assert dialog.result_input.options.since is None and dialog.result_input.options.until is None


def test_a_typed_file_name_survives_a_change_of_report(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = dialog_for(qtbot, tmp_path, "touches")
    dialog.path.clear()
    qtbot.keyClicks(dialog.path, str(tmp_path / "mine"))
    dialog.report.setCurrentIndex(dialog.report.findData("purchases"))
    assert dialog.path.text() == str(tmp_path / "mine")
    dialog.save()
    assert dialog.result_input is not None
    assert dialog.result_input.path == tmp_path / "mine.csv", "a name without a suffix gets .csv"


def test_mistakes_are_shown_beside_their_fields(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = dialog_for(qtbot, tmp_path, "touches")
    dialog.since.check.setChecked(True)
    dialog.since.date.setDate(QDate(2026, 3, 10))
    dialog.until.check.setChecked(True)
    dialog.until.date.setDate(QDate(2026, 3, 1))
    dialog.path.setText("")
    dialog.save()
    assert dialog.result_input is None
    assert dialog.period_error.isVisibleTo(dialog)
    assert dialog.period_error.text() == "The period starts after it ends."
    assert dialog.path_error.text() == "Choose the file to write."

    dialog.until.check.setChecked(False)
    dialog.path.setText(str(tmp_path / "missing" / "touches.csv"))
    dialog.save()
    assert dialog.result_input is None
    assert not dialog.period_error.isVisibleTo(dialog)
    assert "does not exist" in dialog.path_error.text()

    dialog.path.setText(str(tmp_path))
    dialog.save()
    assert "is a folder" in dialog.path_error.text()


def test_replacing_a_file_is_asked_first(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "touches.csv"
    target.write_text("keep me", encoding="utf-8")
    answers: list[str] = []

    def refuse(_parent: object, title: str, _text: str, _label: str) -> bool:
        answers.append(title)
        return False

    monkeypatch.setattr(dialogs.Confirm, "ask", classmethod(lambda cls, *a: refuse(*a)))
    dialog = dialog_for(qtbot, tmp_path, "touches")
    dialog.path.setText(str(target))
    dialog.save()
    assert answers == ["Replace touches.csv?"]
    assert dialog.result_input is None and dialog.isVisible()
    monkeypatch.setattr(dialogs.Confirm, "ask", classmethod(lambda cls, *a: True))
    assert saved(dialog) == target


def test_the_export_writes_the_chosen_period(
    qtbot: QtBot, tmp_path: Path, logged: Database
) -> None:
    dialog = dialog_for(qtbot, tmp_path, "touches")
    dialog.since.check.setChecked(True)
    dialog.since.date.setDate(QDate(2026, 3, 5))
    dialog.save()
    request = dialog.result_input
    assert request is not None
    told: list[str] = []
    export_report(dialog, logged, ImmediateRunner(), request, told.append)
    rows = read_csv(request.path)
    summaries = [row[rows[0].index("Summary")] for row in rows[1:]]
    assert summaries == ["Call 5", "Call 9"]
    assert told == [f"Exported 2 rows to {request.path}."]


def test_follow_ups_can_be_written_as_a_calendar(
    qtbot: QtBot, tmp_path: Path, logged: Database
) -> None:
    dialog = dialog_for(qtbot, tmp_path, "followups")
    dialog.path.setText(str(tmp_path / "due.ics"))
    dialog.save()
    assert dialog.result_input is not None and dialog.result_input.calendar
    told: list[str] = []
    export_report(dialog, logged, ImmediateRunner(), dialog.result_input, told.append)
    text = (tmp_path / "due.ics").read_text(encoding="utf-8")
    assert text.startswith("BEGIN:VCALENDAR")
    assert told[0].startswith("Exported ") and " event" in told[0]


def test_a_stopped_export_leaves_the_file_as_it_was(
    tmp_path: Path, logged: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db.export, "PROGRESS_EVERY", 1)
    target = tmp_path / "touches.csv"
    target.write_text("before", encoding="utf-8")
    progress = Progress()
    progress.cancel()
    request = ExportRequest(load_reports()["touches"], ExportOptions(today=TODAY), target)
    with pytest.raises(CancelledError):
        write_report(logged, request, progress)
    assert target.read_text(encoding="utf-8") == "before"
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_failed_export_says_why(
    qtbot: QtBot, tmp_path: Path, logged: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        dialogs.ErrorBox,
        "show",
        classmethod(lambda cls, _p, title, text: shown.append((title, text))),
    )
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    request = ExportRequest(
        load_reports()["touches"], ExportOptions(today=TODAY), blocker / "touches.csv"
    )
    told: list[str] = []
    parent = QMessageBox()
    qtbot.addWidget(parent)
    export_report(parent, logged, ImmediateRunner(), request, told.append)
    assert told == []
    assert shown and shown[0][0] == "The report was not exported"
    assert str(blocker / "touches.csv") in shown[0][1]


def test_the_window_exports_from_the_file_menu_and_the_reports_page(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str | None] = []
    target = tmp_path / "list.csv"

    def answer(
        cls: type,
        today: date,
        folder: Path,
        chosen: str | None = None,
        parent: object = None,
        database_path: Path | None = None,
    ) -> ExportRequest:
        assert database_path == window.database.path
        asked.append(chosen)
        return ExportRequest(load_reports()["contact-list"], ExportOptions(today=today), target)

    monkeypatch.setattr(ExportDialog, "ask", classmethod(answer))
    window.export_action.trigger()
    assert asked == [None]
    assert read_csv(target)[0][:2] == ["ID", "Name"]
    assert window.statusBar().currentMessage() == f"Exported 0 rows to {target}."

    window.show_place("reports")
    window.reports_page.export_button.click()
    assert asked == [None, None]


def test_cancel_in_the_progress_dialog_stops_the_export(
    qtbot: QtBot, tmp_path: Path, logged: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    real_write = db.export.write_csv

    def press_cancel_midway(
        report: Report, path: Path, *, keep_going: KeepGoing, database_path: Path | None
    ) -> int:
        dialog = parent.findChild(QProgressDialog)
        assert dialog is not None
        button = dialog.findChild(QPushButton)
        assert button is not None
        button.click()
        return real_write(report, path, keep_going=keep_going)

    monkeypatch.setattr(db.export, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(desktop_app.export, "write_csv", press_cancel_midway)
    target = tmp_path / "touches.csv"
    request = ExportRequest(load_reports()["touches"], ExportOptions(today=TODAY), target)
    told: list[str] = []
    export_report(parent, logged, ImmediateRunner(), request, told.append)
    assert told == ["Export stopped; nothing was written to touches.csv."]
    assert not target.exists()


def test_the_dialog_refuses_the_open_database_beside_the_file_field(
    qtbot: QtBot, tmp_path: Path, logged: Database
) -> None:
    dialog = ExportDialog(TODAY, tmp_path, "contacts", database_path=logged.path)
    qtbot.addWidget(dialog)
    dialog.show()
    before = logged.path.read_bytes()
    for target in (logged.path, tmp_path / "backups" / "x.csv"):
        (tmp_path / "backups").mkdir(exist_ok=True)
        dialog.path.setText(str(target))
        assert saved(dialog) is None
        assert str(target) in dialog.path_error.text()
    dialog.report.setCurrentIndex(dialog.report.findData("touches"))
    dialog.path.setText(str(tmp_path / "touches.vcf"))
    assert saved(dialog) is None
    assert "Only contacts can be saved as vCard" in dialog.path_error.text()
    assert logged.path.read_bytes() == before


def test_contacts_are_saved_as_vcard_from_the_app(
    qtbot: QtBot, tmp_path: Path, logged: Database
) -> None:
    dialog = ExportDialog(TODAY, tmp_path, "contacts", database_path=logged.path)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path.setText(str(tmp_path / "cards.vcf"))
    request = dialog.result_input if saved(dialog) else None
    assert request is not None and request.vcard
    told: list[str] = []
    export_report(dialog, logged, ImmediateRunner(), request, told.append)
    assert told == [f"Exported 1 contact to {request.path}."]
    card = vobject.readOne(request.path.read_bytes().decode("utf-8"))
    assert card.fn.value == "Ann Aalto"
