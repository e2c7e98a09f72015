"""Satisfaction levels, the survey template and the over-survey warning."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from db import feedback, settings
from db.contacts import trash_contacts
from db.engine import Database
from db.feedback import Change, FeedbackError, FeedbackInput, Level, level_for, record_feedback
from db.models import Contact
from tests.conftest import ContactFactory

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
TODAY = date(2026, 6, 30)
Q = feedback.DEFAULT_QUESTIONS


def form(
    on: date, *scores: int | None, comment: str = "", level: Level | None = None
) -> FeedbackInput:
    return FeedbackInput(
        received_on=on,
        answers=tuple(zip(Q, scores, strict=False)),
        comment=comment,
        level=level,
    )


def record(database: Database, cid: int, data: FeedbackInput) -> int:
    return record_feedback(database, cid, data, now=NOW, today=TODAY)


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([5, 5, 4], Level.HIGHLY_SATISFIED),  # 4.67
        ([5, 4], Level.HIGHLY_SATISFIED),  # exactly 4.5
        ([5, 4, 4], Level.SATISFIED),  # 4.33
        ([3], Level.SATISFIED),
        ([3, 2, 4], Level.SATISFIED),  # exactly 3
        ([3, 3, 2], Level.DISSATISFIED),  # 2.67
        ([1], Level.DISSATISFIED),
        ([], None),
    ],
)
def test_level_rule(scores: list[int], expected: Level | None) -> None:
    assert level_for(scores) is expected


def test_recording_sets_the_level_and_its_change(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    assert feedback.satisfaction(database, cid).level is None

    record(database, cid, form(date(2026, 1, 10), 2, 3, 2, comment="Late delivery"))
    first = feedback.satisfaction(database, cid)
    assert (first.level, first.previous, first.change) == (Level.DISSATISFIED, None, None)

    record(database, cid, form(date(2026, 5, 2), 5, None, 4))  # an unanswered question
    now = feedback.satisfaction(database, cid)
    assert (now.level, now.previous, now.change, now.forms) == (
        Level.HIGHLY_SATISFIED,
        Level.DISSATISFIED,
        Change.UP,
        2,
    )
    assert now.latest is not None and now.latest.scores == ((Q[0], 5), (Q[2], 4))
    with database.reading() as session:
        assert session.scalar(select(Contact.satisfaction).where(Contact.id == cid)) == (
            "highly_satisfied"
        )

    # A form received earlier than the latest does not become the current level.
    record(database, cid, form(date(2026, 3, 1), 1, 1, 1))
    later = feedback.satisfaction(database, cid)
    assert (later.level, later.previous, later.change) == (
        Level.HIGHLY_SATISFIED,
        Level.DISSATISFIED,
        Change.UP,
    )


def test_a_chosen_level_wins_and_a_comment_alone_needs_one(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    with pytest.raises(FeedbackError) as caught:
        record(database, cid, form(TODAY, comment="Great, but the invoice was wrong"))
    assert "choose the level" in caught.value.errors["answers"]
    record(
        database,
        cid,
        form(TODAY, 5, 5, 5, comment="Never again.", level=Level.DISSATISFIED),
    )
    assert feedback.satisfaction(database, cid).level is Level.DISSATISFIED


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (form(TODAY, 6), "answers"),
        (form(TODAY, 0), "answers"),
        (form(date(2026, 7, 1), 4), "received_on"),
        (FeedbackInput(TODAY, tuple((f"Q{i}", 3) for i in range(6))), "answers"),
    ],
)
def test_bad_forms_are_refused(
    database: Database, contact_factory: ContactFactory, data: FeedbackInput, field: str
) -> None:
    cid = contact_factory()
    with pytest.raises(FeedbackError) as caught:
        record(database, cid, data)
    assert field in caught.value.errors
    assert feedback.history(database, cid) == []


def test_over_survey_warning(database: Database, contact_factory: ContactFactory) -> None:
    cid = contact_factory()
    assert feedback.survey_warning(database, cid, TODAY) is None
    record(database, cid, form(date(2026, 4, 1), 4))  # 90 days before TODAY
    assert feedback.survey_warning(database, cid, TODAY) is None
    record(database, cid, form(date(2026, 4, 2), 4))  # 89 days before
    warning = feedback.survey_warning(database, cid, TODAY)
    assert warning is not None and "89 days ago" in warning and "90 days" in warning
    with database.write_session.begin() as session:
        settings.put(session, settings.SURVEY_INTERVAL_DAYS, 30)
    assert feedback.survey_warning(database, cid, TODAY) is None


def test_question_template_is_editable_up_to_five(database: Database) -> None:
    assert feedback.questions(database) == list(Q)
    feedback.set_questions(database, ["  Was it on time? ", "", "Would you buy again?"])
    assert feedback.questions(database) == ["Was it on time?", "Would you buy again?"]
    with pytest.raises(FeedbackError):
        feedback.set_questions(database, [f"Question {i}" for i in range(6)])
    with pytest.raises(FeedbackError):
        feedback.set_questions(database, ["Same?", "same?"])
    # An owner may clear the survey on purpose: the defaults do not come back.
    feedback.set_questions(database, [])
    assert feedback.questions(database) == []


def test_levels_by_month_and_counts(database: Database, contact_factory: ContactFactory) -> None:
    a, b, gone = contact_factory(), contact_factory(), contact_factory()
    record(database, a, form(date(2026, 1, 5), 2))  # dissatisfied
    record(database, b, form(date(2026, 1, 20), 5))  # highly satisfied
    record(database, a, form(date(2026, 2, 5), 4))  # satisfied: up
    record(database, b, form(date(2026, 2, 9), 3))  # satisfied: down
    record(database, gone, form(date(2026, 2, 9), 1))
    trash_contacts(database, [gone])

    months = feedback.levels_by_month(database)
    assert [
        (m.month, m.forms, m.highly_satisfied, m.satisfied, m.dissatisfied) for m in months
    ] == [
        ("2026-01", 2, 1, 0, 1),
        ("2026-02", 2, 0, 2, 0),
    ]
    assert [(m.moved_up, m.moved_down) for m in months] == [(0, 0), (1, 1)]
    # Movement counts against forms before the period too.
    only_feb = feedback.levels_by_month(database, since=date(2026, 2, 1))
    assert [(m.month, m.moved_up, m.moved_down) for m in only_feb] == [("2026-02", 1, 1)]
    assert feedback.level_counts(database) == {
        Level.HIGHLY_SATISFIED: 0,
        Level.SATISFIED: 2,
        Level.DISSATISFIED: 0,
    }


def test_deleting_feedback_restores_the_earlier_level(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    record(database, cid, form(date(2026, 1, 10), 5))
    latest = record(database, cid, form(date(2026, 5, 1), 1))
    assert feedback.satisfaction(database, cid).level is Level.DISSATISFIED
    feedback.delete_feedback(database, latest)
    now = feedback.satisfaction(database, cid)
    assert (now.level, now.change, now.forms) == (Level.HIGHLY_SATISFIED, None, 1)


def test_deleted_feedback_comes_back_exactly(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    record(database, cid, form(date(2026, 1, 10), 5))
    latest = record(database, cid, form(date(2026, 5, 1), 1, 2))
    before = feedback.history(database, cid)
    deleted = feedback.delete_feedback(database, latest)
    assert deleted.answers and feedback.satisfaction(database, cid).forms == 1
    with pytest.raises(feedback.FeedbackNotFoundError):
        feedback.delete_feedback(database, latest)
    assert feedback.restore_feedback(database, deleted) == latest
    assert feedback.history(database, cid) == before
    now = feedback.satisfaction(database, cid)
    assert (now.level, now.change) == (Level.DISSATISFIED, Change.DOWN)
