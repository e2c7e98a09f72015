"""The stage funnel report, checked against figures worked out by hand."""

from __future__ import annotations

import csv
import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path
from statistics import median

from sqlalchemy import func, select

from db import board, journeys, stages
from db.contacts import (
    ContactInput,
    create_contact,
    purge_contacts,
    restore_contacts,
    trash_contacts,
    update_contact,
)
from db.domain import Medium
from db.engine import Database, open_database
from db.export import ExportOptions, load_reports
from db.feedback import FeedbackInput, record_feedback
from db.models import StageChange
from db.purchases import PurchaseInput, record_purchase
from db.reports.journeys import funnel_inputs, median_of_counts
from db.touches import TouchInput, log_touch
from desktop_app import cli


def _day(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=UTC)


def _journeys(database: Database) -> None:
    """Customer development (Suspect, Prospect, Customer, Loyal), everyone added 1 January:

    A: S -> P (11 Jan) -> C (31 Jan)      B: S -> P (21 Jan)       C: S
    D: S -> P (6 Jan) -> S (16 Jan, back)  F: S -> P (10 Jan)       E: S -> P, then trashed
    """
    with database.reading() as session:
        s, p, c, _loyal = (x.id for x in journeys.active_stages(session))

    def add(name: str, *moves: tuple[int, datetime, str]) -> int:
        cid = create_contact(database, ContactInput(name=name), now=_day(1, 1))
        for stage_id, when, reason in moves:
            stages.set_stage(database, [cid], stage_id, reason=reason, now=when)
        return cid

    add("A", (p, _day(1, 11), ""), (c, _day(1, 31), ""))
    add("B", (p, _day(1, 21), ""))
    add("C")
    add("D", (p, _day(1, 6), ""), (s, _day(1, 16), "not ready"))
    add("F", (p, _day(1, 10), ""))
    trash_contacts(database, [add("E", (p, _day(1, 5), ""))])


def test_funnel_matches_hand_computed_figures(database: Database) -> None:
    _journeys(database)
    build = load_reports()["funnel"].build

    result = build(database, ExportOptions(today=date(2026, 3, 2)))

    assert result.headers == (
        "Position",
        "Stage",
        "Now at stage",
        "Ever reached",
        "Conversion to next %",
        "Median days in stage",
        "Stuck",
    )
    rows = [tuple(str(v) for v in row) for row in result.rows]
    # Suspect stays: A 10, B 20, D 5, F 9, C 60 (to today), D 45 (to today) -> median 15.
    # Prospect stays: A 20, D 10, B 40 (to today), F 50 (to today) -> median 30.
    # F entered Prospect on 10 Jan: past its 45-day dwell limit on 24 Feb, so stuck.
    assert rows == [
        ("1", "Suspect", "2", "5", "80.0", "15.0", "0"),
        ("2", "Prospect", "2", "4", "25.0", "30.0", "1"),
        ("3", "Customer", "1", "1", "0.0", "30.0", "0"),
        ("4", "Loyal customer", "0", "0", "", "", "0"),
    ]


def test_funnel_counts_match_the_board(database: Database) -> None:
    _journeys(database)
    build = load_reports()["funnel"].build
    counts = board.stage_counts(database)
    with database.reading() as session:
        ids = [s.id for s in journeys.active_stages(session)]

    rows = list(build(database, ExportOptions(today=date(2026, 3, 2))).rows)

    assert [row[2] for row in rows] == [counts.get(i, 0) for i in ids]


def test_funnel_is_exported_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with open_database(path) as database:
        _journeys(database)
    output = tmp_path / "funnel.csv"

    assert cli.main(["--db", str(path), "export", "funnel", "--output", str(output)]) == 0

    with output.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:5] == [
        "Position",
        "Stage",
        "Now at stage",
        "Ever reached",
        "Conversion to next %",
    ]
    assert [r[:5] for r in rows[1:]] == [
        ["1", "Suspect", "2", "5", "80.0"],
        ["2", "Prospect", "2", "4", "25.0"],
        ["3", "Customer", "1", "1", "0.0"],
        ["4", "Loyal customer", "0", "0", ""],
    ]


def test_median_days_read_from_counts_match_the_median_of_every_stay() -> None:
    cases = [[7], [3, 9], [1, 1, 2], [0, 5, 5, 8], [4, 4, 4, 4], [10, 2, 7, 2, 30, 11], [1, 2]]
    for values in cases:
        counts: dict[int, int] = {}
        for v in values:
            counts[v] = counts.get(v, 0) + 1
        found = median_of_counts(counts)
        assert found == median(values) and type(found) is type(median(values)), values


# --- what the funnel is read from ------------------------------------------------------------


def test_the_funnels_inputs_move_with_everything_it_is_read_from(database: Database) -> None:
    _journeys(database)
    with database.reading() as session:
        s, p, _c, _loyal = (x.id for x in journeys.active_stages(session))
    anna = create_contact(database, ContactInput(name="Anna"), now=_day(2, 1))
    seen = [funnel_inputs(database)]

    def changed() -> bool:
        seen.append(funnel_inputs(database))
        return seen[-1] != seen[-2]

    assert not changed()  # read twice, the same
    stages.set_stage(database, [anna], p, now=_day(2, 2))
    assert changed()
    stages.set_stage(database, [anna], s, reason="not ready", now=_day(2, 3))
    assert changed()
    anna_input = ContactInput(name="Anna", do_not_contact=True)
    update_contact(database, anna, anna_input, now=_day(2, 4))
    assert changed()
    trash_contacts(database, [anna])
    assert changed()
    restore_contacts(database, [anna])
    assert changed()
    create_contact(database, ContactInput(name="Ben"), now=_day(2, 5))
    assert changed()
    trash_contacts(database, [anna])
    purge_contacts(database, [anna])
    assert changed()
    other = next(m.key for m in journeys.list_models(database) if not m.active)
    with database.reading() as session:
        old_stages = [x.id for x in journeys.active_stages(session)]
    mapping = journeys.suggest_mapping(database, old_stages, other)
    journeys.activate_model(database, other, mapping, now=_day(2, 6))
    assert changed()


def test_renaming_a_stage_of_the_active_model_moves_the_funnels_inputs(
    database: Database,
) -> None:
    active = next(m.key for m in journeys.list_models(database) if m.active)
    key = journeys.copy_model(database, active, "My shop")
    with database.reading() as session:
        old_stages = [x.id for x in journeys.active_stages(session)]
    mapping = journeys.suggest_mapping(database, old_stages, key)
    journeys.activate_model(database, key, mapping, now=_day(2, 1))
    before = funnel_inputs(database)
    draft = journeys.model_draft(database, key)
    first, *rest = draft.stages
    renamed = dataclasses.replace(draft, stages=(dataclasses.replace(first, label="Lead"), *rest))

    journeys.save_model(database, renamed)

    assert funnel_inputs(database) != before


def test_touches_sales_and_feedback_leave_the_funnels_inputs_as_they_were(
    database: Database,
) -> None:
    _journeys(database)
    with database.reading() as session:
        _s, _p, c, _loyal = (x.id for x in journeys.active_stages(session))
    cid = create_contact(database, ContactInput(name="Cleo"), now=_day(2, 1))
    stages.set_stage(database, [cid], c, now=_day(2, 2))
    before = funnel_inputs(database)
    moves = _moves(database)

    log_touch(database, TouchInput(cid, Medium.PHONE, _day(2, 3), summary="Called"))
    record_purchase(database, cid, PurchaseInput(date(2026, 2, 3), "Bread", "12.50"))
    record_feedback(database, cid, FeedbackInput(date(2026, 2, 4), (("How was it?", 5),)))

    assert _moves(database) == moves  # nothing moved her
    assert funnel_inputs(database) == before


def _moves(database: Database) -> int:
    with database.reading() as session:
        return int(session.scalar(select(func.count()).select_from(StageChange)) or 0)
