"""Operations and the change signal.

Every write the app makes goes through ``OpsBus.run``: it calls a ``db`` service and then emits
``changed`` once with a ``Changes`` describing what kind of data moved. Each view listens and
decides for itself whether to refresh; no view reaches into another.

A write that fails for a reason the owner can act on (a full disk, a read-only file, a busy or
vanished database) is rolled back by its unit of work and raised again as ``WriteFailedError``
carrying a plain sentence: a form catches it and stays open for another try; anywhere else the
app's exception hook shows the sentence instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget

from db.engine import Database
from db.errors import StorageError, describe
from desktop_app import memory
from desktop_app.tasks import CancelledError, Progress, Task, TaskRunner, run_with_progress

R = TypeVar("R")


@dataclass(frozen=True)
class Changes:
    contacts: bool = False
    tags: bool = False
    stages: bool = False
    touches: bool = False
    followups: bool = False
    purchases: bool = False
    feedback: bool = False
    settings: bool = False
    everything: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{k: getattr(self, k) or getattr(other, k) for k in self.__annotations__})

    def kinds(self) -> frozenset[str]:
        """The kinds of data that changed (``everything`` included, if set)."""
        return frozenset(k for k in self.__annotations__ if getattr(self, k))

    def touch(self, *kinds: str) -> bool:
        """True if any of these kinds changed (or everything did)."""
        return self.everything or any(getattr(self, kind) for kind in kinds)


EVERYTHING = Changes(everything=True)


class WriteFailedError(StorageError):
    """A change could not be saved; the message says why in plain words."""


class OpsBus(QObject):
    """The database the window works on, and the one signal that says it changed."""

    changed = Signal(object)

    def __init__(self, database: Database, runner: TaskRunner | None = None) -> None:
        super().__init__()
        self.database = database
        #: Where views send slow reads; None runs them in-line (tests, small tools).
        self.runner = runner
        #: Edit → Undo / Redo: actions put here by ``desktop_app.undo.run_undoable``.
        self.undo_stack = QUndoStack(self)

    def run(self, op: Callable[[Database], R], changes: Changes) -> R:
        try:
            result = op(self.database)
        except WriteFailedError:
            raise
        except Exception as exc:
            plain = describe(exc)
            if plain is None:
                raise
            raise WriteFailedError(plain) from exc
        self.changed.emit(changes)
        return result

    def run_long(
        self,
        parent: QWidget,
        title: str,
        op: Callable[[Database, Progress], R],
        changes: Changes,
        *,
        on_done: Callable[[R], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """A write that can take seconds at 100,000 contacts (emptying the trash, remapping
        a journey): run on the background runner behind a progress dialog that shows after
        half a second and can cancel it; ``changed`` is emitted once it has committed, then
        ``on_done`` gets its result. Without a runner it runs in-line. A failure the owner can
        act on reaches ``on_error`` as a ``WriteFailedError`` with a plain sentence. A cancelled
        op (it raised ``CancelledError``) calls neither ``on_done`` nor ``on_error``."""
        database = self.database

        def work(progress: Progress) -> R:
            try:
                return op(database, progress)
            finally:
                # What the op's connections and working sets hold goes back to the system.
                database.release_memory()
                memory.give_back()

        def done(result: R) -> None:
            self.changed.emit(changes)
            if on_done is not None:
                on_done(result)
            self._give_back_after_reads()

        def failed(error: Exception) -> None:
            if on_error is None or isinstance(error, CancelledError):
                return
            plain = None if isinstance(error, WriteFailedError) else describe(error)
            on_error(error if plain is None else WriteFailedError(plain))

        if self.runner is None:
            try:
                result = work(Progress())
            except Exception as error:
                failed(error)
                return
            done(result)
            return
        run_with_progress(parent, self.runner, title, work, on_done=done, on_error=failed)

    def _give_back_after_reads(self) -> None:
        """After a long write the views read again (thousands of ids, their rows): once those
        reads, queued on the runner before this, have run, what they left free in the heap
        goes back to the system too (about 5 MiB after trashing 10,000 contacts)."""
        if self.runner is None:
            memory.give_back()
            return
        task = Task(lambda _progress: memory.give_back())
        self.runner.submit(task)

    def read(self, query: Callable[[Database], R], on_done: Callable[[R], None]) -> None:
        """Run a slow read on the background runner (in-line without one) and hand its result
        to ``on_done`` on the GUI thread. ``on_done`` should be a method of a QObject, so a
        result arriving after that object is gone is dropped."""
        if self.runner is None:
            on_done(query(self.database))
            return
        database = self.database

        def work(_progress: Progress) -> R:
            return query(database)

        task = Task(work)
        task.finished.connect(on_done)
        self.runner.submit(task)

    def upkeep(self, op: Callable[[Database], int], changes: Changes) -> None:
        """A small background write the app makes by itself (no dialog): ``changed`` is
        emitted only if ``op`` reports that it changed something (a count above zero)."""

        def done(count: int) -> None:
            if count:
                self.changed.emit(changes)

        self.read(op, done)

    def announce(self, changes: Changes) -> None:
        """Tell the views about a change made elsewhere (a background task, an import)."""
        self.changed.emit(changes)
