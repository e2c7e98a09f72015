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
from typing import Any, Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, SubFigure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from db import value
from db.domain import Medium
from db.export import Cell
from db.feedback import Level
from db.lifecycle import Lifecycle
from db.reports.dashboard import months_between
from desktop_app.reports.catalogue import BY_NAME, Chart, ChartData, Drill, Rendered
from desktop_app.reports.palette import ChartPalette

#: The file types a chart or the dashboard can be saved as.
FORMATS = ("png", "svg", "pdf")


@dataclass
class Drawn:
    """What drawing a chart produced: its title, and the bars that stand for contacts."""

    title: str
    hits: list[tuple[Any, Drill]] = field(default_factory=list)
    #: Nothing to draw yet: the chart's explanation of what will appear is shown instead.
    empty: bool = False


Draw = Callable[[Axes, ChartData, ChartPalette], Drawn]


# --- helpers --------------------------------------------------------------------------------


def _int(v: Cell) -> int:
    return int(v) if v not in (None, "") else 0  # type: ignore[arg-type]


def _float(v: Cell) -> float:
    return float(str(v)) if v not in (None, "") else math.nan


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


def _tick_room(ax: Axes) -> int:
    """How many labels fit under the axes, about one per 0.55 inch."""
    root = ax.get_figure(root=True)
    width = ax.bbox.width / root.dpi if root is not None else 5.0
    return max(3, int(width / 0.55))


def _month_ticks(ax: Axes, keys: Sequence[str]) -> None:
    """Month labels under bars ("Mar"), with the year under each January and under the first
    label; thinned so they never collide."""
    positions = list(range(len(keys)))
    step = max(1, math.ceil(len(keys) / _tick_room(ax)))
    shown = positions[::step]
    labels = []
    for n, i in enumerate(shown):
        first = date.fromisoformat(keys[i] + "-01")
        new_year = n == 0 or date.fromisoformat(keys[shown[n - 1]] + "-01").year != first.year
        labels.append(f"{first:%b}\n{first:%Y}" if new_year else f"{first:%b}")
    ax.set_xticks(shown)
    ax.set_xticklabels(labels)


def _style(ax: Axes, p: ChartPalette, *, grid_axis: Literal["x", "y"] = "y") -> None:
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
        return Drawn("")
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
    ax.set_xlim(0, top * 1.8)
    for row, yy in enumerate(y):
        sid, dwell = ids.get(labels[row], (None, None))
        parts = []
        if conversions[row] not in (None, ""):
            parts.append(f"→ {_float(conversions[row]):.0f}% go on")
        if medians[row] not in (None, ""):
            limit = f" / limit {dwell} d" if dwell else ""
            parts.append(f"median {_float(medians[row]):.0f} d{limit}")
        if stuck[row]:
            parts.append(f"{stuck[row]:,} stuck")
        over = dwell is not None and _float(medians[row]) > dwell
        ax.text(
            ever[row] + top * 0.02,
            yy,
            "\n".join("  ·  ".join(parts[k : k + 2]) for k in range(0, len(parts), 2)),
            va="center",
            fontsize=7.5,
            color=p.bad if over else p.muted,
        )
    _legend(ax, p, loc="lower right", ncols=1)
    hits: list[tuple[Any, Drill]] = []
    for row, bar in enumerate(now_bars):
        sid = ids.get(labels[row], (None, None))[0]
        if sid is not None and now[row]:
            hits.append((bar, Drill("stage", sid, labels[row], now[row])))
    for row, bar in enumerate(stuck_bars):
        sid = ids.get(labels[row], (None, None))[0]
        if sid is not None and stuck[row]:
            hits.append((bar, Drill("stuck", sid, labels[row], stuck[row])))
    # The finding: the weakest step forward, and how many are stuck.
    steps = [
        (_float(conversions[i]), i)
        for i in range(len(labels) - 1)
        if conversions[i] not in (None, "") and ever[i]
    ]
    total_stuck = sum(stuck)
    stuck_text = f"{total_stuck:,} contact{'s' if total_stuck != 1 else ''} stuck"
    if steps:
        rate, i = min(steps)
        median = medians[i]
        days = (
            f"; median {_float(median):.0f} days at {labels[i]}" if median not in (None, "") else ""
        )
        title = f"{rate:.0f}% of {labels[i]} reach {labels[i + 1]}{days}; {stuck_text}"
    else:
        title = f"{sum(now):,} contacts on the journey; {stuck_text}"
    return Drawn(title, hits)


def _touches_by_month(ax: Axes, data: ChartData, p: ChartPalette) -> Drawn:
    totals = [_int(v) for v in data.column("total")]
    if not sum(totals):
        return Drawn("")
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
        return Drawn("")
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
    _legend(ax, p, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3)
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
        return Drawn("")
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
    ax.set_ylim(0, max(due) * 1.5)
    step = max(1, math.ceil(len(weeks) / _tick_room(ax)))
    ax.set_xticks(x[::step])
    ax.set_xticklabels([f"{w:%-d %b}" for w in weeks[::step]])
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
    share.set_ylim(0, 150)
    share.yaxis.set_major_formatter(PercentFormatter())
    share.set_yticks([0, 50, 100])
    share.tick_params(colors=p.muted, labelcolor=p.text, labelsize=8)
    for side in ("top", "left", "bottom"):
        share.spines[side].set_visible(False)
    share.spines["right"].set_color(p.grid)
    share.set_ylabel("on time", color=p.muted, fontsize=8)
    handles = ax.get_legend_handles_labels()[0] + share.get_legend_handles_labels()[0]
    _legend(ax, p, handles=handles, ncols=2)
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
        ("to_come", "To come", p.accent_soft),
    ]
    columns = {key: [_int(v) for v in data.column(key)] for key, _l, _c in parts}
    if not data.rows or not sum(sum(c) for c in columns.values()):
        return Drawn("")
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
    # Centred on the whole chart, not on the axes the step names push right: four entries
    # need the width.
    figure = ax.get_figure()
    _legend(
        ax,
        p,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=figure.transSubfigure if figure is not None else None,
        ncols=4,
    )
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
        return Drawn("")
    y = list(range(len(keys)))[::-1]
    bars = ax.barh(y, counts, color=[p.lifecycle[Lifecycle(k)] for k in keys], height=0.7)
    _style(ax, p, grid_axis="x")
    ax.set_yticks(y)
    ax.set_yticklabels([Lifecycle(k).label for k in keys])
    ax.set_xlabel("contacts")
    ax.xaxis.set_major_formatter(FuncFormatter(_short_money))
    ax.set_xlim(0, max(counts) * 1.15)
    for bar, n in zip(bars, counts, strict=True):
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f" {n:,}",
            va="center",
            fontsize=7.5,
            color=p.text,
        )
    hits = [
        (bar, Drill("lifecycle", k, Lifecycle(k).label, n))
        for bar, k, n in zip(bars, keys, counts, strict=True)
        if n
    ]
    by_key = dict(zip(keys, counts, strict=True))
    customers = sum(counts) - by_key.get(Lifecycle.PROSPECTIVE.value, 0)
    buying = sum(
        by_key.get(s.value, 0) for s in (Lifecycle.NEW, Lifecycle.ACTIVE, Lifecycle.REPEAT)
    )
    lapsed = by_key.get(Lifecycle.LAPSED_SHORT.value, 0) + by_key.get(
        Lifecycle.LAPSED_LONG.value, 0
    )
    if customers:
        title = (
            f"{_pct(buying, customers)}% of {customers:,} customers are buying; "
            f"{lapsed:,} lapsed, {by_key.get(Lifecycle.WIN_BACK.value, 0):,} to win back"
        )
    else:
        title = f"{sum(counts):,} prospective contacts; nobody has bought yet"
    return Drawn(title, hits)


def _satisfaction(ax: Axes, data: ChartData, p: ChartPalette) -> Drawn:
    forms = [_int(v) for v in data.column("forms")]
    if not sum(forms):
        return Drawn("")
    # Months without a form are shown empty, so the axis is even in time.
    found = {str(row[0]): row for row in data.rows}
    first = data.since or date.fromisoformat(min(found) + "-01")
    months = [f"{m:%Y-%m}" for m in months_between(first, data.until or data.today)]

    def per_month(header: str) -> list[int]:
        i = data.index(header)
        return [_int(found[m][i]) if m in found else 0 for m in months]

    x = list(range(len(months)))
    bottom = [0] * len(months)
    for level, key in (
        (Level.DISSATISFIED, "dissatisfied"),
        (Level.SATISFIED, "satisfied"),
        (Level.HIGHLY_SATISFIED, "highly_satisfied"),
    ):
        counts = per_month(key)
        ax.bar(x, counts, bottom=bottom, color=p.levels[level], label=level.label, width=0.75)
        bottom = [a + b for a, b in zip(bottom, counts, strict=True)]
    up = per_month("moved_up")
    down = per_month("moved_down")
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
        return Drawn("")
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
    ax.set_ylim(0, max(values) * 1.45 or 1)
    base = ax.twinx()
    base.plot(x, running, color=p.text, linewidth=1.5, label=f"Value of the base ({currency})")
    base.set_ylim(0, max(running) * 1.3 or 1)
    base.yaxis.set_major_formatter(FuncFormatter(_short_money))
    base.tick_params(colors=p.muted, labelcolor=p.text, labelsize=8)
    for side in ("top", "left", "bottom"):
        base.spines[side].set_visible(False)
    base.spines["right"].set_color(p.grid)
    base.set_ylabel(f"{currency} all time", color=p.muted, fontsize=8)
    handles = ax.get_legend_handles_labels()[0] + base.get_legend_handles_labels()[0]
    _legend(ax, p, handles=handles, ncols=2)
    total = sum((_dec(v) for v in data.column("value")), Decimal(0))
    best = max(range(len(months)), key=lambda i: values[i])
    title = (
        f"{_money(total, currency)} from {sum(counts):,} purchases; best month "
        f"{date.fromisoformat(months[best] + '-01'):%b %Y}; base now "
        f"{_money(_dec(data.rows[-1][3]), currency)}"
    )
    return Drawn(title)


def _top_customers(ax: Axes, data: ChartData, p: ChartPalette) -> Drawn:
    if not data.rows:
        return Drawn("")
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


#: Charts with names on the left (stages, steps, customers) that need room for them.
LEFT_LABELS = ("funnel", "mediums", "plan", "lifecycle", "top-customers")

#: How each chart of the catalogue is drawn.
DRAW: dict[str, Draw] = {
    "funnel": _funnel,
    "touches": _touches_by_month,
    "mediums": _mediums,
    "followups": _followup_habit,
    "plan": _plan_progress,
    "lifecycle": _lifecycle,
    "satisfaction": _satisfaction,
    "sales": _sales,
    "top-customers": _top_customers,
}


# --- drawing --------------------------------------------------------------------------------


def _heading(
    fig: Figure | SubFigure, chart: Chart, data: ChartData, drawn: Drawn, p: ChartPalette
) -> None:
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


def draw_figure(fig: Figure | SubFigure, chart: Chart, data: ChartData, p: ChartPalette) -> Drawn:
    """Draw ``chart`` on an empty figure; a chart with no data gets its explanation."""
    fig.set_facecolor(p.background)
    ax = fig.add_subplot()
    drawn = DRAW[chart.name](ax, data, p)
    if not drawn.title:
        ax.remove()
        drawn = Drawn("No data yet", empty=True)
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
        bottom=min(0.35, 0.5 / height) if height else 0.15,
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
            needed = (max(labels) + 22) / fig.bbox.width
            fig.subplots_adjust(left=min(0.5, max(fig.subplotpars.left, needed)))


def figure(
    chart: Chart, data: ChartData, p: ChartPalette, *, width: float, height: float, dpi: float
) -> tuple[Figure, Drawn]:
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    drawn = draw_figure(fig, chart, data, p)
    _fit(fig, chart.name in LEFT_LABELS)
    if chart.name in ("mediums", "plan"):
        fig.subplots_adjust(bottom=min(0.45, 1.0 / height))
    return fig, drawn


def _plain_drill(drill: Drill) -> Drill:
    value = drill.value if isinstance(drill.value, str) else int(drill.value)
    return Drill(str(drill.kind), value, str(drill.label), int(drill.count))


def render(
    chart: Chart, data: ChartData, p: ChartPalette, *, width: int, height: int, scale: float = 1.0
) -> Rendered:
    """Draw ``chart`` into a ``width`` by ``height`` (logical pixels) image at ``scale``."""
    dpi = 100 * scale
    fig, drawn = figure(chart, data, p, width=width / 100, height=height / 100, dpi=dpi)
    canvas = fig.canvas
    canvas.draw()
    w, h = (int(v) for v in canvas.get_width_height())
    rgba = bytes(canvas.buffer_rgba())  # type: ignore[attr-defined]
    hits = []
    for artist, drill in drawn.hits:
        box = artist.get_window_extent()
        # Plain Python numbers only: the result is unpickled in the app, which must not load
        # numpy or matplotlib to read it (docs/architecture.md, "The path of a background read").
        x, y = float(box.x0) / scale, float(h - box.y1) / scale
        rect = (x, y, float(box.width) / scale, float(box.height) / scale)
        hits.append((rect, _plain_drill(drill)))
    return Rendered(
        chart.name, drawn.title, chart.empty if drawn.empty else "", w, h, scale, rgba, tuple(hits)
    )


def warm_up() -> None:
    """Draw a small throwaway figure with text, so the fonts and the renderer are loaded
    before the first chart (a helper process calls this when it starts)."""
    fig = Figure(figsize=(1, 1), dpi=50)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.bar([0, 1], [1, 2])
    ax.set_title("Touchbase", fontsize=10)
    fig.text(0.1, 0.1, "warm", fontsize=7.5, weight="bold")
    fig.canvas.draw()


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
    body = np.asarray(fig.subfigures(2, 1, height_ratios=(0.065, 0.935))).flat[1]
    cells = body.subfigures(3, 3, hspace=0.03, wspace=0.03)
    for cell, data in zip(np.asarray(cells).flat, datas, strict=False):
        chart = BY_NAME[data.name]
        cell.set_facecolor(p.background)
        draw_figure(cell, chart, data, p)
        left = 0.3 if chart.name in LEFT_LABELS else 0.11
        bottom = 0.3 if chart.name in ("mediums", "plan") else 0.14
        for ax in cell.axes:
            ax.set_position((left, bottom, 0.88 - left, 0.76 - bottom))
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
