"""Reads and draws for Reports in a helper process, so the window never waits on them.

A background thread is not enough here: the chart queries walk hundreds of thousands of rows
in Python, and importing and drawing with matplotlib runs long stretches of C code, and a
thread doing either holds Python's interpreter lock for tens to hundreds of milliseconds at a
time, which the window would feel as stalls. A process has its own interpreter.

The process starts when Reports is first opened, keeps one read-only connection to the
database (``db.engine.open_beside``) and runs one read at a time; its results come back by
signal on the GUI thread. Should it fail to start, reads run on the app's background runner
instead (slower to answer, same results).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Signal

from db.engine import Database, open_beside
from desktop_app.ops import OpsBus

log = logging.getLogger(__name__)

R = TypeVar("R")

#: The helper process's connection (one per process).
_database: Database | None = None


def _open(path: str, parent: int) -> None:
    global _database  # noqa: PLW0603 - the helper process's one connection
    _database = open_beside(Path(path))
    # The pool's pipes do not tell a worker that the app was killed: watch for it instead.
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    """End this helper process once the app that started it is gone."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def _run(query: Callable[[Database], R]) -> R:
    assert _database is not None, "the helper process opened no database"
    return query(_database)


class ReportsReader(QObject):
    """Runs ``query(database)`` in the helper process; ``on_done(result)`` on the GUI thread.

    Queries must be picklable: module-level functions, or ``functools.partial`` of them with
    plain data."""

    _arrived = Signal(object, object)

    def __init__(self, ops: OpsBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False
        self._arrived.connect(self._deliver)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)

    def read(self, query: Callable[[Database], R], on_done: Callable[[R], None]) -> None:
        if self._broken:
            self.ops.read(query, on_done)
            return
        try:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_open,
                    initargs=(str(self.ops.database.path), os.getpid()),
                )
            future = self._pool.submit(_run, query)
        except (OSError, RuntimeError) as exc:
            log.warning("reports helper process unavailable (%s); reading in the app", exc)
            self._broken = True
            self.ops.read(query, on_done)
            return
        # Called on a pool thread: the signal carries the result over to the GUI thread.
        future.add_done_callback(lambda done: self._arrived.emit((query, on_done), done))

    def _deliver(
        self, call: tuple[Callable[[Database], Any], Callable[[Any], None]], done: Future[Any]
    ) -> None:
        query, on_done = call
        try:
            result = done.result()
        except Exception as exc:
            log.warning("reports helper process failed (%s); reading in the app", exc)
            self._broken = True
            self.close()
            self.ops.read(query, on_done)
            return
        on_done(result)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
