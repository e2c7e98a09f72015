"""Reads and draws for Reports in helper processes, so the window never waits on them.

A background thread is not enough here: the chart queries walk hundreds of thousands of rows
in Python, and importing and drawing with matplotlib runs long stretches of C code, and a
thread doing either holds Python's interpreter lock for tens to hundreds of milliseconds at a
time, which the window would feel as stalls. A process has its own interpreter.

There are two helper processes (*lanes*), one per core of a small machine, each running one
read at a time. A chart goes to its own lane (``catalogue.LANES``), so the rows a lane keeps
(``desktop_app.reports.jobs``, kept until the database changes) serve that chart again; but a
lane with nothing left of its own takes the last read still waiting for the other, so neither
sits idle while the other has a queue (how long each chart takes depends on what is kept:
cold, every read and every drawing; after a change, the reads but few drawings). They
are started a few seconds after start-up (``warm_up``), import the plotting library and read
the dashboard's default period while the app is idle, so Reports opens on rows already read;
or, if Reports is opened first, then. After ``REST_AFTER_MS`` with nothing to do they exit,
so an owner who is not looking at charts does not pay for them; the next read starts them
again. Each keeps one read-only connection to the database
(``db.engine.open_beside``). Results come back by signal on the GUI thread. Should a helper
fail to start, reads run on the app's background runner instead (slower to answer, same
results). docs/architecture.md, "Reports", has more.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import suppress
from datetime import date
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from db.engine import Database
from desktop_app.ops import OpsBus
from desktop_app.reports import helper, jobs
from desktop_app.reports.catalogue import DEFAULT_RANGE, LANES, period_of
from desktop_app.tasks import lower_this_thread

log = logging.getLogger(__name__)

R = TypeVar("R")
#: A read and what its result is given to.
Call = tuple[Callable[[Database], Any], Callable[[Any], None]]

#: Reads handed to a lane's helper beyond the one it runs: the next starts as soon as one
#: ends, and the rest wait in the app, where a lane that ran out of its own can take them.
AHEAD = 1

#: How long the helpers wait with nothing to do before they exit, giving back their memory
#: (about 125 MiB each with the plotting library loaded); the next read starts them again.
REST_AFTER_MS = 10 * 60 * 1000


class ReportsReader(QObject):
    """Runs ``query(database)`` in a helper process; ``on_done(result)`` on the GUI thread.

    Queries must be picklable: module-level functions, or ``functools.partial`` of them with
    plain data.

    Starting a helper process forks and runs a new interpreter, which holds the calling thread
    for about 20 ms (longer on a busy machine): the pools are made, and reads handed to them,
    on a thread of their own (``_submitter``), one thing at a time and in the order asked."""

    _arrived = Signal(object, object)
    #: A helper could not be started or given a read: (query, on_done), the reason.
    _unavailable = Signal(object, str)

    def __init__(
        self, ops: OpsBus, parent: QObject | None = None, *, lanes: int = len(LANES)
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.lanes = lanes
        #: Made and shut down on ``_submitter`` only.
        self._pools: list[ProcessPoolExecutor | None] = [None] * lanes
        # The three below are used on ``_submitter`` only.
        #: Each lane's reads not yet handed to its helper, each with whether only its own
        #: lane may take it.
        self._waiting: list[deque[tuple[Call, bool]]] = [deque() for _ in range(lanes)]
        #: Reads asked for ``last``, with their lane: handed out once nothing else waits.
        self._last: deque[tuple[int, Call]] = deque()
        #: How many reads each lane's helper was handed and has not finished.
        self._handed = [0] * lanes
        #: Moves on when the helpers are shut down: reads handed to earlier ones no longer
        #: count against a lane.
        self._helpers_generation = 0
        # Below the window, as the runner: the helpers it starts begin at its priority, until
        # they lower their own (``helper.start``), so their interpreters' start-up does not
        # take a core from the window either.
        self._submitter = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="reports-submit", initializer=lower_this_thread
        )
        self._broken = False
        #: Reads were asked for since the helpers last rested (they are, or are being, started).
        self._running = False
        #: Reads sent to the helpers and not yet delivered.
        self._pending = 0
        self._rest = QTimer(self)
        self._rest.setSingleShot(True)
        self._rest.setInterval(REST_AFTER_MS)
        self._rest.timeout.connect(self._on_rest)
        self._arrived.connect(self._deliver)
        self._unavailable.connect(self._fall_back)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.close)

    def started(self) -> bool:
        """Whether the helper processes were started (or failed to start)."""
        return self._broken or self._running

    def warm_up(self, queries: Sequence[Callable[[Database], object]]) -> None:
        """Start the helpers now, each given ``queries[lane]`` to run (its result dropped):
        the plotting library is imported, and rows read, before anyone asks for a chart.
        Each runs on its own lane, never another's: what it reads and draws is kept there."""
        for lane, query in enumerate(queries[: self.lanes]):
            self.read(query, _dropped, lane=lane, pinned=True)

    def read(
        self,
        query: Callable[[Database], R],
        on_done: Callable[[R], None],
        *,
        lane: int = 0,
        last: bool = False,
        pinned: bool = False,
    ) -> None:
        """Run ``query`` on ``lane``'s helper (or, unless ``pinned``, another's that is
        idle); with ``last``, once no other read is waiting (what is shown below the
        charts)."""
        if self._broken:
            self.ops.read(query, on_done)
            return
        self._pending += 1
        self._running = True
        self._rest.stop()
        self._submitter.submit(self._queue, lane % self.lanes, (query, on_done), last, pinned)

    def _queue(self, lane: int, call: Call, last: bool, pinned: bool) -> None:
        """On the submitting thread: the read waits for its lane (or another idle one)."""
        if last:
            self._last.append((lane, call))
        else:
            self._waiting[lane].append((call, pinned))
        self._hand_out()

    def _hand_out(self) -> None:
        """On the submitting thread: give every lane with room its own next reads; then a
        lane with nothing at all to do takes the last read waiting for another; then, with
        no read waiting, the reads asked for last go to their lane if it has room, else to
        one with nothing to do."""
        for lane in range(self.lanes):
            while self._handed[lane] <= AHEAD and self._waiting[lane]:
                self._submit(lane, self._waiting[lane].popleft()[0])
        for lane in range(self.lanes):
            if self._handed[lane] == 0:
                call = self._steal()
                if call is not None:
                    self._submit(lane, call)
        while self._last and not any(self._waiting):
            home, call = self._last[0]
            idle = [n for n in range(self.lanes) if self._handed[n] == 0]
            taker = home if self._handed[home] <= AHEAD else (idle[0] if idle else None)
            if taker is None:
                return
            self._last.popleft()
            self._submit(taker, call)

    def _steal(self) -> Call | None:
        """The last read waiting in the longest queue that any lane may take."""
        for waiting in sorted(self._waiting, key=len, reverse=True):
            for index in range(len(waiting) - 1, -1, -1):
                call, pinned = waiting[index]
                if not pinned:
                    del waiting[index]
                    return call
        return None

    def _submit(self, lane: int, call: Call) -> None:
        """On the submitting thread: hand the read to its lane's helper, started if need be."""
        query, _on_done = call
        try:
            pool = self._pools[lane]
            if pool is None:
                pool = self._pools[lane] = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=helper.start,
                    initargs=(str(self.ops.database.path), os.getpid()),
                )
            future = pool.submit(jobs.run_in_helper, query)
        except (OSError, RuntimeError) as exc:
            with suppress(RuntimeError):  # the reader is gone
                self._unavailable.emit(call, str(exc))
            return
        self._handed[lane] += 1
        generation = self._helpers_generation
        # Called on a pool thread: the signal carries the result over to the GUI thread.
        future.add_done_callback(lambda done: self._finished(lane, generation, call, done))

    def _finished(self, lane: int, generation: int, call: Call, done: Future[Any]) -> None:
        """On a pool thread: deliver the result, and give the lane its next read."""
        self._emit_arrived(call, done)
        with suppress(RuntimeError):  # the submitting thread is gone, at exit
            self._submitter.submit(self._lane_free, lane, generation)

    def _lane_free(self, lane: int, generation: int) -> None:
        if generation == self._helpers_generation:
            self._handed[lane] -= 1
            self._hand_out()

    def _emit_arrived(self, call: Call, done: Future[Any]) -> None:
        with suppress(RuntimeError):  # the reader is gone
            self._arrived.emit(call, done)

    def _fall_back(self, call: Call, reason: str) -> None:
        """A helper could not be started or given the read."""
        self._pending -= 1
        self._read_in_app(call, f"unavailable ({reason})")

    def _read_in_app(self, call: Call, what: str) -> None:
        """The helpers let us down: this read, and every later one, runs in the app."""
        if not self._broken:
            log.warning("reports helper process %s; reading in the app", what)
            self._broken = True
            self.close()
        query, on_done = call
        self.ops.read(query, on_done)

    def _deliver(self, call: Call, done: Future[Any]) -> None:
        self._pending -= 1
        if self._pending == 0 and self.started():
            self._rest.start()
        if done.cancelled():
            # Dropped when the helpers were let go: resting or at exit, it is not wanted
            # any more; after a helper failed, it runs in the app as every later read does.
            if self._broken:
                self._read_in_app(call, "stopped")
            return
        try:
            result = done.result()
        except Exception as exc:
            self._read_in_app(call, f"failed ({exc})")
            return
        _query, on_done = call
        on_done(result)

    def _on_rest(self) -> None:
        if self._pending == 0:
            log.info("Reports' helper processes rest after %d idle minutes", REST_AFTER_MS // 60000)
            self.close()

    def close(self) -> None:
        """Let the helper processes go; reads handed to them and not yet begun are dropped."""
        self._rest.stop()
        self._running = False
        with suppress(RuntimeError):  # the submitting thread is gone, at exit
            self._submitter.submit(self._shut_down)

    def _shut_down(self) -> None:
        """On the submitting thread: shut every helper down. Reads still waiting are given
        back cancelled, as the ones handed out and not begun are (``_deliver``)."""
        for lane, pool in enumerate(self._pools):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
                self._pools[lane] = None
        self._helpers_generation += 1
        self._handed = [0] * self.lanes
        dropped = [call for waiting in self._waiting for call, _pinned in waiting]
        dropped += [call for _lane, call in self._last]
        for waiting in self._waiting:
            waiting.clear()
        self._last.clear()
        for call in dropped:
            with suppress(RuntimeError):  # the reader is gone
                self._arrived.emit(call, _cancelled())


def start_helpers(ops: OpsBus, today: date, *, read_ahead: bool) -> ReportsReader:
    """Helper processes for a Reports page, started now: with ``read_ahead`` (the app is idle
    after start-up) on reading the default period's charts; without (Reports is being
    opened, and its page will ask for each chart itself), on nothing but loading what they
    use. Read ahead then, every read of a lane would come before its first drawing: opening
    Reports cold at 100,000 contacts, the first chart came after 1.57 s at the median, not
    1.39 s."""
    reader = ReportsReader(ops)
    if read_ahead:
        since, until = period_of(DEFAULT_RANGE, today)
        reader.warm_up([partial(jobs.prefetch, names, since, until, today) for names in LANES])
    else:
        reader.warm_up([jobs.ready] * len(LANES))
    return reader


def _cancelled() -> Future[Any]:
    """A read dropped before it was handed out, delivered as the ones handed out are."""
    future: Future[Any] = Future()
    future.cancel()
    return future


def _dropped(_result: object) -> None:
    """What a warm-up read's result is given to."""
