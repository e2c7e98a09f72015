"""``touchbase followups`` and ``touchbase export followups --output FILE.ics``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from db.clock import local_today
from db.engine import open_database
from db.export import ExportOptions
from db.ics import write_ics
from db.models import utcnow
from db.reports.followups import followup_events
from db.today import due_followups


def print_due(db_path: Path, due_by: date | None) -> int:
    """Print the follow-ups due by ``due_by`` (default today), one per line, oldest first (or
    that nothing is due); exits 0 either way, so a cron job or shell prompt can use it."""
    today = local_today()
    due_by = due_by or today
    with open_database(db_path, readonly=True) as database:
        due = list(due_followups(database, due_by=due_by))
    try:
        if not due:
            sys.stdout.write(f"Nothing is due by {due_by.isoformat()}.\n")
        for f in due:
            late = f.days_overdue(today)
            when = f"{late} day{'s' if late != 1 else ''} overdue" if late else "due"
            who = f"{f.name} ({f.company})" if f.company else f.name
            sys.stdout.write(
                f"{f.due_on.isoformat()}  {when:<17} {who} — {f.reason} [{f.source}]\n"
            )
        sys.stdout.flush()
    except BrokenPipeError:
        # Piped into ``head`` or a prompt that read enough: not an error.
        sys.stderr.close()
    return 0


def export_calendar(db_path: Path, output: Path, since: date | None, until: date | None) -> int:
    """Write the open follow-ups as an iCalendar file of all-day events."""
    with open_database(db_path, readonly=True) as database:
        events = followup_events(database, ExportOptions(since=since, until=until))
        count = write_ics(events, output, stamp=utcnow(), database_path=database.path)
    sys.stdout.write(f"Wrote {count:,} events to {output}\n")
    return 0
