"""Puts the sales feature into the main window: the purchases and satisfaction section of
the detail pane (its settings tab is listed in ``desktop_app.settings.dialog``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.sales.section import SalesSection

if TYPE_CHECKING:
    from desktop_app.main_window import MainWindow


def install_sales(window: MainWindow) -> None:
    window.sales_section = SalesSection(window.ops)
    window.contacts_page.detail.add_section(window.sales_section, order=40)
