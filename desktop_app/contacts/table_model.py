"""The contacts list as a Qt model that pages lazily from SQL.

Only the rows a person has scrolled to are loaded (``canFetchMore``/``fetchMore``, a page at a
time); sorting and filtering are done by SQLite, so 100,000 contacts cost no more to show than
a hundred. Cells are built on demand from frozen ``ContactRow`` values.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon

from db import contacts
from db.contacts import ContactQuery, ContactRow, SortKey
from db.domain import Medium
from db.engine import Database
from desktop_app import icons

Index = QModelIndex | QPersistentModelIndex

CONTACT_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class Column(enum.IntEnum):
    NAME = 0
    COMPANY = 1
    EMAIL = 2
    PHONE = 3
    STAGE = 4
    TAGS = 5
    LAST_TOUCH = 6
    DAYS_SINCE = 7
    NEXT_FOLLOWUP = 8
    QUALIFICATION = 9


HEADERS = {
    Column.NAME: "Name",
    Column.COMPANY: "Company",
    Column.EMAIL: "Email",
    Column.PHONE: "Phone",
    Column.STAGE: "Stage",
    Column.TAGS: "Tags",
    Column.LAST_TOUCH: "Last touch",
    Column.DAYS_SINCE: "Days since",
    Column.NEXT_FOLLOWUP: "Next follow-up",
    Column.QUALIFICATION: "Qualification",
}

SORT_KEYS = {
    Column.NAME: SortKey.NAME,
    Column.COMPANY: SortKey.COMPANY,
    Column.STAGE: SortKey.STAGE,
    Column.LAST_TOUCH: SortKey.LAST_TOUCH,
    # Fewest days since the last touch is the same order as the newest touch first.
    Column.DAYS_SINCE: SortKey.LAST_TOUCH,
    Column.NEXT_FOLLOWUP: SortKey.NEXT_FOLLOWUP,
}


def _local_today() -> date:
    return datetime.now(UTC).astimezone().date()


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone().date()
    return value.strftime("%d %b %Y").lstrip("0")


class ContactTableModel(QAbstractTableModel):
    """Rows of the current ``ContactQuery``, fetched a page at a time."""

    PAGE_SIZE = 200

    #: The total number of contacts the current query matches (for the status bar).
    total_changed = Signal(int)

    def __init__(self, database: Database, parent: Any = None) -> None:
        super().__init__(parent)
        self._database = database
        self._query = ContactQuery()
        self._rows: list[ContactRow] = []
        self._total = 0
        self._today = _local_today()
        self.reload()

    # --- the query ------------------------------------------------------------------------

    @property
    def query(self) -> ContactQuery:
        return self._query

    @property
    def total(self) -> int:
        return self._total

    def set_query(self, query: ContactQuery) -> None:
        if query != self._query:
            self._query = query
            self.reload()

    def reload(self, keep_loaded: bool = False) -> None:
        """Run the query again; with ``keep_loaded`` as many rows as were shown are reloaded."""
        wanted = max(len(self._rows), self.PAGE_SIZE) if keep_loaded else self.PAGE_SIZE
        self.beginResetModel()
        self._today = _local_today()
        self._total = contacts.count_contacts(self._database, self._query)
        self._rows = contacts.contact_rows(self._database, self._query, 0, wanted)
        self.endResetModel()
        self.total_changed.emit(self._total)

    # --- lazy paging ----------------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        page = contacts.contact_rows(self._database, self._query, len(self._rows), self.PAGE_SIZE)
        if not page:
            # The data shrank under us (a change in another place): stop asking.
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    # --- Qt model interface ---------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        column = Column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[column]
        if role == Qt.ItemDataRole.ToolTipRole and column not in SORT_KEYS:
            return f"{HEADERS[column]} (not sortable)"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == CONTACT_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.DecorationRole and column == Column.LAST_TOUCH:
            return self._medium_icon(row.last_touch_medium)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.DAYS_SINCE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(Column(column)) if 0 <= column < len(Column) else None
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if column == Column.DAYS_SINCE:
            descending = not descending
        self.set_query(dataclasses.replace(self._query, sort=key, descending=descending))

    # --- helpers for views ----------------------------------------------------------------

    def contact_id(self, row: int) -> int | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None

    def row_of(self, contact_id: int) -> int | None:
        for number, row in enumerate(self._rows):
            if row.id == contact_id:
                return number
        return None

    def _days_since(self, row: ContactRow) -> int | None:
        if row.last_touch_at is None:
            return None
        return (self._today - row.last_touch_at.astimezone().date()).days

    def _display(self, row: ContactRow, column: Column) -> str:
        match column:
            case Column.NAME:
                return row.name
            case Column.COMPANY:
                return row.company
            case Column.EMAIL:
                return row.email
            case Column.PHONE:
                return row.phone
            case Column.STAGE:
                return row.stage_label
            case Column.TAGS:
                return ", ".join(row.tags)
            case Column.LAST_TOUCH:
                return format_date(row.last_touch_at)
            case Column.DAYS_SINCE:
                days = self._days_since(row)
                return "" if days is None else f"{days:,}"
            case Column.NEXT_FOLLOWUP:
                return format_date(row.next_followup_on)
            case Column.QUALIFICATION:
                return row.qualification.label

    def _tooltip(self, row: ContactRow, column: Column) -> str | None:
        if column == Column.LAST_TOUCH and row.last_touch_at is not None:
            medium = Medium(row.last_touch_medium).label if row.last_touch_medium else ""
            local = row.last_touch_at.astimezone(UTC).astimezone()
            return f"{medium} on {local:%A %d %B %Y, %H:%M}".strip()
        if column == Column.NAME and row.title:
            return f"{row.name} — {row.title}"
        return None

    @staticmethod
    def _medium_icon(medium: str | None) -> QIcon | None:
        return icons.medium_icon(Medium(medium)) if medium else None
