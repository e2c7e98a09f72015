"""The work Reports sends to its helper processes (or runs on the background runner): reading a
chart's rows and drawing it, writing a chart or the dashboard to a file, reading the value
figures. Everything here is plain data and functions, with no Qt, so a helper process loads
only the database layer and matplotlib.

A helper process keeps what it read (``RowsCache``) until anything is committed to the
database, so a chart asked for again (the period switched back, Reports shown again, the
window resized) is drawn without reading its rows again.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from db import feedback, purchases, settings, value
from db.clock import local_today
from db.engine import ChangeWatch, Database, open_beside
from db.feedback import Level
from db.reports.journeys import funnel_inputs
from db.value import BaseValue
from desktop_app.reports import palette as chart_palette
from desktop_app.reports.catalogue import (
    BY_NAME,
    FIGURES,
    Chart,
    ChartData,
    Rendered,
    load,
    options_for,
)

T = TypeVar("T")


class RowsCache:
    """Results read from the database, each kept until anything is committed to it."""

    def __init__(self, watch: ChangeWatch, size: int = 64) -> None:
        self.watch = watch
        self.size = size
        self._version: int | None = None
        self._kept: dict[Hashable, Any] = {}

    def get(self, key: Hashable, read: Callable[[], T]) -> T:
        """What ``read()`` gave for ``key``, if nothing changed since; else ``read()`` now."""
        # Taken before reading: a commit while ``read`` runs moves it on, and the next
        # question reads again rather than trust rows that may predate that commit.
        version = self.watch.version()
        if version != self._version:
            self._kept.clear()
            self._version = version
        if key in self._kept:
            found: T = self._kept[key]
            return found
        found = read()
        if len(self._kept) >= self.size:
            self._kept.pop(next(iter(self._kept)))
        self._kept[key] = found
        return found


#: The helper process's connection and cache (one each per process).
_database: Database | None = None
_cache: RowsCache | None = None


def start_helper(path: str, parent: int) -> None:
    """Set up a helper process: open the database, load matplotlib."""
    global _database, _cache  # noqa: PLW0603 - the helper process's connection and cache
    _database = open_beside(Path(path))
    _cache = RowsCache(ChangeWatch(path))
    # The pool's pipes do not tell a worker that the app was killed: watch for it instead.
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    _load_matplotlib().warm_up()  # type: ignore[attr-defined]


def _exit_with(parent: int) -> None:
    """End this helper process once the app that started it is gone."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def ready(_database: Database) -> None:
    """A read of nothing: a helper given it starts, and loads what it uses, at once."""


def run_in_helper(query: Callable[[Database], T]) -> T:
    assert _database is not None, "the helper process opened no database"
    return query(_database)


def _kept(key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, or what it gave before if nothing changed (in a helper process)."""
    return read() if _cache is None else _cache.get(key, read)


#: Charts that cost much to read and that most changes leave as they were, each with what
#: its rows are read from in a few numbers that are cheap to read and move whenever the rows
#: would (the funnel: 0.1 s against 0.4 s at 100,000 contacts; a touch logged leaves it as it
#: was). Their rows are kept across changes and read again only when those numbers moved.
INPUTS: dict[str, Callable[[Database], Hashable]] = {"funnel": funnel_inputs}
#: Rows kept that way: chart key -> (the inputs they were read from, the rows).
_lasting: dict[Hashable, tuple[Hashable, ChartData]] = {}
#: How many periods' rows ``_lasting`` keeps.
LASTING_KEPT = 8


def chart_rows(
    chart: Chart, database: Database, since: date | None, until: date | None, today: date
) -> ChartData:
    """The chart's rows for the period, read once until the database changes (for a chart
    in ``INPUTS``, until what it is read from changes)."""
    options = options_for(chart, since, until, today)
    key = ("chart", chart.name, options.since, options.until, today)
    return _kept(key, lambda: _read_rows(key, chart, database, since, until, today=today))


def _read_rows(
    key: Hashable,
    chart: Chart,
    database: Database,
    since: date | None,
    until: date | None,
    *,
    today: date,
) -> ChartData:
    inputs = INPUTS.get(chart.name)
    if inputs is None:
        return load(chart, database, since, until, today)
    # Read before the rows: a change made while they are read moves them on, and the next
    # question reads the rows again rather than trust ones that may predate it.
    seen = (inputs(database), settings.read(database, settings.CURRENCY))
    lasting = _lasting.get(key)
    if lasting is not None and lasting[0] == seen:
        return lasting[1]
    data = load(chart, database, since, until, today)
    _lasting.pop(key, None)
    if len(_lasting) >= LASTING_KEPT:
        _lasting.pop(next(iter(_lasting)))
    _lasting[key] = (seen, data)
    return data


def prefetch(
    names: Sequence[str],
    since: date | None,
    until: date | None,
    today: date,
    database: Database,
) -> None:
    """Read these charts' rows (and the value figures, named "figures") ahead of time."""
    for name in names:
        if name == FIGURES:
            figures(today, database)
        else:
            chart_rows(BY_NAME[name], database, since, until, today)


@dataclass(frozen=True)
class ValueFigures:
    base: BaseValue
    currency: str
    levels: dict[Level, int]


def read_figures(database: Database) -> ValueFigures:
    return figures(local_today(), database)


def figures(today: date, database: Database) -> ValueFigures:
    """The value figures as of ``today``, kept until the database changes."""
    return _kept(("figures", today), lambda: _read_figures(today, database))


def _read_figures(today: date, database: Database) -> ValueFigures:
    return ValueFigures(
        value.base_value(database, today),
        purchases.currency(database),
        feedback.level_counts(database),
    )


def _load_matplotlib() -> object:
    """Loaded on the worker the first time a chart is drawn: the plotting library takes about a
    second to import, which must not happen on the GUI thread."""
    from desktop_app.reports import charts  # noqa: PLC0415 - off the GUI thread, when first drawn

    return charts


@dataclass(frozen=True)
class Job:
    """What one background task needs to draw a chart: everything is plain data."""

    generation: int
    chart: Chart
    since: date | None
    until: date | None
    today: date
    palette: chart_palette.ChartPalette
    width: int
    height: int
    scale: float
    data: ChartData | None = None


@dataclass(frozen=True)
class Result:
    generation: int
    name: str
    data: ChartData
    image: Rendered
    #: Drawn for this request; False: the image drawn before from the same rows, at the same
    #: size and in the same colours, given again.
    fresh: bool = True


#: The last image drawn of each chart at each size, with the rows and colours it was drawn
#: from: (chart, width, height, scale) -> (palette, rows, image).
_drawn: dict[
    tuple[str, int, int, float], tuple[chart_palette.ChartPalette, ChartData, Rendered]
] = {}
#: How many images ``_drawn`` keeps (about 1 MB each): every chart at two sizes.
DRAWN_KEPT = 2 * len(BY_NAME)


def draw(job: Job, database: Database) -> Result:
    """The chart's rows, read (or kept), and its image. Rows read again after a change are
    often the same (logging a touch leaves the funnel, the sales and the lifecycle as they
    were): then the image drawn from them before is given again instead of drawn anew."""
    charts = _load_matplotlib()
    data = (
        job.data
        if job.data is not None
        else chart_rows(job.chart, database, job.since, job.until, job.today)
    )
    key = (job.chart.name, job.width, job.height, job.scale)
    kept = _drawn.get(key)
    if kept is not None and kept[0] == job.palette and kept[1] == data:
        return Result(job.generation, job.chart.name, data, kept[2], fresh=False)
    rendered: Rendered = charts.render(  # type: ignore[attr-defined]
        job.chart, data, job.palette, width=job.width, height=job.height, scale=job.scale
    )
    _drawn.pop(key, None)
    if len(_drawn) >= DRAWN_KEPT:
        _drawn.pop(next(iter(_drawn)))
    _drawn[key] = (job.palette, data, rendered)
    return Result(job.generation, job.chart.name, data, rendered)


def draw_ahead(jobs: Sequence[Job], database: Database) -> None:
    """Draw these charts now (the app is idle), so that when the page asks for them at the
    same size, in the same colours, from the same rows, they are given, not drawn."""
    for job in jobs:
        draw(job, database)


def _saved(write: Callable[[], None], path: Path, what: str) -> tuple[Path | str, str]:
    """Write a file; (where it went, what) or (why not, what)."""
    try:
        write()
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"{path}: {reason}", what
    return path, what


def save_chart(
    data: ChartData, p: chart_palette.ChartPalette, path: Path, what: str, _database: Database
) -> tuple[Path | str, str]:
    charts = _load_matplotlib()
    chart = BY_NAME[data.name]
    return _saved(lambda: charts.save(chart, data, p, path), path, what)  # type: ignore[attr-defined]


def save_dashboard(
    datas: tuple[ChartData, ...], path: Path, subtitle: str, _database: Database
) -> tuple[Path | str, str]:
    charts = _load_matplotlib()
    # Printed on paper: always the light palette.
    return _saved(
        lambda: charts.save_dashboard(datas, chart_palette.LIGHT, path, subtitle),  # type: ignore[attr-defined]
        path,
        "the dashboard",
    )
