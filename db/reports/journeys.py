"""Journey reports: the stage funnel.

``funnel`` has one row per stage of the active model, in order. Only contacts not in the
trash count. Definitions:

- *now at stage*: contacts standing on the stage (the board's column count);
- *ever reached*: contacts that reached the stage or any later one, by a recorded stage
  change or by standing there now. A contact at a stage has passed every earlier stage, so
  a stage automation skipped counts as passed and the figure never grows down the funnel;
- *conversion to next %*: ever reached the next stage / ever reached this one, so never
  above 100% (empty for the last stage, or when nobody reached this one);
- *median days in stage*: over every stay at the stage: a completed stay runs from the
  change into the stage to the contact's next change, the current stay from the day the
  contact entered the stage to the report's "today"; days are whole local days; empty with
  no stays;
- *stuck*: contacts on the stage past its dwell limit on "today", by the one definition
  Today and the board use (``db.stages.stuck_clause``: never a do-not-contact contact).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal
from statistics import median
from typing import Any, cast

from sqlalchemy import Select, String, case, func, literal, select, type_coerce, union

from db import journeys, stages
from db.engine import Database
from db.export import Cell, ExportOptions, Report, report, share
from db.models import Contact, StageChange
from db.sql import days_between, local_day


@report("funnel", "contacts per stage, ever reached, conversion, median days in stage, stuck")
def funnel(database: Database, options: ExportOptions) -> Report:
    today = options.today
    live = Contact.deleted_at.is_(None)
    with database.reading() as session:
        stage_list = journeys.active_stages(session)
        ids = [s.id for s in stage_list]
        now_at = dict(
            session.execute(
                select(Contact.stage_id, func.count())
                .where(live, Contact.stage_id.in_(ids))
                .group_by(Contact.stage_id)
            ).all()
        )
        stuck = dict(
            session.execute(
                select(Contact.stage_id, func.count())
                .where(live, Contact.stage_id.in_(ids), stages.stuck_clause(today))
                .group_by(Contact.stage_id)
            ).all()
        )
        reached_pairs = union(
            select(StageChange.contact_id, StageChange.to_stage_id.label("stage_id"))
            .join(Contact, Contact.id == StageChange.contact_id)
            .where(live, StageChange.to_stage_id.in_(ids)),
            select(Contact.id, Contact.stage_id).where(live, Contact.stage_id.in_(ids)),
        ).subquery()
        position = case(
            {sid: i for i, sid in enumerate(ids)}, value=reached_pairs.c.stage_id, else_=-1
        )
        furthest = (
            select(func.max(position).label("furthest"))
            .group_by(reached_pairs.c.contact_id)
            .subquery()
        )
        # How many contacts got furthest to each stage; reached = those at it or beyond.
        at_most: dict[int, int] = dict(
            session.execute(
                select(furthest.c.furthest, func.count()).group_by(furthest.c.furthest)
            ).all()
        )
        reached: dict[int, int] = {}
        running = 0
        for index in range(len(ids) - 1, -1, -1):
            running += int(at_most.get(index, 0))
            reached[ids[index]] = running
        # Completed stays: each change into a stage, ended by the contact's next change.
        following = type_coerce(
            func.lead(StageChange.changed_at).over(
                partition_by=StageChange.contact_id,
                order_by=(StageChange.changed_at, StageChange.id),
            ),
            StageChange.changed_at.type,
        ).label("ended_at")
        changes = (
            select(StageChange.to_stage_id, StageChange.changed_at, following)
            .join(Contact, Contact.id == StageChange.contact_id)
            .where(live)
            .subquery()
        )
        # Days between local calendar days, counted in SQL: a Python datetime per stage
        # change costs seconds at 100,000 contacts (times are stored as UTC text;
        # ``db.sql.local_day`` gives the owner's day, as ``datetime.astimezone`` does).
        stays: dict[int, list[int]] = defaultdict(list)
        completed = cast(
            "Select[Any]",
            select(
                changes.c.to_stage_id,
                days_between(
                    local_day(type_coerce(changes.c.changed_at, String)),
                    local_day(type_coerce(changes.c.ended_at, String)),
                ),
            ).where(changes.c.to_stage_id.in_(ids), changes.c.ended_at.is_not(None)),
        )
        for stage_id, days in session.execute(completed):
            stays[stage_id].append(int(days))
        current = cast(
            "Select[Any]",
            select(
                Contact.stage_id,
                days_between(
                    local_day(type_coerce(Contact.stage_entered_at, String)),
                    literal(today.isoformat(), String),
                ),
            ).where(live, Contact.stage_id.in_(ids), Contact.stage_entered_at.is_not(None)),
        )
        for stage_id, days in session.execute(current):
            stays[stage_id].append(max(int(days), 0))

    def rows() -> Iterator[Sequence[Cell]]:
        for index, stage in enumerate(stage_list):
            ever = int(reached.get(stage.id, 0))
            following_stage = stage_list[index + 1] if index + 1 < len(stage_list) else None
            conversion = (
                share(int(reached.get(following_stage.id, 0)), ever) if following_stage else ""
            )
            days = stays.get(stage.id)
            yield (
                index + 1,
                stage.label,
                int(now_at.get(stage.id, 0)),
                ever,
                conversion,
                "" if not days else Decimal(str(median(days))).quantize(Decimal("0.1")),
                int(stuck.get(stage.id, 0)),
            )

    return Report(
        (
            "Position",
            "Stage",
            "Now at stage",
            "Ever reached",
            "Conversion to next %",
            "Median days in stage",
            "Stuck",
        ),
        list(rows()),
    )
