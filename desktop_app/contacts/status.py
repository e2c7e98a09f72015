"""The detail pane's status line: what matters about a contact, most important first.

Stage, then whether a follow-up is overdue, then lifecycle, satisfaction and qualification,
each a chip whose tool tip says why it reads as it does. Flags (in the trash, centre of
influence, do not contact) follow. The chips flow onto a second line in a narrow pane.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLabel, QLayout, QLayoutItem, QSizePolicy, QWidget

from db.contacts import ContactDetail, ContactRow
from db.feedback import Level
from db.lifecycle import Lifecycle
from desktop_app import theme
from desktop_app.contacts.table_model import format_date
from desktop_app.sales.cells import LEVEL_TONES, LIFECYCLE_TONES

_LIFECYCLE_WHY = {
    Lifecycle.PROSPECTIVE: "No purchase yet.",
    Lifecycle.NEW: "One purchase so far.",
    Lifecycle.ACTIVE: "Bought within the expected interval between purchases.",
    Lifecycle.REPEAT: "Two or more purchases, and still buying.",
    Lifecycle.SEASONAL: "Buys in the same months each year; out of season now.",
    Lifecycle.LAPSED_SHORT: "No purchase within the expected interval: a nudge may bring "
    "them back.",
    Lifecycle.LAPSED_LONG: "No purchase for well past the expected interval.",
    Lifecycle.WIN_BACK: "Inactive for long: worth a win-back offer.",
    Lifecycle.DO_NOT_CONTACT: "Inactive and marked do not contact.",
}


class FlowLayout(QLayout):
    """Lays widgets out left to right, wrapping onto the next line when the width runs out."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _place(self, rect: QRect, *, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and line > 0:
                x, y, line = rect.x(), y + line + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y()


def _chip(text: str, tone: str, why: str) -> QLabel:
    chip = QLabel(text)
    chip.setObjectName("statusChip")
    chip.setStyleSheet(
        f"background:{theme.hex_of(tone + '_bg')}; color:{theme.hex_of(tone + '_fg')};"
        " border-radius:9px; padding:1px 8px;"
    )
    chip.setToolTip(why)
    chip.setAccessibleName(f"{text}: {why}")
    chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return chip


def status_chips(
    contact: ContactDetail, row: ContactRow | None, stage_tone: str, today: date
) -> list[tuple[str, str, str]]:
    """(text, tone, why) for the status line, most important first."""
    chips: list[tuple[str, str, str]] = []
    if contact.deleted_at is not None:
        chips.append(("In the trash", "danger", "Deleted: restore it to work with it again."))
    if contact.stage_label:
        chips.append(
            (
                contact.stage_label,
                stage_tone,
                f"Where the relationship stands in the journey: {contact.stage_label}.",
            )
        )
    due = contact.next_followup_on
    if due is not None and contact.deleted_at is None:
        days = (today - due).days
        if days > 0:
            late = "1 day" if days == 1 else f"{days:,} days"
            chips.append(
                (f"Overdue {late}", "danger", f"The next follow-up was due on {format_date(due)}.")
            )
        elif days == 0:
            chips.append(("Due today", "warning", "A follow-up is due today."))
    if row is not None:
        lifecycle = Lifecycle(row.lifecycle)
        chips.append(
            (lifecycle.label, LIFECYCLE_TONES[lifecycle], f"Lifecycle: {_LIFECYCLE_WHY[lifecycle]}")
        )
        if row.satisfaction:
            level = Level(row.satisfaction)
            chips.append((level.label, LEVEL_TONES[level], "From the latest feedback form."))
    met = [
        name
        for name, on in (
            ("need", contact.has_need),
            ("budget", contact.has_budget),
            ("urgency", contact.has_urgency),
            ("decision maker", contact.is_decision_maker),
        )
        if on
    ]
    chips.append(
        (
            contact.qualification.label,
            "neutral",
            f"Qualification: {len(met)} of 4 criteria" + (f" ({', '.join(met)})." if met else "."),
        )
    )
    if contact.centre_of_influence:
        chips.append(("★ Centre of influence", "warning", "Refers others, even if never buys."))
    if contact.do_not_contact:
        chips.append(("Do not contact", "danger", "Never reminded about this contact."))
    return chips


class StatusLine(QWidget):
    """The chips of :func:`status_chips`, wrapping as the pane narrows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusLine")
        self._layout = FlowLayout(self)
        self.chips: list[QLabel] = []
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def show_chips(self, chips: list[tuple[str, str, str]]) -> None:
        for chip in self.chips:
            self._layout.removeWidget(chip)
            chip.hide()
            chip.deleteLater()
        self.chips = [_chip(*c) for c in chips]
        for chip in self.chips:
            self._layout.addWidget(chip)
        self.updateGeometry()

    def texts(self) -> list[str]:
        return [chip.text() for chip in self.chips]

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._layout.heightForWidth(width)

    def sizeHint(self) -> QSize:
        return QSize(200, self._layout.heightForWidth(max(self.width(), 200)))
