"""Reports as CSV: a registry of named reports and one careful CSV writer.

Each feature registers its reports with ``@report("name")``; the command line's ``export``
subcommand and the app's Export menu both list what is registered here. Files are written
UTF-8 with a byte-order mark and CRLF line ends, which Excel and LibreOffice both open
cleanly, to a temporary file that replaces the target only when complete.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from db.clock import local_today

if TYPE_CHECKING:
    from db.engine import Database

Cell = str | int | float | Decimal | date | datetime | None


@dataclass(frozen=True)
class ExportOptions:
    since: date | None = None
    until: date | None = None
    today: date = field(default_factory=local_today)


@dataclass(frozen=True)
class Report:
    headers: tuple[str, ...]
    rows: Iterable[Sequence[Cell]]


ReportBuilder = Callable[["Database", ExportOptions], Report]


@dataclass(frozen=True)
class ReportKind:
    """A registered report: its name (as typed after ``touchbase export``), what it lists, how
    to build it, and what a period bounds in it, or None for a report of things as they stand
    today, to which no period applies."""

    name: str
    description: str
    build: ReportBuilder
    period: str | None = None


REPORTS: dict[str, ReportKind] = {}


class ExportCancelledError(Exception):
    """The person stopped an export; the file they chose was not touched."""


class PeriodNotApplicableError(ValueError):
    """A period was given for a report of things as they stand today."""


def report(
    name: str, description: str, *, period: str | None = None
) -> Callable[[ReportBuilder], ReportBuilder]:
    """Register a report under ``name``; ``period`` says what --since/--until bound in it
    (e.g. "the day of the touch"), and leaving it out says they do not apply."""

    def register(builder: ReportBuilder) -> ReportBuilder:
        REPORTS[name] = ReportKind(name, description, builder, period)
        return builder

    return register


def load_reports() -> dict[str, ReportKind]:
    """Every report, by name, once the modules that define them are imported."""
    # Imported for their @report registrations.
    import db.reports  # noqa: F401, PLC0415

    return dict(sorted(REPORTS.items()))


def build(kind: ReportKind, database: Database, options: ExportOptions) -> Report:
    """Build ``kind``'s report, refusing a period it has no use for rather than ignoring it."""
    if kind.period is None and (options.since is not None or options.until is not None):
        raise PeriodNotApplicableError(
            f"The {kind.name} report shows things as they stand today, so a period "
            "(--since, --until) does not apply to it."
        )
    if options.since is not None and options.until is not None and options.since > options.until:
        raise ValueError("The period starts after it ends.")
    return kind.build(database, options)


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


#: How many rows are written between two calls of ``write_csv``'s ``keep_going``.
PROGRESS_EVERY = 1000


def write_csv(
    report: Report, path: Path, *, keep_going: Callable[[int], bool] | None = None
) -> int:
    """Write ``report`` to ``path`` atomically; returns the number of data rows.

    ``keep_going`` is called with the rows written so far every ``PROGRESS_EVERY`` rows; when
    it returns False the export stops with ``ExportCancelledError`` and ``path`` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, then renamed
        "w",
        encoding="utf-8-sig",
        newline="",
        dir=path.parent,
        prefix=f".{path.name}.",
        suffix=".tmp",
        delete=False,
    )
    count = 0
    try:
        with handle:
            writer = csv.writer(handle, dialect="excel")
            writer.writerow(report.headers)
            for row in report.rows:
                writer.writerow([_cell(v) for v in row])
                count += 1
                if keep_going is not None and count % PROGRESS_EVERY == 0 and not keep_going(count):
                    raise ExportCancelledError
        Path(handle.name).replace(path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return count


def share(part: int, whole: int) -> str:
    """A percentage with one decimal, as reports show shares ("" when there is no whole)."""
    return "" if whole == 0 else f"{Decimal(part * 100) / Decimal(whole):.1f}"


__all__ = [
    "REPORTS",
    "ExportCancelledError",
    "ExportOptions",
    "PeriodNotApplicableError",
    "Report",
    "ReportKind",
    "build",
    "load_reports",
    "report",
    "share",
    "write_csv",
]
