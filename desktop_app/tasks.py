"""Running slow work off the GUI thread, with progress and cancellation.

Work is a plain function taking a ``Progress``; it runs on a single worker thread (so two
database writes from the app never race) and its result or error comes back by signal on the
GUI thread. Workers never touch widgets. Tests pass ``ImmediateRunner`` to run it in-line.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class CancelledError(Exception):
    """The person pressed Cancel; the work stopped and rolled back."""


class Progress:
    """Handed to the work function: report progress, and learn whether to stop."""

    def __init__(self, report: Callable[[int, int], None] | None = None) -> None:
        self._report = report
        self._cancel = threading.Event()

    def update(self, done: int, total: int) -> bool:
        """Report progress; returns False once the person has asked to cancel."""
        if self._report is not None:
            self._report(done, total)
        return not self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


Work = Callable[[Progress], Any]


class Task(QObject):
    """One piece of work in flight. Signals arrive on the GUI thread."""

    progressed = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Work) -> None:
        super().__init__()
        self.work = work
        self.progress = Progress(self.progressed.emit)
        self.done = False

    def cancel(self) -> None:
        self.progress.cancel()

    def run(self) -> None:
        try:
            result = self.work(self.progress)
        except Exception as exc:
            if not isinstance(exc, CancelledError):
                log.exception("background task failed")
            self.done = True
            self.failed.emit(exc)
        else:
            self.done = True
            self.finished.emit(result)


class TaskRunner(Protocol):
    def submit(self, task: Task) -> None: ...


#: How much lower than the window's the runner's thread is scheduled, where a thread has a
#: priority of its own (Linux), as phones run their apps' background threads: when the
#: window has work, its thread gets the core first; when it has none, the runner has every
#: cycle it had. Opening Reports cold at 100,000 contacts on two cores, the window's thread
#: waited 100-155 ms in all for a core while the runner read the start-up's figures beside
#: the Reports helpers; with this (and the helpers as idle work), 18-58 ms over 26 runs
#: (docs/architecture.md, "Pauses").
RUNNER_NICENESS = 5


def lower_this_thread() -> None:
    """Schedule the calling thread ``RUNNER_NICENESS`` below the main thread, if it is not
    already (Linux only; elsewhere a priority belongs to the whole process, and the
    window's would go down with it). Asked again on every task: a pool thread that is not
    Python's keeps no Python state between tasks."""
    if not sys.platform.startswith("linux"):
        return
    thread = threading.get_native_id()
    with suppress(OSError):
        # The process's own priority is its main thread's: the window's.
        wanted = min(os.getpriority(os.PRIO_PROCESS, os.getpid()) + RUNNER_NICENESS, 19)
        if os.getpriority(os.PRIO_PROCESS, thread) < wanted:
            os.setpriority(os.PRIO_PROCESS, thread, wanted)


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task = task

    def run(self) -> None:
        lower_this_thread()
        self.task.run()


class ThreadRunner:
    """Runs tasks one after another on a single background thread."""

    def __init__(self) -> None:
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(1)
        self._running: set[Task] = set()
        #: Tasks submitted while the runner is held, in order (None: not held).
        self._held: list[Task] | None = None

    def submit(self, task: Task) -> None:
        # Keep the Task (a QObject) alive until it has reported back.
        self._running.add(task)
        task.finished.connect(lambda _r: self._running.discard(task))
        task.failed.connect(lambda _e: self._running.discard(task))
        if self._held is not None:
            self._held.append(task)
            return
        self.pool.start(_Runnable(task))

    def hold(self) -> None:
        """Keep the tasks submitted from now on until ``release``: while the first window is
        built, or Reports' page the first time, their Python would take turns with the
        building (docs/architecture.md, "Start-up" and "Pauses")."""
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Start the tasks held, in the order they were submitted."""
        held, self._held = self._held, None
        for task in held or []:
            self.pool.start(_Runnable(task))

    def wait(self, msecs: int = -1) -> bool:
        self.release()  # tasks held are waited for too
        return self.pool.waitForDone(msecs)

    def idle(self) -> bool:
        """Whether every task submitted has reported back (its result handled)."""
        return not self._running


class ImmediateRunner:
    """Runs each task at once on the calling thread: for tests and the command line."""

    def submit(self, task: Task) -> None:
        task.run()


def run_with_progress(
    parent: Any,
    runner: TaskRunner,
    title: str,
    work: Work,
    *,
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None] | None = None,
    describe: Callable[[int, int], str] | None = None,
) -> Task:
    """Run ``work`` in the background behind a progress dialog that appears only if it takes
    longer than half a second, and that can cancel it. ``describe`` turns progress (done,
    total) into the dialog's text, for work whose total is not known beforehand (total 0)."""
    from PySide6.QtCore import Qt  # noqa: PLC0415
    from PySide6.QtWidgets import QProgressDialog  # noqa: PLC0415

    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Touchbase")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(500)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    task = Task(work)

    def progressed(done: int, total: int) -> None:
        dialog.setMaximum(total)
        dialog.setValue(min(done, total))
        if describe is not None:
            dialog.setLabelText(describe(done, total))

    def finished(result: object) -> None:
        dialog.close()
        dialog.deleteLater()
        on_done(result)

    def failed(error: Exception) -> None:
        dialog.close()
        dialog.deleteLater()
        if on_error is not None:
            on_error(error)

    task.progressed.connect(progressed)
    task.finished.connect(finished)
    task.failed.connect(failed)
    dialog.canceled.connect(task.cancel)
    runner.submit(task)
    return task
