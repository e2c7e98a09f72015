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
REPORTS: dict[str, tuple[str, ReportBuilder]] = {}


def report(name: str, description: str) -> Callable[[ReportBuilder], ReportBuilder]:
    """Register a report under ``name`` (as typed after ``touchbase export``)."""

    def register(builder: ReportBuilder) -> ReportBuilder:
        REPORTS[name] = (description, builder)
        return builder

    return register


def load_reports() -> dict[str, tuple[str, ReportBuilder]]:
    """Every report, once the modules that define them are imported."""
    # Imported for their @report registrations.
    import db.reports  # noqa: F401, PLC0415

    return dict(sorted(REPORTS.items()))


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(report: Report, path: Path) -> int:
    """Write ``report`` to ``path`` atomically; returns the number of data rows."""
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
        Path(handle.name).replace(path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return count


def share(part: int, whole: int) -> str:
    """A percentage with one decimal, as reports show shares ("" when there is no whole)."""
    return "" if whole == 0 else f"{Decimal(part * 100) / Decimal(whole):.1f}"


__all__ = ["REPORTS", "ExportOptions", "Report", "load_reports", "report", "share", "write_csv"]
