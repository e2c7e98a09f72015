"""Small widgets used across windows: a field error label, a contact picker, a search field,
and the conversions between Python dates and the ``QDate`` of date fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from db import contacts
from db.engine import Database
from desktop_app import icons


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def name_line_edit_buttons(edit: QLineEdit) -> None:
    """Give the icon buttons inside a line edit (search, clear) names screen readers say."""
    for button in edit.findChildren(QToolButton):
        if not button.accessibleName():
            action = button.defaultAction()
            name = action.text() if action is not None and action.text() else "Clear"
            button.setAccessibleName(name)
            button.setToolTip(button.toolTip() or name)


class FieldError(QLabel):
    """A red message shown right under the field it is about; hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        self.setWordWrap(True)
        self.hide()

    def show_message(self, message: str | None) -> None:
        self.setText(message or "")
        self.setVisible(bool(message))


class SearchField(QLineEdit):
    """A line edit with a magnifier and a clear button."""

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        search = self.addAction(icons.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        search.setText("Search")
        self.setObjectName("searchField")
        name_line_edit_buttons(self)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


class ContactPicker(QLineEdit):
    """Pick a contact by typing part of their name, company, email or phone.

    ``contact_id`` is the chosen contact, or None while the text names nobody.
    """

    contact_chosen = Signal(object)

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._database = database
        self._choices: dict[str, int] = {}
        self._contact_id: int | None = None
        self.exclude_id: int | None = None
        self._model = QStringListModel(self)
        completer = QCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # The list is already filtered by the search index; show it as it is.
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.activated.connect(self._on_activated)
        self.setCompleter(completer)
        self.setPlaceholderText("Type a name, company, email or phone")
        self.setClearButtonEnabled(True)
        name_line_edit_buttons(self)
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._refresh)
        self.textEdited.connect(self._on_edited)
        clear = QAction(self)
        clear.triggered.connect(self.clear)

    @property
    def contact_id(self) -> int | None:
        return self._contact_id

    def set_contact(self, contact_id: int | None, label: str = "") -> None:
        self._contact_id = contact_id
        self.setText(label if contact_id is not None else "")

    def _on_edited(self, text: str) -> None:
        self._contact_id = self._choices.get(text)
        self._timer.start()

    def _refresh(self) -> None:
        choices = [
            (cid, label)
            for cid, label in contacts.contact_choices(self._database, self.text())
            if cid != self.exclude_id
        ]
        self._choices = {label: cid for cid, label in choices}
        self._model.setStringList([label for _cid, label in choices])
        if choices and self.hasFocus():
            self.completer().complete()

    def _on_activated(self, label: str) -> None:
        self._contact_id = self._choices.get(label)
        self.contact_chosen.emit(self._contact_id)


class UndoBar(QWidget):
    """ "3 contacts moved to the trash. Undo" — shown after a delete, hidden after a while."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoBar")
        # A plain QWidget paints no style-sheet background without this: the bar's light text
        # would sit on the page itself.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.message = QLabel()
        self.undo_button = QPushButton("Undo")
        self.undo_button.setObjectName("linkButton")
        self.undo_button.setFlat(True)
        close = QPushButton("✕")
        close.setFlat(True)
        close.setToolTip("Close")
        close.setAccessibleName("Close")
        close.setFixedWidth(28)
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(close)
        self._timer = QTimer(self, singleShot=True, interval=12_000)
        self._timer.timeout.connect(self.hide)
        self._undo: object = None
        self.undo_button.clicked.connect(self._on_undo)
        self.hide()

    def offer(self, message: str, undo: object) -> None:
        self.message.setText(message)
        self._undo = undo
        self.show()
        self._timer.start()

    def _on_undo(self) -> None:
        undo, self._undo = self._undo, None
        self.hide()
        if callable(undo):
            undo()
