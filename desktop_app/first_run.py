"""The welcome screen of a new, empty database: pick a journey model, try sample data."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from db import journeys
from db.engine import Database
from desktop_app import icons, theme
from desktop_app.dialogs import Dialog

SAMPLE_CONTACTS = 250


class WelcomeDialog(Dialog):
    """Returns ``(model_key, load_sample)`` through ``ask``, or None if closed."""

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Touchbase")
        self.setObjectName("welcome")
        self.setMinimumWidth(640)
        self.load_sample = False

        logo = QLabel()
        logo.setPixmap(icons.app_icon().pixmap(64, 64))
        heading = QLabel("Welcome to Touchbase")
        heading.setObjectName("welcomeHeading")
        intro = QLabel(
            "Keep every customer relationship moving: see the stage each contact stands at, "
            "log touches in seconds and never miss a follow-up. First, choose the customer "
            "journey your business follows. You can change it later in Settings."
        )
        intro.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        words.addWidget(heading)
        words.addWidget(intro)
        top.addLayout(words, 1)

        self.models = QButtonGroup(self)
        choices = QVBoxLayout()
        choices.setSpacing(10)
        for model in journeys.list_models(database):
            button = QRadioButton(model.name)
            button.setObjectName("modelChoice")
            button.setProperty("model_key", model.key)
            button.setChecked(model.active)
            self.models.addButton(button)
            stages = QLabel(
                f"{escape(model.summary)}<br><span style='color:{theme.hex_of('muted')}'>"
                f"{' → '.join(escape(s) for s in model.stage_labels)}</span>"
            )
            stages.setWordWrap(True)
            stages.setTextFormat(Qt.TextFormat.RichText)
            stages.setContentsMargins(26, 0, 0, 0)
            choices.addWidget(button)
            choices.addWidget(stages)

        self.sample_button = QPushButton("Explore with sample data")
        self.sample_button.setToolTip(
            f"Adds {SAMPLE_CONTACTS} made-up contacts with two years of touches and purchases"
        )
        self.sample_button.clicked.connect(self._on_sample)
        self.empty_button = QPushButton("Start with an empty database")
        self.empty_button.setObjectName("primaryButton")
        self.empty_button.setDefault(True)
        self.empty_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sample_button)
        buttons.addStretch(1)
        buttons.addWidget(self.empty_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 20)
        layout.setSpacing(16)
        layout.addLayout(top)
        layout.addLayout(choices)
        layout.addLayout(buttons)

    def model_key(self) -> str:
        button = self.models.checkedButton()
        return str(button.property("model_key")) if button else journeys.DEFAULT_MODEL_KEY

    def _on_sample(self) -> None:
        self.load_sample = True
        self.accept()

    @classmethod
    def ask(cls, database: Database, parent: QWidget | None = None) -> tuple[str, bool] | None:
        dialog = cls(database, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.model_key(), dialog.load_sample
