"""Message boxes behind small classmethods, so tests can answer them without blocking, and
the base of the app's forms.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

T = TypeVar("T")


class FormDialog(QDialog, Generic[T]):
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
