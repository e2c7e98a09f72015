"""The Reports place: a dashboard of charts over a chosen period, and the value of the base.

Every chart's rows are read and the chart drawn into an image on the background runner, one
chart per task, so opening Reports never holds up the window; a chart appears as soon as it
is drawn. Changing the period or the window's size redraws; a database change marks the page
stale and it reloads when next shown. Clicking a bar that stands for contacts opens the
contacts list filtered to them (``contacts_requested``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QMouseEvent, QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from db import contacts
from db.clock import local_today
from db.engine import Database
from db.export import load_reports
from desktop_app import icons
from desktop_app.dialogs import show_error
from desktop_app.export import ExportRequest, default_folder, export_report
from desktop_app.ops import Changes, OpsBus
from desktop_app.reports import palette as chart_palette
from desktop_app.reports.catalogue import (
    BY_NAME,
    CHARTS,
    DEFAULT_RANGE,
    FIGURES,
    LANE_OF,
    LANES,
    RANGES,
    Chart,
    ChartData,
    Drill,
    Rendered,
    months_back,
    options_for,
    period_of,
    summary_line,
)
from desktop_app.reports.install import CHART_TABLES
from desktop_app.reports.jobs import Job, Result, draw, save_chart, save_dashboard
from desktop_app.reports.value_panel import ValuePanel
from desktop_app.reports.worker import ReportsReader, start_helpers
from desktop_app.widgets import pydate, qdate

log = logging.getLogger(__name__)

#: Height of a chart on the page, in logical pixels.
CHART_HEIGHT = 330
#: Below this width the charts stand in one column.
TWO_COLUMNS_FROM = 1040
#: The charts' column: its margins (left, top, right, bottom), and the space between tiles.
BODY_MARGINS = (24, 4, 24, 18)
TILE_SPACING = 14
#: What a tile takes from each side of its chart: its layout's margin (its border is
#: painted inside it).
TILE_INSET = 1
#: The narrowest a chart is drawn.
CHART_MIN_WIDTH = 320


def chart_sizes(page_width: int, scrollbar: int) -> dict[str, tuple[int, int]]:
    """The size (logical pixels) each chart is drawn at on a page ``page_width`` wide whose
    charts scroll (``scrollbar``: the width of its vertical scroll bar), as ``_arrange`` and
    the layouts lay them out: the helpers draw them ahead at these sizes, before the page
    exists (``ReportsPage.drawing_ahead``). A test holds it to the page's own layout."""
    columns = 2 if page_width >= TWO_COLUMNS_FROM else 1
    inner = page_width - scrollbar - BODY_MARGINS[0] - BODY_MARGINS[2]
    shared = inner - TILE_SPACING * (columns - 1)
    # The grid gives an odd pixel to the first column.
    right = shared // columns
    left = shared - right * (columns - 1)
    sizes: dict[str, tuple[int, int]] = {}
    for i, chart in enumerate(CHARTS):
        if i == len(CHARTS) - 1 and i % columns == 0:
            tile = inner  # a last chart alone on its row takes the whole row
        else:
            tile = left if i % columns == 0 else right
        sizes[chart.name] = (max(tile - 2 * TILE_INSET, CHART_MIN_WIDTH), CHART_HEIGHT)
    return sizes


def palette_for(colours: QPalette) -> chart_palette.ChartPalette:
    """The charts' colours on a page with these colours."""
    return chart_palette.for_background(
        colours.color(QPalette.ColorRole.Base).name(),
        colours.color(QPalette.ColorRole.Text).name(),
    )


class ChartCanvas(QWidget):
    """Shows a drawn chart; bars that stand for contacts are clickable."""

    drilled = Signal(object)
    #: Its width is no longer the width of the chart it shows: the chart is to be drawn again.
    resized = Signal()

    def __init__(self, chart: Chart, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = chart
        self.image: QImage | None = None
        self.hits: tuple[tuple[tuple[float, float, float, float], Drill], ...] = ()
        self.title = ""
        self.message = "Drawing…"
        self.setMinimumHeight(CHART_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setAccessibleName(chart.heading)

    def sizeHint(self) -> QSize:
        return QSize(560, CHART_HEIGHT)

    def show_rendered(self, r: Rendered) -> None:
        image = QImage(r.rgba, r.width, r.height, QImage.Format.Format_RGBA8888).copy()
        image.setDevicePixelRatio(r.scale)
        self.image = image
        self.hits = r.hits
        self.title = r.title
        self.message = ""
        self.setAccessibleDescription(r.empty or r.title)
        self.setToolTip("")
        self.update()

    def show_message(self, message: str) -> None:
        self.message = message
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        image = self.image
        if image is not None and round(image.width() / image.devicePixelRatio()) != max(
            self.width(), CHART_MIN_WIDTH
        ):
            self.resized.emit()

    def hit_at(self, point: QPointF) -> Drill | None:
        for (x, y, w, h), drill in self.hits:
            if QRectF(x, y, max(w, 3), max(h, 3)).contains(point):
                return drill
        return None

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        if self.image is not None:
            painter.drawImage(0, 0, self.image)
            if self.message:
                painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        if self.message:
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                self.rect().adjusted(20, 0, -20, 0),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.message,
            )
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        drill = self.hit_at(event.position())
        if drill is None:
            self.unsetCursor()
            self.setToolTip("")
        else:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setToolTip(describe(drill))
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            drill = self.hit_at(event.position())
            if drill is not None:
                self.drilled.emit(drill)
        super().mouseReleaseEvent(event)


def describe(drill: Drill) -> str:
    """The tooltip of a clickable bar."""
    many = "" if drill.count == 1 else "s"
    if drill.kind == "stage":
        return f"Show the {drill.count:,} contact{many} at {drill.label}"
    if drill.kind == "stuck":
        return f"Show the {drill.count:,} contact{many} stuck at {drill.label}"
    if drill.kind == "lifecycle":
        return f"Show the {drill.count:,} contact{many}: {drill.label}"
    return f"Open {drill.label}"


class ChartTile(QFrame):
    """One chart with its Save and Data buttons."""

    save_requested = Signal(object, str)  # chart, format
    csv_requested = Signal(object)

    def __init__(self, chart: Chart, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = chart
        self.setObjectName("chartTile")
        self.canvas = ChartCanvas(chart)
        self.save_button = QToolButton()
        self.save_button.setText("Save chart…")
        self.save_button.setObjectName("chartSave")
        self.save_button.setToolTip(f"Save the {chart.heading.lower()} chart as a picture")
        self.save_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.save_button)
        for kind, label in (("png", "PNG picture…"), ("svg", "SVG drawing…"), ("pdf", "PDF…")):
            action = menu.addAction(label)
            action.triggered.connect(lambda _c=False, k=kind: self.save_requested.emit(chart, k))
        self.save_button.setMenu(menu)
        self.csv_button = QToolButton()
        self.csv_button.setText("Data (CSV)…")
        self.csv_button.setToolTip(
            f"Write the numbers behind this chart as CSV (touchbase export {chart.report})"
        )
        self.csv_button.clicked.connect(lambda: self.csv_requested.emit(chart))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(8, 4, 8, 0)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.csv_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        layout.addWidget(self.canvas)
        layout.addLayout(buttons)
        self.set_ready(False)

    def set_ready(self, ready: bool) -> None:
        self.save_button.setEnabled(ready)
        self.csv_button.setEnabled(ready)


class SaveChartDialog:
    """Where to save a chart, the dashboard or a chart's data (tests replace ``ask``)."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, suggested: Path, kind: str) -> Path | None:
        filters = {
            "png": "PNG picture (*.png)",
            "svg": "SVG drawing (*.svg)",
            "pdf": "PDF document (*.pdf)",
            "csv": "CSV file (*.csv)",
        }
        chosen, _filter = QFileDialog.getSaveFileName(parent, title, str(suggested), filters[kind])
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == f".{kind}" else path.with_name(f"{path.name}.{kind}")


class ReportsPage(QWidget):
    """Refreshes itself when shown after the data changed, or when the period changes."""

    #: The person asked to export a report (the main window asks which and where).
    export_requested = Signal()
    #: A bar standing for contacts was clicked: show them in the contacts list.
    contacts_requested = Signal(object)
    #: One chart (by name) is drawn, and every chart of the current period is drawn.
    chart_drawn = Signal(str)
    charts_drawn = Signal()
    #: A one-line outcome for the status bar.
    status_message = Signal(str)

    def __init__(
        self,
        ops: OpsBus,
        parent: QWidget | None = None,
        today: Callable[[], date] = local_today,
        *,
        helper_process: bool = False,
        reader: ReportsReader | None = None,
        all_tiles: bool = True,
        drawn_ahead: bool = False,
    ) -> None:
        """``all_tiles=False`` builds the page without its chart tiles: the caller then
        builds them a few at a time (``build_tiles``) before showing it, so that opening
        Reports never holds the window for the whole page at once. ``drawn_ahead``: the
        helpers drew the default period's charts ahead (``ReportsHelpers``)."""
        super().__init__(parent)
        self.ops = ops
        #: Where reads and drawing run: helper processes (``reader``, or new ones when
        #: ``helper_process``), or the app's background runner.
        if reader is None and helper_process:
            reader = ReportsReader(ops, self)
        self.reader = reader
        self._read: Callable[[Callable[[Database], Any], Callable[[Any], None]], None] = (
            self._read_on(0)
        )
        self._today = today
        self._stale = True
        self._generation = 0
        #: The helpers drew this page's first charts ahead, each on its own lane (see
        #: ``_start``).
        self._drawn_ahead = drawn_ahead
        self._pending: set[str] = set()
        self.data: dict[str, ChartData] = {}
        #: What each chart drawn last says (title, size, clickable bars), without its pixels:
        #: its canvas holds the image.
        self.rendered: dict[str, Rendered] = {}

        title = QLabel("Reports")
        title.setObjectName("pageTitle")
        self.range_combo = QComboBox()
        self.range_combo.setObjectName("reportRange")
        self.range_combo.setAccessibleName("Period of the charts")
        self.range_combo.addItems(RANGES)
        self.range_combo.setCurrentText(DEFAULT_RANGE)
        self.range_combo.currentIndexChanged.connect(self._on_range)
        now = today()
        self.since_edit = QDateEdit(qdate(months_back(now, 2)))
        self.until_edit = QDateEdit(qdate(now))
        for edit, name in ((self.since_edit, "From"), (self.until_edit, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMM yyyy")
            edit.setAccessibleName(name)
            edit.dateChanged.connect(self._on_custom_dates)
        self.custom_row = QWidget()
        custom = QHBoxLayout(self.custom_row)
        custom.setContentsMargins(0, 0, 0, 0)
        custom.addWidget(QLabel("from"))
        custom.addWidget(self.since_edit)
        custom.addWidget(QLabel("to"))
        custom.addWidget(self.until_edit)
        self.custom_row.hide()
        self.pdf_button = QPushButton("Save dashboard as PDF…")
        self.pdf_button.setToolTip("Every chart on one page: a weekly summary to print or send")
        self.pdf_button.clicked.connect(self.save_dashboard)
        self.export_button = QPushButton(icons.icon("export"), "Export to CSV…")
        self.export_button.setToolTip("Write any report as a CSV file (Ctrl+Shift+E)")
        self.export_button.clicked.connect(self.export_requested.emit)
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addSpacing(12)
        heading.addWidget(self.range_combo)
        heading.addWidget(self.custom_row)
        heading.addStretch(1)
        heading.addWidget(self.pdf_button)
        heading.addWidget(self.export_button)

        self.empty_label = QLabel(
            "<p style='font-size:12pt; font-weight:600'>Nothing to chart yet</p>"
            "<p>Once you add contacts, log touches and record sales, this page shows:</p><ul>"
            "<li>the journey funnel: how many reach each stage, go on, or are stuck;</li>"
            "<li>touches per month by medium, and the mediums you use at each stage;</li>"
            "<li>your follow-up habit week by week, and how 100-day plans go;</li>"
            "<li>lifecycle and satisfaction of your contacts;</li>"
            "<li>sales per month, the value of your customer base and your top customers.</li>"
            "</ul><p>Add a contact with <b>New contact</b> (Ctrl+N), or try it out with "
            "<b>File → Load sample data</b>.</p>"
        )
        self.empty_label.setObjectName("reportsEmpty")
        self.empty_label.setWordWrap(True)
        self.empty_label.setTextFormat(Qt.TextFormat.RichText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty_label.hide()

        self.tiles: dict[str, ChartTile] = {}
        self.grid = QGridLayout()
        self.grid.setSpacing(TILE_SPACING)
        self._columns = 0
        #: Below the charts; built with the last of them (``build_tiles``).
        self.value_panel: ValuePanel

        body = QWidget()
        body.setObjectName("reportsBody")
        self._column = column = QVBoxLayout(body)
        column.setContentsMargins(*BODY_MARGINS)
        column.setSpacing(TILE_SPACING)
        column.addWidget(self.empty_label)
        column.addLayout(self.grid)
        column.addStretch(1)
        self.scroller = QScrollArea()
        self.scroller.setObjectName("reportsScroll")
        self.scroller.setWidgetResizable(True)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidget(body)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 18, 0, 0)
        layout.setSpacing(10)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(24, 0, 24, 0)
        top_layout.addLayout(heading)
        layout.addWidget(top)
        layout.addWidget(self.scroller, 1)
        if all_tiles:
            while self.build_tiles(len(CHARTS)):
                pass

        self._resize_timer = QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.setInterval(200)
        self._resize_timer.timeout.connect(self._redraw)
        ops.changed.connect(self._on_changed)

    def build_tiles(self, count: int) -> bool:
        """Build up to ``count`` more chart tiles, in the page's order, then (a step each) the
        value figures below them and the layout of the tiles; True while a step is still to
        come."""
        if len(self.tiles) < len(CHARTS):
            for chart in CHARTS[len(self.tiles) : len(self.tiles) + count]:
                tile = ChartTile(chart)
                tile.canvas.drilled.connect(self.contacts_requested.emit)
                tile.canvas.resized.connect(self._on_canvas_resized)
                tile.save_requested.connect(self.save_chart)
                tile.csv_requested.connect(self.export_chart_data)
                self.tiles[chart.name] = tile
            return True
        if not hasattr(self, "value_panel"):
            # Below the charts: read once none of theirs waits any more.
            self.value_panel = ValuePanel(self._read_on(LANE_OF[FIGURES], last=True))
            # After the charts' grid, before the stretch that keeps them at the top.
            self._column.insertWidget(self._column.count() - 1, self.value_panel)
            return True
        if not self._columns:
            self._arrange(2)
            return True
        return False

    def _read_on(
        self, lane: int, *, last: bool = False, pinned: bool = False
    ) -> Callable[[Callable[[Database], Any], Callable[[Any], None]], None]:
        """How to read on one lane (the helper processes'; else the background runner);
        ``last``: after every other read waiting; ``pinned``: on that lane only, never taken
        by another lane with nothing to do (``ReportsReader.read``)."""

        def read(query: Callable[[Database], Any], on_done: Callable[[Any], None]) -> None:
            if self.reader is not None:
                self.reader.read(query, on_done, lane=lane, last=last, pinned=pinned)
            else:
                self.ops.read(query, on_done)

        return read

    @staticmethod
    def start_helpers(ops: OpsBus, today: date, *, read_ahead: bool) -> ReportsReader:
        """Helper processes for a Reports page not built yet (``worker.start_helpers``)."""
        return start_helpers(ops, today, read_ahead=read_ahead)

    # --- the period -----------------------------------------------------------------------

    def period(self) -> tuple[date | None, date | None]:
        name = self.range_combo.currentText()
        if name == "Custom":
            return pydate(self.since_edit.date()), pydate(self.until_edit.date())
        return period_of(name, self._today())

    def set_range(self, name: str) -> None:
        self.range_combo.setCurrentText(name)

    def set_custom(self, since: date, until: date) -> None:
        for edit, day in ((self.since_edit, since), (self.until_edit, until)):
            edit.blockSignals(True)
            edit.setDate(qdate(day))
            edit.blockSignals(False)
        if self.range_combo.currentText() != "Custom":
            self.range_combo.setCurrentText("Custom")
        else:
            self.reload()

    def _on_range(self, _index: int) -> None:
        self.custom_row.setVisible(self.range_combo.currentText() == "Custom")
        self.reload()

    def _on_custom_dates(self, _day: QDate) -> None:
        if self.since_edit.date() > self.until_edit.date():
            self.until_edit.blockSignals(True)
            self.until_edit.setDate(self.since_edit.date())
            self.until_edit.blockSignals(False)
        if self.range_combo.currentText() == "Custom":
            self.reload()

    # --- loading and drawing --------------------------------------------------------------

    def _on_changed(self, changes: Changes) -> None:
        if changes.touch(*CHART_TABLES):
            self._stale = True
            if self.isVisible():
                self.reload()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if self._stale:
            # On the next turn of the event loop, once the layouts gave the charts the sizes
            # they keep: asked for at once, they were drawn a few pixels too wide.
            QTimer.singleShot(0, self, self._reload_if_stale)

    def _reload_if_stale(self) -> None:
        if self._stale and self.isVisible():
            self.reload()

    def reload(self) -> None:
        """Read every chart's rows for the period again and draw them (in the background)."""
        self._stale = False
        self._read(contacts.has_contacts, self._on_has_contacts)
        # The value figures sit below the charts: read after them.
        self._start(reuse_data=False, then=self.value_panel.refresh)

    def _on_has_contacts(self, has: bool) -> None:
        self.empty_label.setVisible(not has)
        self.pdf_button.setEnabled(has)
        self.range_combo.setEnabled(has)
        for tile in self.tiles.values():
            tile.setVisible(has)
        self.value_panel.setVisible(has)

    def _chart_palette(self) -> chart_palette.ChartPalette:
        return palette_for(self.palette())

    @staticmethod
    def drawing_ahead(
        page_width: int, scrollbar: int, scale: float, colours: QPalette, today: date
    ) -> list[list[Job]]:
        """Each lane's charts of the default period as a page ``page_width`` wide would ask
        for them (``chart_sizes``): drawn by the helpers while the app is idle, they are given
        again, not drawn, when the page asks and their rows are the same."""
        since, until = period_of(DEFAULT_RANGE, today)
        p = palette_for(colours)
        sizes = chart_sizes(page_width, scrollbar)
        return [
            [
                Job(0, BY_NAME[name], since, until, today, p, *sizes[name], scale)
                for name in names
                if name in sizes
            ]
            for names in LANES
        ]

    def _start(self, *, reuse_data: bool, then: Callable[[], None] | None = None) -> None:
        self._generation += 1
        since, until = self.period()
        # A chart's lane keeps the images it drew (``jobs.draw``). When the page opens on
        # charts drawn ahead and nothing changed since, each is waiting on its own lane: it
        # waits for that lane rather than being drawn anew by another that has nothing left
        # to do. Otherwise a lane with nothing to do takes the charts still waiting for the
        # other: after a change, one lane's charts are drawn anew while the other's are given
        # back, and taking them shares the drawing out.
        pinned, self._drawn_ahead = self._drawn_ahead, False
        today = self._today()
        p = self._chart_palette()
        scale = self.devicePixelRatioF() or 1.0
        self._pending = {c.name for c in CHARTS}
        order = {name: i for names in LANES for i, name in enumerate(names)}
        for chart in sorted(CHARTS, key=lambda c: order.get(c.name, len(order))):
            tile = self.tiles[chart.name]
            data = self.data.get(chart.name) if reuse_data else None
            if not reuse_data:
                tile.set_ready(False)
                tile.canvas.show_message("Drawing…")
            job = Job(
                self._generation,
                chart,
                since,
                until,
                today,
                p,
                max(tile.canvas.width(), CHART_MIN_WIDTH),
                CHART_HEIGHT,
                scale,
                data,
            )
            lane = LANE_OF.get(chart.name, 0)
            self._read_on(lane, pinned=pinned)(partial(draw, job), self._on_drawn)
        if then is not None:
            then()

    def _on_drawn(self, result: Result) -> None:
        if result.generation != self._generation:
            return
        self.data[result.name] = result.data
        tile = self.tiles[result.name]
        tile.canvas.show_rendered(result.image)
        self.rendered[result.name] = replace(result.image, rgba=b"")
        tile.set_ready(True)
        self._pending.discard(result.name)
        self.chart_drawn.emit(result.name)
        if not self._pending:
            self.charts_drawn.emit()

    def _on_canvas_resized(self) -> None:
        if self.isVisible():
            self._resize_timer.start()

    def _redraw(self) -> None:
        if self.data:
            self._start(reuse_data=len(self.data) == len(CHARTS))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(2 if event.size().width() >= TWO_COLUMNS_FROM else 1)
        if self.isVisible():
            self._resize_timer.start()

    def _arrange(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
        for i, chart in enumerate(CHARTS):
            # A last chart alone on its row takes the whole row.
            span = columns if i == len(CHARTS) - 1 and i % columns == 0 else 1
            self.grid.addWidget(self.tiles[chart.name], i // columns, i % columns, 1, span)
        for c in range(2):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)

    # --- saving ---------------------------------------------------------------------------

    def _suggested(self, stem: str, kind: str) -> Path:
        since, until = self.period()
        span = f"{since:%Y-%m-%d}-to-{until:%Y-%m-%d}" if since and until else "all-time"
        return default_folder() / f"touchbase-{stem}-{span}.{kind}"

    def save_chart(self, chart: Chart, kind: str) -> None:
        data = self.data.get(chart.name)
        if data is None:
            return
        path = SaveChartDialog.ask(
            self, f"Save the {chart.heading.lower()} chart", self._suggested(chart.name, kind), kind
        )
        if path is None:
            return
        what = f"the {chart.heading.lower()} chart"
        self._read(partial(save_chart, data, self._chart_palette(), path, what), self._on_written)

    def save_dashboard(self) -> None:
        if len(self.data) < len(CHARTS):
            self.status_message.emit("The charts are still being drawn; try again in a moment.")
            return
        path = SaveChartDialog.ask(
            self, "Save the dashboard as PDF", self._suggested("dashboard", "pdf"), "pdf"
        )
        if path is None:
            return
        datas = tuple(self.data[c.name] for c in CHARTS)
        since, until = self.period()
        subtitle = summary_line(since, until, self._today(), self.ops.database.path.name)
        self._read(partial(save_dashboard, datas, path, subtitle), self._on_written)

    def _on_written(self, result: tuple[Path | str, str]) -> None:
        outcome, what = result
        if isinstance(outcome, Path):
            self.status_message.emit(f"Saved {what} to {outcome}.")
        else:
            show_error(self, f"Could not save {what}", outcome)

    def export_chart_data(self, chart: Chart) -> None:
        path = SaveChartDialog.ask(
            self,
            f"Save the numbers of the {chart.heading.lower()} chart",
            self._suggested(chart.report, "csv"),
            "csv",
        )
        if path is None:
            return
        since, until = self.period()
        request = ExportRequest(
            load_reports()[chart.report], options_for(chart, since, until, self._today()), path
        )
        export_report(self, self.ops.database, self.ops.runner, request, self.status_message.emit)
