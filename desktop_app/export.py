"""Exporting a report from the app: File > Export report… and the Reports page's button.

The dialog picks one of the registered reports, a period where the report has one, and the
file (contacts can also be written as vCard, follow-ups as a calendar); ``export_report``
then writes it on the background runner, behind a progress dialog that can stop it. The file
is written whole to a temporary file that replaces the chosen one only at the end, so a
stopped or failed export leaves whatever was there before; the open database, its files and
its backups are refused as targets (``db.targets``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from db import vcard
from db.clock import local_today
from db.engine import Database
from db.export import (
    ExportCancelledError,
    ExportOptions,
    ReportKind,
    build,
    load_reports,
    write_csv,
)
from db.targets import TargetRefusedError, WriteFailedError, check_target
from desktop_app.dialogs import Confirm, FormDialog, show_error
from desktop_app.tasks import (
    CancelledError,
    ImmediateRunner,
    Progress,
    TaskRunner,
    run_with_progress,
)
from desktop_app.widgets import FieldError, pydate, qdate

#: How reports are called in the app; the others are named after their command-line name.
TITLES = {
    "contact-list": "Contact list (addresses)",
    "contacts": "Contacts with value and lifecycle",
    "followups": "Open follow-ups",
    "funnel": "Journey funnel",
    "mediums": "Touches by medium and stage",
    "purchases": "Purchases",
    "satisfaction": "Satisfaction forms",
    "satisfaction-by-month": "Satisfaction by month",
    "touches": "Touch log",
}

#: The one report that can also be written as a calendar.
CALENDAR_REPORT = "followups"
#: The reports that can also be written as vCard (every field vCard has of each contact).
VCARD_REPORTS = ("contacts", "contact-list")


def title_of(kind: ReportKind) -> str:
    return TITLES.get(kind.name, kind.name.replace("-", " ").capitalize())


@dataclass(frozen=True)
class ExportRequest:
    kind: ReportKind
    options: ExportOptions
    path: Path

    @property
    def calendar(self) -> bool:
        return self.kind.name == CALENDAR_REPORT and self.path.suffix.lower() == ".ics"

    @property
    def vcard(self) -> bool:
        return self.kind.name in VCARD_REPORTS and vcard.is_vcard_path(self.path)


class _DayChoice(QWidget):
    """An optional day: a check box that switches a date field on."""

    def __init__(self, label: str, day: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(label)
        self.date = QDateEdit(qdate(day))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("d MMM yyyy")
        self.date.setEnabled(False)
        self.check.toggled.connect(self.date.setEnabled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.check)
        row.addWidget(self.date)
        row.addStretch(1)

    def value(self) -> date | None:
        return pydate(self.date.date()) if self.check.isChecked() else None


class ExportDialog(FormDialog[ExportRequest]):
    """Which report, over which days, into which file."""

    def __init__(
        self,
        today: date,
        folder: Path,
        chosen: str | None = None,
        parent: QWidget | None = None,
        database_path: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self._database_path = database_path
        self.setWindowTitle("Export a report")
        self.setMinimumWidth(620)
        self._today = today
        self._folder = folder
        self._typed_path = False  # once the person picks a file, a new report keeps it
        self.reports = list(load_reports().values())

        heading = QLabel(
            "Write a report as a CSV file, which opens cleanly in Excel, LibreOffice and Numbers. "
            "Contacts can also be saved as a vCard file (.vcf) for Apple Contacts, Google "
            "Contacts or Thunderbird."
        )
        heading.setWordWrap(True)
        self.report = QComboBox()
        for kind in self.reports:
            self.report.addItem(title_of(kind), kind.name)
        self.description = QLabel()
        self.description.setObjectName("hint")
        self.description.setWordWrap(True)

        self.since = _DayChoice("From", today.replace(day=1))
        self.until = _DayChoice("To", today)
        self.period_hint = QLabel()
        self.period_hint.setObjectName("hint")
        self.period_hint.setWordWrap(True)
        self.period_error = FieldError()
        period = QWidget()
        column = QVBoxLayout(period)
        column.setContentsMargins(0, 0, 0, 0)
        choices = QHBoxLayout()
        choices.addWidget(self.since)
        choices.addWidget(self.until)
        choices.addStretch(1)
        column.addLayout(choices)
        column.addWidget(self.period_hint)
        column.addWidget(self.period_error)

        self.path = QLineEdit()
        self.path.textEdited.connect(self._on_path_typed)
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose_file)
        file_row = QHBoxLayout()
        file_row.setContentsMargins(0, 0, 0, 0)
        file_row.addWidget(self.path, 1)
        file_row.addWidget(choose)
        self.path_error = FieldError()

        form = QFormLayout()
        form.addRow("Report", self.report)
        form.addRow("", self.description)
        form.addRow("Period", period)
        form.addRow("File", file_row)
        form.addRow("", self.path_error)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.export_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.export_button.setText("Export")
        self.export_button.setObjectName("primaryButton")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(buttons)

        self.report.currentIndexChanged.connect(self._on_report)
        if chosen is not None and (index := self.report.findData(chosen)) >= 0:
            self.report.setCurrentIndex(index)
        self._on_report()

    def kind(self) -> ReportKind:
        return self.reports[self.report.currentIndex()]

    def _on_report(self) -> None:
        kind = self.kind()
        description = kind.description
        self.description.setText(description[:1].upper() + description[1:] + ".")
        dated = kind.period is not None
        for choice in (self.since, self.until):
            choice.setVisible(dated)
        if dated:
            self.period_hint.setText(
                f"Leave both unticked for everything; the period bounds {kind.period}."
            )
        else:
            self.period_hint.setText("None: this report shows things as they stand today.")
        self.period_error.show_message(None)
        if not self._typed_path:
            name = f"touchbase-{kind.name}-{self._today.isoformat()}.csv"
            self.path.setText(str(self._folder / name))

    def _on_path_typed(self, _text: str) -> None:
        self._typed_path = True

    def _choose_file(self) -> None:
        kind = self.kind()
        filters = "CSV files (*.csv)"
        if kind.name == CALENDAR_REPORT:
            filters += ";;Calendar files (*.ics)"
        if kind.name in VCARD_REPORTS:
            filters += ";;vCard files (*.vcf)"
        chosen, chosen_filter = QFileDialog.getSaveFileName(
            self, "Export to", self.path.text() or str(self._folder), filters
        )
        if chosen and not Path(chosen).suffix:
            # The kind of file picked in the dialog's list, when no ending was typed.
            chosen += (
                ".vcf"
                if "vCard" in chosen_filter
                else ".ics"
                if "Calendar" in chosen_filter
                else ""
            )
        if chosen:
            self.path.setText(chosen)
            self._typed_path = True
            self.path_error.show_message(None)

    def check(self) -> dict[str, str]:
        """Problems by field ("period", "path"), each shown beside its field."""
        errors: dict[str, str] = {}
        since, until = self.since.value(), self.until.value()
        if self.kind().period is not None and since and until and since > until:
            errors["period"] = "The period starts after it ends."
        text = self.path.text().strip()
        if not text:
            errors["path"] = "Choose the file to write."
        else:
            path = self._target(text)
            if path.is_dir():
                errors["path"] = f"{path} is a folder; add a file name."
            elif not path.parent.is_dir():
                errors["path"] = f"The folder {path.parent} does not exist."
            elif vcard.is_vcard_path(path) and self.kind().name not in VCARD_REPORTS:
                errors["path"] = "Only contacts can be saved as vCard; name a .csv file."
            else:
                try:
                    check_target(path, self._database_path)
                except TargetRefusedError as refused:
                    errors["path"] = str(refused)
        self.period_error.show_message(errors.get("period"))
        self.path_error.show_message(errors.get("path"))
        return errors

    def _target(self, text: str) -> Path:
        path = Path(text).expanduser()
        if not path.suffix and not path.is_dir():
            path = path.with_suffix(".csv")
        return path

    def form_input(self) -> ExportRequest:
        kind = self.kind()
        dated = kind.period is not None
        options = ExportOptions(
            since=self.since.value() if dated else None,
            until=self.until.value() if dated else None,
            today=self._today,
        )
        return ExportRequest(kind, options, self._target(self.path.text().strip()))

    def confirm(self, request: ExportRequest) -> bool:
        path = request.path
        return not path.exists() or Confirm.ask(
            self,
            f"Replace {path.name}?",
            f"A file called {path.name} is already in {path.parent}. Exporting replaces it.",
            "Replace",
        )

    @classmethod
    def ask(
        cls,
        today: date,
        folder: Path,
        chosen: str | None = None,
        parent: QWidget | None = None,
        database_path: Path | None = None,
    ) -> ExportRequest | None:
        return cls(today, folder, chosen, parent, database_path).answer()


def default_folder() -> Path:
    """Where exports go unless the person picks elsewhere: their documents folder."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(found) if found else Path.home()
    return folder if folder.is_dir() else Path.home()


def write_report(database: Database, request: ExportRequest, progress: Progress) -> int:
    """Write ``request``'s file; returns the rows (or calendar events, or cards) written."""
    if request.calendar:
        from db.ics import write_ics  # noqa: PLC0415
        from db.models import utcnow  # noqa: PLC0415
        from db.reports.followups import followup_events  # noqa: PLC0415

        return write_ics(
            followup_events(database, request.options),
            request.path,
            stamp=utcnow(),
            database_path=database.path,
        )

    def keep_going(done: int) -> bool:
        return progress.update(done, 0)

    try:
        if request.vcard:
            return vcard.write_vcards(
                database, request.path, keep_going=keep_going, database_path=database.path
            )
        report = build(request.kind, database, request.options)
        return write_csv(report, request.path, keep_going=keep_going, database_path=database.path)
    except ExportCancelledError:
        raise CancelledError from None


def export_report(
    parent: QWidget,
    database: Database,
    runner: TaskRunner | None,
    request: ExportRequest,
    tell: Callable[[str], None],
) -> None:
    """Write the report in the background; ``tell`` receives the one-line outcome."""
    name = request.path.name

    what = "event" if request.calendar else "contact" if request.vcard else "row"

    def done(count: int) -> None:
        tell(f"Exported {count:,} {what}{'' if count == 1 else 's'} to {request.path}.")

    def failed(error: Exception) -> None:
        if isinstance(error, CancelledError):
            tell(f"Export stopped; nothing was written to {name}.")
            return
        if isinstance(error, TargetRefusedError | WriteFailedError):
            message = str(error)  # already names the file the person chose
        elif isinstance(error, OSError) and error.strerror:
            message = f"{request.path}: {error.strerror}"
        else:
            message = f"{request.path}: {error}"
        show_error(parent, "The report was not exported", message)

    title = f"Exporting {title_of(request.kind).lower()}…"
    run_with_progress(
        parent,
        runner if runner is not None else ImmediateRunner(),
        title,
        lambda progress: write_report(database, request, progress),
        on_done=done,
        on_error=failed,
        describe=lambda written, _total: f"{title}\n{written:,} {what}s written",
    )


def export_from(
    window: QWidget,
    database: Database,
    runner: TaskRunner | None,
    tell: Callable[[str], None],
) -> None:
    """Ask what to export, then export it."""
    request = ExportDialog.ask(
        local_today(), default_folder(), parent=window, database_path=database.path
    )
    if request is not None:
        export_report(window, database, runner, request, tell)


__all__ = ["ExportDialog", "ExportRequest", "export_from", "export_report", "title_of"]
