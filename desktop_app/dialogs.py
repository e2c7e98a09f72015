"""Message boxes behind small classmethods, so tests can answer them without blocking, and
the base of the app's dialogs and forms.

Every dialog of the app derives from :class:`Dialog`, which gives them one look and one way
to move through them with the keyboard: one primary button (the one that does the dialog's
job), no stock icons on buttons, form labels whose "&" marks a shortcut rather than showing,
Tab in the order the fields appear on screen (top to bottom, left to right), and Tab out of
multi-line fields (Ctrl+Tab types a tab there).
"""

from __future__ import annotations

import itertools
from typing import Any, Generic, TypeVar, cast

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTextEdit,
    QWidget,
)

T = TypeVar("T")

_ACCEPT_ROLES = (QDialogButtonBox.ButtonRole.AcceptRole, QDialogButtonBox.ButtonRole.YesRole)


def primary_button(buttons: QDialogButtonBox) -> QPushButton | None:
    """The button that does the dialog's job (Save, Export, Log touch ...)."""
    for button in buttons.buttons():
        if buttons.buttonRole(button) in _ACCEPT_ROLES and isinstance(button, QPushButton):
            return button
    return None


def _first_focusable(item: QLayout | QWidget | None) -> QWidget | None:
    if isinstance(item, QWidget):
        return item if item.focusPolicy() & Qt.FocusPolicy.TabFocus else None
    if isinstance(item, QLayout):
        for i in range(item.count()):
            child = item.itemAt(i)
            if child is None:
                continue
            found = _first_focusable(child.widget() or child.layout())
            if found is not None:
                return found
    return None


def _fix_form_labels(root: QWidget) -> None:
    """A form row whose field is a layout gets no buddy, and shows "&Name" literally."""
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field_item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            label = label_item.widget() if label_item is not None else None
            if not isinstance(label, QLabel) or label.buddy() is not None:
                continue
            if "&" not in label.text() or field_item is None:
                continue
            buddy = _first_focusable(field_item.widget() or field_item.layout())
            if buddy is not None:
                label.setBuddy(buddy)
            else:
                label.setText(label.text().replace("&&", "\0").replace("&", "").replace("\0", "&"))


def _inside_composite(widget: QWidget, root: QWidget) -> bool:
    """The line edit inside a spin box or editable combo box is not a stop of its own."""
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, QAbstractSpinBox | QComboBox):
            return True
        parent = parent.parentWidget()
    return False


def tab_stops(root: QWidget) -> list[QWidget]:
    """The widgets Tab visits in ``root``, in the order they appear: by rows, top to bottom,
    then left to right within a row."""
    stops = [
        w
        for w in root.findChildren(QWidget)
        if w.isVisibleTo(root)
        and w.isEnabled()
        and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        and w.focusProxy() is None
        and not _inside_composite(w, root)
        # A scroll area holding a form is no stop: its fields are.
        and not (isinstance(w, QScrollArea) and w.widget() is not None)
    ]
    # Tab enters a group of exclusive buttons once, at the chosen one; arrows move within it.
    kept: list[QWidget] = []
    groups: dict[int, list[QAbstractButton]] = {}
    for widget in stops:
        if isinstance(widget, QAbstractButton) and widget.isCheckable():
            # The binding says a group is always there; it is None for a button in none.
            group = cast("QButtonGroup | None", widget.group())
            if group is not None and group.exclusive():
                groups.setdefault(id(group), []).append(widget)
            elif group is None and isinstance(widget, QRadioButton) and widget.autoExclusive():
                groups.setdefault(id(widget.parentWidget()), []).append(widget)
        kept.append(widget)
    for members in groups.values():
        chosen = next((b for b in members if b.isChecked()), members[0])
        kept = [w for w in kept if w not in members or w is chosen]
    # Inside a scrolling form, where a field sits in the form counts, not where the form is
    # scrolled to: the whole form sorts as one block at the scroll area's place.
    placed: list[tuple[float, float, int, QWidget]] = []
    for widget in kept:
        area = _scroll_area_of(widget, root)
        if area is None:
            top_left = widget.mapTo(root, QPoint(0, 0))
            placed.append((top_left.y() + widget.height() / 2, 0.0, top_left.x(), widget))
        else:
            content = area.widget()
            assert content is not None
            inner = widget.mapTo(content, QPoint(0, 0))
            block = area.mapTo(root, QPoint(0, 0)).y()
            placed.append((block, inner.y() + widget.height() / 2, inner.x(), widget))
    placed.sort(key=lambda p: (p[0], p[1], p[2]))
    rows: list[list[tuple[float, float, int, QWidget]]] = []
    for item in placed:
        # Widgets whose middles are within a few pixels share a row (a label combo, its field
        # and a remove button; two check boxes side by side).
        if rows and _same_row(rows[-1][0], item):
            rows[-1].append(item)
        else:
            rows.append([item])
    return [w for row in rows for _b, _y, _x, w in sorted(row, key=lambda p: p[2])]


def _same_row(
    first: tuple[float, float, int, QWidget], item: tuple[float, float, int, QWidget]
) -> bool:
    if first[1] == 0.0 and item[1] == 0.0:
        return abs(item[0] - first[0]) <= 12
    return first[0] == item[0] and abs(item[1] - first[1]) <= 12


def _scroll_area_of(widget: QWidget, root: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    found = None
    while parent is not None and parent is not root:
        if isinstance(parent, QScrollArea) and parent.widget() is not None:
            found = parent
        parent = parent.parentWidget()
    return found


def set_visual_tab_order(root: QWidget) -> None:
    stops = tab_stops(root)
    for first, second in itertools.pairwise(stops):
        QWidget.setTabOrder(first, second)


class _TabOutOfText(QObject):
    """Tab leaves a multi-line field like any other; Ctrl+Tab types a tab into it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and (
                event.key() == Qt.Key.Key_Tab
                and event.modifiers() == Qt.KeyboardModifier.ControlModifier
                and isinstance(watched, QPlainTextEdit | QTextEdit)
            )
        ):
            watched.insertPlainText("\t")
            return True
        return False


def polish_dialog(dialog: QDialog) -> None:
    """Give ``dialog`` the app's look and keyboard order (see the module's docstring)."""
    for buttons in dialog.findChildren(QDialogButtonBox):
        for button in buttons.buttons():
            button.setIcon(QIcon())
        primary = primary_button(buttons)
        if primary is not None and primary.objectName() != "primaryButton":
            primary.setObjectName("primaryButton")
            primary.setDefault(True)
            primary.style().unpolish(primary)
            primary.style().polish(primary)
    _fix_form_labels(dialog)
    for area in dialog.findChildren(QScrollArea):
        if area.widget() is not None:
            area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Its fields take the keyboard.
    text_filter = dialog.findChild(_TabOutOfText)
    if text_filter is None:
        text_filter = _TabOutOfText(dialog)
    edits: list[QPlainTextEdit | QTextEdit] = [
        *dialog.findChildren(QPlainTextEdit),
        *dialog.findChildren(QTextEdit),
    ]
    for edit in edits:
        if not edit.isReadOnly():
            edit.setTabChangesFocus(True)
            edit.removeEventFilter(text_filter)
            edit.installEventFilter(text_filter)
    set_visual_tab_order(dialog)


class Dialog(QDialog):
    """The base of the app's dialogs: polished when shown, tab order kept as rows come and go."""

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        polish_dialog(self)

    def focusNextPrevChild(self, next: bool) -> bool:
        # Rows come and go (another email, say): the order is worked out as Tab is pressed,
        # from where the fields are on screen now.
        set_visual_tab_order(self)
        return super().focusNextPrevChild(next)

    def refresh_tab_order(self) -> None:
        set_visual_tab_order(self)


class FormDialog(Dialog, Generic[T]):
    """A form that shows each problem beside its field and, once there are none, hands back
    what was entered (``result_input``). Subclasses provide ``form_input`` and ``check``, and
    may ask something more before closing (``confirm``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result_input: T | None = None

    def form_input(self) -> T:
        raise NotImplementedError

    def check(self) -> dict[str, str]:
        """The problems by field, each already shown beside its field; empty when none."""
        raise NotImplementedError

    def confirm(self, _value: T) -> bool:
        """A last question before saving (say, replacing a file); True to go ahead."""
        return True

    def save(self) -> None:
        if self.check():
            return
        value = self.form_input()
        if self.confirm(value):
            self.result_input = value
            self.accept()

    def answer(self) -> T | None:
        """Show the form; what was saved, or None if it was cancelled."""
        return self.result_input if self.exec() == QDialog.DialogCode.Accepted else None


class Confirm:
    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str, accept_label: str) -> bool:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(title)
        box.setText(title)
        box.setInformativeText(text)
        accept = box.addButton(accept_label, QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is accept


class ErrorBox:
    @classmethod
    def show(cls, parent: QWidget | None, title: str, text: str) -> None:
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(title)
        box.setText(title)
        box.setInformativeText(text)
        box.exec()


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    ErrorBox.show(parent, title, text)
