"""SQL that differs between database engines, as SQLAlchemy constructs compiled per dialect.

Services build queries from these instead of writing SQLite's own functions inline, so the
same services could one day run on a server database: only this module would learn its
dialect. Today every construct compiles for SQLite:

- ``greatest(a, b)`` / ``least(a, b)``: SQLite's two-argument scalar ``max`` / ``min``;
- ``days_between(earlier, later)``: whole days from one date to another (``julianday``);
- ``add_days(day, n)``: a date ``n`` days after ``day`` (``date(day, '+n days')``);
- ``joined(value, separator)``: an aggregate joining values (``group_concat``);
- ``local_day(moment)``: the owner's local day of a stored UTC time (``date(x, 'localtime')``);
- ``local_day_number(moment)``: that day as a whole number of days (``julianday``), so whole
  days between two times are one subtraction;
- ``local_minute(moment)``: the same time as local "YYYY-MM-DD HH:MM" (``strftime``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Date, Executable, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement, GenericFunction


class greatest(GenericFunction[Any]):  # noqa: N801 - SQL function names are lower case
    """The larger of two values (NULL if either is NULL, as in SQLite)."""

    inherit_cache = True


class least(GenericFunction[Any]):  # noqa: N801
    """The smaller of two values."""

    inherit_cache = True


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
def _least_sqlite(element: least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


class days_between(FunctionElement[int]):  # noqa: N801
    """Whole days from ``earlier`` to ``later`` (both dates; negative when reversed)."""

    type = Integer()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)})"
        f" - julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


class epoch_seconds(FunctionElement[int]):  # noqa: N801
    """A stored time or date (``db.types`` stores UTC text) as whole seconds since 1970."""

    type = Integer()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # ``julianday`` parses the text quicker than ``strftime('%s', ...)`` does; 2440587.5 is
    # the Julian day of 1 January 1970, 00:00 UTC.
    moment = compiler.process(element.clauses, **kw)
    return f"CAST((julianday({moment}) - 2440587.5) * 86400 AS INTEGER)"


class add_days(FunctionElement[date]):  # noqa: N801
    """The date ``days`` (an integer expression) after ``day``."""

    type = Date()
    inherit_cache = True


@compiles(add_days, "sqlite")
def _add_days_sqlite(element: add_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = list(element.clauses)
    return (
        f"date({compiler.process(day, **kw)}, "
        f"(CASE WHEN ({compiler.process(days, **kw)}) < 0 THEN '' ELSE '+' END)"
        f" || ({compiler.process(days, **kw)}) || ' days')"
    )


class joined(FunctionElement[str]):  # noqa: N801
    """An aggregate: the group's values joined by ``separator`` (in no promised order)."""

    type = String()
    inherit_cache = True


@compiles(joined, "sqlite")
def _joined_sqlite(element: joined, compiler: SQLCompiler, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)})"


class local_day(FunctionElement[date]):  # noqa: N801
    """The owner's local calendar day of a stored UTC time (``db.types`` stores UTC text)."""

    type = Date()
    inherit_cache = True


@compiles(local_day, "sqlite")
def _local_day_sqlite(element: local_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'localtime')"


class local_day_number(FunctionElement[int]):  # noqa: N801
    """The owner's local calendar day of a stored UTC time as a day number: the difference of
    two is the whole days between them, as ``days_between`` of their ``local_day`` gives."""

    type = Integer()
    inherit_cache = True


@compiles(local_day_number, "sqlite")
def _local_day_number_sqlite(element: local_day_number, compiler: SQLCompiler, **kw: Any) -> str:
    # A Julian day number starts at noon: half a day on, whole numbers fall at local midnight.
    # One function per row instead of ``date`` and then ``julianday``.
    moment = compiler.process(element.clauses, **kw)
    return f"CAST(julianday({moment}, 'localtime') + 0.5 AS INTEGER)"


def day_number(day: date) -> int:
    """``local_day_number``'s number for a calendar day."""
    return day.toordinal() + _JULIAN_OFFSET


#: Julian day number of 1 January of year 1 (``date.toordinal`` 1), less one.
_JULIAN_OFFSET = 1721425


class local_minute(FunctionElement[str]):  # noqa: N801
    """A stored UTC time as the owner's local "YYYY-MM-DD HH:MM"."""

    type = String()
    inherit_cache = True


@compiles(local_minute, "sqlite")
def _local_minute_sqlite(element: local_minute, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite's 'localtime' is the C library's, as Python's ``astimezone()``.
    return f"strftime('%Y-%m-%d %H:%M', {compiler.process(element.clauses, **kw)}, 'localtime')"


def driver_rows(session: Session, stmt: Executable) -> Iterator[Sequence[Any]]:
    """The rows of ``stmt`` as plain tuples straight from the database driver's cursor, one
    at a time, skipping SQLAlchemy's per-row work. Only for statements whose columns need no
    result processing: integers and text already made final in SQL (``db.export.safe_text``,
    ``local_minute``). Parameters are still bound (and converted) by SQLAlchemy. The cursor is
    closed when the rows run out or the reader stops early (a cancelled export)."""
    result = session.connection().execute(stmt)
    try:
        yield from cast("Iterator[Sequence[Any]]", result.cursor)
    finally:
        result.close()
