"""The purchase and feedback dialogs; each is reached through its ``ask`` classmethod."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from db import feedback, purchases
from db.engine import Database
from db.feedback import FeedbackInput, Level
from db.purchases import PurchaseError, PurchaseInput, PurchaseRow
from desktop_app.dialogs import FormDialog
from desktop_app.widgets import FieldError, pydate, qdate


def _date_edit(today: date, value: date) -> QDateEdit:
    edit = QDateEdit(qdate(value))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("d MMM yyyy")
    edit.setMaximumDate(qdate(today))
    return edit


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setObjectName("primaryButton")
    buttons.rejected.connect(dialog.reject)
    return buttons


class PurchaseDialog(FormDialog[PurchaseInput]):
    """Record a sale, or correct one (``current``)."""

    def __init__(
        self,
        database: Database,
        contact_name: str,
        current: PurchaseRow | None,
        today: date,
        parent: QWidget | None = None,
        *,
        draft: PurchaseInput | None = None,
    ) -> None:
        super().__init__(parent)
        self._today = today
        self.setWindowTitle(f"Edit purchase — {contact_name}" if current else "Record a sale")
        self.setMinimumWidth(460)
        currency = current.currency if current else purchases.currency(database)

        heading = QLabel(f"Sale to <b>{contact_name}</b>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        self.date = _date_edit(today, current.purchased_on if current else today)
        self.date_error = FieldError()
        self.product = QLineEdit()
        self.product.setPlaceholderText("What was bought (product or service)")
        completer = QCompleter(purchases.products(database), self.product)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.product.setCompleter(completer)
        self.product_error = FieldError()
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("0.00")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.currency_label = QLabel(currency)
        self.currency_label.setObjectName("currencyLabel")
        self.amount_error = FieldError()
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("Optional: order number, delivery, anything to remember")
        self.note.setFixedHeight(70)
        self.note_error = FieldError()
        if draft is not None:  # what was typed before a save failed
            if draft.purchased_on is not None:
                self.date.setDate(qdate(draft.purchased_on))
            self.product.setText(draft.product)
            self.amount.setText(str(draft.amount))
            self.note.setPlainText(draft.note)
        elif current is not None:
            self.product.setText(current.product)
            self.amount.setText(f"{current.amount:f}")
            self.note.setPlainText(current.note)

        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount, 1)
        amount_row.addWidget(self.currency_label)
        form = QFormLayout()
        form.addRow("Date", self.date)
        form.addRow("", self.date_error)
        form.addRow("Product", self.product)
        form.addRow("", self.product_error)
        form.addRow("Amount", amount_row)
        form.addRow("", self.amount_error)
        form.addRow("Note", self.note)
        form.addRow("", self.note_error)
        buttons = _buttons(self, "Save" if current else "Record sale")
        buttons.accepted.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.product.setFocus()

    def form_input(self) -> PurchaseInput:
        return PurchaseInput(
            purchased_on=pydate(self.date.date()),
            product=self.product.text(),
            amount=self.amount.text(),
            note=self.note.toPlainText(),
        )

    def check(self) -> dict[str, str]:
        try:
            purchases.check(self.form_input(), today=self._today)
            errors: dict[str, str] = {}
        except PurchaseError as exc:
            errors = exc.errors
        self.date_error.show_message(errors.get("purchased_on"))
        self.product_error.show_message(errors.get("product"))
        self.amount_error.show_message(errors.get("amount"))
        self.note_error.show_message(errors.get("note"))
        return errors

    @classmethod
    def ask(
        cls,
        database: Database,
        contact_name: str,
        current: PurchaseRow | None,
        today: date,
        parent: QWidget | None = None,
        *,
        draft: PurchaseInput | None = None,
    ) -> PurchaseInput | None:
        """The sale as entered, or None if cancelled; a ``draft`` refills the form."""
        return cls(database, contact_name, current, today, parent, draft=draft).answer()


#: What each score means, as the form says it.
SCORE_MEANINGS = {
    1: "very dissatisfied",
    2: "dissatisfied",
    3: "neutral",
    4: "satisfied",
    5: "delighted",
}
SCALE_TEXT = " · ".join(f"{n} = {meaning}" for n, meaning in SCORE_MEANINGS.items())


class _Scores(QWidget):
    """One question's 1-5 choice; nothing chosen means not answered. The keys 1 to 5 choose a
    score and move on to the next question."""

    answered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 0, 0, 0)
        for score in range(1, 6):
            button = QRadioButton(str(score))
            button.setToolTip(f"{score}: {SCORE_MEANINGS[score]}")
            button.setAccessibleName(f"{score}, {SCORE_MEANINGS[score]}")
            button.installEventFilter(self)
            self.group.addButton(button, score)
            layout.addWidget(button)
        self.meaning = QLabel()
        self.meaning.setObjectName("hint")
        self.meaning.setMinimumWidth(130)
        layout.addSpacing(8)
        layout.addWidget(self.meaning)
        layout.addStretch(1)
        self.group.idToggled.connect(self._on_toggled)

    def _on_toggled(self, score: int, checked: bool) -> None:
        if checked:
            self.meaning.setText(SCORE_MEANINGS[score].capitalize())

    def first_button(self) -> QAbstractButton:
        button = self.group.checkedButton() or self.group.button(1)
        assert button is not None
        return button

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            score = event.key() - Qt.Key.Key_0
            if 1 <= score <= 5 and not event.modifiers():
                self.set_score(score)
                self.answered.emit()
                return True
        return False

    def score(self) -> int | None:
        chosen = self.group.checkedId()
        return None if chosen < 1 else chosen

    def set_score(self, score: int) -> None:
        button = self.group.button(score)
        if button is not None:
            button.setChecked(True)


FROM_SCORES = "From the scores"


class FeedbackDialog(FormDialog[FeedbackInput]):
    """Record a short survey: the template's questions scored 1-5, a comment, a level."""

    def __init__(
        self,
        contact_name: str,
        questions: list[str],
        warning: str | None,
        today: date,
        parent: QWidget | None = None,
        *,
        draft: FeedbackInput | None = None,
    ) -> None:
        super().__init__(parent)
        self._today = today
        self._questions = questions
        self.setWindowTitle("Record feedback")
        self.setMinimumWidth(560)

        layout = QVBoxLayout(self)
        heading = QLabel(f"Feedback from <b>{contact_name}</b>")
        heading.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(heading)
        self.warning = QLabel(f"⚠ {warning}" if warning else "")
        self.warning.setObjectName("surveyWarning")
        self.warning.setWordWrap(True)
        self.warning.setVisible(bool(warning))
        layout.addWidget(self.warning)

        form = QFormLayout()
        self.date = _date_edit(today, today)
        self.date_error = FieldError()
        form.addRow("Received", self.date)
        form.addRow("", self.date_error)
        layout.addLayout(form)
        questions_box = QVBoxLayout()
        questions_box.setSpacing(2)
        if questions:
            scale = QLabel(f"Scores: {SCALE_TEXT}. Press 1 to 5 to answer.")
            scale.setObjectName("hint")
            scale.setWordWrap(True)
            questions_box.addWidget(scale)
            questions_box.addSpacing(4)
        self.scores: list[_Scores] = []
        for number, text in enumerate(questions, start=1):
            label = QLabel(f"{number}. {text}")
            label.setWordWrap(True)
            scores = _Scores()
            scores.group.idToggled.connect(self._update_level)
            scores.answered.connect(lambda s=scores: self._next_question(s))
            label.setBuddy(scores.first_button())
            self.scores.append(scores)
            questions_box.addWidget(label)
            questions_box.addWidget(scores)
            questions_box.addSpacing(6)
        if not questions:
            questions_box.addWidget(
                QLabel("The survey has no questions; set them in Settings → Sales.")
            )
        self.answers_error = FieldError()
        questions_box.addWidget(self.answers_error)
        layout.addLayout(questions_box)
        form = QFormLayout()
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("What did they say? Comments matter more than scores.")
        self.comment.setFixedHeight(80)
        self.comment_error = FieldError()
        form.addRow("Comment", self.comment)
        form.addRow("", self.comment_error)
        self.level = QComboBox()
        self.level.addItem(FROM_SCORES, None)
        for level in Level:
            self.level.addItem(level.label, level.value)
        self.level.currentIndexChanged.connect(self._update_level)
        self.level_preview = QLabel()
        self.level_preview.setObjectName("levelPreview")
        form.addRow("Level", self.level)
        form.addRow("", self.level_preview)
        layout.addLayout(form)
        buttons = _buttons(self, "Record feedback")
        buttons.accepted.connect(self.save)
        layout.addWidget(buttons)
        if draft is not None:  # what was typed before a save failed
            self._fill(draft)
        self._update_level()
        # Scores first: the date is usually today.
        if self.scores:
            self.scores[0].first_button().setFocus()

    def _fill(self, draft: FeedbackInput) -> None:
        self.date.setDate(qdate(draft.received_on))
        given = dict(draft.answers)
        for text, widget in zip(self._questions, self.scores, strict=True):
            score = given.get(text)
            if score is not None:
                widget.set_score(score)
        self.comment.setPlainText(draft.comment)
        if draft.level is not None:
            self.level.setCurrentIndex(self.level.findData(draft.level.value))

    def _next_question(self, answered: _Scores) -> None:
        index = self.scores.index(answered)
        if index + 1 < len(self.scores):
            self.scores[index + 1].first_button().setFocus()
        else:
            self.comment.setFocus()

    def _update_level(self, *_args: object) -> None:
        chosen = self.level.currentData()
        scores = [s for s in (w.score() for w in self.scores) if s is not None]
        if chosen is not None:
            self.level_preview.setText("chosen by you")
            return
        level = feedback.level_for(scores)
        if level is None:
            self.level_preview.setText("score a question, or choose")
        else:
            average = Decimal(sum(scores)) / len(scores)
            self.level_preview.setText(f"{level.label} (average {average:.2f})")

    def form_input(self) -> FeedbackInput:
        chosen = self.level.currentData()
        return FeedbackInput(
            received_on=pydate(self.date.date()),
            answers=tuple(
                (text, widget.score())
                for text, widget in zip(self._questions, self.scores, strict=True)
            ),
            comment=self.comment.toPlainText(),
            level=None if chosen is None else Level(chosen),
        )

    def check(self) -> dict[str, str]:
        try:
            feedback.check(self.form_input(), today=self._today)
            errors: dict[str, str] = {}
        except feedback.FeedbackError as exc:
            errors = exc.errors
        self.date_error.show_message(errors.get("received_on"))
        self.answers_error.show_message(errors.get("answers"))
        self.comment_error.show_message(errors.get("comment"))
        return errors

    @classmethod
    def ask(
        cls,
        database: Database,
        contact_id: int,
        contact_name: str,
        today: date,
        parent: QWidget | None = None,
        *,
        draft: FeedbackInput | None = None,
    ) -> FeedbackInput | None:
        """Show the survey, with the over-survey warning on top when it applies; ``draft``
        fills it in as typed before a save that failed."""
        return cls(
            contact_name,
            feedback.questions(database),
            feedback.survey_warning(database, contact_id, today),
            today,
            parent,
            draft=draft,
        ).answer()
