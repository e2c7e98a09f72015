"""The report registry and the CSV writer: periods where they mean something, and an export
that can be stopped without touching the file it would have replaced."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from db.engine import Database
from db.export import (
    PROGRESS_EVERY,
    ExportCancelledError,
    ExportOptions,
    PeriodNotApplicableError,
    Report,
    build,
    load_reports,
    write_csv,
)


def test_every_report_says_whether_a_period_applies() -> None:
    reports = load_reports()
    undated = {name for name, kind in reports.items() if kind.period is None}
    assert undated == {"contacts", "contact-list", "funnel", "lifecycle", "top-customers"}
    assert reports["touches"].period == "the day of the touch"
    assert reports["followups"].period == "the due date"


def test_a_period_for_a_report_of_today_is_refused(database: Database) -> None:
    kind = load_reports()["contacts"]
    with pytest.raises(PeriodNotApplicableError, match="as they stand today"):
        build(kind, database, ExportOptions(since=date(2026, 1, 1)))
    with pytest.raises(PeriodNotApplicableError):
        build(kind, database, ExportOptions(until=date(2026, 1, 1)))
    assert build(kind, database, ExportOptions()).headers[0] == "ID"


def test_a_period_that_ends_before_it_starts_is_refused(database: Database) -> None:
    kind = load_reports()["touches"]
    with pytest.raises(ValueError, match="starts after it ends"):
        build(kind, database, ExportOptions(since=date(2026, 5, 2), until=date(2026, 5, 1)))


def _numbers(count: int) -> Report:
    return Report(("n",), ([n] for n in range(count)))


def test_write_csv_reports_progress_and_can_be_stopped(tmp_path: Path) -> None:
    target = tmp_path / "numbers.csv"
    target.write_text("what was there before\n", encoding="utf-8")
    seen: list[int] = []

    def keep_going(done: int) -> bool:
        seen.append(done)
        return len(seen) < 2

    with pytest.raises(ExportCancelledError):
        write_csv(_numbers(PROGRESS_EVERY * 5), target, keep_going=keep_going)
    assert seen == [PROGRESS_EVERY, PROGRESS_EVERY * 2]
    assert target.read_text(encoding="utf-8") == "what was there before\n"
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file left behind"

    seen.clear()

    def always(done: int) -> bool:
        seen.append(done)
        return True

    assert write_csv(_numbers(2500), target, keep_going=always) == 2500
    assert seen == [PROGRESS_EVERY, PROGRESS_EVERY * 2]
    assert target.read_text(encoding="utf-8-sig").splitlines()[-1] == "2499"
