"""Touch reports: the touch log, and the medium mix per stage of the active journey model.

Both leave out touches with contacts in the trash, and honour ``--since``/``--until`` as local
days (both ends included).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, case, func, select, type_coerce
from sqlalchemy.orm import Session

from db.domain import Medium
from db.engine import Database
from db.export import (
    Cell,
    ExportOptions,
    Report,
    driver_rows,
    local_minute,
    report,
    safe_text,
    share,
    unindexed,
)
from db.models import Contact, Stage, Touch
from db.reports.contacts import trashed_ids
from db.touches import local_day_bounds


def _in_range(options: ExportOptions) -> list[ColumnElement[bool]]:
    """The conditions that keep a touch in the report."""
    start, end = local_day_bounds(options.since, options.until)
    conditions: list[ColumnElement[bool]] = [Contact.deleted_at.is_(None)]
    if start is not None:
        conditions.append(Touch.occurred_at >= start)
    if end is not None:
        conditions.append(Touch.occurred_at < end)
    return conditions


def _medium_label(column: Any) -> ColumnElement[str]:
    """The label of a stored medium, looked up by SQLite rather than per row in Python."""
    return type_coerce(
        case({m.value: m.label for m in Medium}, value=column, else_=column),
        String,
    )


@report(
    "touches",
    "every touch: contact, medium, direction, when, stage at the time, summary, notes",
    period="the day of the touch",
)
def touch_log(database: Database, options: ExportOptions) -> Report:
    """Every touch, oldest first. Cells are made final in SQL (labels, local times,
    neutralised text), so a million touches stream at close to the speed of a bare loop."""

    def rows() -> Iterator[Sequence[Cell]]:
        stmt = (
            select(
                Contact.id,
                safe_text(Contact.name),
                _medium_label(Touch.medium),
                Touch.direction,
                local_minute(Touch.occurred_at),
                safe_text(Stage.label),
                safe_text(Touch.summary),
                safe_text(Touch.notes),
                safe_text(Touch.outcome),
            )
            .join(Contact, Contact.id == Touch.contact_id)
            .outerjoin(Stage, Stage.id == Touch.stage_id)
            .where(*_in_range(options))
            # "+": sort the rows read in table order rather than walk the time index and
            # fetch each touch from wherever it lies; at a million touches this is the
            # faster plan by far (tests/benchmarks/bench_export.py).
            .order_by(unindexed(Touch.occurred_at), Touch.id)
        )
        with database.reading() as session:
            yield from driver_rows(session, stmt)

    return Report(
        (
            "Contact ID",
            "Contact",
            "Medium",
            "Direction",
            "When",
            "Stage at the time",
            "Summary",
            "Notes",
            "Outcome",
        ),
        rows(),
        prepared=True,
    )


#: The stage column of the touches recorded at a stage of another journey model (or one
#: since removed), and of touches with no stage recorded.
OTHER_STAGES = "Other stages"
NO_STAGE = "No stage recorded"


def stage_ids(session: Session) -> list[int]:
    """Every stage of every journey model (``by_medium_and_stage`` asks for each)."""
    return list(session.scalars(select(Stage.id)))


def by_medium_and_stage(
    session: Session,
    start: datetime | None,
    end: datetime | None,
    trashed: Sequence[int],
    stages: Sequence[int],
) -> dict[tuple[str, int | None], int]:
    """How many touches from ``start`` up to ``end`` (either open) there are of each medium at
    each stage (None: no stage recorded), leaving out the touches of the contacts ``trashed``;
    ``stages`` are every stage there is (``stage_ids``).

    The (medium, stage, when, contact) index answers it alone, one range of days per medium
    and stage, already grouped: the mediums and stages are listed in the query (the medium's
    check constraint and the stage's foreign key say which there can be), so SQLite looks up
    each pair instead of sorting every touch of the period into groups (at a million
    touches, 0.34 s -> 0.09 s of processor time for twelve months)."""
    conditions: list[ColumnElement[bool]] = [Touch.medium.in_([m.value for m in Medium])]
    if start is not None:
        conditions.append(Touch.occurred_at >= start)
    if end is not None:
        conditions.append(Touch.occurred_at < end)
    if trashed:
        conditions.append(Touch.contact_id.not_in(trashed))
    staged = (
        select(Touch.medium, Touch.stage_id, func.count())
        .where(*conditions, Touch.stage_id.in_(stages))
        .group_by(Touch.medium, Touch.stage_id)
    )
    unstaged = (
        select(Touch.medium, func.count())
        .where(*conditions, Touch.stage_id.is_(None))
        .group_by(Touch.medium)
    )
    counts: dict[tuple[str, int | None], int] = {}
    for medium, stage_id, count in session.execute(staged):
        counts[(str(medium), stage_id)] = int(count)
    for medium, count in session.execute(unstaged):
        counts[(str(medium), None)] = int(count)
    return counts


@report(
    "mediums",
    "touches per medium in each stage of the active journey model, with shares",
    period="the day of the touch",
)
def medium_mix(database: Database, options: ExportOptions) -> Report:
    """One row per stage and medium (every medium, zeros included), and nothing else, so the
    touches column sums to the number of touches in the period (a spreadsheet's pivot gives
    the per-medium totals). Touches recorded at a stage outside the active journey model, or
    at none, have rows of their own at the end ("Other stages", "No stage recorded", only
    when there are such touches).

    Shares are percentages of the stage's touches and of all touches in the report."""
    from db.journeys import active_stages  # noqa: PLC0415

    with database.reading() as session:
        stages = active_stages(session)
        active = {s.id for s in stages}
        counts: dict[tuple[str, str], int] = {}
        start, end = local_day_bounds(options.since, options.until)
        trashed = trashed_ids(session)
        for (medium, stage_id), count in by_medium_and_stage(
            session, start, end, trashed, stage_ids(session)
        ).items():
            if stage_id is None:
                key = NO_STAGE
            elif stage_id in active:
                key = str(stage_id)
            else:
                key = OTHER_STAGES
            counts[(key, medium)] = counts.get((key, medium), 0) + count
    groups: list[tuple[str, str]] = [(str(s.id), s.label) for s in stages]
    for extra in (OTHER_STAGES, NO_STAGE):
        if any(key == extra for key, _m in counts):
            groups.append((extra, extra))
    everything = sum(counts.values())
    rows: list[Sequence[Cell]] = []
    for key, label in groups:
        in_stage = sum(counts.get((key, m.value), 0) for m in Medium)
        for medium in Medium:
            n = counts.get((key, medium.value), 0)
            rows.append((label, medium.label, n, share(n, in_stage), share(n, everything)))
    return Report(("Stage", "Medium", "Touches", "Share of stage %", "Share of all %"), rows)
