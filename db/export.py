"""Reports as CSV: a registry of named reports and one careful CSV writer.

Each feature registers its reports with ``@report("name")``; the command line's ``export``
subcommand and the app's Export menu both list what is registered here. Files are written
UTF-8 with a byte-order mark, RFC 4180 quoting and CRLF line ends, which Excel and LibreOffice
both open cleanly, through ``db.targets.replacing`` (a temporary file that replaces the target
only when complete, and never the database or its backups).

Spreadsheet safety: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return would be run as a formula by a spreadsheet, so it is written with a leading apostrophe
(``'=SUM(A1)``), as OWASP recommends against CSV injection. Numbers (amounts, counts) are not
text and stay numbers. Every report follows one header style: words in sentence case with
spaces ("Next follow-up", "Contact ID").
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, String, case, func, literal, type_coerce
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from db import sql
from db.clock import local_today
from db.sql import driver_rows
from db.targets import replacing

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
    """A report's header and rows.

    ``prepared`` says the builder already made every cell final: text neutralised (with
    ``safe_text`` in SQL, or ``neutralise``) and dates as text. The writer then passes rows
    straight to the CSV writer, which is what lets a million-row log export at the speed of a
    bare loop; otherwise each cell is formatted by ``cells``.
    """

    headers: tuple[str, ...]
    rows: Iterable[Sequence[Cell]]
    prepared: bool = False


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


#: What a cell must not start with, or a spreadsheet reads it as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet shows it, never runs it: "'=1+1" for "=1+1". Text that already
    starts with apostrophes before such a character gets one more ("''-x" for "'-x"), so an
    importer that drops one apostrophe gets every text back as typed."""
    if text.startswith(FORMULA_STARTS) or (
        text[:1] == "'" and text.lstrip("'").startswith(FORMULA_STARTS)
    ):
        return "'" + text
    return text


def safe_text(column: Any) -> ColumnElement[str]:
    """``neutralise`` in SQL, so a big report's rows need no Python per cell ("" for NULL)."""
    value = func.coalesce(column, "")
    first = func.substr(value, 1, 1)
    # Only text that starts with an apostrophe pays for looking past it.
    after_apostrophes = func.substr(func.ltrim(value, "'"), 1, 1)
    starts = list(FORMULA_STARTS)
    # Every character that can start a formula, and the apostrophe, sorts before "A" (byte
    # order, whatever the column's collation): most text (a letter first) is let through by
    # this one comparison, without the function calls below (NULL is let through too).
    could_start_formula = type_coerce(column, String).collate("BINARY") < literal("A", String)
    return type_coerce(
        case(
            (
                could_start_formula
                & (first.in_(starts) | ((first == "'") & after_apostrophes.in_(starts))),
                literal("'", String) + value,
            ),
            else_=value,
        ),
        String,
    )


def local_minute(column: Any) -> ColumnElement[str]:
    """A stored UTC time as the owner's local "YYYY-MM-DD HH:MM", computed in SQL."""
    return type_coerce(sql.local_minute(type_coerce(column, String)), String)


def unindexed(column: Any) -> ColumnElement[Any]:
    """``column`` behind SQLite's unary "+", which keeps the planner from walking an index
    for it (ORDER BY): a whole-table export reads rows in table order and sorts them, instead
    of fetching each row from wherever the index points."""
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def local_time(value: datetime) -> str:
    """A time as reports write it: the owner's local "YYYY-MM-DD HH:MM"."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def _none(_value: None) -> str:
    return ""


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _as_is(value: Cell) -> Cell:
    return value


_FORMAT: dict[type, Callable[[Any], Cell]] = {
    str: neutralise,
    int: _as_is,
    float: _as_is,
    Decimal: _as_is,
    type(None): _none,
    datetime: local_time,
    date: date.isoformat,
    bool: yes_no,
}


def cells(row: Sequence[Cell]) -> list[Cell]:
    """One row as written: text neutralised, times local, days ISO, numbers left numbers."""
    return [_FORMAT.get(type(value), _as_is)(value) for value in row]


#: How many rows are written between two calls of ``write_csv``'s ``keep_going``.
PROGRESS_EVERY = 1000


def write_csv(
    report: Report,
    path: Path,
    *,
    keep_going: Callable[[int], bool] | None = None,
    database_path: Path | None = None,
) -> int:
    """Write ``report`` to ``path`` whole, or not at all; returns the number of data rows.

    ``keep_going`` is called with the rows written so far every ``PROGRESS_EVERY`` rows; when
    it returns False the export stops with ``ExportCancelledError`` and ``path`` is untouched.
    ``database_path`` is the open database, which (with its files and backups) is refused as
    a target (``db.targets.TargetRefusedError``).
    """
    count = 0
    with replacing(path, database_path=database_path, encoding="utf-8") as handle:
        # The byte-order mark by hand: the "utf-8-sig" codec is written in Python and would
        # cost a call per row; "utf-8" is encoded in C.
        handle.write("\ufeff")
        writer = csv.writer(handle, dialect="excel")
        writer.writerow(report.headers)
        rows = iter(report.rows)
        while chunk := list(islice(rows, PROGRESS_EVERY)):
            writer.writerows(chunk if report.prepared else map(cells, chunk))
            count += len(chunk)
            if keep_going is not None and count % PROGRESS_EVERY == 0 and not keep_going(count):
                raise ExportCancelledError
    return count


def share(part: int, whole: int) -> str:
    """A percentage with one decimal, as reports show shares ("" when there is no whole)."""
    return "" if whole == 0 else f"{Decimal(part * 100) / Decimal(whole):.1f}"


def header_key(header: str) -> str:
    """A column's key as code names it: "Conversion to next %" is ``conversion_to_next_pct``,
    "Contact ID" is ``contact_id`` (headers are written for people; charts and tests look
    columns up by key)."""
    words = re.sub(r"[^0-9a-z]+", " ", header.lower().replace("%", " pct ")).split()
    return "_".join(words)


__all__ = [
    "FORMULA_STARTS",
    "REPORTS",
    "ExportCancelledError",
    "ExportOptions",
    "PeriodNotApplicableError",
    "Report",
    "ReportKind",
    "build",
    "cells",
    "driver_rows",
    "header_key",
    "load_reports",
    "local_minute",
    "local_time",
    "neutralise",
    "report",
    "safe_text",
    "share",
    "unindexed",
    "write_csv",
    "yes_no",
]
