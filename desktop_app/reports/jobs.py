"""The work Reports sends to its helper process (or runs on the background runner): reading a
chart's rows and drawing it, writing a chart or the dashboard to a file, reading the value
figures. Everything here is plain data and functions, with no Qt, so the helper process loads
only the database layer and, when it first draws, matplotlib.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from db import feedback, purchases, value
from db.engine import Database
from db.feedback import Level
from db.value import BaseValue
from desktop_app.reports import palette as chart_palette
from desktop_app.reports.catalogue import BY_NAME, Chart, ChartData, Rendered, load


@dataclass(frozen=True)
class ValueFigures:
    base: BaseValue
    currency: str
    levels: dict[Level, int]


def read_figures(database: Database) -> ValueFigures:
    return ValueFigures(
        value.base_value(database), purchases.currency(database), feedback.level_counts(database)
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


def draw(job: Job, database: Database) -> Result:
    charts = _load_matplotlib()
    data = (
        job.data
        if job.data is not None
        else load(job.chart, database, job.since, job.until, job.today)
    )
    rendered: Rendered = charts.render(  # type: ignore[attr-defined]
        job.chart, data, job.palette, width=job.width, height=job.height, scale=job.scale
    )
    return Result(job.generation, job.chart.name, data, rendered)


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
