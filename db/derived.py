"""Columns on ``contact`` derived from other rows, kept in step so big lists use indexes.

- ``cadence_due_on``: last touch (or, never touched, the day it entered its stage) + the
  contact's own cadence, else its stage's;
- ``stuck_on``: the day it entered its stage + the stage's dwell limit;
- ``next_followup_on``: the earlier of ``cadence_due_on`` and its open follow-ups (a snoozed
  one counts from its snooze date); none for do-not-contact and trashed contacts;
- cadence follow-ups are virtual, but an open follow-up row with source ``cadence`` and
  ``due_on = cadence_due_on`` *stands in* for the cadence (it was snoozed, or the owner was
  notified): the row counts instead of the cadence date. A stand-in whose cadence date moved
  (a touch, a new stage) is cancelled. Ticking a cadence follow-up off records a done
  ``cadence`` row, and the cadence restarts from that moment;
- ``purchase_count``, ``first_purchase_on``, ``last_purchase_on``, ``lifetime_value``;
- ``last_interaction_on``: for customers, the later of the last purchase and the last
  inbound touch (what the lifecycle's lapse counts from);
- ``satisfaction``: the level of the latest feedback;
- ``lifecycle`` and ``lifecycle_until``: the lifecycle status as of today and the last day it
  holds (``db.lifecycle``), after purchases, inbound touches or the season changed.

Each rule is one SQL statement, used alike for a few contacts after a change and for every
contact (after a migration, or bulk sample data), so the two can never disagree. Dates are
the owner's local days (SQLite's ``localtime``, as Python's ``astimezone()``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, TextClause, text
from sqlalchemy.orm import Session

from db import lifecycle, seasons
from db.clock import local_today
from db.models import Contact

if TYPE_CHECKING:
    from db.engine import Database

#: A customer's last interaction: the later of the last purchase and the last inbound touch
#: (the customer reaching out keeps them from lapsing; the owner's own touches do not).
_INTERACTION = """
    UPDATE contact SET last_interaction_on = CASE
      WHEN purchase_count > 0 THEN max(
        last_purchase_on,
        coalesce(
          (SELECT date(max(t.occurred_at), 'localtime') FROM touch t
           WHERE t.contact_id = contact.id AND t.direction = 'inbound'),
          last_purchase_on
        )
      )
    END
    {where}
    """


_SCHEDULE = (
    """
    UPDATE contact SET
      cadence_due_on = date(
        coalesce(
          max(coalesce(last_touch_at, stage_entered_at), {cadence_done}),
          last_touch_at, stage_entered_at, {cadence_done}
        ), 'localtime',
        '+' || coalesce(
          contact.cadence_days,
          (SELECT s.cadence_days FROM stage s WHERE s.id = contact.stage_id)
        ) || ' days'
      ),
      stuck_on = date(
        stage_entered_at, 'localtime',
        '+' || (SELECT s.dwell_days FROM stage s WHERE s.id = contact.stage_id) || ' days'
      )
    {where}
    """,
    """
    UPDATE followup SET status = 'cancelled'
    WHERE status = 'open' AND source = 'cadence'
      AND contact_id IN (SELECT contact.id FROM contact {where})
      AND due_on IS NOT (SELECT c.cadence_due_on FROM contact c WHERE c.id = followup.contact_id)
    """,
    """
    UPDATE contact SET next_followup_on = CASE
      WHEN do_not_contact OR deleted_at IS NOT NULL THEN NULL
      ELSE (
        SELECT min(d) FROM (
          SELECT contact.cadence_due_on AS d
          WHERE NOT EXISTS (
            SELECT 1 FROM followup f
            WHERE f.contact_id = contact.id AND f.status = 'open' AND f.source = 'cadence'
          )
          UNION ALL
          SELECT max(f.due_on, coalesce(f.snoozed_until, f.due_on)) FROM followup f
          WHERE f.contact_id = contact.id AND f.status = 'open'
        )
      )
    END
    {where}
    """,
    _INTERACTION,
)

_PURCHASES = (
    """
    UPDATE contact SET
      purchase_count = (SELECT count(*) FROM purchase p WHERE p.contact_id = contact.id),
      first_purchase_on = (
        SELECT min(p.purchased_on) FROM purchase p WHERE p.contact_id = contact.id
      ),
      last_purchase_on = (
        SELECT max(p.purchased_on) FROM purchase p WHERE p.contact_id = contact.id
      ),
      lifetime_value = coalesce(
        (SELECT sum(p.amount) FROM purchase p WHERE p.contact_id = contact.id), 0
      )
    {where}
    """,
    _INTERACTION,
)


_SATISFACTION = (
    """
    UPDATE contact SET satisfaction = (
      SELECT f.level FROM feedback f WHERE f.contact_id = contact.id
      ORDER BY f.received_on DESC, f.id DESC LIMIT 1
    )
    {where}
    """,
)

_SOME = "WHERE contact.id IN (SELECT value FROM json_each(:ids))"
_FROM = "WHERE contact.id >= :first"
_ONE = "WHERE contact.id = :id"

#: When the owner last ticked off the contact's cadence follow-up by hand (it restarts there).
_CADENCE_DONE = """(
          SELECT max(f.completed_at) FROM followup f
          WHERE f.contact_id = contact.id AND f.status = 'done' AND f.source = 'cadence'
        )"""


def _sql(statement: str, where: str) -> str:
    return statement.replace("{cadence_done}", _CADENCE_DONE).replace("{where}", where)


def _run(session: Session, statements: tuple[str, ...], contact_ids: Iterable[int]) -> None:
    ids = sorted(set(contact_ids))
    if not ids:
        return
    session.flush()
    for statement in statements:
        session.execute(text(_sql(statement, _SOME)), {"ids": _json(ids)})


def _json(ids: list[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"


def refresh_schedule(session: Session, contact_ids: Iterable[int]) -> None:
    """Cadence due, stuck and next follow-up dates, after touches, stages or follow-ups moved;
    and the last interaction with the lifecycle that counts from it."""
    ids = sorted(set(contact_ids))
    _run(session, _SCHEDULE, ids)
    if ids:
        lifecycle.refresh_stored(session, local_today(), ids)


def prepare_writes(database: Database) -> int:
    """Have the statements every change to a contact runs (``refresh_schedule``: after a
    touch, a snooze, a follow-up ticked off) built once, off the GUI thread, before the owner's
    first such change. SQLAlchemy turns a statement into SQL the first time it runs and keeps
    that; the stored lifecycle's statement takes about 30 ms to build, which the first touch
    logged would otherwise spend on the GUI thread. They run for no contact (there is no id
    0), in a transaction rolled back: nothing is written. Returns 0, the rows it changed.
    A database closed meanwhile (another one opened within seconds of start-up) is left
    alone: its lock is let go, and another program may be writing to it."""
    if database.closed:
        return 0
    with database.write_session() as session:
        refresh_schedule(session, [0])
        session.rollback()
    return 0


def refresh_schedule_from(session: Session, first_id: int) -> None:
    """``refresh_schedule`` for every contact from ``first_id`` on: those a bulk load just
    created, in one pass along the ids rather than a list of them."""
    session.flush()
    for statement in _SCHEDULE:
        session.execute(text(_sql(statement, _FROM)), {"first": first_id})
    session.execute(lifecycle.refresh_statement(local_today()).where(Contact.id >= first_id))


#: The derived columns a contact has when it is created (before any touch, follow-up,
#: purchase or feedback), as ``created_values`` gives them.
CREATED_COLUMNS = (
    "cadence_due_on",
    "stuck_on",
    "next_followup_on",
    "last_interaction_on",
    "lifecycle",
    "lifecycle_until",
)


def created_values(session: Session, contact_id: int) -> tuple[Any, ...]:
    """Fill in the ``CREATED_COLUMNS`` of a contact just written without them, with nothing
    yet referring to it, by the rules of ``refresh_schedule_from`` that write the contact
    (the rule that cancels stand-in follow-ups is left out: a contact being created has
    none), and return them. A bulk load writes the values with its own inserts instead of
    running every rule over each new row afterwards: contacts created at the same moment that
    differ only in their text (names, addresses, notes, which no rule reads) get the same
    values, so it asks for the first of each kind.

    Each statement names the one contact by its id, so SQLite writes it in one pass without a
    statement savepoint; a savepoint would make the search index write out the terms it holds
    in memory as a segment of its own, and the bulk load's index would be laid out otherwise.
    """
    session.flush()
    for statement in _SCHEDULE:
        if statement.lstrip().startswith("UPDATE contact "):
            session.execute(text(_sql(statement, _ONE)), {"id": contact_id})
    session.execute(lifecycle.refresh_statement(local_today()).where(Contact.id == contact_id))
    row = (
        session.connection()
        .exec_driver_sql(
            f"SELECT {', '.join(CREATED_COLUMNS)} FROM contact WHERE id = ?", (contact_id,)
        )
        .one()
    )
    return tuple(row)


def refresh_purchases(session: Session, contact_ids: Iterable[int]) -> None:
    """Purchase count, first and last purchase, lifetime value, last interaction, season and
    lifecycle, after purchases changed."""
    ids = sorted(set(contact_ids))
    _run(session, _PURCHASES, ids)
    seasons.refresh(session, ids)
    if ids:
        lifecycle.refresh_stored(session, local_today(), ids)


def refresh_satisfaction(session: Session, contact_ids: Iterable[int]) -> None:
    """The latest satisfaction level, after feedback changed."""
    _run(session, _SATISFACTION, contact_ids)


def all_statements() -> list[TextClause]:
    """Every rule for every contact that is one statement, in an order that respects their
    dependencies (the season and the stored lifecycle follow; see ``refresh_every``)."""
    return [text(_sql(statement, "")) for statement in (*_PURCHASES, *_SATISFACTION, *_SCHEDULE)]


def refresh_every(executor: Session | Connection) -> None:
    """Recompute every derived column of every contact through ``executor`` (a ``Session`` or,
    during a migration, a ``Connection``); nothing is committed here."""
    for statement in all_statements():
        executor.execute(statement)
    seasons.refresh(executor)
    executor.execute(lifecycle.refresh_statement(local_today()))


def refresh_all(session: Session) -> None:
    """Recompute every derived column of every contact (a migration, bulk sample data, or a
    change of a stage's cadence or dwell limit)."""
    session.flush()
    refresh_every(session)
