"""Puts the sales feature into the main window: the detail section and the Sales settings
tab."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.sales.section import SalesSection
from desktop_app.sales.settings_page import SalesSettingsPage
from desktop_app.settings import dialog as settings_dialog

if TYPE_CHECKING:
    from desktop_app.main_window import MainWindow

if SalesSettingsPage not in settings_dialog.PAGES:
    settings_dialog.PAGES.append(SalesSettingsPage)


def install_sales(window: MainWindow) -> None:
    window.sales_section = SalesSection(window.ops)  # type: ignore[attr-defined]
    window.contacts_page.detail.add_section(window.sales_section, order=40)  # type: ignore[attr-defined]
