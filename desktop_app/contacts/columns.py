"""The contacts table's columns: which show, in what order and width, and how cells paint.

The stage is a coloured chip beside the name and the next follow-up comes second, so both are
in view without scrolling on a laptop screen with the detail pane open. The header's context
menu shows or hides the other columns; widths, order, visibility and sort are kept in the
preferences (``options``) and come back after a restart. A value cut short by its column shows
in full when the pointer rests on it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QFontMetrics, QHelpEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QWidget,
)

from desktop_app import options, theme
from desktop_app.contacts.table_model import HEADERS, STAGE_CHIP_ROLE, Column
from desktop_app.tasks import Task, TaskRunner

Index = QModelIndex | QPersistentModelIndex

#: Where the header's state is kept (``options.window_state``).
HEADER_STATE = "contacts_header"

#: The columns shown at first, in this order, with their share of the table's width.
DEFAULT_COLUMNS: dict[Column, float] = {
    Column.NAME: 0.35,
    Column.NEXT_FOLLOWUP: 0.18,
    Column.COMPANY: 0.24,
    Column.EMAIL: 0.23,
}
#: Narrowest each default column is made when fitting the table's width; those that do not
#: fit (on a small screen, with the detail pane open) wait in the column chooser.
MIN_WIDTHS = {Column.NAME: 190, Column.NEXT_FOLLOWUP: 100, Column.COMPANY: 110, Column.EMAIL: 150}
#: Widths of the other columns when they are first shown.
OTHER_WIDTHS = {Column.STAGE: 120, Column.TAGS: 140, Column.DAYS_SINCE: 90, Column.PHONE: 140}


class ContactCellDelegate(QStyledItemDelegate):
    """Paints the name with its stage chip, and shows any cut value in full as a tool tip."""

    CHIP_PADDING = 6

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        chip = index.data(STAGE_CHIP_ROLE)
        if index.column() != Column.NAME or not chip:
            super().paint(painter, option, index)
            return
        label, tone = chip
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        small = QApplication.font()
        small.setPointSizeF(max(opt.font.pointSizeF() * 0.85, 7.0))
        chip_metrics = QFontMetrics(small)
        rect = opt.rect
        chip_width = min(
            chip_metrics.horizontalAdvance(label) + 2 * self.CHIP_PADDING, rect.width() // 2
        )
        name = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_rect = rect.adjusted(6, 0, -(chip_width + 12), 0)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.setPen(theme.color("selection_text" if selected else "text"))
        painter.setFont(opt.font)
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(opt.font).elidedText(name, Qt.TextElideMode.ElideRight, text_rect.width()),
        )
        height = chip_metrics.height() + 4
        chip_rect = QRect(
            rect.right() - chip_width - 6, rect.center().y() - height // 2 + 1, chip_width, height
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color(f"{tone}_bg"))
        painter.drawRoundedRect(chip_rect, height / 2, height / 2)
        painter.setPen(theme.color(f"{tone}_fg"))
        painter.setFont(small)
        painter.drawText(
            chip_rect,
            Qt.AlignmentFlag.AlignCenter,
            chip_metrics.elidedText(
                label, Qt.TextElideMode.ElideRight, chip_width - 2 * self.CHIP_PADDING + 2
            ),
        )
        painter.restore()

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        if event is None or event.type() != QEvent.Type.ToolTip or not index.isValid():
            return super().helpEvent(event, view, option, index)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        tip = index.data(Qt.ItemDataRole.ToolTipRole)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        room = option.rect.width() - 14
        if index.column() == Column.NAME and index.data(STAGE_CHIP_ROLE):
            room -= option.rect.width() // 3
        cut = bool(text) and QFontMetrics(opt.font).horizontalAdvance(text) > room
        if cut and not tip:
            tip = text
        elif cut and text not in str(tip):
            tip = f"{text}\n{tip}"
        if not tip:
            QToolTip.hideText()
            return True
        QToolTip.showText(event.globalPos(), str(tip), view)
        return True


class ColumnLayout(QObject):
    """Keeps the table's header as the owner left it, and offers the column chooser."""

    #: How long after a change to the header it is written to the preferences.
    SAVE_DELAY_MS = 2000

    def __init__(self, table: QTableView, runner: TaskRunner | None = None) -> None:
        super().__init__(table)
        self.table = table
        #: Where a change waited out is written (the file can take tens of ms on a busy disk).
        self._runner = runner
        self.header = table.horizontalHeader()
        self._fitting = False
        self.auto_fit = True
        #: The header's state as last written to the preferences (or read from them).
        self._written: QByteArray | None = None
        self.header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.header.customContextMenuRequested.connect(self._on_header_menu)
        self.header.setSectionsMovable(True)
        self.header.setFirstSectionMovable(False)
        self.header.setStretchLastSection(True)
        self.header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        if not self.restore():
            self.reset()
        self.header.sectionResized.connect(self._on_resized)
        self.header.sectionMoved.connect(lambda *_a: self._changed())
        self.header.sortIndicatorChanged.connect(lambda *_a: self.save())
        # Writing the preferences file takes 10 ms or more: a change is written a moment
        # later on the runner, once for a run of changes (sorting by one column after
        # another), not in the click that sorts. Hiding the table (closing the window) writes
        # what is still waiting, at once.
        self._saving = QTimer(self)
        self._saving.setSingleShot(True)
        self._saving.setInterval(self.SAVE_DELAY_MS)
        self._saving.timeout.connect(self._save_in_background)
        table.viewport().installEventFilter(self)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.save_pending)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        elif event.type() == QEvent.Type.Hide:
            self.save_pending()
        return False

    # --- defaults, saving and restoring ---------------------------------------------------

    def reset(self) -> None:
        """The columns as they first come: the few that matter, fitted to the width."""
        for logical, column in enumerate(DEFAULT_COLUMNS):
            visual = self.header.visualIndex(column)
            if visual != logical:
                self.header.moveSection(visual, logical)
        for column in Column:
            self.header.setSectionHidden(column, column not in DEFAULT_COLUMNS)
            self.header.resizeSection(column, OTHER_WIDTHS.get(column, 130))
        self.auto_fit = True
        self.fit()

    def fit(self) -> None:
        """Share the visible width among the default columns (until the owner resizes one)."""
        if not self.auto_fit:
            return
        width = self.table.viewport().width()
        if width <= 0:
            return
        if any(not self.header.isSectionHidden(c) for c in Column if c not in DEFAULT_COLUMNS):
            return
        shown: list[Column] = []
        room = width
        for column in DEFAULT_COLUMNS:
            if MIN_WIDTHS[column] <= room or not shown:
                shown.append(column)
                room -= MIN_WIDTHS[column]
        total = sum(DEFAULT_COLUMNS[c] for c in shown)
        self._fitting = True
        try:
            for column in DEFAULT_COLUMNS:
                self.header.setSectionHidden(column, column not in shown)
            # Each its least, then what is left shared out by weight.
            spare = max(0, width - sum(MIN_WIDTHS[c] for c in shown))
            for column in shown:
                extra = int(spare * DEFAULT_COLUMNS[column] / total)
                self.header.resizeSection(column, MIN_WIDTHS[column] + extra)
        finally:
            self._fitting = False

    def restore(self) -> bool:
        state = options.window_state(HEADER_STATE)
        self._written = state
        if state is None or not self.header.restoreState(state):
            return False
        if self.header.count() != len(Column) or self.header.isSectionHidden(Column.NAME):
            return False
        self.auto_fit = False
        return True

    def save(self) -> None:
        """Keep the header as it is now (written within ``SAVE_DELAY_MS``)."""
        self._saving.start()

    def save_pending(self) -> None:
        """Write a change still waiting, if any."""
        if self._saving.isActive():
            self.save_now()

    def save_now(self) -> None:
        self._save(in_background=False)

    def _write_latest(self) -> None:
        # The state last meant to be written, not the one of when this was queued: a hide
        # that wrote a newer one meanwhile must not be undone by an older write.
        if self._written is not None:
            options.save_window_state(HEADER_STATE, self._written)

    def _save_in_background(self) -> None:
        self._save(in_background=True)

    def _save(self, *, in_background: bool) -> None:
        self._saving.stop()
        state = QByteArray(self.header.saveState())
        if state == self._written:
            return  # As the preferences have it already (a resize back, a place shown again).
        self._written = state
        if in_background and self._runner is not None:
            # On the runner: the GUI thread does not wait for the disk. A hide or quit writes
            # at once (``save_pending``), so the app never exits with the write still queued.
            self._runner.submit(Task(lambda _progress: self._write_latest()))
            return
        options.save_window_state(HEADER_STATE, state)

    def _on_resized(self, _logical: int, _old: int, _new: int) -> None:
        if self._fitting:
            return
        if QApplication.mouseButtons() & Qt.MouseButton.LeftButton:
            self.auto_fit = False  # Dragged by hand: from now on the owner's widths hold.
        self.save()

    def _changed(self) -> None:
        self.auto_fit = False
        self.save()

    # --- the column chooser ---------------------------------------------------------------

    def set_visible(self, column: Column, visible: bool) -> None:
        if column == Column.NAME:
            return
        self.header.setSectionHidden(column, not visible)
        if visible and self.header.sectionSize(column) < 40:
            self.header.resizeSection(column, OTHER_WIDTHS.get(column, 130))
        self.auto_fit = False
        self.save()

    def menu(self, parent: QWidget | None = None) -> QMenu:
        menu = QMenu(parent)
        menu.setTitle("Columns")
        for visual in range(self.header.count()):
            column = Column(self.header.logicalIndex(visual))
            action = QAction(HEADERS[column], menu, checkable=True)
            action.setChecked(not self.header.isSectionHidden(column))
            action.setEnabled(column != Column.NAME)
            action.toggled.connect(lambda on, c=column: self.set_visible(c, on))
            menu.addAction(action)
        menu.addSeparator()
        reset = QAction("Reset columns", menu)
        reset.triggered.connect(self._on_reset)
        menu.addAction(reset)
        return menu

    def _on_reset(self) -> None:
        self.reset()
        self.save()

    def _on_header_menu(self, pos: Any) -> None:
        self.menu(self.header).exec(self.header.mapToGlobal(pos))
