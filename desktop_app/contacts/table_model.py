"""The contacts list as a Qt model that pages lazily from SQL.

The model holds only the ids of the rows a person has scrolled to (``canFetchMore`` /
``fetchMore``, a page of ids at a time), sorted and filtered by SQLite on its indexes. Cells
are built on demand: the first time a row is painted, the ``ContactRow`` values of a small
block of rows around it are read by id. The exact number of matches, which can cost more than
the page itself for a one-letter search, is counted on the background runner when there is
one. So a keystroke costs the same at 100,000 contacts as at a hundred.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QIcon

from db import contacts, listing
from db.clock import local_today
from db.contacts import ContactQuery, ContactRow, SortKey
from db.domain import Medium
from db.engine import Database
from desktop_app import icons, theme
from desktop_app.journeys.badges import stage_tones
from desktop_app.tasks import Progress, Task, TaskRunner, ThreadRunner

Index = QModelIndex | QPersistentModelIndex

CONTACT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: On the Name column: ``(stage label, chip tone)`` for the chip beside the name, or None.
STAGE_CHIP_ROLE = Qt.ItemDataRole.UserRole + 2


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
    LIFECYCLE = 10
    SATISFACTION = 11
    VALUE = 12
    PURCHASES = 13


HEADERS = {
    Column.NAME: "Name",
    Column.COMPANY: "Company",
    Column.EMAIL: "Email",
    Column.PHONE: "Phone",
    Column.STAGE: "Stage",
    Column.TAGS: "Tags",
    Column.LAST_TOUCH: "Last touch",
    Column.DAYS_SINCE: "Days since",
    Column.NEXT_FOLLOWUP: "Follow-up",
    Column.QUALIFICATION: "Qualification",
    Column.LIFECYCLE: "Lifecycle",
    Column.SATISFACTION: "Satisfaction",
    Column.VALUE: "Lifetime value",
    Column.PURCHASES: "Purchases",
}

SORT_KEYS = {
    Column.NAME: SortKey.NAME,
    Column.COMPANY: SortKey.COMPANY,
    Column.STAGE: SortKey.STAGE,
    Column.LAST_TOUCH: SortKey.LAST_TOUCH,
    # Fewest days since the last touch is the same order as the newest touch first.
    Column.DAYS_SINCE: SortKey.LAST_TOUCH,
    Column.NEXT_FOLLOWUP: SortKey.NEXT_FOLLOWUP,
    Column.LIFECYCLE: SortKey.LIFECYCLE,
    Column.SATISFACTION: SortKey.SATISFACTION,
    Column.VALUE: SortKey.VALUE,
    Column.PURCHASES: SortKey.PURCHASES,
}


_NUMERIC = (Column.DAYS_SINCE, Column.VALUE, Column.PURCHASES)
_COLUMNS = tuple(Column)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

#: The roles ``data`` answers, each with the columns it answers it for (None: all). A view
#: asks each painted cell for about eight roles; the others, and these roles in other
#: columns, are answered None before the row is looked up (a paint of the list is a
#: hundred cells, on every sort, scroll and selection).
_ROLE_COLUMNS: dict[int, frozenset[int] | None] = {
    int(Qt.ItemDataRole.DisplayRole): None,
    CONTACT_ID_ROLE: None,
    int(Qt.ItemDataRole.DecorationRole): frozenset({Column.LAST_TOUCH}),
    STAGE_CHIP_ROLE: frozenset({Column.NAME}),
    int(Qt.ItemDataRole.ForegroundRole): frozenset({Column.NEXT_FOLLOWUP}),
    int(Qt.ItemDataRole.FontRole): frozenset({Column.NEXT_FOLLOWUP}),
    int(Qt.ItemDataRole.ToolTipRole): frozenset(
        {Column.LAST_TOUCH, Column.NAME, Column.NEXT_FOLLOWUP}
    ),
    int(Qt.ItemDataRole.TextAlignmentRole): frozenset(_NUMERIC),
}
_NOT_ANSWERED: frozenset[int] = frozenset()


def followup_text(day: date | None, today: date) -> str:
    """A next follow-up as the list shows it: "Today", "3 d overdue", "12 Dec"."""
    if day is None:
        return ""
    days = (day - today).days
    if days < 0:
        return f"{-days:,} d overdue"
    if days == 0:
        return "Today"
    if days == 1:
        return "Tomorrow"
    text = day.strftime("%d %b").lstrip("0")
    return text if day.year == today.year else f"{text} {day.year}"


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone().date()
    return value.strftime("%d %b %Y").lstrip("0")


class ContactTableModel(QAbstractTableModel):
    """Rows of the current ``ContactQuery``: ids a page at a time, cells a block at a time."""

    PAGE_SIZE = 200
    #: Rows whose cells are read together when one of them is first shown.
    BLOCK_SIZE = 32

    #: The total number of contacts the current query matches (for the status bar).
    total_changed = Signal(int)
    #: A refresh after a change (``reload(keep_loaded=True)``) has been applied.
    refreshed = Signal()

    def __init__(
        self, database: Database, parent: Any = None, *, runner: TaskRunner | None = None
    ) -> None:
        super().__init__(parent)
        self._database = database
        self._runner = runner
        self._query = ContactQuery()
        self._ids: list[int] = []
        #: Row of each loaded id (built on demand by ``row_of``).
        self._rows: dict[int, int] = {}
        self._cells: dict[int, ContactRow] = {}
        self._more = False
        self._total = 0
        self._generation = 0
        self._counting: Task | None = None
        #: The query, its order left out, that ``_total`` counts while nothing has changed
        #: since: sorting the same matches another way needs no new count.
        self._counted: ContactQuery | None = None
        self._counting_for: ContactQuery | None = None
        self._today = local_today()
        self._stage_tones: dict[str, str] = {}
        self._count_soon = QTimer(self)
        self._count_soon.setSingleShot(True)
        self._count_soon.setInterval(0)
        self._count_soon.timeout.connect(self._count)
        self.reload()

    # --- the query ------------------------------------------------------------------------

    @property
    def query(self) -> ContactQuery:
        return self._query

    @property
    def total(self) -> int:
        """The number of matches, as last counted (a background count may still be running)."""
        return self._total

    def set_query(self, query: ContactQuery) -> None:
        if query != self._query:
            self._query = query
            self.reload()

    def reload(self, keep_loaded: bool = False) -> None:
        """Run the query again; with ``keep_loaded`` as many rows as were shown are reloaded.

        A new query is answered at once (a keystroke must show its page). A refresh after a
        change (``keep_loaded``) may cover thousands of loaded rows: it is read on the runner,
        the rows shown stay until it arrives, and ``refreshed`` is emitted then; a refresh
        overtaken by a newer one is dropped.
        """
        wanted = max(len(self._ids), self.PAGE_SIZE) if keep_loaded else self.PAGE_SIZE
        self._generation += 1
        if keep_loaded:
            self._counted = None  # A refresh after a change: the matches may have changed.
        generation, query, database = self._generation, self._query, self._database
        if not keep_loaded or self._runner is None:
            # Stage colours change only with the stages: read again after a change, not on
            # every keystroke of a search.
            if keep_loaded or not self._stage_tones:
                self._stage_tones = stage_tones(database)
            self._reset(wanted, listing.first_page(database, query, wanted, self.BLOCK_SIZE))
            if keep_loaded:
                self.refreshed.emit()
            return

        def work(_progress: Progress) -> tuple[int, listing.FirstPage, dict[str, str]] | None:
            if generation != self._generation:
                return None
            return (
                generation,
                listing.first_page(database, query, wanted, self.BLOCK_SIZE),
                stage_tones(database),
            )

        def done(result: tuple[int, listing.FirstPage, dict[str, str]] | None) -> None:
            if result is None or result[0] != self._generation:
                return
            self._stage_tones = result[2]
            self._reset(wanted, result[1])
            self.refreshed.emit()

        task = Task(work)
        task.finished.connect(done)
        self._runner.submit(task)

    def _reset(self, wanted: int, page: listing.FirstPage) -> None:
        self.beginResetModel()
        self._today = local_today()
        self._ids = page.ids
        self._rows = {}
        self._more = len(self._ids) == wanted
        # The first rows' cells came with the ids, in the same read, before the count starts
        # beside them on the runner: the view asks for them at once.
        self._cells = {row.id: row for row in page.rows}
        self.endResetModel()
        if self._more and isinstance(self._runner, ThreadRunner):
            # Counted from the event loop's next turn, once the view has painted the new rows:
            # the count's own Python on the worker would otherwise hold the interpreter lock
            # while the keystroke's rows are still being painted (docs/architecture.md,
            # "Pauses"). A newer query before then is counted instead.
            self._count_soon.start()
        else:
            self._count_soon.stop()
            self._count()

    def stage_tone(self, label: str) -> str:
        """The chip tone of a stage, as the list paints it."""
        return self._stage_tones.get(label, "neutral")

    def _count(self) -> None:
        generation, query, database = self._generation, self._query, self._database
        self._counting_for = dataclasses.replace(query, sort=SortKey.NAME, descending=False)
        if not self._more:
            # The whole result is loaded: its length is the count.
            self._on_counted((generation, len(self._ids)))
            return
        if self._counting_for == self._counted:
            # Only the order changed: the count stands (at 100,000 contacts a new count keeps
            # the runner busy beside the paint of the sorted rows for about 80 ms).
            self._on_counted((generation, self._total))
            return
        if self._runner is None:
            self._on_counted((generation, contacts.count_contacts(database, query)))
            return

        def work(_progress: Progress) -> tuple[int, int] | None:
            if generation != self._generation:
                return None  # Typed on since: this count would be thrown away.
            return generation, contacts.count_contacts(database, query)

        task = Task(work)
        task.finished.connect(self._on_counted)
        self._counting = task
        self._runner.submit(task)

    def _on_counted(self, result: tuple[int, int] | None) -> None:
        if result is None or result[0] != self._generation:
            return
        self._counted = self._counting_for
        self._total = max(result[1], len(self._ids))
        self.total_changed.emit(self._total)

    # --- lazy paging ----------------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        page = contacts.contact_ids(self._database, self._query, len(self._ids), self.PAGE_SIZE)
        self._more = len(page) == self.PAGE_SIZE
        known = set(self._ids)
        # Rows added or removed elsewhere since the last page can shift the offsets.
        page = [contact_id for contact_id in page if contact_id not in known]
        if not page:
            return
        first = len(self._ids)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._ids.extend(page)
        self.endInsertRows()

    def fetch_all(self, then: Callable[[], None] | None = None) -> None:
        """Load every remaining id of the query (to reach or select rows far down).

        At 100,000 contacts that read takes longer than a frame, so with a runner it goes on
        the runner and the ids are added when they arrive; ``then`` runs once they are in (not
        at all if the query changed meanwhile). Without a runner it happens at once.
        """
        if not self._more:
            if then is not None:
                then()
            return
        generation, query, database = self._generation, self._query, self._database
        offset, known = len(self._ids), frozenset(self._ids)

        def read() -> list[int]:
            rest = contacts.contact_ids(database, query, offset, 10**9)
            return [contact_id for contact_id in rest if contact_id not in known]

        def add(rest: list[int]) -> None:
            self._append_rest(rest, changed=len(self._ids) != offset)
            if then is not None:
                then()

        if self._runner is None:
            add(read())
            return

        def work(_progress: Progress) -> tuple[int, list[int]] | None:
            if generation != self._generation:
                return None
            return generation, read()

        def done(result: tuple[int, list[int]] | None) -> None:
            if result is None or result[0] != self._generation:
                return  # A newer query took over: these ids are not its rows.
            add(result[1])

        task = Task(work)
        task.finished.connect(done)
        self._runner.submit(task)

    def _append_rest(self, rest: list[int], *, changed: bool) -> None:
        """Add the last ids of the query; ``changed`` when pages were added since they were
        asked for (those are left out of ``rest`` here)."""
        if changed:
            loaded = set(self._ids)
            rest = [contact_id for contact_id in rest if contact_id not in loaded]
        self._more = False
        if rest:
            first = len(self._ids)
            self.beginInsertRows(QModelIndex(), first, first + len(rest) - 1)
            self._ids.extend(rest)
            self.endInsertRows()

    def _row(self, number: int) -> ContactRow | None:
        contact_id = self._ids[number]
        row = self._cells.get(contact_id)
        if row is None:
            start = number - number % self.BLOCK_SIZE
            block = [i for i in self._ids[start : start + self.BLOCK_SIZE] if i not in self._cells]
            for found in contacts.rows_for_ids(self._database, block):
                self._cells[found.id] = found
            row = self._cells.get(contact_id)
        return row

    # --- Qt model interface ---------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

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
        if role == Qt.ItemDataRole.InitialSortOrderRole and column == Column.DAYS_SINCE:
            # The first click answers "whom have I not spoken to for longest?"
            return Qt.SortOrder.DescendingOrder.value
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        columns = _ROLE_COLUMNS.get(role, _NOT_ANSWERED)
        if columns is not None and index.column() not in columns:
            return None
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == CONTACT_ID_ROLE:
            return self._ids[index.row()]
        row = self._row(index.row())
        if row is None:
            return None  # Deleted since the ids were read; the next reload drops it.
        column = _COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.DecorationRole and column == Column.LAST_TOUCH:
            return self._medium_icon(row.last_touch_medium)
        if role == STAGE_CHIP_ROLE and column == Column.NAME and row.stage_label:
            return row.stage_label, self._stage_tones.get(row.stage_label, "neutral")
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.NEXT_FOLLOWUP:
            overdue = row.next_followup_on is not None and row.next_followup_on < self._today
            return theme.color("danger") if overdue else None
        if role == Qt.ItemDataRole.FontRole and column == Column.NEXT_FOLLOWUP:
            if row.next_followup_on is not None and row.next_followup_on <= self._today:
                font = QFont()
                font.setWeight(QFont.Weight.DemiBold)
                return font
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
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
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, contact_id: int) -> int | None:
        if len(self._rows) != len(self._ids):
            # Rebuilt after a reload or a page (cheap next to the SQL that brought the ids).
            self._rows = {cid: row for row, cid in enumerate(self._ids)}
        return self._rows.get(contact_id)

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
                return followup_text(row.next_followup_on, self._today)
            case Column.QUALIFICATION:
                return row.qualification.label
            case Column.LIFECYCLE | Column.SATISFACTION | Column.VALUE | Column.PURCHASES:
                from desktop_app.sales.cells import sales_cell  # noqa: PLC0415

                return sales_cell(row, column.name)

    def _tooltip(self, row: ContactRow, column: Column) -> str | None:
        if column == Column.LAST_TOUCH and row.last_touch_at is not None:
            medium = Medium(row.last_touch_medium).label if row.last_touch_medium else ""
            local = row.last_touch_at.astimezone(UTC).astimezone()
            return f"{medium} on {local:%A %d %B %Y, %H:%M}".strip()
        if column == Column.NAME:
            parts = [f"{row.name} — {row.title}" if row.title else row.name]
            if row.stage_label:
                parts.append(f"Stage: {row.stage_label}")
            return "\n".join(parts)
        if column == Column.NEXT_FOLLOWUP and row.next_followup_on is not None:
            days = (row.next_followup_on - self._today).days
            due = format_date(row.next_followup_on)
            if days < 0:
                late = "1 day" if days == -1 else f"{-days:,} days"
                return f"Overdue by {late} (was due {due})"
            if days == 0:
                return "Due today"
            return f"Due {due}" + (" (tomorrow)" if days == 1 else f" (in {days:,} days)")
        return None

    @staticmethod
    def _medium_icon(medium: str | None) -> QIcon | None:
        return icons.medium_icon(Medium(medium)) if medium else None
