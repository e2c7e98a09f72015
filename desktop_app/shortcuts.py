"""Help → Keyboard shortcuts: every key the app answers to, on one sheet.

The menu commands are read from the window's own actions, so a new command with a shortcut
shows here by itself; the keys that work inside one place or dialog are listed beside them.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop_app.dialogs import Dialog
from desktop_app.today.page import ROW_KEYS

#: Keys that work in one place or dialog rather than from a menu.
IN_PLACE: dict[str, list[tuple[str, str]]] = {
    "Today": [
        ("↑ ↓, J K", "Choose a row"),
        ("Page Up, Page Down, Home, End", "Jump through the rows"),
        *((key, what) for key, what in ROW_KEYS.items()),
        ("Ctrl+L", "Log a touch for the chosen row"),
    ],
    "Contacts": [
        ("Enter, Ctrl+E", "Edit the selected contact"),
        ("Del", "Move the selection to the trash"),
        ("Menu key, Shift+F10", "Actions on the selection (tag, stage, touch, follow-up)"),
        ("Right-click the column titles", "Choose the columns"),
    ],
    "Journey board": [
        ("Ctrl+Left, Ctrl+Right", "Move the card to the stage before or after"),
    ],
    "Log touch": [
        ("1 to 6", "The medium (in person, email, phone, mail, video, gift)"),
        ("1 to 6 while namesakes are listed", "Choose which of them"),
        ("Enter, Ctrl+Enter", "Save"),
        ("Esc", "Cancel"),
    ],
    "Feedback": [("1 to 5", "Score the question and go on to the next")],
    "Every form": [
        ("Tab, Shift+Tab", "Next or previous field, in the order they appear"),
        ("Ctrl+Tab", "Type a tab in a notes field"),
        ("Alt+underlined letter", "Jump to that field"),
    ],
}


def menu_shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(keys, command) for every action of the window with a shortcut, in menu order."""
    seen: set[str] = set()
    rows: list[tuple[str, str]] = []
    for action in window.findChildren(QAction):
        keys = [k for k in action.shortcuts() if not k.isEmpty()]
        if not keys:
            continue
        text = action.text().replace("&", "").rstrip("…").strip()
        if text.lower().startswith("undo "):
            text = "Undo"
        elif text.lower().startswith("redo "):
            text = "Redo"
        shown = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        if (shown, text) in {(r[0], r[1]) for r in rows} or text in seen:
            continue
        seen.add(text)
        rows.append((shown, text))
    return rows


def sheet_html(window: QWidget) -> str:
    def table(title: str, rows: list[tuple[str, str]]) -> str:
        body = "".join(
            f"<tr><td style='padding:2px 16px 2px 0;'><b>{escape(keys)}</b></td>"
            f"<td>{escape(what)}</td></tr>"
            for keys, what in rows
        )
        return f"<h3 style='margin-top:12px;'>{escape(title)}</h3><table>{body}</table>"

    parts = [table("Anywhere", menu_shortcuts(window))]
    parts += [table(place, rows) for place, rows in IN_PLACE.items()]
    return "".join(parts)


class ShortcutsSheet(Dialog):
    def __init__(self, window: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(560, 600)
        self.text = QLabel(sheet_html(window))
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.addWidget(self.text)
        column.addStretch(1)
        area.setWidget(holder)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(area, 1)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, window: QWidget) -> None:
        cls(window, window).exec()
