"""Puts the Reports place into the main window.

Nothing of Reports loads while the window starts. A few seconds later, once the app is idle
(``WARM_UP_AFTER_MS``), or when Reports is first opened if that comes sooner, Reports'
modules are imported on a thread of their own and its helper processes started, which load
the plotting library, read the default period's charts (``desktop_app.reports.worker``) and
draw them at the sizes the page will give them (``ReportsHelpers._draw_ahead``).
Until the page's modules are there the place says "Opening Reports…"; then the page is built,
and its charts are drawn in the helper processes, from the rows already read.
"""

from __future__ import annotations

import importlib
import threading
from contextlib import suppress
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QStyle, QVBoxLayout, QWidget

from db.clock import local_today
from desktop_app.contacts.filters import Filters
from desktop_app.tasks import ThreadRunner

if TYPE_CHECKING:
    from db.engine import Database
    from desktop_app.main_window import MainWindow
    from desktop_app.ops import Changes
    from desktop_app.reports.catalogue import Drill
    from desktop_app.reports.page import ReportsPage
    from desktop_app.reports.worker import ReportsReader

PLACE_REPORTS = "reports"
#: What Reports' charts are read from: a change to any of it leaves the charts out of date
#: (``ReportsPage._on_changed``), those drawn ahead included (``ReportsHelpers``).
CHART_TABLES = ("contacts", "stages", "touches", "followups", "purchases", "feedback", "settings")
#: How long after the window is built the Reports helpers start (the first page is read and
#: the window idle by then).
WARM_UP_AFTER_MS = 1500
#: How many chart tiles are built in one turn of the event loop when Reports first opens
#: (about half a millisecond each; the value figures below them take a turn of their own).
TILES_PER_TURN = 3


def install_reports(window: MainWindow) -> None:
    helpers = ReportsHelpers(window)
    window.add_place(PLACE_REPORTS, "Reports", "export", lambda: ReportsPlace(window, helpers))
    if helpers.wanted:
        QTimer.singleShot(WARM_UP_AFTER_MS, helpers, helpers.warm_up)


def page_geometry(window: MainWindow) -> tuple[int, int]:
    """What lays Reports' charts out in this window before the page exists: the width of
    the window's pages, and of a vertical scroll bar (``page.chart_sizes``)."""
    return window.pages.width(), window.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)


def _page_class(_database: Database) -> Any:
    return importlib.import_module("desktop_app.reports.page").ReportsPage


class ReportsHelpers(QObject):
    """Reports' modules and helper processes, loaded and started at idle after start-up or
    when Reports is first opened, whichever comes first (only with the app's background
    thread: tests that run work in-line have no helper processes)."""

    _worker_loaded = Signal(object)
    #: Reports' page is importable: its class.
    page_loaded = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.wanted = isinstance(window.runner, ThreadRunner)
        self.reader: ReportsReader | None = None
        self.page_class: Any = None
        self._loading = False
        #: The helpers were started at idle, reading the default period ahead.
        self._read_ahead = False
        #: Reports was opened (its page asks for its charts itself).
        self.opened = False
        #: The helpers were asked to draw the default period's charts ahead, and nothing
        #: they are drawn from has changed since.
        self.drew_ahead = False
        self._worker_loaded.connect(self._on_worker)
        self.page_loaded.connect(self._on_page)
        window.ops.changed.connect(self._on_changed)

    def warm_up(self) -> None:
        """Import Reports' modules on a thread of their own (not behind the reads queued on
        the background runner at start-up): first the helpers' side, then start them reading
        the default period ahead while the page's widgets are imported."""
        if self.wanted and not self._loading:
            self._loading = True
            threading.Thread(target=self._import, name="reports-warm-up", daemon=True).start()

    def _import(self) -> None:
        # Signals are delivered on the GUI thread (queued); the window may be gone by then.
        with suppress(RuntimeError):
            self._worker_loaded.emit(importlib.import_module("desktop_app.reports.worker"))
            self.page_loaded.emit(_page_class(self.window_.ops.database))

    def _on_worker(self, worker: Any) -> None:
        if self.reader is None:
            # Opened already, the page asks for its charts itself: nothing is read ahead.
            read_ahead = not self.opened
            self.reader = worker.start_helpers(
                self.window_.ops, local_today(), read_ahead=read_ahead
            )
            self._read_ahead = read_ahead

    def _on_page(self, page_class: Any) -> None:
        self.page_class = page_class
        if self._read_ahead and not self.opened:
            self._draw_ahead(page_class)

    def _draw_ahead(self, page_class: Any) -> None:
        """Have the helpers draw the default period's charts, after reading their rows, at
        the sizes the page will ask for in the window as it is: Reports then opens on charts
        already drawn, and after a change only those whose rows changed are drawn again."""
        from desktop_app.reports.jobs import draw_ahead  # noqa: PLC0415 - loaded by now

        window = self.window_
        lanes = page_class.drawing_ahead(
            *page_geometry(window),
            window.devicePixelRatioF() or 1.0,
            window.palette(),
            local_today(),
        )
        assert self.reader is not None
        self.reader.warm_up([partial(draw_ahead, jobs) for jobs in lanes])
        self.drew_ahead = True

    def _on_changed(self, changes: Changes) -> None:
        if changes.touch(*CHART_TABLES):
            self.drew_ahead = False

    def for_page(self, page_class: Any) -> ReportsReader | None:
        """The helpers a new page uses (started now if they were not yet)."""
        if self.wanted and self.reader is None:
            self.reader = page_class.start_helpers(
                self.window_.ops, local_today(), read_ahead=False
            )
        return self.reader


class ReportsPlace(QWidget):
    """Holds the Reports page once its modules are loaded."""

    def __init__(self, window: MainWindow, helpers: ReportsHelpers) -> None:
        super().__init__()
        self.window_ = window
        self.helpers = helpers
        helpers.opened = True
        self.page: ReportsPage | None = None
        #: The page while its tiles are built, before it is shown (``page`` then).
        self._building: ReportsPage | None = None
        self.loading = QLabel("Opening Reports…")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.loading)
        if not helpers.wanted:
            window.ops.read(_page_class, self._on_loaded)
        elif helpers.page_class is not None:
            # Built in the next turn of the event loop: the switch to the place shows first,
            # and the window never does both in one go.
            page_class = helpers.page_class
            QTimer.singleShot(0, self, lambda: self._on_loaded(page_class))
        else:
            helpers.page_loaded.connect(self._on_loaded)
            helpers.warm_up()

    def _on_loaded(self, page_class: Any) -> None:
        if self.page is not None or self._building is not None:
            return
        window = self.window_
        # With the app's background thread, reads and drawing go to helper processes. The
        # page is built over a few turns of the event loop (its frame, its chart tiles
        # TILES_PER_TURN at a time, the value figures, then it is shown): built at once it
        # held the window for about 30 ms, twice that on a busy two-core machine.
        page: ReportsPage = page_class(
            window.ops,
            reader=self.helpers.for_page(page_class),
            all_tiles=False,
            drawn_ahead=self.helpers.drew_ahead,
        )
        page.export_requested.connect(window.export_report)
        page.contacts_requested.connect(lambda drill: open_drill(window, drill))
        page.status_message.connect(lambda text: window.statusBar().showMessage(text, 6000))
        self._building = page
        # The reads queued on the runner (the start-up's last ones, if Reports is opened at
        # once) wait for the page: their Python would take the cores and the interpreter
        # from the building (docs/architecture.md, "Pauses").
        if isinstance(window.runner, ThreadRunner):
            window.runner.hold()
        QTimer.singleShot(0, self, self._build_step)

    def finish_building(self) -> ReportsPage | None:
        """The page, its remaining tiles built and shown now if it is being built; None while
        its modules are still loading."""
        while self._building is not None:
            self._build_step()
        return self.page

    def _build_step(self) -> None:
        page = self._building
        if page is None:
            return
        try:
            if page.build_tiles(TILES_PER_TURN):
                QTimer.singleShot(0, self, self._build_step)
                return
            self._building = None
            self.loading.hide()
            self._layout.addWidget(page)
            page.show()  # a widget added to one already on screen is not shown with it
            self.page = page
        except BaseException:
            self._building = None
            self._release_runner()
            raise
        # After the page's first paint.
        QTimer.singleShot(0, self, self._release_runner)

    def _release_runner(self) -> None:
        if isinstance(self.window_.runner, ThreadRunner):
            self.window_.runner.release()


def open_drill(window: MainWindow, drill: Drill) -> None:
    """Show the contacts a chart's bar stands for."""
    if drill.kind == "contact":
        window.open_contact(int(drill.value))
    elif drill.kind == "stage":
        window.open_contacts(Filters(stage_id=int(drill.value), stage_label=drill.label))
    elif drill.kind == "stuck":
        window.open_contacts(
            Filters(stage_id=int(drill.value), stage_label=drill.label, stuck=True)
        )
    elif drill.kind == "lifecycle":
        window.open_contacts(Filters(), lifecycle=str(drill.value))
