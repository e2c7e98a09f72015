"""The contacts page: search box, filters, the lazily paged table and the detail pane.

The same page shows the trash (``set_trash``): deleted contacts can be restored from there or
deleted for good.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db import backups, contacts, derived, journeys, lifecycle
from db.contacts import (
    ContactDetail,
    ContactInput,
    ContactNotFoundError,
    ContactRow,
    ValidationError,
)
from db.engine import Database
from db.journeys import StageInfo
from desktop_app import icons, options
from desktop_app import touches as touch_ui
from desktop_app.contacts.bulk import add_bulk_actions
from desktop_app.contacts.columns import ColumnLayout, ContactCellDelegate
from desktop_app.contacts.detail import DetailPane, ReadAhead
from desktop_app.contacts.filters import FilterBar, Filters
from desktop_app.contacts.table_model import Column, ContactTableModel
from desktop_app.dialogs import Confirm, show_error
from desktop_app.journeys.moves import add_stage_menu, backward_reason
from desktop_app.ops import Changes, OpsBus, WriteFailedError
from desktop_app.sales.filters import SalesFilters
from desktop_app.tasks import CancelledError, Progress
from desktop_app.undo import run_long_undoable, run_undoable
from desktop_app.widgets import SearchField, UndoBar

__all__ = ["ContactsPage", "UndoBar"]  # UndoBar: still importable from here

log = logging.getLogger(__name__)

ALL_TAGS = "All tags"
#: A selected contact as read on the runner: its id, detail, its sections' read-ahead and its
#: list row (for the status line).
DetailRead = tuple[int, ContactDetail | None, ReadAhead, ContactRow | None]

CONTACT_CHANGES = ("contacts", "tags", "stages", "touches", "followups", "purchases")


#: When, after the page is made, the statements of a contact's changes are built.
PREPARE_WRITES_AFTER_MS = 4000


class ContactsPage(QWidget):
    """Lists contacts (or the trash) and hosts the actions on them."""

    selection_changed = Signal(object)
    status_message = Signal(str)
    #: The owner asked to bring in contacts from a file (from the empty list).
    import_requested = Signal()

    def __init__(self, ops: OpsBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.model = ContactTableModel(ops.database, self, runner=ops.runner)
        self._trash = False

        self.search = SearchField("Search name, company, email, phone or tag  (Ctrl+F)")
        self.search.textChanged.connect(self._on_search)
        self.tag_filter = QComboBox()
        self.tag_filter.setMinimumWidth(160)
        self.tag_filter.setToolTip("Show only contacts with this tag")
        self.tag_filter.currentIndexChanged.connect(self._on_tag_filter)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.filters = FilterBar(ops)
        self.filters.changed.connect(self._apply_query)
        self.new_button = QPushButton("New contact")
        self.new_button.setObjectName("primaryButton")
        self.new_button.clicked.connect(self.new_contact)
        self.empty_trash_button = QPushButton(icons.icon("trash"), "Empty trash")
        self.empty_trash_button.clicked.connect(self.empty_trash)
        self.empty_trash_button.hide()
        self.sales_filters = SalesFilters()
        self.sales_filters.changed.connect(self._apply_query)
        self.title = QLabel("Contacts")
        self.title.setObjectName("pageTitle")

        self.table = QTableView()
        self.table.setObjectName("contactsTable")
        self.table.setModel(self.model)
        # The indicator first, so that enabling sorting asks for the order already loaded.
        self.table.horizontalHeader().setSortIndicator(Column.NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_context_menu)
        self.table.doubleClicked.connect(self._on_double_clicked)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        # The header highlights nothing, yet each time it paints it asks its selection model
        # whether every row is selected, one row at a time: with 10,000 rows selected that is
        # 50,000 calls into the model per paint. Its own selection model, always empty, keeps
        # the header out of the rows' selection (the table's own is unchanged).
        header.setSelectionModel(QItemSelectionModel(self.model, header))
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.setItemDelegate(ContactCellDelegate(self.table))
        self.columns = ColumnLayout(self.table, ops.runner)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.model.total_changed.connect(self._on_total)
        self.model.modelReset.connect(self._on_selection)
        self.model.refreshed.connect(self._on_refreshed)
        #: The contacts selected when a change arrived, selected again once the list is read.
        self._reselecting: list[int] | None = None

        self.detail = DetailPane()
        self.detail.reread_after = frozenset(CONTACT_CHANGES)  # see _on_changed
        self.detail.edit_requested.connect(self.edit_contact)
        self.detail.trash_requested.connect(lambda cid: self._trash_or_purge([cid]))
        self.detail.restore_requested.connect(lambda cid: self.restore([cid]))
        self.detail.contact_link_activated.connect(self.select_contact)
        self.detail.setVisible(options.get(options.SHOW_DETAIL_PANE))
        touch_ui.add_detail_sections(self.detail, ops)

        self.undo_bar = UndoBar()
        self.empty_hint = QLabel()
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)
        self.empty_hint.hide()
        self.import_button = QPushButton(icons.icon("import"), "Import contacts…")
        self.import_button.setToolTip("From Google Contacts, Outlook, a phone's vCard or a CSV")
        self.import_button.clicked.connect(self.import_requested)
        self.import_button.hide()

        bar = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addSpacing(12)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.new_button)
        bar.addWidget(self.empty_trash_button)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(0)
        left_layout.addWidget(self.table, 1)
        # The empty list's words, with the import button right under them.
        self.empty_state = QWidget()
        empty_layout = QVBoxLayout(self.empty_state)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_hint)
        empty_layout.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(1)
        self.empty_state.hide()
        left_layout.addWidget(self.empty_state, 1)
        left_layout.addWidget(self.undo_bar)

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 8)
        layout.setSpacing(10)
        layout.addLayout(bar)
        count_row = QHBoxLayout()
        count_row.addWidget(self.count_label)
        count_row.addSpacing(12)
        # Every filter on one row under the search box, which keeps the width it needs.
        count_row.addWidget(self.filters)
        count_row.addWidget(self.tag_filter)
        count_row.addWidget(self.sales_filters)
        count_row.addStretch(1)
        layout.addLayout(count_row)
        layout.addWidget(self.splitter, 1)

        self._make_actions()
        self._reload_tags()
        self._on_total(self.model.total)
        ops.changed.connect(self._on_changed)
        # Lifecycle statuses that ran out (a day passed) are brought up to date now and every
        # hour, so the list keeps sorting and filtering by lifecycle on its index.
        self._lifecycle_timer = QTimer(self, interval=3_600_000)
        self._lifecycle_timer.timeout.connect(self._refresh_lifecycles)
        self._lifecycle_timer.start()
        QTimer.singleShot(0, self, self._refresh_lifecycles)
        # Once, on the runner, so that the first touch, snooze or tick is quick too; a few
        # seconds after start-up rather than with it: building the statements is Python
        # that holds the interpreter lock, and beside start-up's own work it held the window
        # up to 40 ms longer.
        # The page's own timer: a page closed before then asks nothing.
        self.prepare_timer = QTimer(self, singleShot=True, interval=PREPARE_WRITES_AFTER_MS)
        self.prepare_timer.timeout.connect(self._prepare_writes)
        self.prepare_timer.start()

    def _refresh_lifecycles(self) -> None:
        self.ops.upkeep(lifecycle.bring_up_to_date, Changes(purchases=True))

    def _prepare_writes(self) -> None:
        self.ops.upkeep(derived.prepare_writes, Changes())

    # --- actions --------------------------------------------------------------------------

    def _make_actions(self) -> None:
        self.find_action = QAction("Find", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self.focus_search)
        self.delete_action = QAction(icons.icon("delete"), "Delete", self)
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_action.triggered.connect(lambda: self._trash_or_purge(self.selected_ids()))
        self.edit_action = QAction(icons.icon("edit"), "Edit…", self)
        self.edit_action.setShortcuts([QKeySequence("Ctrl+E"), QKeySequence(Qt.Key.Key_Return)])
        self.edit_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.edit_action.triggered.connect(self._edit_current)
        self.table.addAction(self.edit_action)
        self.table.addAction(self.delete_action)
        self.addAction(self.find_action)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _selected_rows(self) -> list[int]:
        # From the selection's ranges: ``selectedRows()`` asks the model about every cell,
        # which takes seconds for thousands of rows.
        rows: set[int] = set()
        selection = self.table.selectionModel().selection()
        for index in range(selection.count()):
            selected = selection.at(index)
            rows.update(range(selected.top(), selected.bottom() + 1))
        return sorted(rows)

    def selected_ids(self) -> list[int]:
        rows = self._selected_rows()
        return [cid for row in rows if (cid := self.model.contact_id(row)) is not None]

    def current_id(self) -> int | None:
        # One selected row: every range of the selection is that row (read from the ranges,
        # without listing the rows of a selection of thousands).
        selection = self.table.selectionModel().selection()
        rows = {(selection.at(i).top(), selection.at(i).bottom()) for i in range(selection.count())}
        if len(rows) != 1:
            return None
        top, bottom = rows.pop()
        return self.model.contact_id(top) if top == bottom else None

    def new_contact(self) -> int | None:
        from desktop_app.contacts.editor import ContactDialog  # noqa: PLC0415 - after start

        stages = self._stages()
        data = ContactDialog.ask(self.ops.database, stages, None, self)
        contact_id = None
        while data is not None:
            entered = data
            try:
                contact_id = self._save(self._creating(entered), entered)
                break
            except WriteFailedError as exc:
                # Nothing was written: show why, and give the form back as it was typed.
                show_error(self, "The contact was not saved", str(exc))
                data = ContactDialog.ask(self.ops.database, stages, None, self, draft=entered)
        if data is None:
            return None
        if contact_id is not None:
            self.search.clear()
            self.select_contact(contact_id)
            self.status_message.emit(f"Added {contacts.normalise(data).name}.")
        return contact_id

    def edit_contact(self, contact_id: int) -> None:
        from desktop_app.contacts.editor import ContactDialog  # noqa: PLC0415 - after start

        try:
            current = contacts.get_contact(self.ops.database, contact_id)
        except ContactNotFoundError:
            self.model.reload(keep_loaded=True)
            return
        data = ContactDialog.ask(self.ops.database, self._stages(), current, self)
        if data is None:
            return
        stage = next((s for s in self._stages() if s.id == data.stage_id), None)
        reason = "" if stage is None else backward_reason(self.ops, [contact_id], stage, self)
        if reason is None:
            return
        while True:
            entered = data
            try:
                saved = self._save(
                    self._updating(contact_id, entered, reason),
                    entered,
                    undo=(f"Edit {current.name}", [contact_id]),
                )
                break
            except WriteFailedError as exc:
                show_error(self, "The changes were not saved", str(exc))
                again = ContactDialog.ask(
                    self.ops.database, self._stages(), current, self, draft=entered
                )
                if again is None:
                    return
                data = again
        if saved is not None:
            self.status_message.emit(f"Saved {contacts.normalise(data).name}.")

    @staticmethod
    def _creating(data: ContactInput) -> Callable[[Database], int | None]:
        return lambda db: contacts.create_contact(db, data)

    @staticmethod
    def _updating(
        contact_id: int, data: ContactInput, reason: str
    ) -> Callable[[Database], int | None]:
        def save(db: Database) -> None:
            contacts.update_contact(db, contact_id, data, stage_reason=reason)

        return save

    def _save(
        self,
        op: Callable[[Database], int | None],
        data: ContactInput,
        undo: tuple[str, list[int]] | None = None,
    ) -> int | None:
        """Run a save; returns the new contact's id (0 for an edit), None if it was refused.
        ``undo`` names an edit for Edit → Undo, with the contact it changes."""
        changes = Changes(contacts=True, tags=True, stages=True)
        try:
            if undo is None:
                result = self.ops.run(op, changes)
            else:
                result = run_undoable(self.ops, undo[0], undo[1], op, changes)
        except ValidationError as exc:
            show_error(self, "The contact was not saved", "\n".join(exc.errors.values()))
            return None
        return result or 0

    def _edit_current(self) -> None:
        contact_id = self.current_id()
        if contact_id is not None and not self._trash:
            self.edit_contact(contact_id)

    def _trash_or_purge(self, ids: list[int]) -> None:
        if not ids:
            return
        if self._trash:
            self.purge(ids)
        else:
            self.trash(ids)

    def trash(self, ids: list[int]) -> None:
        what = "1 contact" if len(ids) == 1 else f"{len(ids):,} contacts"

        def moved(count: int) -> None:
            moved_what = "1 contact" if count == 1 else f"{count:,} contacts"
            self.undo_bar.offer(f"{moved_what} moved to the trash.", self.ops.undo_stack.undo)

        self._bulk(
            f"Moving {len(ids):,} contacts to the trash…",
            lambda db, progress: contacts.trash_contacts(db, ids, progress=progress.update),
            Changes(contacts=True),
            moved,
            undo=(f"Move {what} to the trash", ids),
        )

    def restore(self, ids: list[int]) -> None:
        def restored(count: int) -> None:
            what = "1 contact" if count == 1 else f"{count:,} contacts"
            self.status_message.emit(f"Restored {what}.")

        self._bulk(
            f"Restoring {len(ids):,} contacts…",
            lambda db, _progress: contacts.restore_contacts(db, ids),
            Changes(contacts=True),
            restored,
        )

    def purge(self, ids: list[int]) -> None:
        what = "this contact" if len(ids) == 1 else f"these {len(ids):,} contacts"
        if not Confirm.ask(
            self,
            "Delete forever?",
            f"Delete {what} for good, with all their touches and history? This cannot be undone.",
            "Delete forever",
        ):
            return
        self._bulk(
            f"Deleting {len(ids):,} contacts…",
            lambda db, progress: contacts.purge_contacts(db, ids, progress=progress.update),
            Changes(contacts=True, tags=True),
            self._purged,
        )

    def empty_trash(self) -> None:
        total = self.model.total
        if not total:
            return
        what = "the contact" if total == 1 else f"all {total:,} contacts"
        if not Confirm.ask(
            self,
            "Empty the trash?",
            f"Delete {what} in the trash for good, with all their touches and history? "
            "This cannot be undone.",
            "Empty trash",
        ):
            return

        def empty(db: Database, progress: Progress) -> int:
            backups.take_backup(db, backups.BEFORE_EMPTYING_TRASH)
            return contacts.empty_trash(db, progress=progress.update)

        self._bulk("Emptying the trash…", empty, Changes(contacts=True, tags=True), self._purged)

    def _purged(self, gone: int) -> None:
        self.status_message.emit(f"Deleted {gone:,} for good.")

    def _bulk(
        self,
        title: str,
        op: Callable[[Database, Progress], int],
        changes: Changes,
        on_done: Callable[[int], None],
        *,
        undo: tuple[str, list[int]] | None = None,
    ) -> None:
        """A change to many contacts: in the background, cancellable, the window answering;
        ``undo`` names it for Edit → Undo, with the contacts it changes."""

        def cancellable(db: Database, progress: Progress) -> int:
            try:
                return op(db, progress)
            except contacts.ContactsCancelledError:
                raise CancelledError from None

        def failed(error: Exception) -> None:
            show_error(self, "The contacts were not changed", str(error))

        if undo is None:
            self.ops.run_long(self, title, cancellable, changes, on_done=on_done, on_error=failed)
            return
        text, ids = undo
        run_long_undoable(
            self.ops,
            self,
            title=title,
            text=text,
            contact_ids=ids,
            op=cancellable,
            changes=changes,
            on_done=on_done,
            on_error=failed,
        )

    # --- modes, filters and refreshing ----------------------------------------------------

    def set_trash(self, trash: bool) -> None:
        self._trash = trash
        self.title.setText("Trash" if trash else "Contacts")
        self.new_button.setVisible(not trash)
        self.empty_trash_button.setVisible(trash)
        self.tag_filter.setVisible(not trash)
        self.sales_filters.setVisible(not trash)
        self.filters.setVisible(not trash)
        self.delete_action.setText("Delete forever" if trash else "Delete")
        self.undo_bar.hide()
        self._apply_query()

    @property
    def in_trash(self) -> bool:
        return self._trash

    def _apply_query(self) -> None:
        self._reselecting = None
        tag = self.tag_filter.currentData() if not self._trash else None
        query = dataclasses.replace(
            self.model.query,
            text=self.search.text(),
            trash=self._trash,
            tag=tag,
            lifecycle=None if self._trash else self.sales_filters.lifecycle(),
            satisfaction=None if self._trash else self.sales_filters.satisfaction(),
        )
        self.model.set_query(query if self._trash else self.filters.apply(query))

    def _on_search(self, _text: str) -> None:
        self._apply_query()

    def _on_tag_filter(self, _index: int) -> None:
        self._apply_query()

    def _reload_tags(self) -> None:
        # Counting every tag's contacts is a scan: done in the background, shown when ready.
        self.ops.read(contacts.tag_counts, self._on_tags_counted)

    def _on_tags_counted(self, tags: list[contacts.TagCount]) -> None:
        current = self.tag_filter.currentData()
        self.tag_filter.blockSignals(True)
        self.tag_filter.clear()
        self.tag_filter.addItem(icons.icon("tag"), ALL_TAGS, None)
        for tag in tags:
            self.tag_filter.addItem(f"{tag.name}  ({tag.contacts:,})", tag.name)
        index = self.tag_filter.findData(current)
        self.tag_filter.setCurrentIndex(max(index, 0))
        self.tag_filter.blockSignals(False)
        if index < 0 and current is not None:
            self._apply_query()

    def _on_changed(self, changes: Changes) -> None:
        if not changes.touch(*CONTACT_CHANGES):
            return
        if self._reselecting is None:
            self._reselecting = self.selected_ids()
        if changes.touch("tags", "contacts"):
            self._reload_tags()
        self.model.reload(keep_loaded=True)

    def _on_refreshed(self) -> None:
        """The list was read again after a change: select again what was selected."""
        ids, self._reselecting = self._reselecting, None
        if ids is not None:
            self._reselect(ids)

    def _reselect(self, ids: list[int]) -> None:
        rows = sorted(row for i in ids if (row := self.model.row_of(i)) is not None)
        selection = QItemSelection()
        # Runs of neighbouring rows as one range each: thousands of rows select at once.
        runs: list[list[int]] = []
        for row in rows:
            if runs and row == runs[-1][1] + 1:
                runs[-1][1] = row
            else:
                runs.append([row, row])
        for first, last in runs:
            selection.select(self.model.index(first, 0), self.model.index(last, 0))
        if not selection.isEmpty():
            self.table.selectionModel().select(
                selection,
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._on_selection()

    def show_only(self, filters: Filters, *, lifecycle: str | None = None) -> None:
        """List just the contacts ``filters`` and ``lifecycle`` keep, other filters cleared."""
        for widget in (self.search, self.tag_filter, self.sales_filters, self.filters):
            widget.blockSignals(True)
        self.search.clear()
        self.tag_filter.setCurrentIndex(0)
        self.sales_filters.set_lifecycle(lifecycle)
        self.sales_filters.set_satisfaction(None)
        self.filters.set_filters(filters)
        for widget in (self.search, self.tag_filter, self.sales_filters, self.filters):
            widget.blockSignals(False)
        self._apply_query()

    def select_contact(self, contact_id: int) -> None:
        """Select and show one contact, fetching pages until it is loaded."""
        if self._trash:
            return
        row = self.model.row_of(contact_id)
        if row is None and (
            self.search.text()
            or self.tag_filter.currentData()
            or self.sales_filters.active
            or self.filters.active()
        ):
            self.search.clear()
            self.tag_filter.setCurrentIndex(0)
            self.sales_filters.reset()
            self.filters.clear()
            row = self.model.row_of(contact_id)
        if row is None:
            self.model.fetch_all()
            row = self.model.row_of(contact_id)
        if row is None:
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def _on_selection(self, *_args: object) -> None:
        contact_id = self.current_id()
        if contact_id is None:
            self.detail.show_contact(None)
        else:
            # The contact and its sections are read on the runner; a selection that moved on
            # before they arrive drops them (``_on_detail_read``). Sections still waiting to
            # be built are built first, so they read ahead too.
            pane = self.detail
            pane.build_sections()

            def read(
                db: Database,
            ) -> tuple[int, ContactDetail | None, ReadAhead, ContactRow | None]:
                try:
                    detail = contacts.get_contact(db, contact_id)
                except ContactNotFoundError:
                    return contact_id, None, {}, None
                rows = contacts.rows_for_ids(db, [contact_id])
                return contact_id, detail, pane.read_ahead(db, detail), rows[0] if rows else None

            self.ops.read(read, self._on_detail_read)
        self.delete_action.setEnabled(self.table.selectionModel().hasSelection())
        self.selection_changed.emit(contact_id)

    def _on_detail_read(self, result: DetailRead) -> None:
        contact_id, detail, read, row = result
        if contact_id == self.current_id():
            self.detail.show_contact(detail, read)
            if detail is not None:
                tone = self.model.stage_tone(detail.stage_label)
                self.detail.show_status(detail, row, tone)

    def _on_total(self, total: int) -> None:
        noun = "contact" if total == 1 else "contacts"
        filtered = bool(
            self.search.text()
            or (self.tag_filter.currentData() and not self._trash)
            or ((self.sales_filters.active or self.filters.active()) and not self._trash)
        )
        if self._trash:
            text = f"{total:,} {noun} in the trash"
        elif filtered:
            text = f"{total:,} {noun} " + ("matches" if total == 1 else "match")
        else:
            text = f"{total:,} {noun}"
        self.count_label.setText(text)
        empty = total == 0
        self.table.setVisible(not empty)
        self.empty_state.setVisible(empty)
        self.empty_hint.setVisible(empty)
        self.import_button.setVisible(empty and not self._trash and not filtered)
        if empty:
            if self._trash:
                self.empty_hint.setText("The trash is empty.")
            elif filtered:
                self.empty_hint.setText(
                    f"No contact matches “{self.search.text()}”."
                    if self.search.text()
                    else "No contact matches these filters."
                    if self.sales_filters.active or self.filters.active()
                    else "No contact has this tag."
                )
            else:
                self.empty_hint.setText(
                    "No contacts yet.\nPress “New contact” to add your first one, "
                    "or import the ones you already have."
                )
        self.empty_trash_button.setEnabled(not empty)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        contact_id = self.model.contact_id(index.row())
        if contact_id is not None and not self._trash:
            self.edit_contact(contact_id)

    def _on_context_menu(self, point: QPoint) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        menu = QMenu(self)
        if self._trash:
            menu.addAction(icons.icon("restore"), "Restore", lambda: self.restore(ids))
            menu.addAction(icons.icon("delete"), "Delete forever…", lambda: self.purge(ids))
        elif len(ids) == 1:
            menu.addAction(icons.icon("edit"), "Edit…", self._edit_current)
            menu.addAction(icons.icon("note"), "Log touch…", self._log_touch)
            add_stage_menu(menu, self.ops, ids, self)
            menu.addSeparator()
            menu.addAction(icons.icon("delete"), "Delete", lambda: self.trash(ids))
        else:
            add_bulk_actions(menu, self.ops, ids, self, self.trash)
        menu.exec(self.table.viewport().mapToGlobal(point))

    def _log_touch(self) -> None:
        touch_ui.log_touch(self, self.ops, self.current_id())

    def _stages(self) -> list[StageInfo]:
        return journeys.current_stages(self.ops.database)

    def toggle_detail(self, visible: bool) -> None:
        self.detail.setVisible(visible)
        options.put(options.SHOW_DETAIL_PANE, visible)
