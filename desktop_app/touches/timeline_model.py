"""A contact's timeline as a list model: month headers and entries, loaded a page at a time.

Rows are either a month header ("March 2026") or a ``TimelineEntry``; a header is inserted
whenever an entry falls in a different month from the one above it. ``fetchMore`` asks
``db.timeline`` for the page after the last loaded entry, so a contact with thousands of
entries costs one page until someone scrolls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

from db import timeline
from db.engine import Database
from db.timeline import Cursor, EntryKind, TimelineEntry, TimelinePage
from desktop_app import icons

Index = QModelIndex | QPersistentModelIndex

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
IS_HEADER_ROLE = Qt.ItemDataRole.UserRole + 2
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 3
WHEN_ROLE = Qt.ItemDataRole.UserRole + 4

_KIND_ICONS = {
    EntryKind.STAGE: "board",
    EntryKind.PURCHASE: "tag",
    EntryKind.FEEDBACK: "star",
    EntryKind.FOLLOWUP_SET: "bell",
    EntryKind.FOLLOWUP_DONE: "today",
    EntryKind.FOLLOWUP_DUE: "clock",
}


@dataclass(frozen=True)
class MonthHeader:
    month: date

    @property
    def label(self) -> str:
        return self.month.strftime("%B %Y")


Row = MonthHeader | TimelineEntry


def when_text(entry: TimelineEntry) -> str:
    day = entry.day
    text = f"{day:%a} {day.day} {day:%b}"
    if not entry.day_only:
        text += f", {entry.at.astimezone():%H:%M}"
    return text


class TimelineModel(QAbstractListModel):
    PAGE_SIZE = timeline.PAGE_SIZE

    def __init__(self, database: Database, parent: Any = None) -> None:
        super().__init__(parent)
        self._database = database
        self._contact_id: int | None = None
        self._rows: list[Row] = []
        self._cursor: Cursor | None = None
        self._entries = 0
        self._fetching = False

    @property
    def contact_id(self) -> int | None:
        return self._contact_id

    @classmethod
    def first_page(cls, database: Database, contact_id: int) -> TimelinePage:
        """A contact's first page, read ahead (on the runner) for ``set_contact``."""
        return timeline.timeline_page(database, contact_id, None, cls.PAGE_SIZE)

    def set_contact(self, contact_id: int | None, first: TimelinePage | None = None) -> None:
        """Show a contact's timeline (``first``: its first page, already read)."""
        self._contact_id = contact_id
        if first is None or contact_id is None:
            self.reload()
        else:
            self._show(first)

    def reload(self, keep_loaded: bool = False) -> None:
        """Read the timeline again; with ``keep_loaded`` as many entries as were shown."""
        wanted = max(self._entries, self.PAGE_SIZE) if keep_loaded else self.PAGE_SIZE
        page = (
            None
            if self._contact_id is None
            else timeline.timeline_page(self._database, self._contact_id, None, wanted)
        )
        self._show(page)

    def _show(self, page: TimelinePage | None) -> None:
        self.beginResetModel()
        self._rows, self._cursor, self._entries = [], None, 0
        if page is not None:
            self._append(list(page.entries))
            self._cursor = page.next_cursor
        self.endResetModel()

    def _with_headers(self, entries: list[TimelineEntry]) -> list[Row]:
        rows: list[Row] = []
        last = self._last_month()
        for entry in entries:
            month = entry.day.replace(day=1)
            if month != last:
                rows.append(MonthHeader(month))
                last = month
            rows.append(entry)
        return rows

    def _last_month(self) -> date | None:
        for row in reversed(self._rows):
            if isinstance(row, TimelineEntry):
                return row.day.replace(day=1)
        return None

    def _append(self, entries: list[TimelineEntry]) -> None:
        self._rows.extend(self._with_headers(entries))
        self._entries += len(entries)

    # --- lazy paging ----------------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._cursor is not None and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._cursor is None or self._contact_id is None:
            return
        if self._fetching:
            # A view or tester asked again while rows were being inserted: the state is
            # half-way, so that request is simply dropped (it will ask again).
            return
        self._fetching = True
        try:
            page = timeline.timeline_page(
                self._database, self._contact_id, self._cursor, self.PAGE_SIZE
            )
            rows = self._with_headers(list(page.entries))
            if rows:
                first = len(self._rows)
                self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
                self._rows.extend(rows)
                self._entries += len(page.entries)
                self._cursor = page.next_cursor
                self.endInsertRows()
            else:
                self._cursor = None
        finally:
            self._fetching = False

    # --- Qt model interface ---------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if isinstance(self._rows[index.row()], MonthHeader):
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == IS_HEADER_ROLE:
            return isinstance(row, MonthHeader)
        if isinstance(row, MonthHeader):
            if role == Qt.ItemDataRole.DisplayRole:
                return row.label
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title
        if role == ENTRY_ROLE:
            return row
        if role == DETAIL_ROLE:
            return row.detail
        if role == WHEN_ROLE:
            return when_text(row)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(p for p in (row.title, when_text(row), row.detail) if p)
        return None

    @staticmethod
    def _icon(entry: TimelineEntry) -> QIcon:
        if entry.kind == EntryKind.TOUCH and entry.medium is not None:
            return icons.medium_icon(entry.medium)
        return icons.icon(_KIND_ICONS.get(entry.kind, "note"))

    # --- helpers for views ----------------------------------------------------------------

    def entry(self, row: int) -> TimelineEntry | None:
        if 0 <= row < len(self._rows):
            found = self._rows[row]
            return found if isinstance(found, TimelineEntry) else None
        return None

    def entry_count(self) -> int:
        return self._entries

    def row_of_touch(self, touch_id: int) -> int | None:
        for number, row in enumerate(self._rows):
            if (
                isinstance(row, TimelineEntry)
                and row.kind == EntryKind.TOUCH
                and row.id == touch_id
            ):
                return number
        return None
