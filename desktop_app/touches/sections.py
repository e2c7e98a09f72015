"""The detail pane's touch sections: figures at a glance, and the contact's timeline.

Both load their own data for the contact shown and refresh themselves when touches (or
anything on the timeline) change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from PySide6.QtCore import QModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from db import feedback, touches
from db.contacts import ContactDetail
from db.domain import Medium
from db.engine import Database
from db.timeline import EntryKind, TimelineEntry, TimelinePage
from desktop_app import icons, theme
from desktop_app.contacts.detail import reread_by_pane
from desktop_app.contacts.table_model import format_date
from desktop_app.ops import Changes, OpsBus
from desktop_app.sales.section import FEEDBACK_CHANGES
from desktop_app.touches.dialog import TOUCH_CHANGES, TouchDialog
from desktop_app.touches.timeline_model import (
    DETAIL_ROLE,
    IS_HEADER_ROLE,
    WHEN_ROLE,
    TimelineModel,
)
from desktop_app.widgets import UndoBar

#: What can move a timeline: touches, stage moves, purchases, feedback, follow-ups.
TIMELINE_CHANGES = ("touches", "stages", "purchases", "feedback", "followups", "contacts")


def _title(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setObjectName("sectionTitle")
    return label


def _ago(moment: datetime, now: datetime) -> str:
    days = (now.astimezone().date() - moment.astimezone().date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days:,} days ago"


class TouchStatsSection(QWidget):
    """Last touch, touches in the last 30 and 90 days, a count per medium, and a button."""

    log_requested = Signal(int)

    def __init__(self, ops: OpsBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.contact_id: int | None = None
        self.log_button = QPushButton(icons.icon("note"), "Log touch…")
        self.log_button.setToolTip("Log a touch with this contact (Ctrl+L)")
        self.log_button.clicked.connect(self._on_log)
        self.last = QLabel()
        self.last.setWordWrap(True)
        self.recent = QLabel()
        self.recent.setObjectName("countLabel")
        self.medium_labels: dict[Medium, QLabel] = {}
        per_medium = QHBoxLayout()
        per_medium.setSpacing(10)
        for medium in Medium:
            icon = QLabel()
            icon.setPixmap(icons.medium_icon(medium).pixmap(16, 16))
            icon.setToolTip(medium.label)
            count = QLabel("0")
            count.setToolTip(medium.label)
            self.medium_labels[medium] = count
            pair = QHBoxLayout()
            pair.setSpacing(3)
            pair.addWidget(icon)
            pair.addWidget(count)
            per_medium.addLayout(pair)
        per_medium.addStretch(1)

        head = QHBoxLayout()
        head.addWidget(_title("Touches"))
        head.addStretch(1)
        head.addWidget(self.log_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 14, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.last)
        layout.addWidget(self.recent)
        layout.addLayout(per_medium)
        ops.changed.connect(self._on_changed)

    def show_contact(self, contact: ContactDetail | None) -> None:
        self.contact_id = None if contact is None else contact.id
        self.log_button.setEnabled(contact is not None and contact.deleted_at is None)
        self.refresh()

    def read(self, database: Database, contact: ContactDetail) -> object:
        now = datetime.now(UTC)
        return now, touches.touch_stats(database, contact.id, now=now)

    def show_read(self, contact: ContactDetail, data: object) -> None:
        self.contact_id = contact.id
        self.log_button.setEnabled(contact.deleted_at is None)
        now, stats = cast("tuple[datetime, touches.TouchStats]", data)
        self._show(stats, now)

    def refresh(self, now: datetime | None = None) -> None:
        if self.contact_id is None:
            return
        now = now or datetime.now(UTC)
        self._show(touches.touch_stats(self.ops.database, self.contact_id, now=now), now)

    def _show(self, stats: touches.TouchStats, now: datetime) -> None:
        if stats.last_touch_at is None:
            self.last.setText("No touches yet.")
        else:
            medium = stats.last_touch_medium.label if stats.last_touch_medium else ""
            self.last.setText(
                f"Last touch: <b>{medium}</b>, {_ago(stats.last_touch_at, now)} "
                f"({format_date(stats.last_touch_at)})"
            )
        self.recent.setText(
            f"{stats.last_30_days:,} in the last 30 days · {stats.last_90_days:,} in 90 · "
            f"{stats.total:,} in all"
        )
        for medium, count in stats.per_medium:
            self.medium_labels[medium].setText(f"{count:,}")

    def _on_changed(self, changes: Changes) -> None:
        if changes.touch("touches", "contacts") and not reread_by_pane(self, changes):
            self.refresh()

    def _on_log(self) -> None:
        if self.contact_id is not None:
            self.log_requested.emit(self.contact_id)


class TimelineDelegate(QStyledItemDelegate):
    """Month headers as small caps rules; entries as an icon, a title and a grey line."""

    HEADER_HEIGHT = 30
    ENTRY_HEIGHT = 48

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | Any) -> QSize:
        height = self.HEADER_HEIGHT if index.data(IS_HEADER_ROLE) else self.ENTRY_HEIGHT
        return QSize(200, height)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | Any
    ) -> None:
        painter.save()
        rect: QRect = option.rect
        state = option.state
        base = QFont(option.font)
        if index.data(IS_HEADER_ROLE):
            font = QFont(base)
            font.setBold(True)
            font.setPointSizeF(base.pointSizeF() * 0.9)
            painter.setFont(font)
            painter.setPen(theme.color("subtle"))
            text_rect = rect.adjusted(4, 8, -4, 0)
            painter.drawText(
                text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, index.data()
            )
            painter.setPen(theme.color("border"))
            painter.drawLine(rect.left() + 4, rect.bottom(), rect.right() - 4, rect.bottom())
            painter.restore()
            return
        if state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, theme.color("selection"))
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, theme.color("hover"))
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        if icon is not None:
            icon.paint(painter, QRect(rect.left() + 6, rect.top() + 8, 20, 20))
        left = rect.left() + 34
        width = rect.right() - left - 8
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.88)
        painter.setFont(small)
        second = " · ".join(
            p for p in (index.data(WHEN_ROLE), index.data(DETAIL_ROLE)) if p
        ).replace("\n", " ")
        painter.setPen(theme.color("muted"))
        painter.drawText(
            QRect(left, rect.top() + 25, width, 18),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(second, Qt.TextElideMode.ElideRight, width),
        )
        title_font = QFont(base)
        title_font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(title_font)
        painter.setPen(theme.color("text"))
        painter.drawText(
            QRect(left, rect.top() + 6, width, 20),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(
                index.data() or "", Qt.TextElideMode.ElideRight, width
            ),
        )
        painter.restore()


class TimelineSection(QWidget):
    """The contact's history, newest first. Touches can be edited and deleted, feedback forms
    deleted (a form recorded against the wrong contact, say); each delete offers undo."""

    status_message = Signal(str)

    def __init__(self, ops: OpsBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.contact: ContactDetail | None = None
        self.model = TimelineModel(ops.database, self)
        self.list = QListView()
        self.list.setObjectName("timelineList")
        self.list.setModel(self.model)
        self.list.setItemDelegate(TimelineDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setUniformItemSizes(False)
        self.list.setMouseTracking(True)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._on_context_menu)
        self.list.doubleClicked.connect(lambda _i: self.edit_selected())
        self.empty = QLabel("Nothing on the timeline yet.")
        self.empty.setObjectName("countLabel")
        self.undo_bar = UndoBar()
        self.undo_bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.undo_bar.message.setWordWrap(True)
        self.undo_bar.message.setMinimumWidth(60)

        self.edit_action = QAction(icons.icon("edit"), "Edit touch…", self)
        self.edit_action.setShortcut(QKeySequence(Qt.Key.Key_Return))
        self.edit_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.edit_action.triggered.connect(self.edit_selected)
        self.delete_action = QAction(icons.icon("delete"), "Delete", self)
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(self.delete_selected)
        self.list.addAction(self.edit_action)
        self.list.addAction(self.delete_action)
        self.list.selectionModel().currentChanged.connect(self._on_current)
        self.model.modelReset.connect(self._on_current)
        self._on_current()

        layout = QVBoxLayout(self)
        # The section has the Timeline tab to itself: the list takes its whole height.
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.undo_bar)
        ops.changed.connect(self._on_changed)

    def show_contact(self, contact: ContactDetail | None) -> None:
        changed = (contact.id if contact else None) != self.model.contact_id
        self.contact = contact
        if changed:
            self.undo_bar.hide()
            self.model.set_contact(None if contact is None else contact.id)
        self._update_empty()

    def read(self, database: Database, contact: ContactDetail) -> object:
        return TimelineModel.first_page(database, contact.id)

    def show_read(self, contact: ContactDetail, data: object) -> None:
        if contact.id != self.model.contact_id:
            self.undo_bar.hide()
        self.contact = contact
        self.model.set_contact(contact.id, cast("TimelinePage", data))
        self._update_empty()

    def _update_empty(self) -> None:
        empty = self.model.rowCount() == 0
        self.empty.setVisible(empty and self.contact is not None)
        self.list.setVisible(not empty)

    def _on_changed(self, changes: Changes) -> None:
        if reread_by_pane(self, changes):
            return
        if self.model.contact_id is not None and changes.touch(*TIMELINE_CHANGES):
            self.model.reload(keep_loaded=True)
            self._update_empty()

    def selected_entry(self) -> TimelineEntry | None:
        index = self.list.currentIndex()
        return self.model.entry(index.row()) if index.isValid() else None

    def selected_touch_id(self) -> int | None:
        entry = self.selected_entry()
        return entry.id if entry is not None and entry.kind == EntryKind.TOUCH else None

    #: The entries that can be deleted from the timeline, and what Delete then says.
    DELETABLE = {EntryKind.TOUCH: "Delete touch", EntryKind.FEEDBACK: "Delete feedback"}

    def _on_current(self, *_args: object) -> None:
        """Edit serves touches; Delete serves touches and feedback forms, and says which."""
        entry = self.selected_entry()
        label = self.DELETABLE.get(entry.kind) if entry is not None else None
        self.edit_action.setEnabled(entry is not None and entry.kind == EntryKind.TOUCH)
        self.delete_action.setEnabled(label is not None)
        self.delete_action.setText(label or "Delete")

    def edit_selected(self) -> None:
        touch_id = self.selected_touch_id()
        if touch_id is not None and TouchDialog.edit(self.ops, self, touch_id):
            self.status_message.emit("Touch saved.")

    def delete_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        if entry.kind == EntryKind.TOUCH:
            self._delete_touch(entry.id)
        elif entry.kind == EntryKind.FEEDBACK:
            self._delete_feedback(entry.id)

    def _delete_touch(self, touch_id: int) -> None:
        try:
            deleted = self.ops.run(lambda db: touches.delete_touch(db, touch_id), TOUCH_CHANGES)
        except touches.TouchNotFoundError:
            self.model.reload(keep_loaded=True)
            return
        medium = Medium(deleted.medium).label
        self.undo_bar.offer(
            f"{medium} touch of {format_date(deleted.occurred_at)} deleted.",
            lambda: self.ops.run(lambda db: touches.restore_touch(db, deleted), TOUCH_CHANGES),
        )

    def _delete_feedback(self, feedback_id: int) -> None:
        try:
            deleted = self.ops.run(
                lambda db: feedback.delete_feedback(db, feedback_id), FEEDBACK_CHANGES
            )
        except feedback.FeedbackNotFoundError:
            self.model.reload(keep_loaded=True)
            return
        self.undo_bar.offer(
            f"Feedback of {format_date(deleted.received_on)} deleted.",
            lambda: self.ops.run(
                lambda db: feedback.restore_feedback(db, deleted), FEEDBACK_CHANGES
            ),
        )

    def _on_context_menu(self, point: QPoint) -> None:
        index = self.list.indexAt(point)
        if not index.isValid():
            return
        self.list.setCurrentIndex(index)
        if not self.delete_action.isEnabled():
            return
        menu = QMenu(self)
        if self.edit_action.isEnabled():
            menu.addAction(self.edit_action)
        menu.addAction(self.delete_action)
        menu.exec(self.list.viewport().mapToGlobal(point))
