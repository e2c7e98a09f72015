"""The add / edit contact dialog, with validation messages next to the fields they concern."""

from __future__ import annotations

import calendar
from typing import Any

from PySide6.QtCore import QDate, QStringListModel, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from db import contacts, seasons
from db.contacts import ContactDetail, ContactInput, EmailData, KeyDateData, PhoneData
from db.domain import qualification
from db.engine import Database
from db.journeys import StageInfo
from desktop_app import icons
from desktop_app.dialogs import FormDialog
from desktop_app.sales.editor_field import purchase_interval_field
from desktop_app.widgets import ContactPicker, FieldError, pydate, qdate


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("d MMMM yyyy")
    edit.setDate(QDate.currentDate())
    edit.setAccessibleName(name)
    edit.setEnabled(False)
    edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("30 September 2026") + 48)
    return edit


EMAIL_LABELS = ("work", "home", "other")
PHONE_LABELS = ("mobile", "work", "home", "other")


def placeholder_kind(placeholder: str) -> str:
    return "email" if "@" in placeholder else "phone number"


class _ValueRow(QWidget):
    """One email or phone: a label, the value, a remove button, and its own error line."""

    def __init__(self, labels: tuple[str, ...], placeholder: str, on_remove: Any) -> None:
        super().__init__()
        self.label = QComboBox()
        self.label.setEditable(True)
        self.label.addItems(list(labels))
        self.label.setFixedWidth(100)
        self.value = QLineEdit()
        self.value.setPlaceholderText(placeholder)
        remove = QToolButton()
        remove.setIcon(icons.icon("delete"))
        remove.setToolTip(f"Remove this {placeholder_kind(placeholder)}")
        remove.setAccessibleName(f"Remove this {placeholder_kind(placeholder)}")
        remove.setAutoRaise(True)
        remove.clicked.connect(lambda: on_remove(self))
        self.error = FieldError()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.label, 0, 0)
        grid.addWidget(self.value, 0, 1)
        grid.addWidget(remove, 0, 2)
        grid.addWidget(self.error, 1, 1, 1, 2)


class _ValueList(QWidget):
    """A growable list of email or phone rows with an "Add" link."""

    def __init__(self, labels: tuple[str, ...], placeholder: str, add_text: str) -> None:
        super().__init__()
        self._labels = labels
        self._placeholder = placeholder
        self.rows: list[_ValueRow] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self.add_button = QPushButton(icons.icon("add"), add_text)
        self.add_button.setFlat(True)
        self.add_button.clicked.connect(self._add_and_focus)
        self._layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)

    def _add_and_focus(self) -> None:
        self.add_row().value.setFocus()

    def add_row(self, value: str = "", label: str = "") -> _ValueRow:
        row = _ValueRow(self._labels, self._placeholder, self._remove)
        row.value.setText(value)
        row.label.setCurrentText(label or self._labels[0])
        self._layout.insertWidget(len(self.rows), row)
        self.rows.append(row)
        return row

    def _remove(self, row: _ValueRow) -> None:
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()

    def values(self) -> list[tuple[str, str]]:
        return [(r.value.text(), r.label.currentText()) for r in self.rows]


class ContactDialog(FormDialog[ContactInput]):
    """Add a contact (``contact`` is None) or edit one. ``result_input`` holds what was saved."""

    def __init__(
        self,
        database: Database,
        stages: list[StageInfo],
        contact: ContactDetail | None = None,
        parent: QWidget | None = None,
        draft: ContactInput | None = None,
    ) -> None:
        super().__init__(parent)
        self._database = database
        self._contact = contact
        self.setWindowTitle(f"Edit {contact.name}" if contact else "New contact")
        self.setMinimumSize(620, 520)
        self.resize(660, 680)

        self.name = QLineEdit()
        self.name.setPlaceholderText("Full name (required)")
        self.name_error = FieldError()
        self.company = QLineEdit()
        self.title = QLineEdit()
        self.emails = _ValueList(EMAIL_LABELS, "name@example.com", "Add email")
        self.phones = _ValueList(PHONE_LABELS, "+1 555 010 2030", "Add phone")
        self.street = QLineEdit()
        self.city = QLineEdit()
        self.region = QLineEdit()
        self.postal_code = QLineEdit()
        self.country = QLineEdit()
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("Comma-separated, e.g. wholesale, vip")
        self.tags_error = FieldError()
        self._tag_completer(self.tags)
        self.stage = QComboBox()
        for stage in stages:
            self.stage.addItem(stage.label, stage.id)
        self.referred_by = ContactPicker(database)
        self.referred_by.exclude_id = contact.id if contact else None
        self.referred_error = FieldError()
        self.centre_of_influence = QCheckBox(
            "Centre of influence (refers others, even if never buys)"
        )
        self.do_not_contact = QCheckBox("Do not contact (never remind me)")
        self.has_need = QCheckBox("Has a need")
        self.has_budget = QCheckBox("Has a budget")
        self.has_urgency = QCheckBox("Has urgency")
        self.is_decision_maker = QCheckBox("Is the decision maker")
        self.qualification_label = QLabel()
        self.qualification_label.setObjectName("qualificationLabel")
        for box in (self.has_need, self.has_budget, self.has_urgency, self.is_decision_maker):
            box.toggled.connect(self._update_qualification)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Anything worth remembering")
        self.notes.setFixedHeight(80)
        self.purchase_interval, self._purchase_interval_row = purchase_interval_field()
        # Key dates: follow-ups come a couple of weeks ahead, suggesting a gift or a card.
        self.has_birthday = QCheckBox("Birthday")
        self.birthday = _date_edit("Birthday")
        self.has_anniversary = QCheckBox("Anniversary")
        self.anniversary = _date_edit("Anniversary")
        self.occasion = QLineEdit()
        self.occasion.setPlaceholderText("Another occasion, e.g. Shop opening")
        self.occasion.setMinimumWidth(240)
        self.occasion_on = _date_edit("Occasion date")
        self.key_dates_error = FieldError()
        self.has_birthday.toggled.connect(self.birthday.setEnabled)
        self.has_anniversary.toggled.connect(self.anniversary.setEnabled)
        self.occasion.textChanged.connect(lambda t: self.occasion_on.setEnabled(bool(t.strip())))
        # A seasonal buyer: recognised from purchases, or set here by hand.
        self.by_season = QCheckBox("Buys in season, from")
        self.season_from = QComboBox()
        self.season_to = QComboBox()
        for month_box in (self.season_from, self.season_to):
            for month in range(1, 13):
                month_box.addItem(calendar.month_name[month], month)
            month_box.setEnabled(False)
            self.by_season.toggled.connect(month_box.setEnabled)
        self.season_hint = QLabel("Otherwise recognised from their purchases.")
        self.season_hint.setObjectName("fieldHint")
        self.season_error = FieldError()
        #: Occasions beyond the one the form shows, kept as they are.
        self._more_dates: tuple[KeyDateData, ...] = ()

        self._build_layout()
        source: ContactInput | None = draft or contact
        if source is not None:
            self._fill(source)
        else:
            self.emails.add_row()
            self.phones.add_row()
        self._update_qualification()
        self.name.setFocus()

    # --- layout ---------------------------------------------------------------------------

    def _build_layout(self) -> None:
        form = QWidget()
        outer = QVBoxLayout(form)

        who = QFormLayout()
        who.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        name_box = QVBoxLayout()
        name_box.setSpacing(2)
        name_box.addWidget(self.name)
        name_box.addWidget(self.name_error)
        who.addRow("&Name", name_box)
        who.addRow("&Company", self.company)
        who.addRow("&Title", self.title)
        who.addRow("Emails", self.emails)
        who.addRow("Phones", self.phones)
        outer.addLayout(who)

        address = QGroupBox("Address")
        grid = QGridLayout(address)
        grid.addWidget(QLabel("Street"), 0, 0)
        grid.addWidget(self.street, 0, 1, 1, 3)
        grid.addWidget(QLabel("City"), 1, 0)
        grid.addWidget(self.city, 1, 1)
        grid.addWidget(QLabel("Region"), 1, 2)
        grid.addWidget(self.region, 1, 3)
        grid.addWidget(QLabel("Postal code"), 2, 0)
        grid.addWidget(self.postal_code, 2, 1)
        grid.addWidget(QLabel("Country"), 2, 2)
        grid.addWidget(self.country, 2, 3)
        outer.addWidget(address)

        journey = QGroupBox("Relationship")
        rel = QFormLayout(journey)
        rel.addRow("&Stage", self.stage)
        referred = QVBoxLayout()
        referred.setSpacing(2)
        referred.addWidget(self.referred_by)
        referred.addWidget(self.referred_error)
        rel.addRow("&Referred by", referred)
        tags_box = QVBoxLayout()
        tags_box.setSpacing(2)
        tags_box.addWidget(self.tags)
        tags_box.addWidget(self.tags_error)
        rel.addRow("T&ags", tags_box)
        rel.addRow("", self.centre_of_influence)
        rel.addRow("", self.do_not_contact)
        rel.addRow("Buys every", self._purchase_interval_row)
        season_row = QHBoxLayout()
        season_row.addWidget(self.by_season)
        season_row.addWidget(self.season_from)
        season_row.addWidget(QLabel("to"))
        season_row.addWidget(self.season_to)
        season_row.addStretch(1)
        season_box = QVBoxLayout()
        season_box.setSpacing(2)
        season_box.addLayout(season_row)
        season_box.addWidget(self.season_hint)
        season_box.addWidget(self.season_error)
        rel.addRow("Season", season_box)
        outer.addWidget(journey)

        qualify = QGroupBox("Qualification")
        q = QGridLayout(qualify)
        q.addWidget(self.has_need, 0, 0)
        q.addWidget(self.has_budget, 0, 1)
        q.addWidget(self.has_urgency, 1, 0)
        q.addWidget(self.is_decision_maker, 1, 1)
        q.addWidget(self.qualification_label, 2, 0, 1, 2)
        outer.addWidget(qualify)

        dates = QGroupBox("Key dates")
        d = QGridLayout(dates)
        d.addWidget(self.has_birthday, 0, 0)
        d.addWidget(self.birthday, 0, 1)
        d.addWidget(self.has_anniversary, 1, 0)
        d.addWidget(self.anniversary, 1, 1)
        hint = QLabel("Without one, the anniversary of their first purchase is remembered.")
        hint.setObjectName("fieldHint")
        hint.setWordWrap(True)
        d.addWidget(hint, 2, 0, 1, 3)
        d.addWidget(self.occasion, 3, 0)
        d.addWidget(self.occasion_on, 3, 1)
        d.addWidget(self.key_dates_error, 4, 0, 1, 3)
        d.setColumnStretch(2, 1)
        outer.addWidget(dates)

        notes_form = QFormLayout()
        notes_form.addRow("N&otes", self.notes)
        outer.addLayout(notes_form)
        outer.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(form)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)

        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(buttons)

    def _tag_completer(self, edit: QLineEdit) -> None:
        names = [t.name for t in contacts.tag_counts(self._database)]
        completer = _TagCompleter(names, edit)
        edit.setCompleter(completer)

    def _fill(self, contact: ContactInput) -> None:
        self.name.setText(contact.name)
        self.company.setText(contact.company)
        self.title.setText(contact.title)
        for email in contact.emails:
            self.emails.add_row(email.address, email.label)
        for phone in contact.phones:
            self.phones.add_row(phone.number, phone.label)
        self.street.setText(contact.street)
        self.city.setText(contact.city)
        self.region.setText(contact.region)
        self.postal_code.setText(contact.postal_code)
        self.country.setText(contact.country)
        self.tags.setText(", ".join(contact.tags))
        index = self.stage.findData(contact.stage_id)
        if index >= 0:
            self.stage.setCurrentIndex(index)
        if contact.referred_by_id is not None:
            if isinstance(contact, ContactDetail):
                name = contact.referred_by_name
            else:  # a draft kept after a failed save
                name = contacts.get_contact(self._database, contact.referred_by_id).name
            self.referred_by.set_contact(contact.referred_by_id, name)
        self.centre_of_influence.setChecked(contact.centre_of_influence)
        self.do_not_contact.setChecked(contact.do_not_contact)
        self.has_need.setChecked(contact.has_need)
        self.has_budget.setChecked(contact.has_budget)
        self.has_urgency.setChecked(contact.has_urgency)
        self.is_decision_maker.setChecked(contact.is_decision_maker)
        self.notes.setPlainText(contact.notes)
        self.purchase_interval.setValue(contact.purchase_interval_days or 0)
        if contact.season:
            months = seasons.parse(contact.season)
            self.by_season.setChecked(True)
            self.season_from.setCurrentIndex(months[0] - 1)
            self.season_to.setCurrentIndex(months[-1] - 1)
        elif isinstance(contact, ContactDetail) and contact.detected_season:
            detected = contact.detected_season
            self.season_hint.setText(
                f"Recognised from their purchases: {seasons.describe(detected)}."
            )
            months = seasons.parse(detected)
            self.season_from.setCurrentIndex(months[0] - 1)
            self.season_to.setCurrentIndex(months[-1] - 1)
        shown: set[str] = set()
        more = []
        for key_date in contact.key_dates:
            if key_date.kind in shown:
                more.append(key_date)
                continue
            shown.add(key_date.kind)
            if key_date.kind == "birthday":
                self.has_birthday.setChecked(True)
                self.birthday.setDate(qdate(key_date.on))
            elif key_date.kind == "anniversary":
                self.has_anniversary.setChecked(True)
                self.anniversary.setDate(qdate(key_date.on))
            else:
                self.occasion.setText(key_date.label)
                self.occasion_on.setDate(qdate(key_date.on))
        self._more_dates = tuple(more)

    def _update_qualification(self) -> None:
        label = qualification(
            has_need=self.has_need.isChecked(),
            has_budget=self.has_budget.isChecked(),
            has_urgency=self.has_urgency.isChecked(),
            is_decision_maker=self.is_decision_maker.isChecked(),
        ).label
        self.qualification_label.setText(f"Qualification: <b>{label}</b>")

    # --- reading and checking the form ----------------------------------------------------

    def form_input(self) -> ContactInput:
        referred_text = self.referred_by.text().strip()
        return ContactInput(
            name=self.name.text(),
            company=self.company.text(),
            title=self.title.text(),
            emails=tuple(EmailData(v, label) for v, label in self.emails.values()),
            phones=tuple(PhoneData(v, label) for v, label in self.phones.values()),
            street=self.street.text(),
            city=self.city.text(),
            region=self.region.text(),
            postal_code=self.postal_code.text(),
            country=self.country.text(),
            notes=self.notes.toPlainText(),
            tags=tuple(self.tags.text().split(",")),
            stage_id=self.stage.currentData(),
            referred_by_id=self.referred_by.contact_id if referred_text else None,
            centre_of_influence=self.centre_of_influence.isChecked(),
            do_not_contact=self.do_not_contact.isChecked(),
            has_need=self.has_need.isChecked(),
            has_budget=self.has_budget.isChecked(),
            has_urgency=self.has_urgency.isChecked(),
            is_decision_maker=self.is_decision_maker.isChecked(),
            purchase_interval_days=self.purchase_interval.value() or None,
            key_dates=self._key_dates(),
            season=self._season(),
        )

    def _season(self) -> str | None:
        if not self.by_season.isChecked():
            return None
        months = seasons.months_between(
            int(self.season_from.currentData()), int(self.season_to.currentData())
        )
        return ",".join(str(m) for m in months)

    def _key_dates(self) -> tuple[KeyDateData, ...]:
        out = []
        if self.has_birthday.isChecked():
            out.append(KeyDateData("birthday", pydate(self.birthday.date())))
        if self.has_anniversary.isChecked():
            out.append(KeyDateData("anniversary", pydate(self.anniversary.date())))
        if self.occasion.text().strip():
            out.append(
                KeyDateData("occasion", pydate(self.occasion_on.date()), self.occasion.text())
            )
        return (*out, *self._more_dates)

    def show_errors(self, errors: dict[str, str]) -> None:
        self.name_error.show_message(errors.get("name"))
        self.tags_error.show_message(errors.get("tags"))
        self.referred_error.show_message(errors.get("referred_by_id"))
        self.key_dates_error.show_message(errors.get("key_dates"))
        self.season_error.show_message(errors.get("season"))
        # Errors are keyed by position among the non-empty rows; map back to the widgets.
        for kind, value_list in (("emails", self.emails), ("phones", self.phones)):
            position = 0
            for row in value_list.rows:
                if not row.value.text().strip():
                    row.error.show_message(None)
                    continue
                row.error.show_message(errors.get(f"{kind}.{position}"))
                position += 1
        first = next(iter(errors), None)
        if first == "name":
            self.name.setFocus()

    def check(self) -> dict[str, str]:
        data = self.form_input()
        errors = contacts.validate(contacts.normalise(data))
        if self.referred_by.text().strip() and self.referred_by.contact_id is None:
            errors["referred_by_id"] = "Pick the referring contact from the list."
        self.show_errors(errors)
        return errors

    @classmethod
    def ask(
        cls,
        database: Database,
        stages: list[StageInfo],
        contact: ContactDetail | None = None,
        parent: QWidget | None = None,
        draft: ContactInput | None = None,
    ) -> ContactInput | None:
        """Show the dialog; the form's contents if saved, None if cancelled. A ``draft`` (what
        was typed before a save failed) fills the form instead of the stored contact."""
        return cls(database, stages, contact, parent, draft).answer()


class _TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma, keeping the earlier ones."""

    def __init__(self, names: list[str], edit: QLineEdit) -> None:
        super().__init__(QStringListModel(names), edit)
        self._edit = edit
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(",", maxsplit=1)[-1].strip()]

    def pathFromIndex(self, index: Any) -> str:
        done = [t.strip() for t in self._edit.text().split(",")[:-1] if t.strip()]
        return ", ".join([*done, str(index.data())])
