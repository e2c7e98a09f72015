"""Edit → Undo / Redo: the owner's changes to contacts on one stack (Ctrl+Z, Ctrl+Shift+Z).

Each undoable action records the state of the contacts it is about to change
(``db.undo.take``), runs, and goes on the stack as a :class:`ContactsCommand`. Undo puts the
contacts back as they were (and keeps how they were after, for redo); both go through the
same ``db.undo.restore`` service, one unit of work each, and tell the views what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtGui import QUndoCommand

from db import undo
from db.engine import Database

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from desktop_app.ops import Changes, OpsBus
    from desktop_app.tasks import Progress

R = TypeVar("R")


class ContactsCommand(QUndoCommand):
    """One action on some contacts, already done when it is pushed."""

    def __init__(self, ops: OpsBus, text: str, before: undo.Snapshot, changes: Changes) -> None:
        super().__init__(text)
        self._ops = ops
        self._before = before
        self._after: undo.Snapshot | None = None
        self._changes = changes
        self._done = True  # Pushing calls redo(): the action has run already.

    def undo(self) -> None:
        if self._after is None:
            self._after = undo.take_after(self._ops.database, self._before)
        before = self._before
        self._ops.run(lambda db: undo.restore(db, before, since=before.marks), self._changes)
        self._done = False

    def redo(self) -> None:
        if self._done:
            return
        after, marks = self._after, self._before.marks
        if after is not None:
            self._ops.run(lambda db: undo.restore(db, after, since=marks), self._changes)
        self._done = True


def run_undoable(
    ops: OpsBus,
    text: str,
    contact_ids: Sequence[int],
    op: Callable[[Database], R],
    changes: Changes,
) -> R:
    """Run ``op`` on ``contact_ids`` through ``ops`` and put it on the undo stack as ``text``
    ("Move 3 contacts to Customer"). An action that fails leaves the stack as it was."""
    before = undo.take(ops.database, contact_ids)
    result = ops.run(op, changes)
    ops.undo_stack.push(ContactsCommand(ops, text, before, changes))
    return result


def run_long_undoable(
    ops: OpsBus,
    parent: QWidget,
    *,
    title: str,
    text: str,
    contact_ids: Sequence[int],
    op: Callable[[Database, Progress], R],
    changes: Changes,
    on_done: Callable[[R], None],
    on_error: Callable[[Exception], None],
) -> None:
    """``run_undoable`` for an action on many contacts: the snapshot and the action run in the
    background behind ``OpsBus.run_long``'s progress dialog, and the action goes on the undo
    stack once it has committed (a cancelled or failed one leaves the stack as it was)."""
    taken: list[undo.Snapshot] = []

    def work(db: Database, progress: Progress) -> R:
        taken.append(undo.take(db, contact_ids))
        return op(db, progress)

    def done(result: R) -> None:
        ops.undo_stack.push(ContactsCommand(ops, text, taken[-1], changes))
        on_done(result)

    ops.run_long(parent, title, work, changes, on_done=done, on_error=on_error)
