"""The dashboard's charts, drawn with matplotlib's Agg renderer (no Qt here).

Each chart draws the rows of one registered report (``db.export``), so what a chart shows is
exactly what ``touchbase export`` writes for it. Charts are drawn into images off the GUI thread
(``render``), written to PNG, SVG or PDF (``save``), or laid out together on one PDF page
(``save_dashboard``). A chart's title states what it shows in numbers, computed from its rows.

Where a bar stands for contacts, ``render`` returns its rectangle with a ``Drill`` saying
which contacts: the Reports page opens the contacts list filtered to them when it is clicked.

matplotlib is imported by the first chart drawn, not at start-up (``desktop_app.reports``
only loads this module when Reports is first opened, and the command line when asked).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from db import journeys, settings, value
from db.domain import Medium
from db.engine import Database
from db.export import Cell, ExportOptions, build, load_reports
from db.feedback import Level
from db.lifecycle import Lifecycle
from desktop_app.reports.palette import ChartPalette

#: The file types a chart or the dashboard can be saved as.
FORMATS = ("png", "svg", "pdf")


@dataclass(frozen=True)
class Drill:
    """Which contacts a bar stands for: ``kind`` is "stage", "stuck", "lifecycle" or
    "contact"; ``value`` the stage id, lifecycle key or contact id."""

    kind: str
    value: int | str
    label: str


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

    def column(self, header: str) -> list[Cell]:
        i = self.headers.index(header)
        return [row[i] for row in self.rows]


@dataclass
class Drawn:
    """What drawing a chart produced: its title, and the bars that stand for contacts."""

    title: str
    hits: list[tuple[Any, Drill]] = field(default_factory=list)
    #: Set when there is nothing to draw yet: what will appear once there is data.
    empty: str = ""


Draw = Callable[[Axes, ChartData, ChartPalette], Drawn]


@dataclass(frozen=True)
class Chart:
    name: str
    heading: str
    #: The registered report whose rows the chart draws.
    report: str
    draw: Draw
    #: What will appear once there is data.
    empty: str

    @property
    def ranged(self) -> bool:
        return load_reports()[self.report].period is not None


# --- loading --------------------------------------------------------------------------------


def load(
    chart: Chart,
    database: Database,
    since: date | None,
    until: date | None,
    today: date,
) -> ChartData:
    """The chart's rows for the period (a chart of things as they stand today ignores it)."""
    kind = load_reports()[chart.report]
    ranged = kind.period is not None
    options = ExportOptions(
        since=since if ranged else None, until=until if ranged else None, today=today
    )
    report = build(kind, database, options)
    rows = tuple(tuple(r) for r in report.rows)
    extra: dict[str, Any] = {}
    with database.reading() as session:
        extra["currency"] = settings.get(session, settings.CURRENCY)
        if chart.name in ("funnel", "mediums"):
            extra["stages"] = [
                (s.id, s.label, s.dwell_days) for s in journeys.active_stages(session)
            ]
    if chart.name == "top-customers":
        extra["base_total"] = value.base_value(database, today).historic_total
    return ChartData(chart.name, report.headers, rows, options.since, options.until, today, extra)


# --- helpers --------------------------------------------------------------------------------


def _int(v: Cell) -> int:
    return int(v) if v not in (None, "") else 0  # type: ignore[arg-type]


def _dec(v: Cell) -> Decimal:
    return Decimal(str(v)) if v not in (None, "") else Decimal(0)


def _pct(part: float, whole: float) -> int:
    return round(100 * part / whole) if whole else 0


def _money(amount: Decimal, currency: str) -> str:
    return value.display(amount.quantize(Decimal(1)), currency).removesuffix(".00")


def _short_money(amount: float, _pos: object = None) -> str:
    size = abs(amount)
    if size >= 1_000_000:
        return f"{amount / 1_000_000:.1f}M"
    if size >= 10_000:
        return f"{amount / 1000:.0f}k"
    if size >= 1000:
        return f"{amount / 1000:.1f}k"
    return f"{amount:.0f}"


def _month_label(key: str) -> str:
    year, month = key.split("-")
    return (
        f"{date(int(year), int(month), 1):%b}\n{year}"
        if month == "01"
        else (f"{date(int(year), int(month), 1):%b}")
    )


def _month_ticks(ax: Axes, keys: Sequence[str]) -> None:
    """Month labels under bars, thinned so they never collide."""
    positions = list(range(len(keys)))
    step = max(1, math.ceil(len(keys) / 12))
    ax.set_xticks(positions[::step])
    labels = [_month_label(k) for k in keys]
    if keys and keys[0][5:] != "01":
        labels[0] = f"{labels[0]}\n{keys[0][:4]}"
    ax.set_xticklabels(labels[::step])


def _style(ax: Axes, p: ChartPalette, *, grid_axis: str = "y") -> None:
    ax.set_facecolor(p.background)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(p.grid)
    ax.tick_params(colors=p.muted, labelcolor=p.text, labelsize=8)
    ax.grid(axis=grid_axis, color=p.grid, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.xaxis.label.set_color(p.muted)
    ax.yaxis.label.set_color(p.muted)
    ax.xaxis.label.set_fontsize(8)
    ax.yaxis.label.set_fontsize(8)


def _legend(ax: Axes, p: ChartPalette, handles: Sequence[Any] | None = None, **kw: Any) -> None:
    kw.setdefault("loc", "upper left")
    kw.setdefault("ncols", 3)
    legend = ax.legend(handles=handles, **kw) if handles is not None else ax.legend(**kw)
    legend.get_frame().set_facecolor(p.background)
    legend.get_frame().set_edgecolor(p.grid)
    for text in legend.get_texts():
        text.set_color(p.text)
        text.set_fontsize(7.5)


def _period(data: ChartData) -> str:
    if data.since is None and data.until is None:
        return "all time"
    since = f"{data.since:%-d %b %Y}" if data.since else "the start"
    until = f"{data.until:%-d %b %Y}" if data.until else "today"
    return f"{since} to {until}"


# --- the charts -----------------------------------------------------------------------------


def _funnel(ax: Axes, data: ChartData, p: ChartPalette) -> Drawn:
    stages: list[tuple[int, str, int | None]] = data.extra.get("stages", [])
    if not data.rows or not any(_int(v) for v in data.column("ever_reached")):
        return Drawn("", empty="")
    labels = [str(v) for v in data.column("stage")]
    now = [_int(v) for v in data.column("now_at_stage")]
    ever = [_int(v) for v in data.column("ever_reached")]
    stuck = [_int(v) for v in data.column("stuck")]
    medians = data.column("median_days_in_stage")
    conversions = data.column("conversion_to_next_pct")
    ids = {label: (sid, dwell) for sid, label, dwell in stages}
    y = list(range(len(labels)))[::-1]
    ax.barh(y, ever, color=p.accent_soft, label="Ever reached", height=0.72)
    now_bars = ax.barh(y, now, color=p.accent, label="At the stage now", height=0.42)
    stuck_bars = ax.barh(y, stuck, color=p.warn, label="Stuck (past dwell limit)", height=0.42)
    _style(ax, p, grid_axis="x")
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.set_xlabel("contacts")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    top = max(ever) or 1
    ax.set_xlim(0, top * 1.55)
    for row, yy in enumerate(y):
        sid, dwell = ids.get(labels[row], (None, None))
        parts = []
        if conversions[row] not in (None, ""):
            parts.append(f"→ {float(conversions[row]):.0f}% go on")  # type: ignore[arg-type]
        if medians[row] not in (None, ""):
            limit = f" / limit {dwell} d" if dwell else ""
            parts.append(f"median {float(medians[row]):.0f} d{limit}")  # type: ignore[arg-type]
        if stuck[row]:
            parts.append(f"{stuck[row]:,} stuck")
        over = dwell is not None and medians[row] not in (None, "") and float(medians[row]) > dwell  # type: ignore[arg-type]
        ax.text(
            ever[row] + top * 0.02,
            yy,
            "  ·  ".join(parts),
            va="center",
            fontsize=7.5,
            color=p.bad if over else p.muted,
        )
    _legend(ax, p, loc="lower right", ncols=1)
    hits: list[tuple[Any, Drill]] = []
    for row, bar in enumerate(now_bars):
        sid = ids.get(labels[row], (None, None))[0]
        if sid is not None and now[row]:
            hits.append((bar, Drill("stage", sid, f"at {labels[row]}")))
    for row, bar in enumerate(stuck_bars):
        sid = ids.get(labels[row], (None, None))[0]
        if sid is not None and stuck[row]:
            hits.append((bar, Drill("stuck", sid, f"stuck at {labels[row]}")))
    # The finding: the weakest step forward, and how many are stuck.
    steps = [
        (float(conversions[i]), i)  # type: ignore[arg-type]
        for i in range(len(labels) - 1)
        if conversions[i] not in (None, "") and ever[i]
    ]
    total_stuck = sum(stuck)
    stuck_text = f"{total_stuck:,} contact{'s' if total_stuck != 1 else ''} stuck"
    if steps:
        rate, i = min(steps)
        median = medians[i]
        days = (
            f"; median {float(median):.0f} days at {labels[i]}" if median not in (None, "") else ""
        )  # type: ignore[arg-type]
        title = f"{rate:.0f}% of {labels[i]} reach {labels[i + 1]}{days}; {stuck_text}"
    else:
        title = f"{sum(now):,} contacts on the journey; {stuck_text}"
    return Drawn(title, hits)


def _touches_by_month(ax: Axes, data: ChartData, p: ChartPalette) -> Drawn:
    totals = [_int(v) for v in data.column("total")]
    if not sum(totals):
        return Drawn("", empty="")
    months = [str(v) for v in data.column("month")]
    x = list(range(len(months)))
    bottom = [0] * len(months)
    by_medium: dict[Medium, int] = {}
    for medium in Medium:
        counts = [_int(v) for v in data.column(medium.label)]
        by_medium[medium] = sum(counts)
        ax.bar(x, counts, bottom=bottom, color=p.mediums[medium], label=medium.label, width=0.75)
        bottom = [a + b for a, b in zip(bottom, counts, strict=True)]
    _style(ax, p)
    _month_ticks(ax, months)
    ax.set_ylabel("touches per month")
    ax.yaxis.set_major_formatter(FuncFormatter(_short_money))
    ax.set_ylim(0, max(totals) * 1.3)
    _legend(ax, p)
    total = sum(totals)
    top = max(by_medium, key=lambda m: by_medium[m])
    title = (
        f"{total:,} touches, {round(total / len(months)):,} a month; "
        f"{top.label} is {_pct(by_medium[top], total)}% of them"
    )
    return Drawn(title)


def _mediums(ax: Axes, data: ChartData, p: ChartPalette) -> Drawn:
    rows = [r for r in data.rows if r[0] != "All stages"]
    stages = list(dict.fromkeys(str(r[0]) for r in rows))
    counts = {(str(r[0]), str(r[1])): _int(r[2]) for r in rows}
    per_stage = {s: sum(counts.get((s, m.label), 0) for m in Medium) for s in stages}
    if not sum(per_stage.values()):
        return Drawn("", empty="")
    y = list(range(len(stages)))[::-1]
    left = [0.0] * len(stages)
    for medium in Medium:
        shares = [
            100 * counts.get((s, medium.label), 0) / per_stage[s] if per_stage[s] else 0
            for s in stages
        ]
        ax.barh(y, shares, left=left, color=p.mediums[medium], label=medium.label, height=0.65)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    _style(ax, p, grid_axis="x")
    ax.set_yticks(y)
    ax.set_yticklabels([f"{s} ({per_stage[s]:,})" for s in stages])
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(PercentFormatter())
    ax.set_xlabel("share of the stage's touches")
    _legend(ax, p, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=6)
    leaders: dict[str, int] = {}
    best = ("", "", 0)
    for s in stages:
        if not per_stage[s]:
            continue
        lead = max(Medium, key=lambda m, s=s: counts.get((s, m.label), 0))  # type: ignore[misc]
        leaders[lead.label] = leaders.get(lead.label, 0) + 1
        share = _pct(counts.get((s, lead.label), 0), per_stage[s])
        if share > best[2]:
            best = (s, lead.label, share)
    common = max(leaders, key=lambda m: leaders[m])
    busy = sum(1 for s in stages if per_stage[s])
    title = (
        f"{common} leads in {leaders[common]} of {busy} stages; "
        f"{best[1]} is {best[2]}% of {best[0]} touches"
    )
    return Drawn(title)


def _followup_habit(ax: Axes, data: ChartData, p: ChartPalette) -> Drawn:
    due = [_int(v) for v in data.column("fell_due")]
    if not sum(due):
        return Drawn("", empty="")
    weeks = data.column("week")
    on_time = [_int(v) for v in data.column("done_on_time")]
    late = [_int(v) for v in data.column("done_late")]
    still_open = [_int(v) for v in data.column("still_open")]
    x = list(range(len(weeks)))
    ax.bar(x, on_time, color=p.good, label="Done on time", width=0.8)
    ax.bar(x, late, bottom=on_time, color=p.warn, label="Done late", width=0.8)
    ax.bar(
        x,
        still_open,
        bottom=[a + b for a, b in zip(on_time, late, strict=True)],
        color=p.bad,
        label="Still open",
        width=0.8,
    )
    _style(ax, p)
    ax.set_ylabel("follow-ups due per week")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(due) * 1.35)
    step = max(1, math.ceil(len(weeks) / 10))
    ax.set_xticks(x[::step])
    ax.set_xticklabels([f"{w:%-d %b}" for w in weeks[::step]])  # type: ignore[str-format]
    share = ax.twinx()
    share.plot(
        x,
        [100 * a / d if d else math.nan for a, d in zip(on_time, due, strict=True)],
        color=p.text,
        linewidth=1.4,
        marker="o" if len(x) < 30 else None,
        markersize=3,
        label="On time %",
    )
    share.set_ylim(0, 135)
    share.yaxis.set_major_formatter(PercentFormatter())
    share.set_yticks([0, 50, 100])
    share.tick_params(colors=p.muted, labelcolor=p.text, labelsize=8)
    for side in ("top", "left", "bottom"):
        share.spines[side].set_visible(False)
    share.spines["right"].set_color(p.grid)
    share.set_ylabel("on time", color=p.muted, fontsize=8)
    handles = ax.get_legend_handles_labels()[0] + share.get_legend_handles_labels()[0]
    _legend(ax, p, handles=handles, ncols=4)
    total = sum(due)
    title = (
        f"{_pct(sum(on_time), total)}% of {total:,} follow-ups done on time; "
        f"{sum(late):,} late, {sum(still_open):,} still open"
    )
    return Drawn(title)


def _plan_progress(ax: Axes, data: ChartData, p: ChartPalette) -> Drawn:
    parts = [
        ("done_on_time", "Done on time", p.good),
        ("done_late", "Done late", p.warn),
        ("missed", "Missed", p.bad),
        ("to_come", "Still to come", p.accent_soft),
    ]
    columns = {key: [_int(v) for v in data.column(key)] for key, _l, _c in parts}
    if not data.rows or not sum(sum(c) for c in columns.values()):
        return Drawn("", empty="")
    steps = [
        f"Day {_int(d)}: {s}" for s, d in zip(data.column("step"), data.column("day"), strict=True)
    ]
    y = list(range(len(steps)))[::-1]
    left = [0] * len(steps)
    for key, label, colour in parts:
        ax.barh(y, columns[key], left=left, color=colour, label=label, height=0.65)
        left = [a + b for a, b in zip(left, columns[key], strict=True)]
    _style(ax, p, grid_axis="x")
    ax.set_yticks(y)
    ax.set_yticklabels([s if len(s) <= 34 else s[:33] + "…" for s in steps])
    ax.set_xlabel("customers (one step each)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(left) * 1.05)
    _legend(ax, p, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=4)
    settled = sum(columns["done_on_time"]) + sum(columns["done_late"]) + sum(columns["missed"])
    customers = max(left)
    title = (
        f"{_pct(sum(columns['done_on_time']), settled)}% of {settled:,} due plan steps done on "
        f"time, {sum(columns['missed']):,} missed ({customers:,} new customers)"
    )
    return Drawn(title)


def _lifecycle(ax: Axes, data: ChartData, p: ChartPalette) -> Drawn:
    keys = [str(v) for v in data.column("key")]
    counts = [_int(v) for v in data.column("contacts")]
    if not sum(counts):
        return Drawn("", empty="")
    short = {
        Lifecycle.PROSPECTIVE: "Prospective",
        Lifecycle.NEW: "New",
        Lifecycle.ACTIVE: "Active",
        Lifecycle.REPEAT: "Repeat",
        Lifecycle.LAPSED_SHORT: "Lapsed\nshort",
        Lifecycle.LAPSED_LONG: "Lapsed\nlong",
        Lifecycle.WIN_BACK: "Win\nback",
        Lifecycle.DO_NOT_CONTACT: "Do not\ncontact",
    }
    x = list(range(len(keys)))
    bars = ax.bar(x, counts, color=[p.lifecycle[Lifecycle(k)] for k in keys], width=0.7)
    _style(ax, p)
    ax.set_xticks(x)
    ax.set_xticklabels([short[Lifecycle(k)] for k in keys])
    ax.set_ylabel("contacts")
    ax.yaxis.set_major_formatter(FuncFormatter(_short_money))
    ax.set_ylim(0, max(counts) * 1.18)
    for bar, n in zip(bars, counts, strict=True):
        ax.annotate(
            f"{n:,}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=7.5,
            color=p.text,
            xytext=(0, 2),
            textcoords="offset points",
        )
    hits = [
        (bar, Drill("lifecycle", k, Lifecycle(k).label))
        for bar, k, n in zip(bars, keys, counts, strict=True)
        if n
    ]
    n = dict(zip(keys, counts, strict=True))
    customers = sum(counts) - n.get(Lifecycle.PROSPECTIVE.value, 0)
    buying = sum(n.get(s.value, 0) for s in (Lifecycle.NEW, Lifecycle.ACTIVE, Lifecycle.REPEAT))
    lapsed = n.get(Lifecycle.LAPSED_SHORT.value, 0) + n.get(Lifecycle.LAPSED_LONG.value, 0)
    if customers:
        title = (
            f"{_pct(buying, customers)}% of {customers:,} customers are buying; "
            f"{lapsed:,} lapsed, {n.get(Lifecycle.WIN_BACK.value, 0):,} to win back"
        )
    else:
        title = f"{sum(counts):,} prospective contacts; nobody has bought yet"
    return Drawn(title, hits)


def _satisfaction(ax: Axes, data: ChartData, p: ChartPalette) -> Drawn:
    forms = [_int(v) for v in data.column("forms")]
    if not sum(forms):
        return Drawn("", empty="")
    months = [str(v) for v in data.column("month")]
    x = list(range(len(months)))
    bottom = [0] * len(months)
    for level, key in (
        (Level.DISSATISFIED, "dissatisfied"),
        (Level.SATISFIED, "satisfied"),
        (Level.HIGHLY_SATISFIED, "highly_satisfied"),
    ):
        counts = [_int(v) for v in data.column(key)]
        ax.bar(x, counts, bottom=bottom, color=p.levels[level], label=level.label, width=0.75)
        bottom = [a + b for a, b in zip(bottom, counts, strict=True)]
    up = [_int(v) for v in data.column("moved_up")]
    down = [_int(v) for v in data.column("moved_down")]
    ax.plot(x, up, color=p.good_line, marker="^", markersize=4, linewidth=1.2, label="Moved up")
    ax.plot(x, down, color=p.bad_line, marker="v", markersize=4, linewidth=1.2, label="Moved down")
    _style(ax, p)
    _month_ticks(ax, months)
    ax.set_ylabel("feedback forms per month")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(forms) * 1.35)
    _legend(ax, p)
    total = sum(forms)
    highly = sum(_int(v) for v in data.column("highly_satisfied"))
    title = (
        f"{_pct(highly, total)}% of {total:,} forms highly satisfied; "
        f"{sum(up):,} moved up a level, {sum(down):,} down"
    )
    return Drawn(title)


def _sales(ax: Axes, data: ChartData, p: ChartPalette) -> Drawn:
    counts = [_int(v) for v in data.column("purchases")]
    if not sum(counts):
        return Drawn("", empty="")
    currency = str(data.extra.get("currency", ""))
    months = [str(v) for v in data.column("month")]
    values = [float(_dec(v)) for v in data.column("value")]
    running = [float(_dec(v)) for v in data.column("cumulative_value")]
    x = list(range(len(months)))
    ax.bar(x, values, color=p.accent, label=f"Sales in the month ({currency})", width=0.75)
    _style(ax, p)
    _month_ticks(ax, months)
    ax.set_ylabel(f"{currency} per month")
    ax.yaxis.set_major_formatter(FuncFormatter(_short_money))
    ax.set_ylim(0, max(values) * 1.3 or 1)
    base = ax.twinx()
    base.plot(x, running, color=p.text, linewidth=1.5, label=f"Value of the base ({currency})")
    base.set_ylim(0, max(running) * 1.12 or 1)
    base.yaxis.set_major_formatter(FuncFormatter(_short_money))
    base.tick_params(colors=p.muted, labelcolor=p.text, labelsize=8)
    for side in ("top", "left", "bottom"):
        base.spines[side].set_visible(False)
    base.spines["right"].set_color(p.grid)
    base.set_ylabel(f"{currency} all time", color=p.muted, fontsize=8)
    handles = ax.get_legend_handles_labels()[0] + base.get_legend_handles_labels()[0]
    _legend(ax, p, handles=handles, ncols=2)
    total = sum(_dec(v) for v in data.column("value"))
    best = max(range(len(months)), key=lambda i: values[i])
    title = (
        f"{_money(total, currency)} from {sum(counts):,} purchases; best month "
        f"{date.fromisoformat(months[best] + '-01'):%b %Y}; base now "
        f"{_money(_dec(data.rows[-1][3]), currency)}"
    )
    return Drawn(title)


def _top_customers(ax: Axes, data: ChartData, p: ChartPalette) -> Drawn:
    if not data.rows:
        return Drawn("", empty="")
    currency = str(data.extra.get("currency", ""))
    names = [str(v) for v in data.column("contact")]
    ids = [_int(v) for v in data.column("contact_id")]
    amounts = [_dec(v) for v in data.column("lifetime_value")]
    y = list(range(len(names)))[::-1]
    bars = ax.barh(y, [float(a) for a in amounts], color=p.accent, height=0.65)
    _style(ax, p, grid_axis="x")
    ax.set_yticks(y)
    ax.set_yticklabels([n if len(n) <= 24 else n[:23] + "…" for n in names])
    ax.set_xlabel(f"lifetime value ({currency})")
    ax.xaxis.set_major_formatter(FuncFormatter(_short_money))
    ax.set_xlim(0, float(max(amounts)) * 1.2 or 1)
    for bar, amount in zip(bars, amounts, strict=True):
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f" {_short_money(float(amount))}",
            va="center",
            fontsize=7.5,
            color=p.text,
        )
    hits = [
        (bar, Drill("contact", cid, name)) for bar, cid, name in zip(bars, ids, names, strict=True)
    ]
    base_total = Decimal(data.extra.get("base_total", 0))
    held = sum(amounts, Decimal(0))
    title = (
        f"The top {len(names)} customers hold {_pct(float(held), float(base_total))}% of all "
        f"value; {names[0]} alone {_money(amounts[0], currency)}"
    )
    return Drawn(title, hits)


CHARTS: tuple[Chart, ...] = (
    Chart(
        "funnel",
        "Journey funnel (today)",
        "funnel",
        _funnel,
        "Once contacts stand on stages of your journey, the funnel shows how many reach each "
        "stage, how many go on, and who is stuck.",
    ),
    Chart(
        "touches",
        "Touches per medium",
        "touches-by-month",
        _touches_by_month,
        "Once you log touches, this shows how many you make each month, by medium.",
    ),
    Chart(
        "mediums",
        "Medium mix per stage",
        "mediums",
        _mediums,
        "Once you log touches, this shows which mediums you use at each stage.",
    ),
    Chart(
        "followups",
        "Follow-up habit",
        "followup-habit",
        _followup_habit,
        "Once follow-ups fall due, this shows each week how many you did on time, late, "
        "or not yet.",
    ),
    Chart(
        "plan",
        "100-day plan",
        "plan-progress",
        _plan_progress,
        "Once a customer buys for the first time in this period, this shows how their 100-day "
        "plan steps went.",
    ),
    Chart(
        "lifecycle",
        "Lifecycle (today)",
        "lifecycle",
        _lifecycle,
        "Once you have contacts, this shows how many are new, active, repeat, lapsed or "
        "inactive buyers.",
    ),
    Chart(
        "satisfaction",
        "Satisfaction",
        "satisfaction-by-month",
        _satisfaction,
        "Once you record feedback, this shows each month's satisfaction levels and who moved "
        "up or down.",
    ),
    Chart(
        "sales",
        "Sales per month",
        "sales-by-month",
        _sales,
        "Once you record sales, this shows each month's sales and the growing value of your "
        "customer base.",
    ),
    Chart(
        "top-customers",
        "Top customers (lifetime)",
        "top-customers",
        _top_customers,
        "Once you record sales, this lists your customers with the highest lifetime value.",
    ),
)
BY_NAME = {c.name: c for c in CHARTS}


# --- drawing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """A chart drawn into an RGBA image, with the rectangles (x, y, width, height in logical
    pixels, from the top left) of the bars that stand for contacts."""

    name: str
    title: str
    empty: str
    width: int
    height: int
    scale: float
    rgba: bytes
    hits: tuple[tuple[tuple[float, float, float, float], Drill], ...]


def _heading(fig: Figure, chart: Chart, data: ChartData, drawn: Drawn, p: ChartPalette) -> None:
    period = "as it stands today" if not chart.ranged else _period(data)
    fig.text(
        0.012,
        0.975,
        f"{chart.heading.upper()}  ·  {period}",
        fontsize=7.5,
        color=p.muted,
        va="top",
        ha="left",
        weight="bold",
    )
    fig.text(0.012, 0.915, drawn.title, fontsize=10, color=p.text, va="top", ha="left", wrap=True)


def draw_figure(fig: Figure, chart: Chart, data: ChartData, p: ChartPalette) -> Drawn:
    """Draw ``chart`` on an empty figure; a chart with no data gets its explanation."""
    fig.set_facecolor(p.background)
    ax = fig.add_subplot()
    drawn = chart.draw(ax, data, p)
    if not drawn.title:
        ax.remove()
        drawn = Drawn("No data yet", empty=chart.empty)
        fig.text(
            0.5, 0.45, chart.empty, ha="center", va="center", fontsize=9, color=p.muted, wrap=True
        )
    _heading(fig, chart, data, drawn, p)
    return drawn


def _layout(fig: Figure) -> None:
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=min(0.42, 1.25 / width) if width else 0.1,
        right=1 - min(0.2, 0.65 / width) if width else 0.9,
        top=1 - min(0.4, 0.62 / height) if height else 0.8,
        bottom=min(0.35, 0.62 / height) if height else 0.15,
    )


def _fit(fig: Figure, ax_left_labels: bool) -> None:
    _layout(fig)
    if not ax_left_labels:
        return
    # Room for stage or customer names on the left, measured once drawn.
    canvas = fig.canvas
    renderer = canvas.get_renderer()  # type: ignore[attr-defined]
    for ax in fig.axes:
        labels = [t.get_window_extent(renderer).width for t in ax.get_yticklabels()]
        if labels:
            needed = (max(labels) + 12) / fig.bbox.width
            fig.subplots_adjust(left=min(0.5, max(fig.subplotpars.left, needed)))


def figure(
    chart: Chart, data: ChartData, p: ChartPalette, *, width: float, height: float, dpi: float
) -> tuple[Figure, Drawn]:
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    drawn = draw_figure(fig, chart, data, p)
    _fit(fig, chart.name in ("funnel", "mediums", "plan", "top-customers"))
    if chart.name in ("mediums", "plan"):
        fig.subplots_adjust(bottom=min(0.45, 1.0 / height))
    return fig, drawn


def render(
    chart: Chart, data: ChartData, p: ChartPalette, *, width: int, height: int, scale: float = 1.0
) -> Rendered:
    """Draw ``chart`` into a ``width`` by ``height`` (logical pixels) image at ``scale``."""
    dpi = 100 * scale
    fig, drawn = figure(chart, data, p, width=width / 100, height=height / 100, dpi=dpi)
    canvas = fig.canvas
    canvas.draw()
    w, h = (int(v) for v in canvas.get_width_height())  # type: ignore[attr-defined]
    rgba = bytes(canvas.buffer_rgba())  # type: ignore[attr-defined]
    hits = []
    for artist, drill in drawn.hits:
        box = artist.get_window_extent()
        hits.append(
            (
                (box.x0 / scale, (h - box.y1) / scale, box.width / scale, box.height / scale),
                drill,
            )
        )
    return Rendered(chart.name, drawn.title, drawn.empty, w, h, scale, rgba, tuple(hits))


def save(chart: Chart, data: ChartData, p: ChartPalette, path: Path) -> None:
    """Write the chart to ``path`` as PNG, SVG or PDF (by its suffix), atomically."""
    kind = path.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise ValueError(
            f"A chart is saved as .png, .svg or .pdf, not {path.suffix or path.name!r}."
        )
    fig, _drawn = figure(chart, data, p, width=8, height=4.5, dpi=150)
    _write(fig, path, kind)


def save_dashboard(datas: Sequence[ChartData], p: ChartPalette, path: Path, subtitle: str) -> None:
    """Every chart on one landscape A4 page: a weekly summary to print or send."""
    if path.suffix.lower() != ".pdf":
        raise ValueError("The dashboard is saved as a one-page .pdf file.")
    fig = Figure(figsize=(16.54, 11.69))
    FigureCanvasAgg(fig)
    fig.set_facecolor(p.background)
    fig.text(
        0.02,
        0.985,
        "Touchbase — weekly summary",
        fontsize=15,
        weight="bold",
        color=p.text,
        va="top",
    )
    fig.text(0.02, 0.958, subtitle, fontsize=9, color=p.muted, va="top")
    cells = fig.subfigures(3, 3, hspace=0.02, wspace=0.02)
    for cell, data in zip(cells.flat, datas, strict=False):
        chart = BY_NAME[data.name]
        cell.set_facecolor(p.background)
        drawn = draw_figure(cell, chart, data, p)  # type: ignore[arg-type]
        cell.subplots_adjust(
            left=0.27 if chart.name in ("funnel", "mediums", "plan", "top-customers") else 0.12,
            right=0.9,
            top=0.78,
            bottom=0.2,
        )
        del drawn
    fig.subplots_adjust(top=0.93)
    _write(fig, path, "pdf")


def _write(fig: Figure, path: Path, kind: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.tmp")
    try:
        fig.savefig(partial, format=kind, facecolor=fig.get_facecolor())
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
