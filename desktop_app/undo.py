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
    from desktop_app.ops import Changes, OpsBus

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
