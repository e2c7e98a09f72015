"""The journey board: one column per stage of the active model, a card per contact.

Each column is a ``QListView`` over a ``CardListModel`` that pages its cards from SQL as the
owner scrolls (``canFetchMore``/``fetchMore``) and says how many are not loaded yet, so a
stage of 100,000 contacts opens as fast as one of ten. Counts come from one grouped query.

Cards move by drag and drop (a custom MIME type carrying contact ids) or from the keyboard:
arrows move the focus, Ctrl+Left/Right (or Shift) moves the focused card a stage, Enter
opens it. A move backward asks for a reason first (``desktop_app.journeys.moves``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont, QFontMetrics, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QScrollArea,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from db import board, journeys
from db.board import Card
from db.clock import local_today
from db.contacts import ContactQuery
from db.domain import Medium
from db.engine import Database
from db.journeys import StageInfo
from desktop_app import icons, theme
from desktop_app.contacts.table_model import format_date
from desktop_app.journeys.badges import BADGES, badge_html, card_badges
from desktop_app.journeys.moves import add_stage_menu, move_to_stage
from desktop_app.ops import Changes, OpsBus
from desktop_app.widgets import SearchField

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

#: What a dragged card carries: ``{"ids": [...], "stage_id": from}`` as JSON.
CARD_MIME = "application/x-touchbase-contacts"
CARD_ROLE = Qt.ItemDataRole.UserRole + 1
CONTACT_ID_ROLE = Qt.ItemDataRole.UserRole + 2
BOARD_CHANGES = ("contacts", "stages", "touches", "followups", "purchases", "settings")


#: Badge text, background and text colour.
def encode_ids(contact_ids: Sequence[int], stage_id: int | None) -> QMimeData:
    data = QMimeData()
    payload = json.dumps({"ids": [int(i) for i in contact_ids], "stage_id": stage_id})
    data.setData(CARD_MIME, payload.encode("utf-8"))
    return data


def decode_ids(data: QMimeData) -> tuple[list[int], int | None]:
    """The contact ids and the stage they came from; ([], None) for anything else."""
    if not data.hasFormat(CARD_MIME):
        return [], None
    try:
        payload = json.loads(bytes(data.data(CARD_MIME).data()).decode("utf-8"))
        return [int(i) for i in payload["ids"]], payload.get("stage_id")
    except (ValueError, KeyError, TypeError):
        return [], None


class CardListModel(QAbstractListModel):
    """The cards of one stage, a page at a time, in name order."""

    PAGE_SIZE = 50

    #: Contacts (ids) were dropped on this stage.
    contacts_dropped = Signal(list, int)

    def __init__(
        self, database: Database, stage: StageInfo, today: date, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._database = database
        self.stage = stage
        self._today = today
        self._query = ContactQuery()
        self._cards: list[Card] = []
        self._total = 0

    @property
    def total(self) -> int:
        return self._total

    @property
    def hidden(self) -> int:
        """How many of the stage's contacts are not loaded yet."""
        return max(self._total - len(self._cards), 0)

    def reload(
        self,
        total: int,
        query: ContactQuery,
        today: date,
        *,
        keep_loaded: bool = True,
        cards: list[Card] | None = None,
    ) -> None:
        """Show the column's first cards: ``cards`` if they were read already (the board
        reads every column on the runner), else read now."""
        wanted = max(len(self._cards), self.PAGE_SIZE) if keep_loaded else self.PAGE_SIZE
        if cards is None:
            cards = (
                board.cards(self._database, self.stage.id, 0, wanted, query, today=today)
                if total
                else []
            )
        self.beginResetModel()
        self._query, self._today, self._total = query, today, total
        self._cards = cards
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._cards) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        page = board.cards(
            self._database,
            self.stage.id,
            len(self._cards),
            self.PAGE_SIZE,
            self._query,
            today=self._today,
        )
        if not page:
            self._total = len(self._cards)
            return
        first = len(self._cards)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._cards.extend(page)
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cards)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._cards):
            return None
        card = self._cards[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return card.name
        if role == CARD_ROLE:
            return card
        if role == CONTACT_ID_ROLE:
            return card.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(card)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            badges = ", ".join(BADGES[b][0] for b in card_badges(card))
            return f"{card.name}, {card.company}. {badges}".strip(" .,")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )

    # --- drag and drop --------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [CARD_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return encode_ids([self._cards[r].id for r in rows], self.stage.id)

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        ids, from_stage = decode_ids(data)
        return bool(ids) and from_stage != self.stage.id

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        ids, _from = decode_ids(data)
        # The page moves them (asking for a reason if needed); the board then reloads.
        self.contacts_dropped.emit(ids, self.stage.id)
        return True

    # --- helpers --------------------------------------------------------------------------

    def card(self, row: int) -> Card | None:
        return self._cards[row] if 0 <= row < len(self._cards) else None

    def row_of(self, contact_id: int) -> int | None:
        for number, card in enumerate(self._cards):
            if card.id == contact_id:
                return number
        return None

    def _tooltip(self, card: Card) -> str:
        lines = [card.name + (f" — {card.company}" if card.company else "")]
        if card.days_in_stage is not None:
            lines.append(f"{card.days_in_stage:,} days in {self.stage.label}")
        if card.last_touch_at is not None:
            medium = Medium(card.last_touch_medium).label if card.last_touch_medium else "Touch"
            lines.append(f"Last touch: {medium}, {format_date(card.last_touch_at)}")
        else:
            lines.append("Never touched")
        lines.append(f"Qualification: {card.qualification.label}")
        if card.overdue:
            lines.append("Overdue: the next follow-up date has passed.")
        if card.stuck:
            lines.append(f"Stuck: longer than {self.stage.dwell_days} days in this stage.")
        if card.at_risk:
            lines.append("At risk: a loyal contact who has not heard from you in time.")
        return "\n".join(lines)


def short_date(value: datetime, today: date) -> str:
    """“8 Jun” this year, “8 Jun 2025” before: cards are narrow."""
    day = value.astimezone().date()
    text = day.strftime("%d %b").lstrip("0")
    return text if day.year == today.year else f"{text} {day.year}"


class CardDelegate(QStyledItemDelegate):
    """Paints a card: name, company, days in stage and last touch, and its badges."""

    HEIGHT = 74

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = local_today()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(max(option.rect.width(), 200), self.HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        card = index.data(CARD_ROLE)
        if not isinstance(card, Card):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(4, 3, -4, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        painter.setPen(
            QPen(theme.color("focus" if selected or focused else "border"), 2 if focused else 1)
        )
        painter.setBrush(QBrush(theme.color("selection" if selected else "surface")))
        painter.drawRoundedRect(rect, 6, 6)
        if card.stuck or card.at_risk or card.overdue:
            tone = BADGES[card_badges(card)[0]][1]
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.color(f"{tone}_fg" if selected else f"{tone}_bg"))
            painter.drawRoundedRect(QRect(rect.left(), rect.top(), 4, rect.height()), 2, 2)

        inner = rect.adjusted(12, 7, -10, -7)
        base: QFont = option.font
        bold = QFont(base)
        bold.setWeight(QFont.Weight.DemiBold)
        small = QFont(base)
        small.setPointSizeF(max(base.pointSizeF() * 0.88, 7.0))

        # Badges, right-aligned on the first line.
        x = inner.right()
        metrics = QFontMetrics(small)
        for key in reversed(card_badges(card)):
            text, tone = BADGES[key]
            width = metrics.horizontalAdvance(text) + 10
            badge = QRect(x - width, inner.top(), width, metrics.height() + 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.color(f"{tone}_bg"))
            painter.drawRoundedRect(badge, 4, 4)
            painter.setPen(theme.color(f"{tone}_fg"))
            painter.setFont(small)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
            x -= width + 4

        line = QFontMetrics(bold).height()
        painter.setFont(bold)
        painter.setPen(theme.color("selection_text" if selected else "text"))
        name_rect = QRect(inner.left(), inner.top(), x - inner.left() - 4, line)
        name = QFontMetrics(bold).elidedText(
            card.name, Qt.TextElideMode.ElideRight, name_rect.width()
        )
        vcenter = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(name_rect, vcenter, name)
        painter.setFont(small)
        painter.setPen(theme.color("selection_text" if selected else "subtle"))
        small_line = metrics.height()
        company = card.company or " "
        company_rect = QRect(inner.left(), inner.top() + line + 1, inner.width(), small_line)
        painter.drawText(
            company_rect,
            Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(company, Qt.TextElideMode.ElideRight, company_rect.width()),
        )
        row = QRect(inner.left(), inner.bottom() - small_line, inner.width(), small_line)
        days = f"{card.days_in_stage:,} d in stage" if card.days_in_stage is not None else ""
        touched = short_date(card.last_touch_at, self.today) if card.last_touch_at else "never"
        touched_width = metrics.horizontalAdvance(touched)
        painter.setPen(theme.color("selection_text" if selected else "muted"))
        painter.drawText(row, Qt.AlignmentFlag.AlignRight, touched)
        if card.last_touch_medium:
            size = small_line - 2
            icon = icons.medium_icon(Medium(card.last_touch_medium))
            icon.paint(
                painter, QRect(row.right() - touched_width - size - 4, row.top() + 1, size, size)
            )
        room = row.width() - touched_width - small_line - 8
        painter.drawText(
            QRect(row.left(), row.top(), room, small_line),
            Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(days, Qt.TextElideMode.ElideRight, room),
        )
        painter.restore()


class CardListView(QListView):
    """A column's list of cards, with the board's keyboard moves."""

    #: -1 / +1: the focus should go to the previous / next column.
    focus_moved = Signal(int)
    #: (contact ids, -1 / +1): move these cards a stage back / forward.
    move_requested = Signal(list, int)
    #: Enter on a card.
    open_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boardList")
        self.setItemDelegate(CardDelegate(self))
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def selected_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.selectionModel().selectedRows())
        if not rows and self.currentIndex().isValid():
            rows = [self.currentIndex().row()]
        model = self.model()
        return [int(model.index(r, 0).data(CONTACT_ID_ROLE)) for r in rows]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        modifiers = event.modifiers()
        step = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}.get(Qt.Key(key))
        if step is not None:
            moving = modifiers & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
            )
            if moving:
                ids = self.selected_ids()
                if ids:
                    self.move_requested.emit(ids, step)
            else:
                self.focus_moved.emit(step)
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(int(self.currentIndex().data(CONTACT_ID_ROLE)))
            event.accept()
            return
        super().keyPressEvent(event)


class StageColumn(QFrame):
    """A stage's header (label and count), its cards, and how many are not loaded yet."""

    def __init__(
        self, database: Database, stage: StageInfo, today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("boardColumn")
        # Four stages fit beside each other on a 1024-pixel-wide screen.
        self.setMinimumWidth(180)
        self.setMaximumWidth(380)
        self.stage = stage
        self.model = CardListModel(database, stage, today, self)
        self.title = QLabel(stage.label)
        self.title.setObjectName("boardColumnTitle")
        self.count = QLabel("0")
        self.count.setObjectName("boardColumnCount")
        self.count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel(self._hint(stage))
        self.hint.setObjectName("boardColumnHint")
        header = QWidget()
        header.setToolTip(stage.description)
        top = QHBoxLayout(header)
        top.setContentsMargins(10, 8, 10, 0)
        top.addWidget(self.title, 1)
        top.addWidget(self.count)
        self.view = CardListView()
        self.view.setModel(self.model)
        self.view.setAccessibleName(f"{stage.label} cards")
        self.more = QLabel()
        self.more.setObjectName("boardColumnMore")
        self.more.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty = QLabel("No contacts here.\nDrop a card to move it.")
        self.empty.setObjectName("boardColumnEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.setSpacing(4)
        layout.addWidget(header)
        hint_row = QHBoxLayout()
        hint_row.setContentsMargins(10, 0, 10, 2)
        hint_row.addWidget(self.hint)
        layout.addLayout(hint_row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.more)
        self.model.modelReset.connect(self._on_loaded)
        self.model.rowsInserted.connect(self._on_loaded)

    @staticmethod
    def _hint(stage: StageInfo) -> str:
        parts = []
        if stage.cadence_days:
            parts.append(f"touch every {stage.cadence_days} d")
        if stage.dwell_days:
            parts.append(f"stuck after {stage.dwell_days} d")
        return " · ".join(parts) or "no cadence"

    def reload(
        self, total: int, query: ContactQuery, today: date, cards: list[Card] | None = None
    ) -> None:
        delegate = self.view.itemDelegate()
        if isinstance(delegate, CardDelegate):
            delegate.today = today
        self.model.reload(total, query, today, cards=cards)
        self.count.setText(f"{total:,}")

    def _on_loaded(self, *_args: object) -> None:
        hidden = self.model.hidden
        self.more.setText(f"{hidden:,} more — scroll to see them")
        self.more.setVisible(hidden > 0)
        self.empty.setVisible(self.model.total == 0)


@dataclass(frozen=True)
class _BoardRead:
    """What one reload of the board read on the runner."""

    generation: int
    query: ContactQuery
    today: date
    stages: list[StageInfo]
    counts: dict[int | None, int]
    cards: dict[int, list[Card]]


class BoardPage(QWidget):
    """Where every contact stands: drag a card to move it along the journey."""

    #: Enter or "Open" on a card: show that contact.
    contact_opened = Signal(int)
    #: "Log touch…" on a card (connected by the touches feature).
    touch_requested = Signal(int)
    #: "Add follow-up…" on a card (connected by the follow-ups feature).
    followup_requested = Signal(int)
    status_message = Signal(str)

    #: How many pages a column loads at most to find a card that just moved there.
    FIND_PAGES = 20

    def __init__(
        self, ops: OpsBus, parent: QWidget | None = None, *, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self._fixed_today = today
        self.columns: list[StageColumn] = []
        self._dirty = True
        #: Reloads asked for; only the newest one's figures are shown.
        self._generation = 0
        self._reading = False
        #: A card to focus once the reload under way has read it (after a move).
        self._focus_after_read: tuple[int, int] | None = None

        self.title = QLabel("Journey board")
        self.title.setObjectName("pageTitle")
        self.search = SearchField("Filter cards by name, company, email, phone or tag")
        self.search.textChanged.connect(self._on_search)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        legend = QLabel(" ".join(badge_html(key) for key in BADGES))
        legend.setToolTip(
            "Overdue: the follow-up date has passed. Stuck: past the stage's dwell limit. "
            "At risk: a loyal contact whose touch cadence is overdue."
        )
        self.stuck_only = QPushButton("Stuck only")
        self.stuck_only.setObjectName("filterToggle")
        self.stuck_only.setCheckable(True)
        self.stuck_only.setToolTip("Show only contacts past their stage's dwell limit")
        self.stuck_only.toggled.connect(self._on_search)
        self.at_risk_only = QPushButton("At risk only")
        self.at_risk_only.setObjectName("filterToggle")
        self.at_risk_only.setCheckable(True)
        self.at_risk_only.setToolTip("Show only loyal contacts whose touch cadence is overdue")
        self.at_risk_only.toggled.connect(self._on_search)
        bar = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addSpacing(12)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.stuck_only)
        bar.addWidget(self.at_risk_only)
        bar.addSpacing(8)
        bar.addWidget(legend)

        self.strip = QWidget()
        self.strip.setObjectName("boardStrip")
        self.strip_layout = QHBoxLayout(self.strip)
        self.strip_layout.setContentsMargins(0, 0, 0, 0)
        self.strip_layout.setSpacing(10)
        self.strip_layout.addStretch(1)
        self.scroller = QScrollArea()
        self.scroller.setObjectName("boardScroll")
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidget(self.strip)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 8)
        layout.setSpacing(10)
        layout.addLayout(bar)
        layout.addWidget(self.count_label)
        layout.addWidget(self.scroller, 1)
        ops.changed.connect(self._on_changed)
        self.reload()

    # --- loading --------------------------------------------------------------------------

    @property
    def today(self) -> date:
        return self._fixed_today or local_today()

    def query(self) -> ContactQuery:
        return ContactQuery(
            text=self.search.text(),
            stuck=self.stuck_only.isChecked(),
            at_risk=self.at_risk_only.isChecked(),
            today=self.today,
        )

    def reload(self) -> None:
        """Counts in one query, then the first page of each column (more on scrolling).

        Read on the runner: the board stays as it was until the new figures arrive, and a
        reload overtaken by a newer one (typing in the filter) is dropped.
        """
        self._dirty = False
        self._generation += 1
        generation, query, today = self._generation, self.query(), self.today
        page = CardListModel.PAGE_SIZE
        wanted = {c.stage.id: max(c.model.rowCount(), page) for c in self.columns}
        if not self.columns:
            self.count_label.setText("Loading the board…")

        def read(database: Database) -> _BoardRead:
            stages = journeys.current_stages(database)
            counts = board.stage_counts(database, query)
            cards = {
                stage.id: board.cards(
                    database, stage.id, 0, wanted.get(stage.id, page), query, today=today
                )
                if counts.get(stage.id)
                else []
                for stage in stages
            }
            return _BoardRead(generation, query, today, stages, counts, cards)

        self._reading = True
        self.ops.read(read, self._on_read)

    def _on_read(self, read: _BoardRead) -> None:
        if read.generation != self._generation:
            return
        self._reading = False
        if [c.stage for c in self.columns] != read.stages:
            self._rebuild(read.stages)
        counts = read.counts
        for column in self.columns:
            column.reload(
                counts.get(column.stage.id, 0),
                read.query,
                read.today,
                read.cards.get(column.stage.id, []),
            )
        shown = sum(counts.get(c.stage.id, 0) for c in self.columns)
        noun = "contact" if shown == 1 else "contacts"
        text = f"{shown:,} {noun} on {len(self.columns)} stages"
        if counts.get(None):
            text += f" · {counts[None]:,} on no stage"
        self.count_label.setText(text)
        focus, self._focus_after_read = self._focus_after_read, None
        if focus is not None:
            self.focus_card(*focus)

    def _rebuild(self, stages: list[StageInfo]) -> None:
        for column in self.columns:
            self.strip_layout.removeWidget(column)
            column.deleteLater()
        self.columns = []
        for position, stage in enumerate(stages):
            column = StageColumn(self.ops.database, stage, self.today)
            column.model.contacts_dropped.connect(self._on_dropped)
            view = column.view
            view.focus_moved.connect(lambda step, p=position: self._focus_column(p + step))
            view.move_requested.connect(
                lambda ids, step, p=position: self.move_cards(ids, p + step)
            )
            view.open_requested.connect(self.contact_opened)
            view.doubleClicked.connect(
                lambda index: self.contact_opened.emit(int(index.data(CONTACT_ID_ROLE)))
            )
            view.customContextMenuRequested.connect(
                lambda point, v=view: self._on_context_menu(v, point)
            )
            self.strip_layout.insertWidget(position, column)
            self.columns.append(column)

    def _on_changed(self, changes: Changes) -> None:
        if not changes.touch(*BOARD_CHANGES):
            return
        if self.isVisible():
            self.reload()
        else:
            self._dirty = True  # reloaded when shown: no work for a board nobody looks at

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._dirty:
            self.reload()

    def _on_search(self, *_args: object) -> None:
        self.reload()

    # --- moving cards ---------------------------------------------------------------------

    def column_of(self, stage_id: int) -> StageColumn | None:
        return next((c for c in self.columns if c.stage.id == stage_id), None)

    def _on_dropped(self, ids: list[int], stage_id: int) -> None:
        column = self.column_of(stage_id)
        if column is not None:
            self._move(ids, column)

    def move_cards(self, ids: list[int], position: int) -> None:
        """Move cards to the stage at ``position`` (keyboard moves past either end stop)."""
        if 0 <= position < len(self.columns):
            self._move(ids, self.columns[position])

    def _move(self, ids: list[int], column: StageColumn) -> None:
        moved = move_to_stage(self.ops, ids, column.stage, self)
        if not moved:
            return
        what = "1 contact" if len(moved) == 1 else f"{len(moved):,} contacts"
        self.status_message.emit(f"Moved {what} to {column.stage.label}.")
        if self._reading:
            self._focus_after_read = (moved[0], column.stage.id)  # once the move is read
        else:
            self.focus_card(moved[0], column.stage.id)

    def focus_card(self, contact_id: int, stage_id: int | None = None) -> bool:
        """Select and focus a card (in ``stage_id``'s column, else wherever it stands),
        loading a few pages until it shows."""
        columns = [c for c in self.columns if stage_id is None or c.stage.id == stage_id]
        for column in columns:
            model = column.model
            row = model.row_of(contact_id)
            pages = 0
            # Far down a column of thousands, stop loading: the column keeps the focus.
            while row is None and model.canFetchMore() and pages < self.FIND_PAGES:
                model.fetchMore()
                pages += 1
                row = model.row_of(contact_id)
            if row is not None:
                index = model.index(row, 0)
                column.view.setCurrentIndex(index)
                column.view.scrollTo(index)
                column.view.setFocus()
                self.scroller.ensureWidgetVisible(column)
                return True
        return False

    def _focus_column(self, position: int) -> None:
        if not 0 <= position < len(self.columns):
            return
        current = self.focusWidget()
        row = current.currentIndex().row() if isinstance(current, CardListView) else 0
        target = self.columns[position]
        view = target.view
        view.setFocus()
        count = target.model.rowCount()
        if count:
            view.setCurrentIndex(target.model.index(min(max(row, 0), count - 1), 0))
        self.scroller.ensureWidgetVisible(target)

    def _on_context_menu(self, view: CardListView, point: QPoint) -> None:
        index = view.indexAt(point)
        if index.isValid() and not view.selectionModel().isSelected(index):
            view.setCurrentIndex(index)
        ids = view.selected_ids()
        if not ids:
            return
        menu = self.card_menu(ids)
        menu.exec(view.viewport().mapToGlobal(point))

    def card_menu(self, ids: list[int]) -> QMenu:
        menu = QMenu(self)
        single = ids[0] if len(ids) == 1 else None
        open_action = menu.addAction(icons.icon("user"), "Open contact")
        open_action.setEnabled(single is not None)
        open_action.triggered.connect(lambda: self.contact_opened.emit(ids[0]))
        add_stage_menu(menu, self.ops, ids, self)
        menu.addSeparator()
        touch = menu.addAction(icons.icon("note"), "Log touch…")
        touch.setEnabled(single is not None)
        touch.triggered.connect(lambda: self.touch_requested.emit(ids[0]))
        followup = menu.addAction(icons.icon("bell"), "Add follow-up…")
        followup.setEnabled(single is not None)
        followup.triggered.connect(lambda: self.followup_requested.emit(ids[0]))
        return menu
