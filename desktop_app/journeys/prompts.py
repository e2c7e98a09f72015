"""The two questions journeys ask: why a contact moves backward, and where contacts go when
their stages go away. Both sit behind ``ask()`` classmethods so tests answer them directly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.dialogs import Dialog
from desktop_app.widgets import FieldError

#: Offered in the reason box; the owner may type anything else.
COMMON_REASONS = ("Went quiet", "Not ready to buy", "Lost to a competitor", "Needs change")


class BackwardReasonDialog(Dialog):
    """“Why does Ada move back to Prospect?” with a required, short answer."""

    def __init__(self, what: str, to_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Moving back a stage")
        self.setMinimumWidth(420)
        intro = QLabel(
            f"{what} moves back to <b>{to_label}</b>. A short reason keeps the history useful "
            "when you look back at who slipped and why."
        )
        intro.setWordWrap(True)
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(COMMON_REASONS)
        self.reason.setCurrentText("")
        line = self.reason.lineEdit()
        assert line is not None
        line.setPlaceholderText("Why? (required)")
        self.error = FieldError()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Move back")
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _on_accept(self) -> None:
        if not self.reason.currentText().strip():
            self.error.show_message("Say in a few words why the contact moves back.")
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, what: str, to_label: str) -> str | None:
        """The reason typed, or None if the owner cancelled the move."""
        dialog = cls(what, to_label, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.reason.currentText().strip()


class PhaseOfferDialog(QDialog):
    """“Ada's Activate step is done. Move her to Activate?” after a 100-day plan step."""

    def __init__(self, what: str, step: str, to_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Plan step done")
        self.setMinimumWidth(420)
        text = QLabel(
            f"“{step}” is done for {what}. Move them on to <b>{to_label}</b>, the phase "
            "this step of the 100-day plan leads to?"
        )
        text.setWordWrap(True)
        buttons = QDialogButtonBox()
        move = buttons.addButton(f"Move to {to_label}", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Not now", QDialogButtonBox.ButtonRole.RejectRole)
        move.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, what: str, step: str, to_label: str) -> bool:
        """True if the owner moves the contact into the phase."""
        return cls(what, step, to_label, parent).exec() == QDialog.DialogCode.Accepted


@dataclass(frozen=True)
class MappingSource:
    stage_id: int
    label: str
    contacts: int


class StageMappingDialog(Dialog):
    """For each stage that goes away, the stage its contacts move to. Nothing is lost: the
    history keeps the old stages, and the moves are recorded."""

    def __init__(
        self,
        title: str,
        intro: str,
        *,
        sources: Sequence[MappingSource],
        targets: Sequence[tuple[int, str]],
        suggested: Mapping[int, int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        text = QLabel(intro)
        text.setWordWrap(True)
        form = QFormLayout()
        form.setHorizontalSpacing(18)
        self.choices: dict[int, QComboBox] = {}
        for source in sources:
            box = QComboBox()
            for target_id, label in targets:
                box.addItem(label, target_id)
            index = box.findData(suggested.get(source.stage_id))
            box.setCurrentIndex(max(index, 0))
            noun = "contact" if source.contacts == 1 else "contacts"
            form.addRow(f"{source.label}  ({source.contacts:,} {noun})  →", box)
            self.choices[source.stage_id] = box
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Move contacts")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def mapping(self) -> dict[int, int]:
        return {source: int(box.currentData()) for source, box in self.choices.items()}

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        title: str,
        intro: str,
        *,
        sources: Sequence[MappingSource],
        targets: Sequence[tuple[int, str]],
        suggested: Mapping[int, int],
    ) -> dict[int, int] | None:
        """Old stage id → new stage id for every source, or None if cancelled."""
        dialog = cls(
            title, intro, sources=sources, targets=targets, suggested=suggested, parent=parent
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.mapping()


class NameDialog(Dialog):
    """A single name, for the copy of a model."""

    def __init__(self, title: str, label: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.name = QLineEdit(text)
        self.name.selectAll()
        self.error = FieldError()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(label, self.name)
        form.addRow("", self.error)
        form.addRow(buttons)

    def _on_accept(self) -> None:
        if not self.name.text().strip():
            self.error.show_message("Give it a name.")
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, label: str, text: str) -> str | None:
        dialog = cls(title, label, text, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.name.text().strip()
