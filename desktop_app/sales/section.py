"""The detail pane's sales section: lifecycle, value, purchases and satisfaction of a contact.

Recording a sale or feedback goes through the ``OpsBus``; the contacts page reloads the
contact on the change it announces, which shows it here again (lifecycle, stage and value
change at once).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import NoResultFound

from db import feedback, purchases, value
from db.clock import local_today
from db.contacts import ContactDetail
from db.engine import Database
from db.feedback import Change, FeedbackInput, Satisfaction
from db.lifecycle import Lifecycle
from db.purchases import PurchaseError, PurchaseInput, PurchaseNotFoundError, PurchaseRow
from desktop_app import icons, theme
from desktop_app.contacts.table_model import format_date
from desktop_app.dialogs import show_error
from desktop_app.ops import Changes, OpsBus, WriteFailedError
from desktop_app.sales.cells import LEVEL_TONES, LIFECYCLE_TONES
from desktop_app.sales.dialogs import FeedbackDialog, PurchaseDialog
from desktop_app.widgets import UndoBar

PURCHASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: What a recorded sale may have changed (the contact's columns, stage, plan follow-ups).
SALE_CHANGES = Changes(contacts=True, stages=True, followups=True, purchases=True)
FEEDBACK_CHANGES = Changes(contacts=True, feedback=True)

#: How the level moved since the form before (the previous level follows up and down).
CHANGE_TEXT = {Change.UP: "▲ up from", Change.DOWN: "▼ down from", Change.SAME: "= unchanged"}


def _chip(text: str, tone: str) -> str:
    return theme.chip_html(text, tone)


@dataclass(frozen=True)
class _SalesFacts:
    """What the section shows of one contact, read together."""

    status: Lifecycle
    worth: value.ContactValue
    currency: str
    satisfaction: Satisfaction
    purchases: list[PurchaseRow]


class SalesSection(QWidget):
    """Shows and records a contact's purchases and feedback."""

    def __init__(self, ops: OpsBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("salesSection")
        self.ops = ops
        self.contact: ContactDetail | None = None
        #: The day lifecycle is computed for; tests fix it.
        self.today: date | None = None

        title = QLabel("PURCHASES & SATISFACTION")
        title.setObjectName("sectionTitle")
        self.badges = QLabel()
        self.badges.setTextFormat(Qt.TextFormat.RichText)
        self.badges.setWordWrap(True)
        self.value_label = QLabel()
        self.value_label.setObjectName("valueLabel")
        self.value_label.setTextFormat(Qt.TextFormat.RichText)
        self.value_label.setWordWrap(True)
        self.satisfaction_label = QLabel()
        self.satisfaction_label.setTextFormat(Qt.TextFormat.RichText)
        self.satisfaction_label.setWordWrap(True)

        self.list = QTreeWidget()
        self.list.setObjectName("purchaseList")
        self.list.setColumnCount(3)
        self.list.setHeaderLabels(["Date", "Product", "Amount"])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.list.itemSelectionChanged.connect(self._on_purchase_selected)
        self.list.itemDoubleClicked.connect(lambda _item, _column: self.edit_selected())
        self.empty = QLabel("No purchases yet.")
        self.empty.setObjectName("quietNote")

        self.record_button = QPushButton(icons.icon("add"), "Record sale…")
        self.record_button.setObjectName("primaryButton")
        self.record_button.clicked.connect(self.record_sale)
        self.feedback_button = QPushButton(icons.icon("star"), "Record feedback…")
        self.feedback_button.clicked.connect(self.record_feedback)
        self.edit_button = QPushButton(icons.icon("edit"), "Edit")
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton(icons.icon("delete"), "Delete")
        self.delete_button.clicked.connect(self.delete_selected)
        self.undo_bar = UndoBar()
        self.notice = QLabel()
        self.notice.setObjectName("saleNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()

        actions = QHBoxLayout()
        actions.addWidget(self.record_button)
        actions.addWidget(self.feedback_button)
        actions.addStretch(1)
        row_actions = QHBoxLayout()
        row_actions.addStretch(1)
        row_actions.addWidget(self.edit_button)
        row_actions.addWidget(self.delete_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(title)
        layout.addWidget(self.badges)
        # Lifecycle and satisfaction head the pane's status line; not repeated here.
        self.badges.hide()
        layout.addWidget(self.value_label)
        layout.addLayout(actions)
        layout.addWidget(self.notice)
        layout.addWidget(self.empty)
        layout.addWidget(self.list)
        layout.addLayout(row_actions)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.satisfaction_label)
        self._on_purchase_selected()

    def _today(self) -> date:
        return self.today or local_today()

    # --- showing --------------------------------------------------------------------------

    def show_contact(self, contact: ContactDetail | None) -> None:
        self._show(contact, None if contact is None else self._read(self.ops.database, contact))

    def read(self, database: Database, contact: ContactDetail) -> object:
        return self._read(database, contact)

    def _read(self, database: Database, contact: ContactDetail) -> _SalesFacts | None:
        """The contact's lifecycle, value, currency, satisfaction and purchases (on the runner
        when a contact is selected); None if the contact vanished meanwhile."""
        today = self._today()
        try:
            return _SalesFacts(
                status=purchases.contact_lifecycle(database, contact.id, today),
                worth=value.contact_value(database, contact.id, today),
                currency=purchases.currency(database),
                satisfaction=feedback.satisfaction(database, contact.id),
                purchases=purchases.purchases_of(database, contact.id),
            )
        except NoResultFound:
            return None

    def show_read(self, contact: ContactDetail, data: object) -> None:
        self._show(contact, cast("_SalesFacts | None", data))

    def _show(self, contact: ContactDetail | None, facts: _SalesFacts | None) -> None:
        changed = contact is None or self.contact is None or contact.id != self.contact.id
        self.contact = contact
        if changed:
            self.undo_bar.hide()
            self.notice.hide()
        if contact is None:
            self.list.clear()
            return
        trashed = contact.deleted_at is not None
        for button in (self.record_button, self.feedback_button):
            button.setEnabled(not trashed)
        if facts is None:  # the contact vanished under us; show nothing
            self.list.clear()
            return
        status, worth, currency = facts.status, facts.worth, facts.currency
        satisfaction = facts.satisfaction

        chips = [_chip(status.label, LIFECYCLE_TONES[status])]
        if satisfaction.level is not None:
            chips.append(_chip(satisfaction.level.label, LEVEL_TONES[satisfaction.level]))
        self.badges.setText(" ".join(chips))

        if worth.purchases:
            per_year = f"{worth.per_year:.1f}".rstrip("0").rstrip(".")
            self.value_label.setText(
                f"Historic value <b>{value.display(worth.historic, currency)}</b>"
                + (
                    f" · at stake <b>{value.display(worth.at_stake, currency)}</b>"
                    " (inactive: win them back)"
                    if worth.at_stake
                    else f" · predicted <b>{value.display(worth.predicted, currency)}</b>"
                )
                + "<br>"
                f'<span style="color:{theme.hex_of("muted")};">{worth.purchases:,} '
                f"purchase{'s' if worth.purchases != 1 else ''}, average "
                f"{value.display(worth.average_order, currency)}, about {per_year} a year"
                "</span>"
            )
        else:
            self.value_label.setText(theme.muted_html("No value yet."))

        self._fill_list(facts.purchases, currency)
        self.satisfaction_label.setText(self._satisfaction_html(satisfaction))

    def _fill_list(self, rows: list[PurchaseRow], currency: str) -> None:
        selected = self.selected_purchase_id()
        self.list.clear()
        for row in rows:
            shown_currency = row.currency or currency
            item = QTreeWidgetItem(
                [
                    format_date(row.purchased_on),
                    row.product,
                    value.display(row.amount, shown_currency),
                ]
            )
            item.setData(0, PURCHASE_ID_ROLE, row.id)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if row.note:
                for column in range(3):
                    item.setToolTip(column, row.note)
            self.list.addTopLevelItem(item)
            if row.id == selected:
                item.setSelected(True)
        self.list.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self._fit_list()
        self._on_purchase_selected()

    #: The purchase list grows with its rows up to this many, then scrolls.
    MAX_ROWS_SHOWN = 5

    def _fit_list(self) -> None:
        """As tall as its rows (a one-sale customer gets one row, not a box of blank ones)."""
        rows = min(self.list.topLevelItemCount(), self.MAX_ROWS_SHOWN)
        if rows == 0:
            return
        height = self.list.header().sizeHint().height() + 2 * self.list.frameWidth()
        height += rows * self.list.sizeHintForRow(0)
        self.list.setFixedHeight(height + 2)

    @staticmethod
    def _satisfaction_html(s: feedback.Satisfaction) -> str:
        if s.level is None or s.latest is None:
            return theme.muted_html("No feedback yet.")
        parts = [f"Satisfaction: <b>{escape(s.level.label)}</b>"]
        if s.change is Change.SAME:
            parts.append(f" {CHANGE_TEXT[s.change]}")
        elif s.change is not None and s.previous is not None:
            parts.append(f" {CHANGE_TEXT[s.change]} {escape(s.previous.label.lower())}")
        forms = f"{s.forms} form{'s' if s.forms != 1 else ''}"
        parts.append(
            f'<br><span style="color:{theme.hex_of("muted")};">{forms}, latest '
            f"{format_date(s.latest.received_on)}</span>"
        )
        if s.latest.comment:
            parts.append(f"<br><i>“{escape(s.latest.comment)}”</i>")
        return "".join(parts)

    def selected_purchase_id(self) -> int | None:
        items = self.list.selectedItems()
        return int(items[0].data(0, PURCHASE_ID_ROLE)) if items else None

    def _on_purchase_selected(self) -> None:
        has = self.selected_purchase_id() is not None
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)
        self.edit_button.setVisible(self.list.topLevelItemCount() > 0)
        self.delete_button.setVisible(self.list.topLevelItemCount() > 0)

    # --- actions --------------------------------------------------------------------------

    def record_sale(self) -> None:
        contact = self.contact
        if contact is None:
            return
        today = self._today()
        data = PurchaseDialog.ask(self.ops.database, contact.name, None, today, self)
        while True:
            if data is None:
                return
            entered = data
            try:
                recorded = self.ops.run(_recording(contact.id, entered, today), SALE_CHANGES)
                break
            except PurchaseError as exc:
                show_error(self, "The sale was not recorded", "\n".join(exc.errors.values()))
                return
            except WriteFailedError as exc:
                # Nothing was written: say why and give the form back as it was typed.
                show_error(self, "The sale was not recorded", str(exc))
                data = PurchaseDialog.ask(
                    self.ops.database, contact.name, None, today, self, draft=entered
                )
        notes = []
        if recorded.moved_to:
            notes.append(f"moved to {recorded.moved_to}")
        if recorded.started_plan:
            if recorded.skipped_steps:
                steps = "step" if recorded.skipped_steps == 1 else "steps"
                notes.append(
                    f"the 100-day plan has started, with {recorded.skipped_steps} {steps}"
                    " already in the past skipped"
                )
            else:
                notes.append("the 100-day plan has started")
        self.notice.setText("Sale recorded" + (": " + " and ".join(notes) if notes else "") + ".")
        self.notice.show()

    def edit_selected(self) -> None:
        purchase_id = self.selected_purchase_id()
        contact = self.contact
        if purchase_id is None or contact is None:
            return
        try:
            current = purchases.get_purchase(self.ops.database, purchase_id)
        except PurchaseNotFoundError:
            return
        today = self._today()
        data = PurchaseDialog.ask(self.ops.database, contact.name, current, today, self)
        while data is not None:
            entered = data
            try:
                self.ops.run(_updating(purchase_id, entered, today), SALE_CHANGES)
                return
            except PurchaseError as exc:
                show_error(self, "The purchase was not saved", "\n".join(exc.errors.values()))
                return
            except WriteFailedError as exc:
                show_error(self, "The purchase was not saved", str(exc))
                data = PurchaseDialog.ask(
                    self.ops.database, contact.name, current, today, self, draft=entered
                )

    def delete_selected(self) -> None:
        purchase_id = self.selected_purchase_id()
        if purchase_id is None:
            return
        try:
            gone = self.ops.run(lambda db: purchases.delete_purchase(db, purchase_id), SALE_CHANGES)
        except PurchaseNotFoundError:
            return
        self.undo_bar.offer(
            f"Deleted the purchase of {gone.product} ({value.display(gone.amount)}).",
            lambda: self.ops.run(lambda db: purchases.restore_purchase(db, gone), SALE_CHANGES),
        )

    def record_feedback(self) -> None:
        contact = self.contact
        if contact is None:
            return
        today = self._today()
        data = FeedbackDialog.ask(self.ops.database, contact.id, contact.name, today, self)
        while data is not None:
            entered = data
            try:
                self.ops.run(_recording_feedback(contact.id, entered, today), FEEDBACK_CHANGES)
                return
            except feedback.FeedbackError as exc:
                show_error(self, "The feedback was not recorded", "\n".join(exc.errors.values()))
                return
            except WriteFailedError as exc:
                # Nothing was written: say why, and give the form back as it was filled in.
                show_error(self, "The feedback was not recorded", str(exc))
                data = FeedbackDialog.ask(
                    self.ops.database, contact.id, contact.name, today, self, draft=entered
                )


def _recording(
    contact_id: int, sale: PurchaseInput, today: date
) -> Callable[[Database], purchases.Recorded]:
    return lambda db: purchases.record_purchase(db, contact_id, sale, today=today)


def _recording_feedback(
    contact_id: int, form: FeedbackInput, today: date
) -> Callable[[Database], object]:
    return lambda db: feedback.record_feedback(db, contact_id, form, today=today)


def _updating(purchase_id: int, sale: PurchaseInput, today: date) -> Callable[[Database], None]:
    def update(db: Database) -> None:
        purchases.update_purchase(db, purchase_id, sale, today=today)

    return update
