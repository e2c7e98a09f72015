"""Puts the sales feature into the main window: the purchases and satisfaction section of
the detail pane (its settings tab is listed in ``desktop_app.settings.dialog``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.main_window import MainWindow
    from desktop_app.sales.section import SalesSection


def install_sales(window: MainWindow) -> None:
    """The section is built when the detail pane first needs it (``window.sales_section``
    builds it when asked for before that)."""
    window.contacts_page.detail.add_section(lambda: _section(window), order=40)


def _section(window: MainWindow) -> SalesSection:
    from desktop_app.sales.section import SalesSection  # noqa: PLC0415 - when first needed

    section = SalesSection(window.ops)
    window.sales_section = section
    return section
