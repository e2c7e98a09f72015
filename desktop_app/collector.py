"""Python's cycle collector, run on the GUI thread only.

CPython collects reference cycles in whichever thread happens to allocate past a threshold:
the runner's worker, the thread that opens the database, Reports' submitting thread. A cycle
may hold a Qt object (a closed dialog and the lambda connected to its signal, a page's
widgets and their slots); collected on another thread, the object's C++ side is destroyed
there, beside the GUI thread using it, and the app can crash outright. So the GUI sets
automatic collection off before it starts any thread (``pin``), and a timer on the GUI
thread collects what is due, generation by generation, at CPython's own thresholds
(``collect_due``; docs/architecture.md, "Pauses").

The command line's own commands (no window) keep Python's usual collection.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks whether a collection is due. Short enough that garbage
#: does not pile up (a busy second makes a few thousand container objects), long enough that
#: an idle window does nothing: a look that finds nothing due costs a microsecond.
INTERVAL_MS = 500


class _LongLived:
    """CPython's own measure against full collections walking the same objects over and
    over: the youngest generations' survivors moved to the oldest since its last full
    collection (pending), and the objects that survived that collection (total)."""

    pending = 0
    total = 0


def collect_due() -> int:
    """Collect, on the calling thread, what CPython's automatic collection would have: the
    youngest generations whose counts passed their thresholds, and everything only once the
    objects moved to the oldest generation since its last full collection are a quarter of
    those that survived it. Returns the number of objects found unreachable."""
    first, second, third = gc.get_threshold()
    young, middle, old = gc.get_count()
    if young <= first:
        return 0
    if old > third and _LongLived.pending > _LongLived.total // 4:
        found = gc.collect(2)
        _LongLived.pending = 0
        _LongLived.total = len(gc.get_objects(generation=2))
        return found
    if middle > second:
        moving = len(gc.get_objects(generation=0)) + len(gc.get_objects(generation=1))
        found = gc.collect(1)
        _LongLived.pending += max(moving - found, 0)
        return found
    return gc.collect(0)


class GuiThreadCollector(QObject):
    """Turns automatic collection off and collects what is due on the GUI thread from a
    timer. ``pause`` holds it while start-up builds the window (start-up makes little
    garbage, and collecting while it built its objects took a tenth of a start)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(collect_due)
        gc.disable()
        self.timer.start()

    def pause(self) -> None:
        self.timer.stop()

    def start(self) -> None:
        if not self.timer.isActive():
            collect_due()
            self.timer.start()

    @property
    def running(self) -> bool:
        return self.timer.isActive()


def pin(app: QObject) -> GuiThreadCollector:
    """The application's collector, made on first use; automatic collection is off from
    here on. Called by ``create_application``, before any thread of the app starts."""
    gc.disable()
    existing = app.findChild(GuiThreadCollector)
    if isinstance(existing, GuiThreadCollector):
        return existing
    return GuiThreadCollector(app)
