"""``touchbase followups`` and ``touchbase export followups`` (CSV and iCalendar)."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest

from db import followups
from db.engine import Database
from desktop_app import cli
from desktop_app.followups import commands
from tests.conftest import ContactFactory
from tests.db.test_followups_rules import NOW, TODAY, place


@pytest.fixture
def due_data(database: Database, contact_factory: ContactFactory) -> Database:
    ann = contact_factory(name="Ann Archer", company="Archer Ltd")
    bob = contact_factory(name="Bob Baker", company="")
    quiet = contact_factory(name="Quiet Quinn", do_not_contact=True)
    place(database, ann, touched=NOW - timedelta(days=15))  # 3 days overdue
    place(database, bob, touched=NOW)
    place(database, quiet, touched=NOW - timedelta(days=40))
    followups.add_followup(database, bob, TODAY, "Send the proposal", today=TODAY)
    followups.add_followup(database, bob, TODAY + timedelta(days=5), "Call, again", today=TODAY)
    # The command line opens the file itself, as it would with the app closed.
    database.close()
    return database


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commands, "local_today", lambda: TODAY)


def test_followups_prints_due_and_overdue_oldest_first(
    due_data: Database, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--db", str(db_path), "followups"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "2026-02-27  3 days overdue    Ann Archer (Archer Ltd) — "
        "Keep in touch every 12 days [cadence]",
        "2026-03-02  due               Bob Baker — Send the proposal [manual]",
    ]


def test_followups_due_by_looks_further_and_nothing_due_still_exits_0(
    due_data: Database, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--db", str(db_path), "followups", "--due-by", "2026-03-07"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert cli.main(["--db", str(db_path), "followups", "--due-by", "2026-01-01"]) == 0
    assert capsys.readouterr().out == "Nothing is due by 2026-01-01.\n"


def test_export_followups_csv(due_data: Database, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    assert cli.main(["--db", str(db_path), "export", "followups", "--output", str(out)]) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["Contact"], r["Due date"], r["Source"], r["Stage"]) for r in rows] == [
        ("Ann Archer", "2026-02-27", "cadence", "Customer"),
        ("Bob Baker", "2026-03-02", "manual", "Customer"),
        ("Bob Baker", "2026-03-07", "manual", "Customer"),
        ("Bob Baker", "2026-03-14", "cadence", "Customer"),
    ]
    assert rows[0]["Last touch"] != ""
    assert rows[1]["Reason"] == "Send the proposal"


def test_export_followups_ics(due_data: Database, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "f.ics"
    argv = ["--db", str(db_path), "export", "followups", "-o", str(out), "--until", "2026-03-07"]
    assert cli.main(argv) == 0
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert [(str(e["SUMMARY"]), e.decoded("DTSTART").isoformat()) for e in events] == [
        ("Follow up: Ann Archer (Archer Ltd)", "2026-02-27"),
        ("Follow up: Bob Baker", "2026-03-02"),
        ("Follow up: Bob Baker", "2026-03-07"),
    ]
    assert str(events[2]["DESCRIPTION"]).startswith("Call, again\nStage: Customer")
    assert len({str(e["UID"]) for e in events}) == 3
