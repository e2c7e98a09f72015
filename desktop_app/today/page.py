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
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QShowEvent
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

from db import automation, contacts, followups, today
from db.clock import local_today
from db.engine import Database
from db.today import Section, TodayCounts, TodayItem
from desktop_app import icons, theme
from desktop_app.dialogs import show_error
from desktop_app.followups.dialog import SnoozeDialog
from desktop_app.journeys.badges import stage_tones
from desktop_app.journeys.moves import offer_phase
from desktop_app.ops import Changes, OpsBus
from desktop_app.undo import run_undoable

log = logging.getLogger(__name__)

#: Rows shown per section at first, and added by each "Show more".
PAGE = 10
#: New rows built in one turn of the event loop; the rest are built in the next turns, so
#: showing five full lists never holds the window for long: a row is a dozen widgets, about
#: 2.5 ms to build, lay out and show, twice that on a busy two-core machine, where five a
#: turn held the window 30 ms at a time (docs/architecture.md, "Pauses").
ROWS_PER_TURN = 3

#: What a refresh reads: the day, counts, each list's rows, stage tones, and whether the
#: database has any contacts at all.
Loaded = tuple[date, TodayCounts, dict[Section, list[TodayItem]], dict[str, str], bool]

_BLURB = {
    Section.OVERDUE: "Oldest first. Each one was due on the day shown.",
    Section.DUE_TODAY: "",
    Section.AT_RISK: "Loyal customers whose rhythm of touches has lapsed: reach out before "
    "they slip away.",
    Section.STUCK: "In their stage longer than it should take: help them to the next step.",
    Section.UPCOMING: "",
}


def late_words(days: int) -> str:
    """How late, as a person would say it: "3 days", "about 5 months", "over a year"."""
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 365:
        return f"about {round(days / 30.4)} months"
    years = days // 365
    return "over a year" if years == 1 else f"over {years} years"


def due_text(item: TodayItem, section: Section) -> str:
    """How a row's date reads: "5 days overdue", "due today", "in 3 days (Thu 5 Mar)"."""
    days = (item.due_on - item.today).days
    if section is Section.STUCK:
        return f"stuck since {item.due_on:%a %-d %b}" if days < 0 else "stuck since today"
    if section is Section.AT_RISK:
        return f"{-days} days past due" if days < 0 else "due"
    if days < 0:
        return f"{late_words(-days)} overdue"
    if days == 0:
        return "due today"
    if days == 1:
        return f"tomorrow ({item.due_on:%a %-d %b})"
    return f"in {days} days ({item.due_on:%a %-d %b})"


#: The keys that act on the current row (also listed under Help → Keyboard shortcuts).
ROW_KEYS = {
    "L": "Log a touch",
    "S": "Snooze",
    "D": "Done",
    "O": "Open the contact (or Enter)",
}
KEY_HINT = "↑ ↓ choose · L log touch · S snooze · D done · Enter open"


class TodayRow(QFrame):
    """One contact on a list in two lines (who and how late; stage and why) and its actions.

    The actions are small icon buttons; the keyboard reaches them through the page (L, S, D,
    Enter) on the current row, which the arrow keys move.
    """

    clicked = Signal(object)

    def __init__(self, item: TodayItem, section: Section, page: TodayPage) -> None:
        super().__init__()
        self.item = item
        self.section = section
        self.setObjectName("todayRow")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

        # The layouts first, then each widget made with the row as its parent: a widget made
        # without one is given it when its layout is added, which restyles it a second time
        # (a row is made for every contact on the lists, several per turn of the event loop).
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 8, 6)
        row.setSpacing(10)
        text = QVBoxLayout()
        text.setSpacing(2)
        top = QHBoxLayout()
        top.setSpacing(8)
        second = QHBoxLayout()
        second.setSpacing(8)
        actions = QHBoxLayout()
        actions.setSpacing(4)

        medium = QLabel(self)
        medium.setFixedSize(24, 24)
        medium.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if item.suggested_medium is not None:
            medium.setPixmap(icons.medium_icon(item.suggested_medium).pixmap(QSize(20, 20)))
            medium.setToolTip(f"Suggested: {item.suggested_medium.label}")
            medium.setAccessibleName(f"Suggested medium: {item.suggested_medium.label}")
        row.addWidget(medium, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)
        row.addLayout(actions)
        text.addLayout(top)
        text.addLayout(second)

        name = QLabel(item.name, self)
        name.setObjectName("todayName")
        company = QLabel(item.company, self)
        company.setObjectName("todayCompany")
        company.setMinimumWidth(0)
        company.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        top.addWidget(name)
        top.addWidget(company, 1)
        self.due_label = QLabel(due_text(item, section), self)
        self.due_label.setObjectName("todayDue")
        self.due_label.setProperty("late", item.due_on < item.today)
        top.addWidget(self.due_label)

        self.stage_label = QLabel(self)
        self.stage_label.setTextFormat(Qt.TextFormat.RichText)
        if item.stage:
            tone = page.stage_tones.get(item.stage, "neutral")
            self.stage_label.setText(theme.chip_html(item.stage, tone))
            self.stage_label.setToolTip(f"Stage: {item.stage}")
        self.reason_label = QLabel(item.reason, self)
        self.reason_label.setObjectName("todayReason")
        self.reason_label.setMinimumWidth(0)
        self.reason_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.reason_label.setToolTip(item.reason)
        second.addWidget(self.stage_label)
        second.addWidget(self.reason_label, 1)

        self.touch_button = self._button("note", "Log a touch (L); it completes the follow-up")
        self.touch_button.clicked.connect(lambda: page.touch_requested.emit(item.contact_id))
        self.snooze_button = self._button("clock", "Snooze (S): put it off until later")
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
        self.done_button = self._button("check", "Done (D): tick it off without a touch")
        self.done_button.clicked.connect(lambda: page.mark_done(item))
        self.open_button = self._button("user", "Open the contact (Enter)")
        self.open_button.clicked.connect(lambda: page.open_contact_requested.emit(item.contact_id))
        # Stuck is about the stage, not a date: snoozing or ticking it off would not help.
        # At risk is about touches lapsing: only a touch (or ticking the cadence off) helps.
        self.snooze_button.setHidden(section in (Section.STUCK, Section.AT_RISK))
        self.done_button.setHidden(section is Section.STUCK)
        for button in (self.touch_button, self.snooze_button, self.done_button, self.open_button):
            actions.addWidget(button)

    def _button(self, icon_name: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName("rowAction")
        button.setIcon(icons.icon(icon_name))
        button.setIconSize(QSize(16, 16))  # icon only: a tool button's own default
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (", maxsplit=1)[0])
        # The page's keys do the same on the current row: Tab need not visit every button.
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return button

    def set_current(self, current: bool) -> None:
        if self.property("current") == current:
            return
        self.setProperty("current", current)
        self.style().unpolish(self)
        self.style().polish(self)

    def mousePressEvent(self, event: Any) -> None:
        self.clicked.emit(self)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: Any) -> None:
        self.open_button.click()


class SectionView(QWidget):
    """A header with the count, the rows, and "Show more" while more are waiting."""

    def __init__(self, section: Section, page: TodayPage) -> None:
        super().__init__()
        self.section = section
        self._page = page
        self.limit = PAGE
        self.rows: list[TodayRow] = []
        #: Rows kept from the last load for items not reached yet (see ``load``).
        self._spare: dict[TodayItem, TodayRow] = {}
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

    def load(
        self, counts: TodayCounts, items: Sequence[TodayItem], budget: list[int] | None = None
    ) -> bool:
        """Show ``items``; returns False when ``budget`` (new rows that may still be built in
        this turn, counted down) ran out first: then only the first rows are shown, and
        calling ``load`` again with the same items goes on where this one stopped."""
        total = counts.of(self.section)
        self.count_label.setText(counts.shown(self.section))
        self.setVisible(total > 0)
        # Rows whose item is unchanged are kept (building a row's widgets is the costly part
        # of a refresh); the others are made anew, and all are laid out in the new order.
        laid_out = self.rows
        kept: dict[TodayItem, TodayRow] = {}
        for row in [*self.rows, *self._spare.values()]:
            if row.item in kept:
                row.deleteLater()
            else:
                kept[row.item] = row
        self._spare = {}
        rows = []
        done = True
        for index, item in enumerate(items):
            if item in kept:
                row = kept.pop(item)
                row.setHidden(False)  # if it waited as a spare
            elif budget is not None and budget[0] <= 0:
                # Out of time for this turn: the rows of the items still to come wait, hidden.
                self._spare = {i: kept.pop(i) for i in items[index:] if i in kept}
                for spare in self._spare.values():
                    spare.hide()
                done = False
                break
            else:
                row = TodayRow(item, self.section, self._page)
                row.clicked.connect(self._page.set_current_row)
                if budget is not None:
                    budget[0] -= 1
            rows.append(row)
        self.rows = rows
        if rows[: len(laid_out)] == laid_out:
            # The rows laid out stay first, in their order (the next turn of a build, or an
            # unchanged list): only the new ones are added below them.
            new_rows = rows[len(laid_out) :]
        else:
            for row in laid_out:
                self._rows_layout.removeWidget(row)
            new_rows = rows
        for row in kept.values():
            self._rows_layout.removeWidget(row)
            row.deleteLater()
        for row in new_rows:
            self._rows_layout.addWidget(row)
        self.more_button.setVisible(done and total > len(self.rows))
        return done

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
    #: The ways to start on an empty database.
    new_contact_requested = Signal()
    sample_data_requested = Signal()
    import_requested = Signal()
    #: Every list of a refresh is on screen (its rows are built a screenful a turn).
    lists_shown = Signal()

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
        self.stage_tones: dict[str, str] = {}
        self._current: TodayRow | None = None
        self._current_key: tuple[Section, int] | None = None
        self._current_position = 0
        #: Numbers each showing of the lists; a newer one stops an older one's building.
        self._building = 0
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.title = QLabel("Today")
        self.title.setObjectName("pageTitle")
        self.date_label = QLabel()
        self.date_label.setObjectName("countLabel")
        self.summary = QLabel()
        self.summary.setObjectName("todaySummary")
        self.summary.setWordWrap(True)
        self.key_hint = QLabel(KEY_HINT)
        self.key_hint.setObjectName("countLabel")
        self.empty_hint = QLabel()
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)
        self.start = self._start_panel()
        self.start.hide()
        self.has_contacts = True

        self.sections = {s: SectionView(s, self) for s in Section}
        body = QWidget()
        body.setObjectName("todayBody")
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 8, 0)
        body_layout.setSpacing(8)
        for view in self.sections.values():
            body_layout.addWidget(view)
        body_layout.addWidget(self.empty_hint)
        body_layout.addWidget(self.start)
        body_layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        # The page takes the keys; the scroll area follows the current row.
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
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
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary, 1)
        summary_row.addWidget(self.key_hint, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(summary_row)
        layout.addWidget(self.scroll_area, 1)

        #: Lists read while the page was hidden, shown when it is.
        self._pending: tuple[date, TodayCounts, dict[Section, list[TodayItem]]] | None = None
        #: A build of the lists left off when the page was hidden, to go on when it shows.
        self._unfinished: tuple[int, TodayCounts, dict[Section, list[TodayItem]]] | None = None
        self._midnight = QTimer(self, singleShot=True)
        self._midnight.timeout.connect(self._on_midnight)
        ops.changed.connect(self._on_changed)
        self.refresh()

    # --- loading --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the lists again: on the background runner, so the window never waits."""
        day = self.today()
        limits = {section: view.limit for section, view in self.sections.items()}

        def read(database: Database) -> Loaded:
            counts = today.counts(database, day)
            tones = stage_tones(database)
            items = {
                section: (
                    today.section_items(database, section, day, limit=limits[section])
                    if counts.of(section)
                    else []
                )
                for section in Section
            }
            return day, counts, items, tones, contacts.has_contacts(database)

        self.ops.read(read, self._on_loaded)

    def _on_loaded(self, loaded: Loaded) -> None:
        day, counts, items, tones, has_contacts = loaded
        self.counts = counts
        self.has_contacts = has_contacts
        self.stage_tones = tones
        # The summary is one label: it follows the counts at once, like the sidebar.
        self._show_summary()
        # Hidden behind another place: keep the lists until the page is shown.
        if self.parentWidget() is None or not self.isHidden():
            self._pending = None
            self._show_lists(day, counts, items)
        else:
            # Rows are widgets: built when the page is shown, not after every change made
            # elsewhere. The counts go out at once (sidebar, title, tray).
            self._pending = (day, counts, items)
        self._schedule_midnight()
        self.counts_changed.emit(self.counts)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pending is not None:
            loaded, self._pending = self._pending, None
            self._unfinished = None
            self._show_lists(*loaded)
        elif self._unfinished is not None:
            unfinished, self._unfinished = self._unfinished, None
            self._build_lists(*unfinished)
        # The day's work goes by keyboard: the page takes the keys, on the row it was on.
        self.setFocus()
        if self._current is None:
            self._restore_current()

    def _show_lists(
        self, day: date, counts: TodayCounts, items: dict[Section, list[TodayItem]]
    ) -> None:
        self._current = None
        self.date_label.setText(f"{day:%A %-d %B %Y}")
        self._building += 1
        self._build_lists(self._building, counts, items)

    def _build_lists(
        self, generation: int, counts: TodayCounts, items: dict[Section, list[TodayItem]]
    ) -> None:
        """Lay out the lists, ``ROWS_PER_TURN`` new rows a turn, the first rows first."""
        if generation != self._building:
            return  # A newer refresh took over.
        if self.parentWidget() is not None and self.isHidden():
            # Another place was shown meanwhile: the rest is built when Today shows again,
            # not in turns beside that place's own opening.
            self._unfinished = (generation, counts, items)
            return
        budget = [ROWS_PER_TURN]
        for section, view in self.sections.items():
            if not view.load(counts, items[section], budget):
                QTimer.singleShot(0, self, lambda: self._build_lists(generation, counts, items))
                return
        self._show_summary()
        nothing = not any(self.counts.of(s) for s in Section)
        self.empty_hint.setText(
            "Nothing is due. Every relationship is on schedule — enjoy the quiet."
            if nothing and self.has_contacts
            else ""
        )
        self.empty_hint.setVisible(nothing and self.has_contacts)
        self.start.setVisible(not self.has_contacts)
        self.key_hint.setVisible(not nothing)
        self._restore_current()
        self.lists_shown.emit()

    def _show_summary(self) -> None:
        self.summary.setText(
            self._summary_text()
            if self.has_contacts
            else "No contacts yet. Start with one of these:"
        )

    def _start_panel(self) -> QWidget:
        """What a new database offers: bring contacts in, add one, or try sample data."""
        panel = QWidget()
        panel.setObjectName("startPanel")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 24, 0, 0)
        layout.setSpacing(10)
        heading = QLabel("Touchbase keeps track of whom to contact, when and why.")
        heading.setObjectName("sectionHeader")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.import_button = QPushButton(icons.icon("import"), "Import contacts…")
        self.import_button.setToolTip("Bring in contacts from a CSV file or vCards")
        self.import_button.clicked.connect(self.import_requested)
        self.import_button.hide()  # Shown once the window can import (set_import_available).
        self.new_button = QPushButton(icons.icon("add"), "New contact")
        self.new_button.setObjectName("primaryButton")
        self.new_button.clicked.connect(self.new_contact_requested)
        self.sample_button = QPushButton("Load sample data")
        self.sample_button.setToolTip("Try Touchbase on made-up contacts first")
        self.sample_button.clicked.connect(self.sample_data_requested)
        row = QHBoxLayout()
        row.setSpacing(8)
        for button in (self.import_button, self.new_button, self.sample_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        hint = QLabel(
            "Once contacts are here, Today lists who is overdue, due today, at risk or stuck, "
            "and you work through them from the keyboard."
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        return panel

    def set_import_available(self, available: bool) -> None:
        """Offer "Import contacts…" (the window calls this when it can import)."""
        self.import_button.setVisible(available)

    def _summary_text(self) -> str:
        c = self.counts
        parts = [c.headline()] if c.headline() else []
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
        self._run(
            lambda db: followups.snooze(db, contact_id, until, today=day),
            contact_id,
            f"Snooze until {until:%a %-d %b}",
        )

    def snooze_to_picked(self, contact_id: int) -> None:
        until = SnoozeDialog.ask(self.today(), self)
        if until is not None:
            self.snooze(contact_id, until)

    def mark_done(self, item: TodayItem) -> None:
        through = max(item.due_on, self.today())
        offer = automation.phase_offer_through(self.ops.database, item.contact_id, through)
        done = self._run(
            lambda db: followups.mark_done(db, item.contact_id, through=through),
            item.contact_id,
            f"Mark {item.name} done",
        )
        if done and offer is not None:
            offer_phase(self, self.ops, offer, item.name)

    def _run(self, op: Callable[[Database], object], contact_id: int, text: str) -> bool:
        try:
            run_undoable(self.ops, text, [contact_id], op, Changes(followups=True))
        except followups.FollowupError as exc:
            show_error(self, "The follow-up could not be changed", str(exc))
            return False
        return True

    def row_count(self, section: Section) -> int:
        return len(self.sections[section].rows)

    # --- the keyboard: a current row, moved by the arrows, acted on by single keys ---------

    def all_rows(self) -> list[TodayRow]:
        return [row for view in self.sections.values() if not view.isHidden() for row in view.rows]

    @property
    def current_row(self) -> TodayRow | None:
        return self._current

    def set_current_row(self, row: TodayRow | None) -> None:
        if self._current is not None and self._current is not row:
            self._current.set_current(False)
        self._current = row
        if row is None:
            self._current_key = None
            return
        row.set_current(True)
        self._current_key = (row.section, row.item.contact_id)
        rows = self.all_rows()
        self._current_position = rows.index(row) if row in rows else 0
        if self._current_position == 0:
            self.scroll_area.verticalScrollBar().setValue(0)  # with its section's header
        else:
            self.scroll_area.ensureWidgetVisible(row, 0, 48)

    def _restore_current(self) -> None:
        """After a refresh, the same contact stays current, or the row now in its place (the
        next one, once the current one is done)."""
        rows = self.all_rows()
        if not rows:
            self.set_current_row(None)
            return
        same = next(
            (r for r in rows if (r.section, r.item.contact_id) == self._current_key),
            None,
        )
        self.set_current_row(same or rows[min(self._current_position, len(rows) - 1)])

    def move_current(self, step: int) -> None:
        rows = self.all_rows()
        if not rows:
            return
        if self._current not in rows:
            self.set_current_row(rows[0])
            return
        index = max(0, min(rows.index(self._current) + step, len(rows) - 1))
        self.set_current_row(rows[index])

    def keyPressEvent(self, event: Any) -> None:
        key = event.key()
        row = self._current
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            super().keyPressEvent(event)
            return
        if key in (Qt.Key.Key_Down, Qt.Key.Key_J):
            self.move_current(1)
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_K):
            self.move_current(-1)
        elif key == Qt.Key.Key_PageDown:
            self.move_current(8)
        elif key == Qt.Key.Key_PageUp:
            self.move_current(-8)
        elif key == Qt.Key.Key_Home:
            self.move_current(-(10**6))
        elif key == Qt.Key.Key_End:
            self.move_current(10**6)
        elif row is None:
            super().keyPressEvent(event)
        elif key == Qt.Key.Key_L:
            self.touch_requested.emit(row.item.contact_id)
        elif key == Qt.Key.Key_S and not row.snooze_button.isHidden():
            menu = row.snooze_button.menu()
            menu.popup(row.snooze_button.mapToGlobal(row.snooze_button.rect().bottomLeft()))
            menu.setActiveAction(menu.actions()[0])
        elif key == Qt.Key.Key_D and not row.done_button.isHidden():
            self.mark_done(row.item)
        elif key in (Qt.Key.Key_O, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_contact_requested.emit(row.item.contact_id)
        else:
            super().keyPressEvent(event)
