"""Touch reports: the touch log, and the medium mix per stage of the active journey model.

Both leave out touches with contacts in the trash, and honour ``--since``/``--until`` as local
days (both ends included).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import ColumnElement, func, select

from db.domain import Direction, Medium
from db.engine import Database
from db.export import Cell, ExportOptions, Report, report, share
from db.models import Contact, Stage, Touch
from db.touches import local_day_bounds

#: Rows are read from the database in batches, so a million touches never sit in memory.
BATCH = 5000


def _in_range(options: ExportOptions) -> list[ColumnElement[bool]]:
    """The conditions that keep a touch in the report."""
    start, end = local_day_bounds(options.since, options.until)
    conditions: list[ColumnElement[bool]] = [Contact.deleted_at.is_(None)]
    if start is not None:
        conditions.append(Touch.occurred_at >= start)
    if end is not None:
        conditions.append(Touch.occurred_at < end)
    return conditions


@report(
    "touches",
    "every touch: contact, medium, direction, when, stage at the time, summary",
    period="the day of the touch",
)
def touch_log(database: Database, options: ExportOptions) -> Report:
    def rows() -> Iterator[Sequence[Cell]]:
        stmt = (
            select(
                Contact.id,
                Contact.name,
                Touch.medium,
                Touch.direction,
                Touch.occurred_at,
                Stage.label,
                Touch.summary,
                Touch.outcome,
            )
            .join(Contact, Contact.id == Touch.contact_id)
            .outerjoin(Stage, Stage.id == Touch.stage_id)
            .where(*_in_range(options))
            .order_by(Touch.occurred_at, Touch.id)
        )
        with database.reading() as session:
            result = session.execute(stmt.execution_options(yield_per=BATCH))
            for cid, name, medium, direction, when, stage, summary, outcome in result:
                yield (
                    cid,
                    name,
                    Medium(medium).label,
                    Direction(direction).value,
                    when,
                    stage or "",
                    summary,
                    outcome,
                )

    return Report(
        (
            "contact id",
            "contact",
            "medium",
            "direction",
            "when",
            "stage at the time",
            "summary",
            "outcome",
        ),
        rows(),
    )


@report(
    "mediums",
    "touches per medium in each stage of the active journey model, with shares",
    period="the day of the touch",
)
def medium_mix(database: Database, options: ExportOptions) -> Report:
    """One row per stage and medium (every medium, zeros included), then the totals over all
    stages. Shares are percentages of the stage's touches and of all touches counted."""
    from db.journeys import active_stages  # noqa: PLC0415

    with database.reading() as session:
        stages = active_stages(session)
        counts: dict[tuple[int, str], int] = {}
        stmt = (
            select(Touch.stage_id, Touch.medium, func.count(Touch.id))
            .join(Contact, Contact.id == Touch.contact_id)
            .where(Touch.stage_id.in_([s.id for s in stages]), *_in_range(options))
            .group_by(Touch.stage_id, Touch.medium)
        )
        for stage_id, medium, count in session.execute(stmt):
            if stage_id is not None:
                counts[(stage_id, str(medium))] = int(count)
    everything = sum(counts.values())
    rows: list[Sequence[Cell]] = []
    for stage in stages:
        in_stage = sum(counts.get((stage.id, m.value), 0) for m in Medium)
        for medium in Medium:
            n = counts.get((stage.id, medium.value), 0)
            rows.append((stage.label, medium.label, n, share(n, in_stage), share(n, everything)))
    for medium in Medium:
        n = sum(counts.get((stage.id, medium.value), 0) for stage in stages)
        rows.append(("All stages", medium.label, n, share(n, everything), share(n, everything)))
    return Report(
        ("stage", "medium", "touches", "share of stage %", "share of all %"),
        rows,
    )
