"""The Today page: overdue, due today, loyal customers at risk, stuck, and the next 7 days.

Each section shows a page of rows from ``db.today`` (more on request) under a header with its
count; each row says who, why and since when, and offers one-click actions: log a touch,
snooze (tomorrow, next week, a date), mark done, open the contact. The page refreshes when
follow-ups, touches, stages or contacts change, and again just after midnight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from db import followups, today
from db.clock import local_today
from db.domain import FollowupSource
from db.engine import Database
from db.today import Section, TodayCounts, TodayItem
from desktop_app import icons
from desktop_app.dialogs import show_error
from desktop_app.followups.dialog import SnoozeDialog
from desktop_app.ops import Changes, OpsBus

log = logging.getLogger(__name__)

#: Rows shown per section at first, and added by each "Show more".
PAGE = 10

_BLURB = {
    Section.OVERDUE: "Oldest first. Each one was due on the day shown.",
    Section.DUE_TODAY: "",
    Section.AT_RISK: "Loyal customers whose rhythm of touches has lapsed: reach out before "
    "they slip away.",
    Section.STUCK: "In their stage longer than it should take: help them to the next step.",
    Section.UPCOMING: "",
}


def due_text(item: TodayItem, section: Section) -> str:
    """How a row's date reads: "5 days overdue", "due today", "in 3 days (Thu 5 Mar)"."""
    days = (item.due_on - item.today).days
    if section is Section.STUCK:
        return f"stuck since {item.due_on:%a %-d %b}" if days < 0 else "stuck since today"
    if section is Section.AT_RISK:
        return f"{-days} days past due" if days < 0 else "due"
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} overdue"
    if days == 0:
        return "due today"
    if days == 1:
        return f"tomorrow ({item.due_on:%a %-d %b})"
    return f"in {days} days ({item.due_on:%a %-d %b})"


class TodayRow(QFrame):
    """One contact on a list, with its actions."""

    def __init__(self, item: TodayItem, section: Section, page: TodayPage) -> None:
        super().__init__()
        self.item = item
        self.setObjectName("todayRow")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

        medium = QLabel()
        medium.setFixedSize(28, 28)
        medium.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if item.suggested_medium is not None:
            medium.setPixmap(icons.medium_icon(item.suggested_medium).pixmap(QSize(22, 22)))
            medium.setToolTip(f"Suggested: {item.suggested_medium.label}")

        name = QLabel(item.name)
        name.setObjectName("todayName")
        company = QLabel(item.company)
        company.setObjectName("todayCompany")
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(name)
        top.addWidget(company)
        top.addStretch(1)
        self.due_label = QLabel(due_text(item, section))
        self.due_label.setObjectName("todayDue")
        self.due_label.setProperty("late", item.due_on < item.today)
        top.addWidget(self.due_label)

        self.reason_label = QLabel(item.reason)
        self.reason_label.setObjectName("todayReason")
        self.reason_label.setWordWrap(True)
        source = {
            FollowupSource.MANUAL: "set by hand",
            FollowupSource.PLAN: "100-day plan",
            FollowupSource.CADENCE: "cadence",
        }[item.source]
        touched = (
            "never touched"
            if item.last_touch_at is None
            else f"last touch {item.last_touch_at.astimezone():%-d %b %Y}"
        )
        meta_parts = [p for p in (item.stage, source, touched) if p]
        if section in (Section.AT_RISK, Section.STUCK):
            meta_parts.remove(source)
        meta = QLabel(" · ".join(meta_parts))
        meta.setObjectName("todayMeta")

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addLayout(top)
        text.addWidget(self.reason_label)
        text.addWidget(meta)

        self.touch_button = self._button(
            "Log touch", "note", "Log a touch (completes the follow-up)"
        )
        self.touch_button.clicked.connect(lambda: page.touch_requested.emit(item.contact_id))
        self.snooze_button = self._button("Snooze", "clock", "Put it off until later")
        snooze_menu = QMenu(self.snooze_button)
        for label, day in followups.snooze_choices(item.today):
            action = QAction(f"{label}  ({day:%a %-d %b})", snooze_menu)
            action.triggered.connect(lambda _c=False, d=day: page.snooze(item.contact_id, d))
            snooze_menu.addAction(action)
        pick = QAction("Pick a date…", snooze_menu)
        pick.triggered.connect(lambda: page.snooze_to_picked(item.contact_id))
        snooze_menu.addAction(pick)
        self.snooze_button.setMenu(snooze_menu)
        self.snooze_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.done_button = self._button("Done", "check", "Mark done without logging a touch")
        self.done_button.clicked.connect(lambda: page.mark_done(item))
        self.open_button = self._button("Open", "user", "Show the contact")
        self.open_button.clicked.connect(lambda: page.open_contact_requested.emit(item.contact_id))
        # Stuck is about the stage, not a date: snoozing or ticking it off would not help.
        # At risk is about touches lapsing: only a touch (or ticking the cadence off) helps.
        self.snooze_button.setVisible(section not in (Section.STUCK, Section.AT_RISK))
        self.done_button.setVisible(section is not Section.STUCK)

        actions = QHBoxLayout()
        actions.setSpacing(6)
        for button in (self.touch_button, self.snooze_button, self.done_button, self.open_button):
            actions.addWidget(button)

        row = QHBoxLayout(self)
        row.setContentsMargins(10, 8, 10, 8)
        row.setSpacing(10)
        row.addWidget(medium, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)
        row.addLayout(actions)

    def _button(self, text: str, icon_name: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setObjectName("rowAction")
        button.setText(text)
        button.setIcon(icons.icon(icon_name))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setToolTip(tip)
        return button


class SectionView(QWidget):
    """A header with the count, the rows, and "Show more" while more are waiting."""

    def __init__(self, section: Section, page: TodayPage) -> None:
        super().__init__()
        self.section = section
        self._page = page
        self.limit = PAGE
        self.rows: list[TodayRow] = []
        self.header = QLabel(section.label)
        self.header.setObjectName("sectionHeader")
        self.count_label = QLabel()
        self.count_label.setObjectName("sectionCount")
        self.count_label.setProperty("late", section is Section.OVERDUE)
        head = QHBoxLayout()
        head.setSpacing(8)
        head.addWidget(self.header)
        head.addWidget(self.count_label)
        head.addStretch(1)
        self.blurb = QLabel(_BLURB[section])
        self.blurb.setObjectName("todayMeta")
        self.blurb.setVisible(bool(_BLURB[section]))
        self.more_button = QPushButton("Show more")
        self.more_button.setFlat(True)
        self.more_button.clicked.connect(self._on_more)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setSpacing(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 10)
        layout.setSpacing(6)
        layout.addLayout(head)
        layout.addWidget(self.blurb)
        layout.addLayout(self._rows_layout)
        layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignLeft)

    def load(self, counts: TodayCounts, items: Sequence[TodayItem]) -> None:
        total = counts.of(self.section)
        self.count_label.setText(counts.shown(self.section))
        self.setVisible(total > 0)
        for row in self.rows:
            self._rows_layout.removeWidget(row)
            row.deleteLater()
        self.rows = []
        for item in items:
            row = TodayRow(item, self.section, self._page)
            self._rows_layout.addWidget(row)
            self.rows.append(row)
        self.more_button.setVisible(total > len(self.rows))

    def _on_more(self) -> None:
        self.limit += PAGE
        self._page.refresh()


class TodayPage(QWidget):
    """Whom to contact today and why. ``today`` gives the day (tests pass a fixed one)."""

    #: The owner wants to log a touch with this contact (the window opens the touch dialog).
    touch_requested = Signal(int)
    #: Show this contact in the Contacts place.
    open_contact_requested = Signal(int)
    #: Fresh counts after every refresh (sidebar badge, window title, tray).
    counts_changed = Signal(object)

    def __init__(
        self,
        ops: OpsBus,
        today_fn: Callable[[], date] = local_today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.today = today_fn
        self.counts = TodayCounts()

        self.title = QLabel("Today")
        self.title.setObjectName("pageTitle")
        self.date_label = QLabel()
        self.date_label.setObjectName("countLabel")
        self.summary = QLabel()
        self.summary.setObjectName("todaySummary")
        self.summary.setWordWrap(True)
        self.empty_hint = QLabel()
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)

        self.sections = {s: SectionView(s, self) for s in Section}
        body = QWidget()
        body.setObjectName("todayBody")
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 8, 0)
        body_layout.setSpacing(8)
        for view in self.sections.values():
            body_layout.addWidget(view)
        body_layout.addWidget(self.empty_hint)
        body_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(body)
        self.scroll_area.viewport().setAutoFillBackground(False)
        body.setAutoFillBackground(False)

        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addSpacing(10)
        head.addWidget(self.date_label, 0, Qt.AlignmentFlag.AlignBottom)
        head.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 8)
        layout.setSpacing(8)
        layout.addLayout(head)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll_area, 1)

        self._midnight = QTimer(self, singleShot=True)
        self._midnight.timeout.connect(self._on_midnight)
        ops.changed.connect(self._on_changed)
        self.refresh()

    # --- loading --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the lists again: on the background runner, so the window never waits."""
        day = self.today()
        limits = {section: view.limit for section, view in self.sections.items()}

        def read(database: Database) -> tuple[date, TodayCounts, dict[Section, list[TodayItem]]]:
            counts = today.counts(database, day)
            items = {
                section: (
                    today.section_items(database, section, day, limit=limits[section])
                    if counts.of(section)
                    else []
                )
                for section in Section
            }
            return day, counts, items

        self.ops.read(read, self._on_loaded)

    def _on_loaded(self, loaded: tuple[date, TodayCounts, dict[Section, list[TodayItem]]]) -> None:
        day, counts, items = loaded
        self.counts = counts
        self.date_label.setText(f"{day:%A %-d %B %Y}")
        for section, view in self.sections.items():
            view.load(counts, items[section])
        self.summary.setText(self._summary_text())
        nothing = not any(self.counts.of(s) for s in Section)
        self.empty_hint.setText(
            "Nothing is due. Every relationship is on schedule — enjoy the quiet."
            if nothing
            else ""
        )
        self.empty_hint.setVisible(nothing)
        self._schedule_midnight()
        self.counts_changed.emit(self.counts)

    def _summary_text(self) -> str:
        c = self.counts
        parts = []
        if c.overdue:
            parts.append(f"{c.overdue:,} overdue")
        if c.due_today:
            parts.append(f"{c.due_today:,} due today")
        if c.at_risk:
            parts.append(f"{c.shown(Section.AT_RISK)} loyal at risk")
        if c.stuck:
            parts.append(f"{c.shown(Section.STUCK)} stuck")
        if not parts:
            return "You are all caught up."
        return "To do: " + ", ".join(parts) + "."

    def _schedule_midnight(self) -> None:
        now = datetime.now(UTC).astimezone()
        tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time())
        tomorrow = tomorrow.replace(tzinfo=now.tzinfo)
        # A second past midnight, so the new day has surely begun.
        self._midnight.start(int((tomorrow - now).total_seconds() * 1000) + 1000)

    def _on_midnight(self) -> None:
        self.refresh()

    def _on_changed(self, changes: Changes) -> None:
        if changes.touch("followups", "touches", "stages", "contacts", "settings"):
            self.refresh()

    # --- actions --------------------------------------------------------------------------

    def snooze(self, contact_id: int, until: date) -> None:
        day = self.today()
        self._run(lambda db: followups.snooze(db, contact_id, until, today=day))

    def snooze_to_picked(self, contact_id: int) -> None:
        until = SnoozeDialog.ask(self.today(), self)
        if until is not None:
            self.snooze(contact_id, until)

    def mark_done(self, item: TodayItem) -> None:
        through = max(item.due_on, self.today())
        self._run(lambda db: followups.mark_done(db, item.contact_id, through=through))

    def _run(self, op: Callable[[Database], object]) -> None:
        try:
            self.ops.run(op, Changes(followups=True))
        except followups.FollowupError as exc:
            show_error(self, "The follow-up could not be changed", str(exc))

    def row_count(self, section: Section) -> int:
        return len(self.sections[section].rows)
