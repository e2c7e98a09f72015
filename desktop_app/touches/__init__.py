"""Touches in the app: the log-touch dialog, the timeline and the touch figures.

Other features call ``log_touch(parent, ops, contact_id)`` to open the dialog (the board,
the Today view, ...), and the window adds ``log_touch_action`` (Ctrl+L from anywhere).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QWidget

from db.domain import Medium
from desktop_app import icons
from desktop_app.ops import OpsBus

if TYPE_CHECKING:
    from desktop_app.contacts.detail import DetailPane

LOG_TOUCH_SHORTCUT = "Ctrl+L"


def log_touch(parent: QWidget | None, ops: OpsBus, contact_id: int | None = None) -> int | None:
    """Open the log-touch dialog (for ``contact_id``, or with the contact picker focused);
    returns the new touch's id, or None if nothing was logged."""
    # The dialog's module loads after the first page (``MainWindow``), not on the way to it.
    from desktop_app.touches.dialog import TouchDialog  # noqa: PLC0415

    touch_id = TouchDialog.ask(ops, parent, contact_id)
    if touch_id is not None:
        window = parent.window() if parent is not None else None
        if isinstance(window, QMainWindow):
            from db import touches  # noqa: PLC0415

            record = touches.get_touch(ops.database, touch_id)
            window.statusBar().showMessage(
                f"Logged {Medium(record.medium).label.lower()} touch with {record.contact_name}.",
                6000,
            )
    return touch_id


def log_touch_action(
    parent: QWidget, ops: OpsBus, current_contact: Callable[[], int | None]
) -> QAction:
    """ "Log touch…" with Ctrl+L anywhere in the application, for the contact
    ``current_contact()`` names (None: the dialog asks who)."""
    action = QAction(icons.icon("note"), "&Log touch…", parent)
    action.setShortcut(QKeySequence(LOG_TOUCH_SHORTCUT))
    action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
    action.triggered.connect(lambda: log_touch(parent, ops, current_contact()))
    return action


def add_detail_sections(detail: DetailPane, ops: OpsBus) -> None:
    """Add the touch figures and the timeline to a contacts detail pane (built when the
    pane first needs them)."""

    def stats() -> QWidget:
        from desktop_app.touches.sections import TouchStatsSection  # noqa: PLC0415

        section = TouchStatsSection(ops)
        section.log_requested.connect(lambda cid: log_touch(detail, ops, cid))
        return section

    def timeline() -> QWidget:
        from desktop_app.touches.sections import TimelineSection  # noqa: PLC0415

        return TimelineSection(ops)

    detail.add_section(stats, order=30)
    detail.add_section(timeline, order=90, tab=detail.TIMELINE)


__all__ = [
    "LOG_TOUCH_SHORTCUT",
    "add_detail_sections",
    "log_touch",
    "log_touch_action",
]
