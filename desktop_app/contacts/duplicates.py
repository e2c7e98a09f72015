"""Contacts → Find duplicates: the likely pairs, and merging a pair field by field.

The search runs on the background runner behind a progress dialog that can stop it; the pairs
come back as frozen ``db.duplicates.DuplicatePair`` rows. Merging asks, in ``MergeDialog``,
which value to keep where the two contacts differ, merges in one unit of work, and offers
Undo in the window's undo bar (``db.duplicates.undo_merge``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db import backups, duplicates
from db.duplicates import BOTH, FIELDS, JOINABLE, KEEP, OTHER, DuplicatePair, MergePreview
from db.engine import Database
from desktop_app.contacts.page import UndoBar
from desktop_app.dialogs import Dialog, FormDialog, show_error
from desktop_app.ops import Changes, OpsBus
from desktop_app.tasks import CancelledError, ImmediateRunner, Progress, run_with_progress

#: Everything a merge can move between contacts.
MERGE_CHANGES = Changes(
    contacts=True,
    tags=True,
    stages=True,
    touches=True,
    followups=True,
    purchases=True,
    feedback=True,
)
LABELS = dict(FIELDS)
SHOWN_LIMIT = 34


class PairsModel(QAbstractTableModel):
    """The likely pairs, one per row."""

    HEADERS = ("Contact", "Company", "Possible duplicate", "Company", "Why")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pairs: list[DuplicatePair] = []

    def set_pairs(self, pairs: list[DuplicatePair]) -> None:
        self.beginResetModel()
        self.pairs = list(pairs)
        self.endResetModel()

    def drop_contact(self, contact_id: int) -> None:
        """Remove every pair with this contact (it was merged away)."""
        self.set_pairs([p for p in self.pairs if contact_id not in (p.first_id, p.second_id)])

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.pairs)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        pair = self.pairs[index.row()]
        cells = (
            pair.first_name,
            pair.first_company,
            pair.second_name,
            pair.second_company,
            "; ".join(pair.reasons),
        )
        return cells[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


def _short(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= SHOWN_LIMIT else one_line[: SHOWN_LIMIT - 1] + "…"


def _plural(count: int, word: str, words: str = "") -> str:
    return f"{count:,} {word if count == 1 else words or word + 's'}"


class MergeDialog(FormDialog[dict[str, str]]):
    """Which value to keep for each field where the two contacts differ."""

    def __init__(self, preview: MergePreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        kept, other = preview.kept, preview.other
        kept_name, other_name = kept.shown["name"], other.shown["name"]
        self.setWindowTitle("Merge contacts")
        self.setMinimumWidth(600)

        heading = QLabel(f"Merge “{other_name}” into “{kept_name}”")
        heading_font = heading.font()
        heading_font.setBold(True)
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.2)
        heading.setFont(heading_font)
        heading.setWordWrap(True)
        moved = [
            _plural(kept.touches + other.touches, "touch", "touches"),
            _plural(kept.purchases + other.purchases, "purchase"),
            _plural(kept.followups + other.followups, "follow-up"),
            _plural(kept.feedback + other.feedback, "feedback form"),
            _plural(kept.stage_changes + other.stage_changes, "stage change"),
        ]
        summary = QLabel(
            f"One contact keeps everything both have: {', '.join(moved)}, and every email, "
            f"phone and tag. Where they differ, choose the value to keep. “{other_name}” then "
            "goes to the trash as it was; Undo puts everything back."
        )
        summary.setObjectName("hint")
        summary.setWordWrap(True)

        self.groups: dict[str, QButtonGroup] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(8)
        for column, title in enumerate(("", kept_name, other_name)):
            label = QLabel(title)
            font = label.font()
            font.setBold(True)
            label.setFont(font)
            grid.addWidget(label, 0, column)
        row = 1
        for name in preview.differing:
            grid.addWidget(QLabel(LABELS[name]), row, 0)
            group = QButtonGroup(self)
            choices = [(KEEP, kept.shown[name]), (OTHER, other.shown[name])]
            for column, (choice, shown) in enumerate(choices, start=1):
                button = QRadioButton(_short(shown) or "(empty)")
                button.setToolTip(shown)
                button.setProperty("choice", choice)
                button.setAccessibleName(f"{LABELS[name]}: {shown or 'empty'}")
                group.addButton(button)
                grid.addWidget(button, row, column)
            if name in JOINABLE and kept.shown[name] and other.shown[name]:
                row += 1
                both = QRadioButton("Both, one after the other")
                both.setProperty("choice", BOTH)
                group.addButton(both)
                grid.addWidget(both, row, 1, 1, 2)
            default = preview.default_choice(name)
            for choice_button in group.buttons():
                choice_button.setChecked(choice_button.property("choice") == default)
            self.groups[name] = group
            row += 1
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setRowStretch(row, 1)  # spare height below the fields, not between them
        fields = QWidget()
        fields.setLayout(grid)
        if not preview.differing:
            grid.addWidget(QLabel("Their details are the same; only their history is joined."))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(fields)
        scroll.viewport().setAutoFillBackground(False)
        fields.setAutoFillBackground(False)

        together = QLabel(
            "Kept from both: "
            + "; ".join(
                part
                for part in (
                    ", ".join(dict.fromkeys((*kept.emails, *other.emails))),
                    ", ".join(dict.fromkeys((*kept.phones, *other.phones))),
                    ", ".join(sorted({*kept.tags, *other.tags}, key=str.casefold)),
                )
                if part
            )
        )
        together.setObjectName("hint")
        together.setWordWrap(True)
        together.setVisible(bool(kept.emails or other.emails or kept.phones or other.phones))

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.merge_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.merge_button.setText("Merge")
        self.merge_button.setObjectName("primaryButton")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(summary)
        layout.addWidget(scroll, 1)
        layout.addWidget(together)
        layout.addWidget(buttons)
        self._fit(fields)

    def _fit(self, fields: QWidget) -> None:
        """As tall as the fields need, within the screen (small laptops included)."""
        screen = self.screen().availableGeometry()
        wanted = fields.sizeHint().height() + 260
        self.resize(min(720, screen.width() - 40), min(wanted, screen.height() - 60))

    def choose(self, name: str, choice: str) -> None:
        """Pick ``choice`` for a field (as a click on its button would)."""
        for button in self.groups[name].buttons():
            if button.property("choice") == choice:
                button.setChecked(True)

    def check(self) -> dict[str, str]:
        return {}

    def form_input(self) -> dict[str, str]:
        choices: dict[str, str] = {}
        for name, group in self.groups.items():
            button = group.checkedButton()
            choices[name] = KEEP if button is None else str(button.property("choice"))
        return choices

    @classmethod
    def ask(cls, preview: MergePreview, parent: QWidget | None = None) -> dict[str, str] | None:
        return cls(preview, parent).answer()


class DuplicatesDialog(Dialog):
    """The likely duplicate pairs among the contacts, each one a merge away."""

    merged = Signal(int)

    def __init__(self, ops: OpsBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: A backup is taken before the first merge each time the window is opened.
        self._backed_up = False
        self.ops = ops
        self.setWindowTitle("Find duplicates")
        self.resize(900, 520)
        heading = QLabel(
            "Contacts that may be the same person: the same email, the same phone number, "
            "or very similar names at the same company. Merge a pair to keep one contact "
            "with everything both had."
        )
        heading.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("countLabel")
        self.model = PairsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((170, 140, 170, 140)):
            header.resizeSection(column, width)
        self.table.doubleClicked.connect(lambda _index: self.merge_selected())
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.model.modelReset.connect(self._on_selection)
        self.undo_bar = UndoBar()

        self.merge_button = QPushButton("Merge…")
        self.merge_button.setObjectName("primaryButton")
        self.merge_button.clicked.connect(self.merge_selected)
        self.search_button = QPushButton("Search again")
        self.search_button.clicked.connect(self.search)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.search_button)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.undo_bar)
        layout.addLayout(buttons)
        self._on_selection()

    def search(self) -> None:
        """Look for pairs in the background (a progress dialog with Cancel if it takes long)."""
        self.status.setText("Looking for duplicates…")
        self.search_button.setEnabled(False)

        def work(progress: Progress) -> list[DuplicatePair]:
            try:
                return duplicates.find_duplicates(self.ops.database, progress=progress.update)
            except InterruptedError:
                raise CancelledError from None

        def failed(error: Exception) -> None:
            self.search_button.setEnabled(True)
            if isinstance(error, CancelledError):
                self.status.setText("The search was stopped.")
            else:
                self.status.setText("")
                show_error(self, "Duplicates could not be looked for", str(error))

        run_with_progress(
            self,
            self.ops.runner if self.ops.runner is not None else ImmediateRunner(),
            "Looking for duplicates…",
            work,
            on_done=self._on_found,
            on_error=failed,
        )

    def _on_found(self, pairs: list[DuplicatePair]) -> None:
        self.search_button.setEnabled(True)
        self.model.set_pairs(pairs)
        self._show_count()
        if pairs:
            self.table.selectRow(0)

    def _show_count(self) -> None:
        count = self.model.rowCount()
        self.status.setText(
            "No likely duplicates." if count == 0 else f"{_plural(count, 'likely pair')}."
        )

    def _on_selection(self) -> None:
        self.merge_button.setEnabled(self.selected() is not None)

    def selected(self) -> DuplicatePair | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.pairs[rows[0].row()] if rows else None

    def merge_selected(self) -> None:
        pair = self.selected()
        if pair is None:
            return
        try:
            preview = duplicates.merge_preview(self.ops.database, pair.first_id, pair.second_id)
        except duplicates.MergeError as exc:
            show_error(self, "These contacts cannot be merged", str(exc))
            return
        choices = MergeDialog.ask(preview, self)
        if choices is None:
            return
        first = not self._backed_up

        def merge(db: Database) -> duplicates.MergeRecord:
            if first:  # one backup before the first merge of this window's visit
                backups.backup_before(db, backups.BEFORE_MERGING)
            return duplicates.merge_contacts(db, pair.first_id, pair.second_id, choices)

        try:
            record = self.ops.run(merge, MERGE_CHANGES)
        except (duplicates.MergeError, backups.BackupError) as exc:
            show_error(self, "The contacts were not merged", str(exc))
            return
        self._backed_up = True
        self.model.drop_contact(record.other_id)
        self._show_count()
        self.merged.emit(record.kept_id)
        self.undo_bar.offer(
            f"Merged “{record.other_name}” into “{record.kept_name}”.",
            lambda: self._undo(record),
        )

    def _undo(self, record: duplicates.MergeRecord) -> None:
        try:
            self.ops.run(lambda db: duplicates.undo_merge(db, record), MERGE_CHANGES)
        except duplicates.MergeError as exc:
            show_error(self, "The merge was not undone", str(exc))
            return
        self.search()

    @classmethod
    def open_for(cls, ops: OpsBus, parent: QWidget | None = None) -> DuplicatesDialog:
        """Show the window and start looking."""
        dialog = cls(ops, parent)
        dialog.show()
        dialog.search()
        return dialog


__all__ = ["DuplicatesDialog", "MergeDialog", "PairsModel"]
