"""File → Import contacts…: a wizard from a file to contacts, with nothing written until the end.

Steps: choose the file (its format, encoding and delimiter are shown and can be changed, with
the first rows as they read); check which contact field each column fills (CSV only); the
preview, read in the background: new contacts, contacts already here (skip, update or add
each), and rows that cannot be imported with their line and reason; the import itself, in the
background with a progress bar and Cancel; and what was done. The reading and writing are
``db.importing.service``'s; a cancelled or failed import writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from db.clock import local_today
from db.importing import csvfile, service
from db.importing.csvfile import DELIMITERS, ENCODINGS, CsvDialect
from db.importing.errors import ImportProblemError
from db.importing.fields import SLOTTED, ColumnRule, Field, Mapping
from db.importing.service import (
    DuplicateAction,
    ImportOptions,
    ImportSource,
    ImportSummary,
    Preview,
    PreviewRow,
)
from desktop_app import theme
from desktop_app.dialogs import Dialog
from desktop_app.ops import Changes, OpsBus
from desktop_app.tasks import CancelledError, ImmediateRunner, Progress, Task, TaskRunner
from desktop_app.widgets import FieldError

log = logging.getLogger(__name__)

IMPORT_CHANGES = Changes(contacts=True, tags=True, stages=True)
STEPS = ("File", "Columns", "Preview", "Import", "Done")
_ACTION_TEXT = {
    DuplicateAction.SKIP: "Skip",
    DuplicateAction.UPDATE: "Update",
    DuplicateAction.CREATE: "Add as new",
}
_FILE_FILTER = (
    "Contacts (*.csv *.vcf *.vcard *.txt);;CSV files (*.csv *.txt);;vCards (*.vcf *.vcard)"
)


def default_tag(today: date) -> str:
    return f"imported {today.isoformat()}"


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    return table


def _item(text: str, tip: str = "") -> QTableWidgetItem:
    shown = " ⏎ ".join(text.splitlines()) if "\n" in text else text
    item = QTableWidgetItem(shown)
    item.setToolTip(tip or (text if len(text) > 40 else ""))
    return item


def _hint(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


# --- Step 1: the file ----------------------------------------------------------------------------


class FileStep(QWidget):
    """The file, and how it reads: format, encoding, delimiter, with its first rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = QLineEdit()
        self.path.setPlaceholderText(
            "A .csv file from Google Contacts, Outlook or a spreadsheet, or a .vcf"
        )
        self.path.setReadOnly(True)
        self.choose = QPushButton("Choose file…")
        self.choose.setObjectName("primaryButton")
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.choose)
        self.error = FieldError()

        self.format = QComboBox()
        self.format.addItem("CSV (spreadsheet)", service.Format.CSV)
        self.format.addItem("vCard", service.Format.VCARD)
        self.encoding = QComboBox()
        for codec, name in ENCODINGS.items():
            self.encoding.addItem(name, codec)
        self.delimiter = QComboBox()
        for char, name in DELIMITERS.items():
            self.delimiter.addItem(name, char)
        self.layout_label = QLabel()
        self.form = QFormLayout()
        self.form.addRow("Format", self.format)
        self.form.addRow("Encoding", self.encoding)
        self.form.addRow("Delimiter", self.delimiter)
        self.form.addRow("Looks like", self.layout_label)
        self.details = QWidget()
        self.details.setLayout(self.form)
        self.sample_title = QLabel("THE FIRST ROWS, AS THEY READ")
        self.sample_title.setObjectName("sectionTitle")
        self.sample = _table([])
        self.sample_hint = _hint(
            "If letters look wrong (Ã© instead of é), pick another encoding; if everything is "
            "in one column, pick another delimiter."
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            _hint(
                "Export your contacts from Google Contacts (Export → Google CSV), Outlook "
                "(File → Open & Export → Import/Export → Export to a file → CSV), your phone "
                "(a .vcf file) or any spreadsheet saved as CSV. Nothing is written until you "
                "have seen the preview."
            )
        )
        layout.addLayout(file_row)
        layout.addWidget(self.error)
        layout.addWidget(self.details)
        layout.addWidget(self.sample_title)
        layout.addWidget(self.sample, 100)
        layout.addWidget(self.sample_hint)
        layout.addStretch(1)  # keeps a vCard's few fields at the top
        self.show_source(None)

    def show_source(self, source: ImportSource | None) -> None:
        has = source is not None
        self.details.setVisible(has)
        is_csv = source is not None and source.format is service.Format.CSV
        for widget in (self.sample_title, self.sample, self.sample_hint):
            widget.setVisible(is_csv)
        for field_widget in (self.encoding, self.delimiter, self.layout_label):
            field_widget.setVisible(is_csv)
            label = self.form.labelForField(field_widget)
            if label is not None:
                label.setVisible(is_csv)
        if source is None:
            return
        self.path.setText(str(source.path))
        for combo, value in ((self.format, source.format),):
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(value))
            combo.blockSignals(False)
        if source.dialect is None:
            return
        self.encoding.blockSignals(True)
        if self.encoding.findData(source.dialect.encoding) < 0:
            self.encoding.addItem(
                csvfile.encoding_name(source.dialect.encoding), source.dialect.encoding
            )
        self.encoding.setCurrentIndex(self.encoding.findData(source.dialect.encoding))
        self.encoding.blockSignals(False)
        self.delimiter.blockSignals(True)
        self.delimiter.setCurrentIndex(self.delimiter.findData(source.dialect.delimiter))
        self.delimiter.blockSignals(False)
        self.layout_label.setText(f"{source.layout} ({_plural(len(source.headers), 'column')})")
        try:
            rows = csvfile.preview_rows(source.path, source.dialect)
        except (OSError, csvfile.CsvFileError) as exc:
            self.error.show_message(str(exc))
            rows = [list(source.headers)]
        headers = rows[0] if rows else []
        self.sample.clear()
        self.sample.setColumnCount(len(headers))
        self.sample.setHorizontalHeaderLabels(headers)
        self.sample.setRowCount(len(rows) - 1)
        for r, cells in enumerate(rows[1:]):
            for c, cell in enumerate(cells[: len(headers)]):
                self.sample.setItem(r, c, _item(cell))
        self.sample.resizeColumnsToContents()
        for c in range(self.sample.columnCount()):
            self.sample.setColumnWidth(c, min(self.sample.columnWidth(c), 220))

    def dialect(self) -> CsvDialect:
        return CsvDialect(str(self.encoding.currentData()), str(self.delimiter.currentData()))


# --- Step 2: the columns -------------------------------------------------------------------------

_CHOICES = [
    Field.NAME,
    Field.FIRST_NAME,
    Field.MIDDLE_NAME,
    Field.LAST_NAME,
    Field.NAME_PREFIX,
    Field.NAME_SUFFIX,
    Field.COMPANY,
    Field.TITLE,
    Field.EMAIL,
    Field.EMAIL_LABEL,
    Field.PHONE,
    Field.PHONE_LABEL,
    Field.STREET,
    Field.CITY,
    Field.REGION,
    Field.POSTAL_CODE,
    Field.COUNTRY,
    Field.ADDRESS,
    Field.NOTES,
    Field.TAGS,
    Field.STAGE,
    Field.CENTRE_OF_INFLUENCE,
    Field.DO_NOT_CONTACT,
    Field.HAS_NEED,
    Field.HAS_BUDGET,
    Field.HAS_URGENCY,
    Field.DECISION_MAKER,
    Field.PURCHASE_INTERVAL,
    Field.EXTRA,
    Field.IGNORE,
]


class MappingStep(QWidget):
    """Which contact field each column of the file fills."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = _table(["Column in the file", "Example", "Imports as"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.combos: list[QComboBox] = []
        self.rules: list[ColumnRule] = []
        self.headers: tuple[str, ...] = ()
        self.summary = _hint()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(
            _hint(
                "Each column of the file fills the contact field on the right. Columns you "
                "leave out are not imported; “Add to notes” keeps a column in the notes under "
                "its name. A name is made from the name parts when there is no full name; a "
                "row with only a company or only an email is imported too."
            )
        )
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

    def show_source(self, source: ImportSource) -> None:
        self.headers = source.headers
        self.rules = list(source.mapping)
        examples: list[list[str]] = [[] for _ in source.headers]
        assert source.dialect is not None
        try:
            rows = csvfile.preview_rows(source.path, source.dialect, count=20)[1:]
        except (OSError, csvfile.CsvFileError):
            rows = []
        for cells in rows:
            for c, cell in enumerate(cells[: len(examples)]):
                if cell.strip() and len(examples[c]) < 2:
                    examples[c].append(" ".join(cell.split()))
        self.table.setRowCount(len(source.headers))
        self.combos = []
        for r, header in enumerate(source.headers):
            self.table.setItem(r, 0, _item(header or f"(column {r + 1})"))
            self.table.setItem(r, 1, _item(" · ".join(examples[r])))
            combo = QComboBox()
            for choice in _CHOICES:
                combo.addItem(choice.label, choice)
            combo.setCurrentIndex(combo.findData(self.rules[r].field))
            combo.currentIndexChanged.connect(lambda _i, row=r: self._on_choice(row))
            self.combos.append(combo)
            self.table.setCellWidget(r, 2, combo)
        self.table.resizeColumnToContents(0)
        self.table.setColumnWidth(0, min(max(self.table.columnWidth(0), 140), 260))
        self.table.setColumnWidth(2, 210)
        self.table.resizeRowsToContents()
        self._describe()

    def _on_choice(self, row: int) -> None:
        field = self.combos[row].currentData()
        assert isinstance(field, Field)
        old = self.rules[row]
        if field is old.field:
            return
        slot = 0
        if field in SLOTTED:
            # A column moved to email or phone becomes a value of its own (after the others).
            slot = max((r.slot for r in self.rules if r.field is field), default=0) + 1
        label = self.headers[row] if field is Field.EXTRA else ""
        self.rules[row] = ColumnRule(field, slot, label)
        self._describe()
        self.changed.emit()

    def set_field(self, row: int, field: Field) -> None:
        """Choose what a column imports as (what picking it in its list does)."""
        self.combos[row].setCurrentIndex(self.combos[row].findData(field))

    def mapping(self) -> Mapping:
        return tuple(self.rules)

    def _describe(self) -> None:
        used = [r for r in self.rules if r.field is not Field.IGNORE]
        names = {r.field for r in used}
        has_name = names & {Field.NAME, Field.FIRST_NAME, Field.LAST_NAME, Field.COMPANY}
        text = f"{_plural(len(used), 'column')} of {len(self.rules)} will be imported."
        if not has_name and not names & {Field.EMAIL, Field.PHONE}:
            text += " No column gives a name, company, email or phone: every row would be refused."
        self.summary.setText(text)


# --- Step 3: the preview -------------------------------------------------------------------------


class PreviewStep(QWidget):
    """What the import will do: new contacts, matches, and rows it cannot import."""

    changed = Signal()

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview: Preview | None = None
        self.choices: dict[int, DuplicateAction] = {}
        self.counts = QLabel()
        self.counts.setObjectName("importCounts")
        self.counts.setWordWrap(True)
        self.message = FieldError()
        self.tabs = QTabWidget()

        self.new_table = _table(["Line", "Contact"])
        self.matched_table = _table(["Line", "In the file", "Already here", "Do"])
        self.invalid_table = _table(["Line", "Why it cannot be imported", "In the file"])
        self.new_table.horizontalHeader().setStretchLastSection(True)
        self.invalid_table.horizontalHeader().setStretchLastSection(True)
        header = self.matched_table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)

        matched = QWidget()
        matched_layout = QVBoxLayout(matched)
        self.duplicate_group = QButtonGroup(self)
        matched_layout.addWidget(
            QLabel("Rows that match a contact already here (the same email, else the same phone):")
        )
        policy = QHBoxLayout()
        self.policy_buttons: dict[DuplicateAction, QRadioButton] = {}
        for action, text in (
            (DuplicateAction.SKIP, "Skip them"),
            (DuplicateAction.UPDATE, "Update the contact"),
            (DuplicateAction.CREATE, "Add as new contacts"),
        ):
            button = QRadioButton(text)
            button.setChecked(action is DuplicateAction.SKIP)
            button.toggled.connect(self._on_policy)
            self.duplicate_group.addButton(button)
            self.policy_buttons[action] = button
            policy.addWidget(button)
        policy.addStretch(1)
        matched_layout.addLayout(policy)
        matched_layout.addWidget(
            _hint(
                "Update fills in and replaces the fields the file has, and adds emails, phones "
                "and tags the contact lacks; nothing is removed. To treat some rows "
                "differently, select them and choose below."
            )
        )
        matched_layout.addWidget(self.matched_table, 1)
        row_buttons = QHBoxLayout()
        row_buttons.addWidget(QLabel("Selected rows:"))
        self.row_buttons: dict[DuplicateAction, QPushButton] = {}
        for action in DuplicateAction:
            row_button = QPushButton(_ACTION_TEXT[action])
            row_button.clicked.connect(lambda _c=False, a=action: self.choose_for_selected(a))
            self.row_buttons[action] = row_button
            row_buttons.addWidget(row_button)
        row_buttons.addStretch(1)
        matched_layout.addLayout(row_buttons)

        invalid = QWidget()
        invalid_layout = QVBoxLayout(invalid)
        self.invalid_hint = _hint()
        invalid_layout.addWidget(self.invalid_hint)
        invalid_layout.addWidget(self.invalid_table, 1)
        self.skip_invalid = QCheckBox("Leave these rows out and import the rest")
        self.skip_invalid.toggled.connect(lambda _on: self.changed.emit())
        invalid_layout.addWidget(self.skip_invalid)

        self.tabs.addTab(self.new_table, "New")
        self.tabs.addTab(matched, "Already here")
        self.tabs.addTab(invalid, "Cannot import")

        self.tag_check = QCheckBox("Tag the new contacts")
        self.tag_check.setChecked(True)
        self.tag = QLineEdit(default_tag(today))
        self.tag.setMinimumWidth(220)
        self.tag.setMaximumWidth(320)
        self.tag_check.toggled.connect(self.tag.setEnabled)
        self.tag.textChanged.connect(lambda _t: self.changed.emit())
        self.tag_check.toggled.connect(lambda _on: self.changed.emit())
        self.tag_error = FieldError()
        tag_row = QHBoxLayout()
        tag_row.addWidget(self.tag_check)
        tag_row.addWidget(self.tag)
        tag_row.addWidget(_hint("so they can be found, and removed together, later"), 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.counts)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(tag_row)
        layout.addWidget(self.tag_error)

    def show_preview(self, preview: Preview) -> None:
        self.preview = preview
        self.choices = {}
        self.message.show_message(None)
        parts = [
            f"<b>{_plural(preview.rows, 'row')}</b> read from {preview.source.path.name}:",
            f"<b>{preview.new:,}</b> new",
            f"<b>{preview.matched:,}</b> already here",
            f"<b>{preview.invalid:,}</b> cannot be imported",
        ]
        text = parts[0] + " " + ", ".join(parts[1:]) + "."
        if preview.blank:
            text += f" {_plural(preview.blank, 'empty row')} left out."
        if max(preview.new, preview.matched, preview.invalid) > service.SHOWN:
            text += f" Each list shows its first {service.SHOWN:,} rows."
        self.counts.setText(text)
        self._fill(self.new_table, [(str(r.line), r.summary) for r in preview.new_rows])
        self._fill(
            self.invalid_table, [(str(r.line), r.error, r.summary) for r in preview.invalid_rows]
        )
        self._fill_matched()
        for index, (count, shown, name) in enumerate(
            (
                (preview.new, len(preview.new_rows), "New"),
                (preview.matched, len(preview.matched_rows), "Already here"),
                (preview.invalid, len(preview.invalid_rows), "Cannot import"),
            )
        ):
            self.tabs.setTabText(index, f"{name} ({count:,})")
            del shown
        more = preview.invalid - len(preview.invalid_rows)
        self.invalid_hint.setText(
            "Nothing is written while the file has rows that cannot be imported: fix them in "
            "the file and choose it again, or leave them out."
            + (
                f" The first {len(preview.invalid_rows):,} are listed; {more:,} more."
                if more > 0
                else ""
            )
            if preview.invalid
            else "Every row can be imported."
        )
        self.skip_invalid.setChecked(False)
        self.skip_invalid.setEnabled(preview.invalid > 0)
        if preview.invalid:
            self.tabs.setCurrentIndex(2)
        elif preview.matched:
            self.tabs.setCurrentIndex(1)
        else:
            self.tabs.setCurrentIndex(0)
        self.changed.emit()

    def _fill(self, table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
        table.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                item = _item(text)
                if c == 0:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(r, c, item)
        table.resizeColumnToContents(0)
        if table is self.invalid_table:
            table.resizeColumnToContents(1)
            table.setColumnWidth(1, min(max(table.columnWidth(1), 200), 460))

    def _fill_matched(self) -> None:
        assert self.preview is not None
        rows = self.preview.matched_rows
        self._fill(
            self.matched_table,
            [(str(r.line), r.summary, r.existing, self._action_text(r)) for r in rows],
        )
        self.matched_table.setColumnWidth(2, 220)
        self.matched_table.setColumnWidth(3, 130)
        for button in self.row_buttons.values():
            button.setEnabled(bool(rows))

    def _action_text(self, row: PreviewRow) -> str:
        action = self.choices.get(row.line, self.policy())
        return _ACTION_TEXT[action] + (" (chosen)" if row.line in self.choices else "")

    def policy(self) -> DuplicateAction:
        for action, button in self.policy_buttons.items():
            if button.isChecked():
                return action
        return DuplicateAction.SKIP

    def set_policy(self, action: DuplicateAction) -> None:
        self.policy_buttons[action].setChecked(True)

    def _on_policy(self, checked: bool) -> None:
        if checked and self.preview is not None:
            self._refresh_actions()

    def choose_for_selected(self, action: DuplicateAction) -> None:
        if self.preview is None:
            return
        rows = {index.row() for index in self.matched_table.selectionModel().selectedRows()}
        for r in rows:
            self.choices[self.preview.matched_rows[r].line] = action
        self._refresh_actions()

    def _refresh_actions(self) -> None:
        assert self.preview is not None
        for r, row in enumerate(self.preview.matched_rows):
            item = self.matched_table.item(r, 3)
            if item is not None:
                item.setText(self._action_text(row))
        self.changed.emit()

    def tag_text(self) -> str:
        return " ".join(self.tag.text().split()) if self.tag_check.isChecked() else ""

    def problem(self) -> str | None:
        """Why the import cannot start yet (shown beside what to change), or None."""
        tag_problem = service.check_tag(self.tag_text())
        self.tag_error.show_message(tag_problem)
        if tag_problem:
            return tag_problem
        if self.preview is None:
            return "Nothing to import yet."
        if self.preview.invalid and not self.skip_invalid.isChecked():
            return "Some rows cannot be imported: fix the file, or leave them out."
        writes = self.preview.new + (
            self.preview.matched
            if self.policy() is not DuplicateAction.SKIP
            else sum(1 for a in self.choices.values() if a is not DuplicateAction.SKIP)
        )
        if writes == 0:
            return "There is nothing new to import."
        return None

    def options(self) -> ImportOptions:
        return ImportOptions(
            on_duplicate=self.policy(),
            choices=dict(self.choices),
            skip_invalid=self.skip_invalid.isChecked(),
            tag=self.tag_text(),
        )


# --- Steps 4 and 5: working, and done -------------------------------------------------------------


class WorkStep(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("importWorking")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.detail = _hint()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.bar)
        layout.addWidget(self.detail)
        layout.addStretch(2)

    def start(self, title: str, detail: str) -> None:
        self.title.setText(title)
        self.detail.setText(detail)
        self.bar.setValue(0)

    def progressed(self, done: int, total: int) -> None:
        self.bar.setValue(done * 1000 // total if total else 0)


class DoneStep(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.invalid = _table(["Line", "Left out because"])
        self.invalid.horizontalHeader().setStretchLastSection(True)
        self.find_hint = _hint()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addWidget(self.find_hint)
        layout.addWidget(self.invalid, 1)
        layout.addStretch(1)

    def show_summary(self, summary: ImportSummary, tag: str) -> None:
        lines = [
            f"<b>{_plural(summary.created, 'contact')}</b> created"
            + (f", tagged “{tag}”" if tag and summary.created else ""),
            f"<b>{summary.updated:,}</b> updated",
            f"<b>{summary.skipped:,}</b> skipped (already here)",
        ]
        if summary.invalid:
            lines.append(f"<b>{summary.invalid:,}</b> left out (listed below)")
        self.text.setText("<br>".join(lines))
        self.find_hint.setText(
            f"Type “{tag}” in the search box of Contacts to see just the new ones."
            if tag and summary.created
            else ""
        )
        self.find_hint.setVisible(bool(tag and summary.created))
        self.invalid.setVisible(bool(summary.invalid_rows))
        self.invalid.setRowCount(len(summary.invalid_rows))
        for r, row in enumerate(summary.invalid_rows):
            line = _item(str(row.line))
            line.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.invalid.setItem(r, 0, line)
            self.invalid.setItem(r, 1, _item(row.error))
        self.invalid.resizeColumnToContents(0)


# --- The wizard ------------------------------------------------------------------------------


class ImportWizard(Dialog):
    """Import contacts from a file, step by step; ``ask`` returns what was imported."""

    imported = Signal(object)

    def __init__(
        self,
        ops: OpsBus,
        runner: TaskRunner | None = None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import contacts")
        self.setObjectName("importWizard")
        self.setMinimumSize(720, 500)
        self.resize(900, 600)
        self.ops = ops
        self.runner = runner or ImmediateRunner()
        self.today = today or local_today()
        self.source: ImportSource | None = None
        self.summary: ImportSummary | None = None
        self.task: Task | None = None
        self._after_cancel: Callable[[], None] | None = None
        self._closing = False

        self.heading = QLabel()
        self.heading.setObjectName("pageTitle")
        self.steps_label = QLabel()
        self.steps_label.setObjectName("wizardSteps")
        self.steps_label.setTextFormat(Qt.TextFormat.RichText)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.steps_label)

        self.file_step = FileStep()
        self.mapping_step = MappingStep()
        self.preview_step = PreviewStep(self.today)
        self.work_step = WorkStep()
        self.done_step = DoneStep()
        self.stack = QStackedWidget()
        for step in (
            self.file_step,
            self.mapping_step,
            self.preview_step,
            self.work_step,
            self.done_step,
        ):
            self.stack.addWidget(step)

        self.back_button = QPushButton("Back")
        self.next_button = QPushButton("Next")
        self.next_button.setObjectName("primaryButton")
        self.next_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.status = _hint()
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)

        self.file_step.choose.clicked.connect(self._on_choose)
        self.file_step.format.currentIndexChanged.connect(self._on_format)
        self.file_step.encoding.currentIndexChanged.connect(self._on_dialect)
        self.file_step.delimiter.currentIndexChanged.connect(self._on_dialect)
        self.preview_step.changed.connect(self._update_buttons)
        self.back_button.clicked.connect(self.go_back)
        self.next_button.clicked.connect(self.go_next)
        self.cancel_button.clicked.connect(self._on_cancel)
        self._show(self.file_step)

    # --- navigation ---

    def _show(self, step: QWidget, title: str = "", index: int | None = None) -> None:
        self.stack.setCurrentWidget(step)
        titles = {
            self.file_step: ("Choose the file", 0),
            self.mapping_step: ("Check the columns", 1),
            self.preview_step: ("Check what will be imported", 2),
            self.work_step: ("Importing", 3),
            self.done_step: ("Your contacts are in", 4),
        }
        title, index = (title or titles[step][0]), (titles[step][1] if index is None else index)
        self.heading.setText(title)
        marks = []
        current = theme.hex_of("link")
        for i, name in enumerate(STEPS):
            if i == index:
                marks.append(f"<b style='color:{current}'>{i + 1} {name}</b>")
            else:
                marks.append(theme.muted_html(f"{i + 1} {name}"))
        self.steps_label.setText(" &nbsp;&rsaquo;&nbsp; ".join(marks))
        self.status.setText("")
        self._update_buttons()

    def current_step(self) -> QWidget | None:
        return self.stack.currentWidget()

    def _update_buttons(self) -> None:
        step = self.current_step()
        working = step is self.work_step
        done = step is self.done_step
        self.back_button.setVisible(step in (self.mapping_step, self.preview_step))
        self.next_button.setVisible(not working)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setVisible(not done)
        if step is self.file_step:
            self.next_button.setText("Next")
            self.next_button.setEnabled(self.source is not None)
        elif step is self.mapping_step:
            self.next_button.setText("Preview")
            self.next_button.setEnabled(True)
        elif step is self.preview_step:
            problem = self.preview_step.problem()
            self.next_button.setText("Import")
            self.next_button.setEnabled(problem is None)
            self.status.setText(problem or "")
        elif done:
            self.next_button.setText("Close")
            self.next_button.setEnabled(True)

    def go_back(self) -> None:
        step = self.current_step()
        if step is self.preview_step and self.source is not None:
            csv = self.source.format is service.Format.CSV
            self._show(self.mapping_step if csv else self.file_step)
        elif step is self.mapping_step:
            self._show(self.file_step)

    def go_next(self) -> None:
        step = self.current_step()
        if step is self.file_step and self.source is not None:
            if self.source.format is service.Format.CSV:
                self.mapping_step.show_source(self.source)
                self._show(self.mapping_step)
            else:
                self.start_preview()
        elif step is self.mapping_step and self.source is not None:
            self.source = self.source.with_mapping(self.mapping_step.mapping())
            self.start_preview()
        elif step is self.preview_step:
            if self.preview_step.problem() is None:
                self.start_import()
        elif step is self.done_step:
            self.accept()

    # --- step 1 ---

    @classmethod
    def choose_path(cls, parent: QWidget) -> Path | None:
        """Ask for the file (tests replace this)."""
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
        chosen, _filter = QFileDialog.getOpenFileName(
            parent, "Import contacts from", folder or str(Path.home()), _FILE_FILTER
        )
        return Path(chosen) if chosen else None

    def _on_choose(self) -> None:
        path = self.choose_path(self)
        if path is not None:
            self.open_file(path)

    def open_file(self, path: Path, fmt: service.Format | None = None) -> None:
        """Look at ``path`` in the background (telling its encoding reads all of it), then
        show how it reads, or why it cannot be read."""
        self.file_step.error.show_message(None)
        self.file_step.path.setText(str(path))
        self.source = None
        self.file_step.show_source(None)
        self._update_buttons()
        self.status.setText(f"Reading {path.name}…")
        self.file_step.choose.setEnabled(False)
        self._run(
            lambda _progress: service.open_source(path, fmt),
            self._on_opened,
            lambda error: self._on_open_failed(path, error),
        )

    def _on_opened(self, source: ImportSource) -> None:
        self.file_step.choose.setEnabled(True)
        self.status.setText("")
        self.source = source
        self.file_step.show_source(source)
        self._update_buttons()

    def _on_open_failed(self, path: Path, error: Exception) -> None:
        self.file_step.choose.setEnabled(True)
        self.status.setText("")
        if not isinstance(error, OSError | ImportProblemError):
            raise error
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        self.file_step.error.show_message(f"{path.name} cannot be read: {reason}")

    def _on_format(self) -> None:
        fmt = self.file_step.format.currentData()
        if (
            self.source is not None
            and isinstance(fmt, service.Format)
            and fmt != self.source.format
        ):
            self.open_file(self.source.path, fmt)

    def _on_dialect(self) -> None:
        if self.source is None or self.source.format is not service.Format.CSV:
            return
        dialect = self.file_step.dialect()
        if dialect == self.source.dialect:
            return
        try:
            self.source = self.source.with_dialect(dialect)
        except (OSError, ImportProblemError, csvfile.CsvFileError) as exc:
            self.file_step.error.show_message(str(exc))
            return
        self.file_step.error.show_message(None)
        self.file_step.show_source(self.source)

    # --- background work ---

    def _run(
        self,
        work: Callable[[Progress], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        task = Task(work)
        self.task = task
        task.progressed.connect(self.work_step.progressed)
        task.finished.connect(lambda result: self._finished(task, on_done, result))
        task.failed.connect(lambda error: self._finished(task, on_error, error))
        self.runner.submit(task)

    def _finished(self, task: Task, then: Callable[[Any], None], value: Any) -> None:
        if self.task is task:
            self.task = None
        if self._closing:
            self.reject()
            return
        then(value)

    def start_preview(self) -> None:
        source = self.source
        assert source is not None
        database = self.ops.database
        self.work_step.start(
            f"Reading {source.path.name}…", "Nothing is written yet: this only reads the file."
        )
        self._show(self.work_step, "Reading the file", 2)

        def work(progress: Progress) -> Preview:
            try:
                return service.preview(database, source, progress=progress.update)
            except service.ImportCancelledError:
                raise CancelledError from None

        self._run(work, self._on_preview, self._on_preview_failed)

    def _on_preview(self, preview: Preview) -> None:
        self.preview_step.show_preview(preview)
        self._show(self.preview_step)

    def _on_preview_failed(self, error: Exception) -> None:
        csv = self.source is not None and self.source.format is service.Format.CSV
        self._show(self.mapping_step if csv else self.file_step)
        if isinstance(error, CancelledError):
            self.status.setText("Stopped reading the file.")
            return
        self.status.setText(f"The file cannot be read: {error}")

    def start_import(self) -> None:
        source = self.source
        assert source is not None
        options = self.preview_step.options()
        database = self.ops.database
        self.work_step.start(
            f"Importing {source.path.name}…",
            "Everything is written at once at the end: Cancel leaves the database as it was.",
        )
        self._show(self.work_step)

        def work(progress: Progress) -> ImportSummary:
            try:
                return service.run_import(database, source, options, progress=progress.update)
            except service.ImportCancelledError:
                raise CancelledError from None

        self._run(
            work,
            lambda summary: self._on_imported(summary, options.tag),
            self._on_import_failed,
        )

    def _on_imported(self, summary: ImportSummary, tag: str) -> None:
        self.summary = summary
        self.ops.announce(IMPORT_CHANGES)
        self.done_step.show_summary(summary, tag)
        self._show(self.done_step)
        self.imported.emit(summary)

    def _on_import_failed(self, error: Exception) -> None:
        self._show(self.preview_step)
        if isinstance(error, CancelledError):
            self.preview_step.message.show_message("Import cancelled: nothing was written.")
            return
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        self.preview_step.message.show_message(f"Nothing was imported: {reason}")

    def _on_cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.status.setText("Stopping…")
            self.cancel_button.setEnabled(False)
            return
        self.reject()

    def reject(self) -> None:
        if self.task is not None:
            # Let the work stop and roll back first; the dialog closes when it reports.
            self._closing = True
            self.task.cancel()
            return
        super().reject()

    @classmethod
    def ask(
        cls, ops: OpsBus, runner: TaskRunner | None, parent: QWidget | None = None
    ) -> ImportSummary | None:
        """Run the wizard; what was imported, or None if nothing was."""
        wizard = cls(ops, runner, parent)
        wizard.exec()
        return wizard.summary
