"""Follow-up reports: every open follow-up as CSV, and the same list as calendar events."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from db import today
from db.engine import Database
from db.export import Cell, ExportOptions, Report, report
from db.ics import Event

HEADERS = (
    "Contact",
    "Company",
    "Due date",
    "Days overdue",
    "Reason",
    "Source",
    "Stage",
    "Last touch",
    "Suggested medium",
)


@report(
    "followups",
    "open follow-ups, oldest first: due date, days overdue, reason, source",
    period="the due date",
)
def followups_report(database: Database, options: ExportOptions) -> Report:
    """Open follow-ups (cadence, manual and plan) of contacts who may be contacted; --since
    and --until bound the due date. Also written as a calendar when the file ends in .ics."""

    def rows() -> Iterator[Sequence[Cell]]:
        for f in today.due_followups(database, due_by=options.until, since=options.since):
            yield (
                f.name,
                f.company,
                f.due_on,
                f.days_overdue(options.today),
                f.reason,
                f.source.value,
                f.stage,
                f.last_touch_at,
                "" if f.suggested_medium is None else f.suggested_medium.label,
            )

    return Report(HEADERS, rows())


def followup_events(database: Database, options: ExportOptions) -> Iterator[Event]:
    """The open follow-ups as all-day calendar events, with ids stable across exports so a
    calendar that re-imports the file updates events instead of doubling them."""
    for f in today.due_followups(database, due_by=options.until, since=options.since):
        if f.followup_id is not None:
            uid = f"followup-{f.followup_id}@touchbase"
        else:
            uid = f"cadence-{f.contact_id}-{f.due_on:%Y%m%d}@touchbase"
        who = f"{f.name} ({f.company})" if f.company else f.name
        lines = [f.reason, f"Stage: {f.stage}" if f.stage else ""]
        if f.suggested_medium is not None:
            lines.append(f"Suggested: {f.suggested_medium.label}")
        yield Event(
            uid=uid,
            day=f.due_on,
            summary=f"Follow up: {who}",
            description="\n".join(line for line in lines if line),
            categories=("Touchbase", f.source.value),
        )
