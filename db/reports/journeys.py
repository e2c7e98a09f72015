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

import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Integer, String, case, func, literal, select, type_coerce

from db import journeys, stages
from db.engine import Database
from db.export import Cell, ExportOptions, Report, driver_rows, report, share, unindexed
from db.models import Contact, StageChange
from db.reports.contacts import trashed_ids
from db.sql import day_number, epoch_seconds, greatest, local_day_number


@report("funnel", "contacts per stage, ever reached, conversion, median days in stage, stuck")
def funnel(database: Database, options: ExportOptions) -> Report:
    today = options.today
    live = Contact.deleted_at.is_(None)
    with database.reading() as session:
        stage_list = journeys.active_stages(session)
        ids = [s.id for s in stage_list]
        trashed = trashed_ids(session)
        # Days at each stage, as a count of stays per whole number of days: the medians are
        # read from these few thousand rows instead of a row per stay. Days between local
        # calendar days are counted in SQL (times are stored as UTC text;
        # ``db.sql.local_day_number`` numbers the owner's day, as ``datetime.astimezone`` does).
        stays: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        # One pass over the live contacts' stage index, which carries every column read here
        # (migration 0014; "+" keeps the planner from looking each stage up in it instead):
        # who stands where, who is stuck, and the current stays.
        current_days = (
            literal(day_number(today), Integer)
            - local_day_number(type_coerce(Contact.stage_entered_at, String))
        ).label("days")
        stuck_now = func.sum(case((stages.stuck_clause(today), 1), else_=0))
        now_at: dict[int, int] = defaultdict(int)
        stuck: dict[int, int] = defaultdict(int)
        for stage_id, days, count, stuck_count in session.execute(
            select(Contact.stage_id, current_days, func.count(), stuck_now)
            .where(live, unindexed(Contact.stage_id).in_(ids))
            .group_by(Contact.stage_id, current_days)
        ):
            now_at[stage_id] += int(count)
            stuck[stage_id] += int(stuck_count or 0)
            if days is not None:
                stays[stage_id][max(int(days), 0)] += int(count)
        # How far each contact got: the furthest stage it changed to or stands at now (a
        # contact at a stage has passed every earlier one).
        position = {sid: i for i, sid in enumerate(ids)}
        furthest_change = func.max(case(position, value=StageChange.to_stage_id, else_=-1))
        furthest = (
            select(
                greatest(
                    case(position, value=Contact.stage_id, else_=-1),
                    func.coalesce(furthest_change, -1),
                ).label("furthest")
            )
            .select_from(Contact)
            .outerjoin(StageChange, StageChange.contact_id == Contact.id)
            .where(live)
            .group_by(Contact.id)
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
        # Completed stays: each change into a stage, ended by the contact's next change. Read
        # as one walk of the stage changes in the (contact, time) index's order and paired
        # here: at 200,000 changes a third quicker than SQL's window function, which sorts
        # and buffers each contact's changes first.
        changes = select(
            StageChange.contact_id,
            StageChange.to_stage_id,
            local_day_number(type_coerce(StageChange.changed_at, String)),
        ).order_by(StageChange.contact_id, StageChange.changed_at, StageChange.id)
        if trashed:
            changes = changes.where(StageChange.contact_id.not_in(trashed))
        wanted = set(ids)
        last_contact, last_stage, last_day = None, None, 0
        for contact_id, stage_id, day_cell in driver_rows(session, changes):
            day = int(cast(int, day_cell))
            if contact_id == last_contact and last_stage in wanted:
                stays[cast(int, last_stage)][day - last_day] += 1
            last_contact, last_stage, last_day = contact_id, stage_id, day

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
                "" if not days else Decimal(str(median_of_counts(days))).quantize(Decimal("0.1")),
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


#: A prime below 2**31: each row's term of ``funnel_inputs`` is taken modulo it, so that the
#: sum over a million rows stays an exact integer.
_PRIME = 2_147_483_647


def funnel_inputs(database: Database) -> tuple[object, ...]:
    """What the funnel is read from, in a few numbers that change whenever it does: the
    active stages as they are (names, order, dwell limits), and a count and a checksum of the
    live contacts' stage columns and of the stage changes (each row's values in one term,
    summed modulo a prime). Reading them takes about a fifth of reading the funnel at 100,000
    contacts, so the Reports helper reads the funnel again only when they moved
    (``desktop_app.reports.jobs``): logging a touch, recording a sale or feedback leave it as
    it was. The local time zone counts too (days are local days)."""

    def seconds(column: Any) -> Any:
        return func.coalesce(epoch_seconds(type_coerce(column, String)), 0)

    live = select(
        func.count(),
        func.sum(
            (
                Contact.id * 1000003
                + func.coalesce(Contact.stage_id, 0) * 7919
                + seconds(Contact.stage_entered_at) * 31
                + seconds(Contact.stuck_on) * 17
                + type_coerce(Contact.do_not_contact, Integer)
            )
            % _PRIME
        ),
    ).where(Contact.deleted_at.is_(None))
    moves = select(
        func.count(),
        func.max(StageChange.id),
        func.sum((StageChange.id * 1000003 + func.coalesce(StageChange.to_stage_id, 0)) % _PRIME),
    )
    moments = select(
        func.sum(
            (
                StageChange.id * 1000003
                + StageChange.contact_id * 7919
                + seconds(StageChange.changed_at)
            )
            % _PRIME
        )
    )
    with database.reading() as session:
        stage_list = tuple(journeys.active_stages(session))  # labels, order, limits, all
        return (
            stage_list,
            tuple(session.execute(live).one()),
            tuple(session.execute(moves).one()),
            session.execute(moments).scalar(),
            time.timezone,
            time.altzone,
            time.tzname,
        )


def median_of_counts(counts: Mapping[int, int]) -> float | int:
    """The median of values given as {value: how many times}, as ``statistics.median`` gives it
    for the same values listed one by one (the mean of the two middle ones for an even count)."""
    total = sum(counts.values())
    if total <= 0:
        raise ValueError("no values")
    middle = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while len(found) < 2 and middle[len(found)] < seen:
            found.append(value)
    if total % 2:
        return found[1]
    return (found[0] + found[1]) / 2
