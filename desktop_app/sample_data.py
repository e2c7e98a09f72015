"""Loading and removing sample data: File > Load sample data… and File > Remove sample data….

Sample data is one made-up business (a profile: bakery-café, web design studio, bike shop,
wholesaler) with two years of history. Every sample contact is marked as such, so it can be
removed in one step, and adding it to a database that already has the owner's contacts is
asked about first.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from db import demo


class SampleDataDialog(QDialog):
    """Which business the sample is about; with contacts already there, a clear warning."""

    def __init__(self, existing: int, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Load sample data")
        self.setMinimumWidth(460)
        intro = QLabel(
            f"Touchbase makes up {count:,} contacts of one small business, "
            "with two years of touches, sales and feedback. Every sample contact is marked, "
            "so <i>File → Remove sample data</i> takes them all away again."
        )
        intro.setWordWrap(True)
        self.profile = QComboBox()
        self.profile.setAccessibleName("Business")
        for key, profile in demo.PROFILES.items():
            self.profile.addItem(profile.name, key)
        self.summary = QLabel()
        self.summary.setObjectName("sampleSummary")
        self.summary.setWordWrap(True)
        self.profile.currentIndexChanged.connect(self._on_profile)
        self.warning = QLabel(
            f"This database already has {existing:,} contact{'s' if existing != 1 else ''}. "
            "The sample contacts will be mixed in with them (marked as sample data)."
        )
        self.warning.setObjectName("sampleWarning")
        self.warning.setWordWrap(True)
        self.warning.setVisible(existing > 0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.load_button = buttons.addButton(
            "Add sample data" if existing else "Load sample data",
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.load_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Business", self.profile)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.warning)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self._on_profile()

    def _on_profile(self) -> None:
        key = self.profile.currentData()
        profile = demo.PROFILES.get(key) if key else None
        if profile is not None:
            self.summary.setText(
                f"{profile.summary}<br>Country: {profile.country}. Prices in "
                f"{profile.currency} (on a database that has no sales yet)."
            )

    def chosen(self) -> str:
        return str(self.profile.currentData())

    @classmethod
    def ask(cls, parent: QWidget | None, existing: int, count: int) -> str | None:
        """The profile key to load, or None if the owner cancelled."""
        dialog = cls(existing, count, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.chosen()
