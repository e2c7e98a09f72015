"""Settings: one dialog, one tab per feature.

Each feature contributes a page: a QWidget with a ``title``, ``validate()`` returning a
message for the first problem (or None) after showing it beside the field, and ``apply()``
writing its values through the ``OpsBus``. Nothing is written unless every page is valid, so
a mistake on one tab never leaves the others half-saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.dialogs import Dialog
from desktop_app.followups.settings_page import FollowupsSettingsPage
from desktop_app.journeys.settings_page import JourneySettingsPage
from desktop_app.ops import OpsBus
from desktop_app.sales.settings_page import SalesSettingsPage
from desktop_app.settings.database_page import DatabasePage

log = logging.getLogger(__name__)


@runtime_checkable
class SettingsPage(Protocol):
    title: str

    def validate(self) -> str | None: ...

    def apply(self) -> None: ...


PageFactory = Callable[[OpsBus], QWidget]


#: The pages, in tab order: every settings tab, listed here (docs/architecture.md).
PAGES: list[PageFactory] = [DatabasePage, JourneySettingsPage]


def _contacts_page(ops: OpsBus) -> QWidget:
    # Built when Settings opens: phonenumbers, which it lists regions from, would slow start-up.
    from desktop_app.settings.contacts_page import ContactsSettingsPage  # noqa: PLC0415

    return ContactsSettingsPage(ops)


PAGES += [_contacts_page, FollowupsSettingsPage, SalesSettingsPage]


class SettingsDialog(Dialog):
    def __init__(self, ops: OpsBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumSize(640, 480)
        self.tabs = QTabWidget()
        self.pages: list[QWidget] = []
        for factory in PAGES:
            page = factory(ops)
            if not isinstance(page, SettingsPage):
                raise TypeError(f"{factory!r} does not make a settings page")
            self.pages.append(page)
            self.tabs.addTab(page, page.title)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

    def page(self, title: str) -> QWidget:
        for page in self.pages:
            if getattr(page, "title", None) == title:
                return page
        raise KeyError(title)

    def save(self) -> bool:
        """Validate every page (showing the first problem), then apply them all."""
        for page in self.pages:
            assert isinstance(page, SettingsPage)
            if page.validate() is not None:
                self.tabs.setCurrentWidget(page)
                return False
        for page in self.pages:
            assert isinstance(page, SettingsPage)
            page.apply()
        self.accept()
        return True

    @classmethod
    def ask(cls, ops: OpsBus, parent: QWidget | None = None, tab: str | None = None) -> bool:
        """Show the settings (on ``tab`` if given); True if they were saved."""
        dialog = cls(ops, parent)
        if tab is not None:
            dialog.tabs.setCurrentWidget(dialog.page(tab))
        return dialog.exec() == QDialog.DialogCode.Accepted
