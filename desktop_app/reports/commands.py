"""``touchbase chart``: a chart of Reports, or the whole dashboard, written to a file."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from db.clock import local_today
from db.engine import open_database
from desktop_app.reports import charts, palette
from desktop_app.reports.catalogue import BY_NAME, CHARTS, load, summary_line

DASHBOARD = "dashboard"


def usage_problem(name: str, output: Path, since: date | None, until: date | None) -> str | None:
    """What is wrong with the command as typed (a usage error), or None."""
    if name != DASHBOARD and name not in BY_NAME:
        width = max(len(c.name) for c in CHARTS) + 2
        known = "\n".join(f"  {c.name:<{width}}{c.heading}" for c in CHARTS)
        return (
            f"unknown chart {name!r}; choose one of:\n{known}\n"
            f"  {DASHBOARD:<{width}}every chart on one PDF page"
        )
    kind = output.suffix.lower().lstrip(".")
    if name == DASHBOARD and kind != "pdf":
        return "the dashboard is written as a one-page PDF: give --output FILE.pdf"
    if kind not in charts.FORMATS:
        return f"--output must end in .png, .svg or .pdf, not {output.suffix or output.name!r}"
    if since and until and since > until:
        return "--since is after --until"
    if name != DASHBOARD and not BY_NAME[name].ranged and (since or until):
        return (
            f"the {name} chart shows things as they stand today; "
            "--since and --until do not apply to it"
        )
    return None


def write_chart(
    db_path: Path, name: str, output: Path, since: date | None, until: date | None
) -> int:
    today = local_today()
    with open_database(db_path) as database:
        if name == DASHBOARD:
            datas = [load(c, database, since, until, today) for c in CHARTS]
            subtitle = summary_line(since, until, today, db_path.name)
            charts.save_dashboard(datas, palette.LIGHT, output, subtitle)
        else:
            chart = BY_NAME[name]
            charts.save(chart, load(chart, database, since, until, today), palette.LIGHT, output)
    sys.stdout.write(f"Wrote {output}\n")
    return 0
