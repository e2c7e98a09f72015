"""The Contacts tab of Settings: the region phone numbers without a country code belong to.

It decides when two numbers written differently are the same one ("020 7946 0958" and
"+44 20 7946 0958"), for the import preview's matches and for finding duplicates.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from db import matching
from desktop_app.ops import Changes, OpsBus


def region_name(code: str) -> str:
    """ "GB" → "United Kingdom" (the code itself where Qt has no name for it)."""
    territory = QLocale.codeToTerritory(code)
    if territory == QLocale.Country.AnyTerritory:
        return code
    return QLocale.territoryToString(territory)


class ContactsSettingsPage(QWidget):
    title = "Contacts"

    def __init__(self, ops: OpsBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.region = QComboBox()
        self.region.setMaxVisibleItems(20)
        local = matching.locale_region()
        self.region.addItem(
            f"This computer's region ({region_name(local)})" if local else "Not set", ""
        )
        for name, code in sorted((region_name(c), c) for c in matching.regions()):
            self.region.addItem(f"{name} ({code})", code)
        self._stored = matching.stored_region(ops.database)
        self.region.setCurrentIndex(max(0, self.region.findData(self._stored)))
        hint = QLabel(
            "Phone numbers written without a country code (020 7946 0958) are taken to be in "
            "this region, so that the same number written two ways is recognised when you "
            "import contacts or look for duplicates."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Phone numbers are in", self.region)
        form.addRow("", hint)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)

    def chosen(self) -> str:
        return str(self.region.currentData() or "")

    def validate(self) -> str | None:
        return None

    def apply(self) -> None:
        region = self.chosen()
        if region != self._stored:
            self.ops.run(lambda db: matching.save_region(db, region), Changes(settings=True))
            self._stored = region
