"""The dashboard's charts: which report each one draws, and loading its rows.

No matplotlib here (``desktop_app.reports.charts`` draws): the Reports page lists the charts
and the command line checks a chart's name without paying for the plotting library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from db import journeys, settings
from db.engine import Database
from db.export import Cell, ExportOptions, build, header_key, load_reports
from db.reports.dashboard import historic_total, month_start


@dataclass(frozen=True)
class Drill:
    """Which contacts a bar stands for: ``kind`` is "stage", "stuck", "lifecycle" or
    "contact"; ``value`` the stage id, lifecycle key or contact id; ``label`` names them
    (the stage's or lifecycle's label, the contact's name); ``count`` how many they are."""

    kind: str
    value: int | str
    label: str
    count: int = 1


@dataclass(frozen=True)
class Rendered:
    """A chart drawn into an RGBA image, with the rectangles (x, y, width, height in logical
    pixels, from the top left) of the bars that stand for contacts.

    Drawn in the helper process and unpickled in the app: it lives here, beside the chart
    registry, and holds only plain Python values, so reading it never loads the plotting
    library into the app (which would cost the app a second of its interpreter and about
    100 MiB)."""

    name: str
    title: str
    empty: str
    width: int
    height: int
    scale: float
    rgba: bytes
    hits: tuple[tuple[tuple[float, float, float, float], Drill], ...]


@dataclass(frozen=True)
class Chart:
    name: str
    heading: str
    #: The registered report whose rows the chart draws (its CLI twin: ``touchbase export``).
    report: str
    #: What will appear once there is data.
    empty: str

    @property
    def ranged(self) -> bool:
        """Whether the dashboard's period applies (else the chart shows things as of today)."""
        return load_reports()[self.report].period is not None


@dataclass(frozen=True)
class ChartData:
    """A chart's rows (the report's), the period they cover, and a few figures the rows do not
    carry (stage ids and dwell limits, the currency, the base's total value)."""

    name: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    since: date | None
    until: date | None
    today: date
    extra: dict[str, Any] = field(default_factory=dict)

    def index(self, header: str) -> int:
        """Where a column is: by its header ("Ever reached"), or by that header's key
        (``db.export.header_key``: ``ever_reached``)."""
        if header in self.headers:
            return self.headers.index(header)
        return [header_key(h) for h in self.headers].index(header)

    def column(self, header: str) -> list[Cell]:
        i = self.index(header)
        return [row[i] for row in self.rows]


CHARTS: tuple[Chart, ...] = (
    Chart(
        "funnel",
        "Journey funnel",
        "funnel",
        "Once contacts stand on stages of your journey, the funnel shows how many reach each "
        "stage, how many go on, and who is stuck.",
    ),
    Chart(
        "touches",
        "Touches per medium",
        "touches-by-month",
        "Once you log touches, this shows how many you make each month, by medium.",
    ),
    Chart(
        "mediums",
        "Medium mix per stage",
        "mediums",
        "Once you log touches, this shows which mediums you use at each stage.",
    ),
    Chart(
        "followups",
        "Follow-up habit",
        "followup-habit",
        "Once follow-ups fall due, this shows each week how many you did on time, late, "
        "or not yet.",
    ),
    Chart(
        "plan",
        "100-day plan",
        "plan-progress",
        "No customer who first bought in this period has 100-day plan steps. A plan starts "
        "when a customer's first sale is recorded; this shows how its steps went: on time, "
        "late or missed.",
    ),
    Chart(
        "lifecycle",
        "Lifecycle",
        "lifecycle",
        "Once you have contacts, this shows how many are new, active, repeat, lapsed or "
        "inactive buyers.",
    ),
    Chart(
        "satisfaction",
        "Satisfaction",
        "satisfaction-by-month",
        "Once you record feedback, this shows each month's satisfaction levels and who moved "
        "up or down.",
    ),
    Chart(
        "sales",
        "Sales per month",
        "sales-by-month",
        "Once you record sales, this shows each month's sales and the growing value of your "
        "customer base.",
    ),
    Chart(
        "top-customers",
        "Top customers by lifetime value",
        "top-customers",
        "Once you record sales, this lists your customers with the highest lifetime value.",
    ),
)
BY_NAME = {c.name: c for c in CHARTS}


#: The periods the dashboard offers, in the order shown.
RANGES = (
    "This month",
    "Last 3 months",
    "Last 12 months",
    "This year",
    "All time",
    "Custom",
)
DEFAULT_RANGE = "Last 12 months"
#: The value figures' name where charts are listed for reading (``LANES``).
FIGURES = "figures"
#: Which helper process (lane) reads and draws each chart, in the order each lane takes them:
#: the charts at the top of the page first, and the work split about evenly by what each
#: costs at 100,000 contacts and 1,000,000 touches (processor time) when Reports first opens,
#: cold (every chart read and drawn: about 0.9 s a lane) or just after a touch was logged
#: (every chart's rows read again but the funnel's, which a touch leaves as they were,
#: ``jobs.INPUTS``; drawn again, about 0.1 s each, only the charts whose rows changed: the
#: rest were drawn ahead at idle).
#: Reads: the funnel 0.4 s (0.1 s to know it stands as it was), the value figures 0.25 s,
#: the plan 0.11 s, touches, mediums and follow-ups 0.08 to 0.1 s, the rest under 0.06 s. A
#: lane done with its own takes the other's last charts (``worker.ReportsReader``), and the
#: value figures, shown below the charts, are read once no chart waits.
LANES: tuple[tuple[str, ...], ...] = (
    ("funnel", "lifecycle", "satisfaction", "sales", FIGURES),
    ("touches", "mediums", "followups", "plan", "top-customers"),
)
LANE_OF = {name: lane for lane, names in enumerate(LANES) for name in names}


def months_back(today: date, months: int) -> date:
    """The first day of the month ``months`` calendar months before today's."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def period_of(name: str, today: date) -> tuple[date | None, date | None]:
    """(since, until) for one of ``RANGES`` other than Custom."""
    if name == "This month":
        return month_start(today), today
    if name == "Last 3 months":
        return months_back(today, 2), today
    if name == "Last 12 months":
        return months_back(today, 11), today
    if name == "This year":
        return date(today.year, 1, 1), today
    if name == "All time":
        return None, None
    raise ValueError(f"no fixed period called {name!r}")


def options_for(chart: Chart, since: date | None, until: date | None, today: date) -> ExportOptions:
    """The report options a chart is built with (no period for a chart of today)."""
    ranged = chart.ranged
    return ExportOptions(
        since=since if ranged else None, until=until if ranged else None, today=today
    )


def load(
    chart: Chart, database: Database, since: date | None, until: date | None, today: date
) -> ChartData:
    """The chart's rows for the period (a chart of things as they stand today ignores it)."""
    options = options_for(chart, since, until, today)
    report = build(load_reports()[chart.report], database, options)
    rows = tuple(tuple(r) for r in report.rows)
    extra: dict[str, Any] = {}
    extra["currency"] = settings.read(database, settings.CURRENCY)
    if chart.name in ("funnel", "mediums"):
        extra["stages"] = [(s.id, s.label, s.dwell_days) for s in journeys.current_stages(database)]
    if chart.name == "top-customers":
        extra["base_total"] = historic_total(database)
    return ChartData(chart.name, report.headers, rows, options.since, options.until, today, extra)


def summary_line(since: date | None, until: date | None, today: date, database: str) -> str:
    """The dashboard PDF's second line: which database, which period, made when."""
    if since is None and until is None:
        period = "all time"
    else:
        start = f"{since:%-d %B %Y}" if since else "the start"
        period = f"{start} to {until or today:%-d %B %Y}"
    return f"{database} · {period} · made {today:%-d %B %Y}"
