"""The add / edit contact dialog, with validation messages next to the fields they concern."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from db import contacts
from db.contacts import ContactDetail, ContactInput, EmailData, PhoneData
from db.domain import qualification
from db.engine import Database
from db.journeys import StageInfo
from desktop_app import icons
from desktop_app.dialogs import FormDialog
from desktop_app.sales.editor_field import purchase_interval_field
from desktop_app.widgets import ContactPicker, FieldError

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

        self._build_layout()
        if contact is not None:
            self._fill(contact)
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
        outer.addWidget(journey)

        qualify = QGroupBox("Qualification")
        q = QGridLayout(qualify)
        q.addWidget(self.has_need, 0, 0)
        q.addWidget(self.has_budget, 0, 1)
        q.addWidget(self.has_urgency, 1, 0)
        q.addWidget(self.is_decision_maker, 1, 1)
        q.addWidget(self.qualification_label, 2, 0, 1, 2)
        outer.addWidget(qualify)

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

    def _fill(self, contact: ContactDetail) -> None:
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
            self.referred_by.set_contact(contact.referred_by_id, contact.referred_by_name)
        self.centre_of_influence.setChecked(contact.centre_of_influence)
        self.do_not_contact.setChecked(contact.do_not_contact)
        self.has_need.setChecked(contact.has_need)
        self.has_budget.setChecked(contact.has_budget)
        self.has_urgency.setChecked(contact.has_urgency)
        self.is_decision_maker.setChecked(contact.is_decision_maker)
        self.notes.setPlainText(contact.notes)
        self.purchase_interval.setValue(contact.purchase_interval_days or 0)

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
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        self.name_error.show_message(errors.get("name"))
        self.tags_error.show_message(errors.get("tags"))
        self.referred_error.show_message(errors.get("referred_by_id"))
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
    ) -> ContactInput | None:
        """Show the dialog; the form's contents if saved, None if cancelled."""
        return cls(database, stages, contact, parent).answer()


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
