"""Satisfaction feedback (docs/domain.md §5): the survey template, recording answers, the level
rule, the over-survey warning, and levels over time.

**The level rule.** The average of the answered questions (each 1-5) decides: at least 4.5 is
*highly satisfied*, at least 3 *satisfied*, below 3 *dissatisfied*. Questions may be left
unanswered. Because comments matter more than scores, the owner may also set the level by
hand after reading the comment, which then wins over the scores; a comment alone (no score)
is accepted only with a level chosen by hand, since no rule can read it. A form with neither
a score nor a chosen level is refused.

**Change.** A contact's level is that of its latest feedback (``contact.satisfaction``); the
change is measured against the feedback just before it: *up*, *down* or *same*.

**Over-survey.** Asking the same contact again within ``settings.SURVEY_INTERVAL_DAYS``
(90 by default) earns a warning before recording; it is a warning, not a refusal.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from db import derived, settings
from db.models import Contact, Feedback, FeedbackAnswer, FeedbackQuestion, utcnow

if TYPE_CHECKING:
    from db.engine import Database

MAX_QUESTIONS = 5
QUESTION_MAX = 300
COMMENT_MAX = 4000
DEFAULT_QUESTIONS = (
    "How happy are you with what you bought?",
    "How easy was it to work with us?",
    "How likely are you to recommend us to a friend?",
)


class Level(enum.StrEnum):
    HIGHLY_SATISFIED = "highly_satisfied"
    SATISFIED = "satisfied"
    DISSATISFIED = "dissatisfied"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def rank(self) -> int:
        return _RANKS[self]


_LABELS = {
    Level.HIGHLY_SATISFIED: "Highly satisfied",
    Level.SATISFIED: "Satisfied",
    Level.DISSATISFIED: "Dissatisfied",
}
_RANKS = {Level.DISSATISFIED: 0, Level.SATISFIED: 1, Level.HIGHLY_SATISFIED: 2}


class Change(enum.StrEnum):
    UP = "up"
    SAME = "same"
    DOWN = "down"


class FeedbackError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def level_for(scores: Sequence[int]) -> Level | None:
    """The level the scores give (None for no scores); see the module docstring."""
    if not scores:
        return None
    average = Decimal(sum(scores)) / len(scores)
    if average >= Decimal("4.5"):
        return Level.HIGHLY_SATISFIED
    if average >= 3:
        return Level.SATISFIED
    return Level.DISSATISFIED


def change_between(previous: Level | None, current: Level | None) -> Change | None:
    if previous is None or current is None:
        return None
    if current.rank > previous.rank:
        return Change.UP
    if current.rank < previous.rank:
        return Change.DOWN
    return Change.SAME


# --- The question template ------------------------------------------------------------------


def template_questions(session: Session) -> list[str]:
    stored = list(
        session.scalars(
            select(FeedbackQuestion.text)
            .where(FeedbackQuestion.active.is_(True))
            .order_by(FeedbackQuestion.position, FeedbackQuestion.id)
            .limit(MAX_QUESTIONS)
        )
    )
    if not stored and not settings.get(session, settings.FEEDBACK_TEMPLATE_SAVED):
        # A database whose owner never edited the survey asks the default questions.
        return list(DEFAULT_QUESTIONS)
    return stored


def questions(database: Database) -> list[str]:
    """The survey's questions, in order (at most five)."""
    with database.reading() as session:
        return template_questions(session)


def check_questions(texts: Sequence[str]) -> list[str]:
    cleaned = [" ".join(t.split()) for t in texts]
    cleaned = [t for t in cleaned if t]
    if len(cleaned) > MAX_QUESTIONS:
        raise FeedbackError({"questions": f"Ask at most {MAX_QUESTIONS} questions."})
    if any(len(t) > QUESTION_MAX for t in cleaned):
        raise FeedbackError({"questions": f"Keep each question under {QUESTION_MAX} characters."})
    if len({t.casefold() for t in cleaned}) != len(cleaned):
        raise FeedbackError({"questions": "A question is asked twice."})
    return cleaned


def save_questions(session: Session, texts: Sequence[str]) -> None:
    """Replace the template (answers keep their own copy of each question's text)."""
    cleaned = check_questions(texts)
    session.execute(delete(FeedbackQuestion))
    session.add_all(
        FeedbackQuestion(position=i, text=text, active=True) for i, text in enumerate(cleaned)
    )
    settings.put(session, settings.FEEDBACK_TEMPLATE_SAVED, True)


def set_questions(database: Database, texts: Sequence[str]) -> None:
    with database.write_session.begin() as session:
        save_questions(session, texts)


# --- Recording ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackInput:
    received_on: date
    #: (question, score 1-5 or None for unanswered), in the survey's order.
    answers: tuple[tuple[str, int | None], ...] = ()
    comment: str = ""
    #: The owner's own reading of the comment, which wins over the scores.
    level: Level | None = None


def check(data: FeedbackInput, *, today: date) -> tuple[Level, list[tuple[str, int]], str]:
    errors: dict[str, str] = {}
    answered = [(q, s) for q, s in data.answers if s is not None]
    comment = data.comment.strip()
    if len(data.answers) > MAX_QUESTIONS:
        errors["answers"] = f"At most {MAX_QUESTIONS} questions."
    if any(not 1 <= s <= 5 for _q, s in answered):
        errors["answers"] = "Each score is from 1 to 5."
    if data.received_on > today:
        errors["received_on"] = "Feedback cannot come from the future."
    if len(comment) > COMMENT_MAX:
        errors["comment"] = f"Keep the comment under {COMMENT_MAX} characters."
    level = data.level or level_for([s for _q, s in answered])
    if level is None and "answers" not in errors:
        errors["answers"] = (
            "Score at least one question, or choose the level yourself from the comment."
        )
    if errors:
        raise FeedbackError(errors)
    assert level is not None
    return level, answered, comment


def last_surveyed_on(session: Session, contact_id: int) -> date | None:
    return session.scalar(
        select(func.max(Feedback.received_on)).where(Feedback.contact_id == contact_id)
    )


def survey_warning(database: Database, contact_id: int, today: date) -> str | None:
    """A warning when the contact was asked within the survey interval, else None."""
    with database.reading() as session:
        interval = settings.get(session, settings.SURVEY_INTERVAL_DAYS)
        last = last_surveyed_on(session, contact_id)
    if last is None or last <= today - timedelta(days=interval):
        return None
    days = (today - last).days
    when = "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
    return (
        f"This contact was last asked for feedback {when} ({last:%d %b %Y}). "
        f"To avoid over-surveying, wait {interval} days between surveys."
    )


def record_feedback(
    database: Database,
    contact_id: int,
    data: FeedbackInput,
    *,
    now: datetime | None = None,
    today: date | None = None,
) -> int:
    """Record a filled-in survey; returns its id. One unit of work."""
    now = now or utcnow()
    level, answered, comment = check(data, today=today or now.astimezone().date())
    with database.write_session.begin() as session:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.deleted_at is not None:
            raise FeedbackError({"contact": "The contact no longer exists."})
        feedback = Feedback(
            contact_id=contact_id,
            received_on=data.received_on,
            comment=comment,
            level=level.value,
            created_at=now,
        )
        feedback.answers = [
            FeedbackAnswer(position=i, question=q[:QUESTION_MAX], score=s)
            for i, (q, s) in enumerate(answered)
        ]
        session.add(feedback)
        contact.updated_at = now
        session.flush()
        derived.refresh_satisfaction(session, [contact_id])
        return feedback.id


@dataclass(frozen=True)
class DeletedFeedback:
    """All a deleted feedback form held, so ``restore_feedback`` can bring it back exactly."""

    id: int
    contact_id: int
    received_on: date
    comment: str
    level: str
    created_at: datetime
    answers: tuple[tuple[str, int], ...]


class FeedbackNotFoundError(LookupError):
    """The form was deleted elsewhere in the meantime."""


def delete_feedback(database: Database, feedback_id: int) -> DeletedFeedback:
    """Delete a feedback form (say, one recorded against the wrong contact); returns what
    ``restore_feedback`` needs to undo it. The contact's satisfaction follows at once."""
    with database.write_session.begin() as session:
        feedback = session.get(Feedback, feedback_id)
        if feedback is None:
            raise FeedbackNotFoundError(feedback_id)
        deleted = DeletedFeedback(
            id=feedback.id,
            contact_id=feedback.contact_id,
            received_on=feedback.received_on,
            comment=feedback.comment,
            level=feedback.level,
            created_at=feedback.created_at,
            answers=tuple((a.question, a.score) for a in feedback.answers),
        )
        session.delete(feedback)
        session.flush()
        derived.refresh_satisfaction(session, [deleted.contact_id])
        return deleted


def restore_feedback(database: Database, deleted: DeletedFeedback) -> int:
    """Undo ``delete_feedback``: the form comes back with its id, answers and dates."""
    with database.write_session.begin() as session:
        if session.get(Contact, deleted.contact_id) is None:
            raise FeedbackError({"contact": "The contact no longer exists."})
        feedback = Feedback(
            id=deleted.id if session.get(Feedback, deleted.id) is None else None,
            contact_id=deleted.contact_id,
            received_on=deleted.received_on,
            comment=deleted.comment,
            level=deleted.level,
            created_at=deleted.created_at,
        )
        feedback.answers = [
            FeedbackAnswer(position=i, question=question, score=score)
            for i, (question, score) in enumerate(deleted.answers)
        ]
        session.add(feedback)
        session.flush()
        derived.refresh_satisfaction(session, [deleted.contact_id])
        return feedback.id


# --- Reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackRow:
    id: int
    received_on: date
    level: Level
    comment: str
    scores: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Satisfaction:
    """A contact's current level and how it moved since the feedback before."""

    level: Level | None
    previous: Level | None
    change: Change | None
    latest: FeedbackRow | None
    forms: int


def history(database: Database, contact_id: int, limit: int = 20) -> list[FeedbackRow]:
    """A contact's feedback, newest first."""
    with database.reading() as session:
        return [
            FeedbackRow(
                id=f.id,
                received_on=f.received_on,
                level=Level(f.level),
                comment=f.comment,
                scores=tuple((a.question, a.score) for a in f.answers),
            )
            for f in session.scalars(
                select(Feedback)
                .where(Feedback.contact_id == contact_id)
                .order_by(Feedback.received_on.desc(), Feedback.id.desc())
                .limit(limit)
            )
        ]


def satisfaction(database: Database, contact_id: int) -> Satisfaction:
    rows = history(database, contact_id, limit=2)
    with database.reading() as session:
        forms = int(
            session.scalar(
                select(func.count()).select_from(Feedback).where(Feedback.contact_id == contact_id)
            )
            or 0
        )
    level = rows[0].level if rows else None
    previous = rows[1].level if len(rows) > 1 else None
    return Satisfaction(
        level=level,
        previous=previous,
        change=change_between(previous, level),
        latest=rows[0] if rows else None,
        forms=forms,
    )


@dataclass(frozen=True)
class MonthLevels:
    """Feedback received in one month: how many at each level, and how many moved."""

    month: str  # "2026-03"
    forms: int
    highly_satisfied: int
    satisfied: int
    dissatisfied: int
    moved_up: int
    moved_down: int


_BY_MONTH = """
WITH ranked AS (
  SELECT f.received_on, f.level,
    CASE f.level WHEN 'dissatisfied' THEN 0 WHEN 'satisfied' THEN 1 ELSE 2 END AS rank,
    LAG(CASE f.level WHEN 'dissatisfied' THEN 0 WHEN 'satisfied' THEN 1 ELSE 2 END)
      OVER (PARTITION BY f.contact_id ORDER BY f.received_on, f.id) AS previous
  FROM feedback f JOIN contact c ON c.id = f.contact_id
  WHERE c.deleted_at IS NULL
)
SELECT substr(received_on, 1, 7) AS month,
  count(*),
  sum(level = 'highly_satisfied'),
  sum(level = 'satisfied'),
  sum(level = 'dissatisfied'),
  sum(previous IS NOT NULL AND rank > previous),
  sum(previous IS NOT NULL AND rank < previous)
FROM ranked
WHERE (:since IS NULL OR received_on >= :since) AND (:until IS NULL OR received_on <= :until)
GROUP BY month ORDER BY month
"""


def levels_by_month(
    database: Database, since: date | None = None, until: date | None = None
) -> list[MonthLevels]:
    """Levels and movement per month (a move compares with the contact's previous form,
    which may be older than ``since``)."""
    from sqlalchemy import text  # noqa: PLC0415

    with database.reading() as session:
        rows = session.execute(
            text(_BY_MONTH),
            {
                "since": since.isoformat() if since else None,
                "until": until.isoformat() if until else None,
            },
        ).all()
    return [MonthLevels(str(r[0]), *(int(v or 0) for v in r[1:])) for r in rows]


def level_counts(database: Database) -> dict[Level, int]:
    """How many live contacts are at each level now."""
    with database.reading() as session:
        rows = session.execute(
            select(Contact.satisfaction, func.count())
            .where(Contact.deleted_at.is_(None), Contact.satisfaction.is_not(None))
            .group_by(Contact.satisfaction)
        ).all()
    counts = dict.fromkeys(Level, 0)
    for level, count in rows:
        counts[Level(str(level))] = int(count)
    return counts
