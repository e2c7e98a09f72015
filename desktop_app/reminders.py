"""Reminders while the app runs: a tray icon with the overdue count, a desktop notification
when follow-ups fall due, and an in-app banner where the desktop has no tray.

Due follow-ups are checked on start and then every few minutes; each follow-up is announced
once (``db.today.take_new_notices`` marks it notified), so the owner is not nagged at every
check. The tray is passed in, so tests replace it with a fake.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QIcon, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSystemTrayIcon,
    QWidget,
)

from db import automation, today
from db.clock import local_today
from db.today import Notice, TodayCounts
from desktop_app import icons, options, theme
from desktop_app.ops import Changes, OpsBus
from desktop_app.tasks import ImmediateRunner, Task, TaskRunner

if TYPE_CHECKING:
    from desktop_app.main_window import MainWindow

log = logging.getLogger(__name__)

#: How often due follow-ups are looked for while the app runs.
CHECK_INTERVAL_MS = 5 * 60 * 1000


class Tray(Protocol):
    """What reminders need of a tray icon (QSystemTrayIcon, or a fake in tests)."""

    def setIcon(self, icon: QIcon) -> None: ...

    def setToolTip(self, tip: str) -> None: ...

    def setContextMenu(self, menu: QMenu) -> None: ...

    def showMessage(self, title: str, message: str, icon: QIcon, msecs: int) -> None: ...

    def show(self) -> None: ...


def system_tray(parent: QObject) -> QSystemTrayIcon | None:
    """The desktop's tray icon, or None where there is no tray."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    return QSystemTrayIcon(icons.app_icon(), parent)


def badge_icon(count: int) -> QIcon:
    """The app icon with the number of contacts needing attention in a red disc."""
    base = icons.icon("touchbase-tray")
    if count <= 0:
        return base
    pixmap = base.pixmap(64, 64)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.color("badge"))
    disc = QRect(26, 0, 38, 38)
    painter.drawEllipse(disc)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(22 if count < 100 else 15)
    painter.setFont(font)
    painter.setPen(theme.color("on_badge"))
    painter.drawText(disc, Qt.AlignmentFlag.AlignCenter, str(count) if count < 1000 else "999+")
    painter.end()
    return QIcon(pixmap)


def notice_text(notice: Notice, counts: TodayCounts | None = None) -> tuple[str, str]:
    """The notification's title and body: how many, and whose.

    How many is the Today count (``counts``) once it has been read, so the banner, tray,
    sidebar and window title never disagree; the names are those that just fell due.
    """
    due = counts.needs_attention if counts is not None and counts.needs_attention else 0
    count = due or notice.count
    title = "1 follow-up is due" if count == 1 else f"{count:,} follow-ups are due"
    names = list(notice.names)
    rest = notice.count - len(names)
    if rest > 0:
        body = ", ".join(names) + f" and {rest:,} more"
    elif len(names) > 1:
        body = ", ".join(names[:-1]) + f" and {names[-1]}"
    else:
        body = "".join(names)
    return title, body


class ReminderBanner(QFrame):
    """The in-app stand-in for a desktop notification."""

    today_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reminderBanner")
        self.title = QLabel()
        self.title.setObjectName("reminderTitle")
        self.body = QLabel()
        self.show_button = QPushButton("Show Today")
        self.show_button.clicked.connect(self._on_show)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setFlat(True)
        self.dismiss_button.clicked.connect(self.hide)
        bell = QLabel()
        bell.setPixmap(icons.icon("bell").pixmap(20, 20))
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 6, 12, 6)
        row.addWidget(bell)
        row.addWidget(self.title)
        row.addWidget(self.body, 1)
        row.addWidget(self.show_button)
        row.addWidget(self.dismiss_button)
        self.hide()

    def show_notice(self, notice: Notice, counts: TodayCounts | None = None) -> None:
        self._notice = notice
        self.set_counts(counts)
        self.show()

    def set_counts(self, counts: TodayCounts | None) -> None:
        """Keep the banner's figure the same as the sidebar's while it shows."""
        notice = getattr(self, "_notice", None)
        if notice is None:
            return
        title, body = notice_text(notice, counts)
        self.title.setText(title + ":")
        self.body.setText(body)

    def _on_show(self) -> None:
        self.hide()
        self.today_requested.emit()


class Reminders(QObject):
    """Looks for newly due follow-ups and tells the owner by tray notification or banner."""

    #: A notice went out (to the tray or the banner).
    notified = Signal(object)
    show_requested = Signal()
    today_requested = Signal()
    quit_requested = Signal()

    def __init__(
        self,
        ops: OpsBus,
        tray: Tray | None,
        banner: ReminderBanner,
        *,
        today_fn: Callable[[], date] = local_today,
        runner: TaskRunner | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.runner: TaskRunner = runner or ImmediateRunner()
        self._checking = False
        self._in_step_on: date | None = None
        self.tray = tray
        self.banner = banner
        self.today = today_fn
        self.counts: TodayCounts | None = None
        #: True while the banner would only repeat what is on screen (the Today place).
        self.banner_suppressed: Callable[[], bool] = lambda: False
        banner.today_requested.connect(self.today_requested)
        if tray is not None:
            self.menu = QMenu()
            for text, signal in (
                ("Show Touchbase", self.show_requested),
                ("Today", self.today_requested),
                ("Quit", self.quit_requested),
            ):
                action = QAction(text, self.menu)
                action.triggered.connect(signal)
                self.menu.addAction(action)
            tray.setContextMenu(self.menu)
            tray.setIcon(badge_icon(0))
            tray.setToolTip("Touchbase")
            tray.show()
            activated = getattr(tray, "activated", None)
            if activated is not None:
                activated.connect(self._on_activated)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self.check)

    @property
    def has_tray(self) -> bool:
        return self.tray is not None

    def start(self) -> None:
        """Check now and then every few minutes."""
        self.check()
        self.timer.start()

    def check(self) -> None:
        """Announce follow-ups that fell due since the last check (each one once). The
        database work runs on the task runner; the notice comes back on the GUI thread."""
        if self._checking:
            return
        self._checking = True
        database, day = self.ops.database, self.today()
        # Once a day the journey rules run over every contact: time moves lifecycle stages.
        step = day != self._in_step_on

        def work(_progress: object) -> tuple[date, int, Notice]:
            moved = automation.keep_in_step(database, day) if step else 0
            return day, moved, today.take_new_notices(database, day)

        task = Task(work)
        task.finished.connect(self._on_checked)
        task.failed.connect(self._on_failed)
        self.runner.submit(task)

    def _on_failed(self, error: object) -> None:
        # A locked or busy database must never take the app down; try again next time.
        self._checking = False
        log.warning("could not look for due follow-ups: %s", error)

    def _on_checked(self, result: tuple[date, int, Notice]) -> None:
        day, moved, notice = result
        self._in_step_on = day
        if moved:
            self.ops.announce(Changes(contacts=True, stages=True))
        self._on_notice(notice)

    def _on_notice(self, notice: Notice) -> None:
        self._checking = False
        if not notice.count:
            return
        title, body = notice_text(notice, self.counts)
        if self.tray is not None:
            self.tray.showMessage(title, body, icons.app_icon(), 15_000)
        elif not self.banner_suppressed():
            self.banner.show_notice(notice, self.counts)
        self.notified.emit(notice)

    def update_counts(self, counts: TodayCounts) -> None:
        self.counts = counts
        if self.banner.isVisible():
            self.banner.set_counts(counts)
        if self.tray is None:
            return
        due = counts.needs_attention
        self.tray.setIcon(badge_icon(due))
        self.tray.setToolTip(
            f"Touchbase — {counts.headline()}" if due else "Touchbase — nothing due"
        )

    def _on_activated(self, reason: Any) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.show_requested.emit()


def install(window: MainWindow, tray: Tray | None) -> Reminders:
    """Give the window its reminders: the banner above the pages, the tray and the checks."""
    banner = ReminderBanner()
    window.add_banner(banner)

    reminders = Reminders(window.ops, tray, banner, runner=window.runner, parent=window)

    def show_window() -> None:
        if window.isHidden() or window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()

    def show_today() -> None:
        if window.isHidden() or window.isMinimized():
            show_window()
        window.show_place("today")

    def quit_app() -> None:
        window.close()
        QApplication.quit()

    reminders.show_requested.connect(show_window)
    reminders.today_requested.connect(show_today)
    reminders.quit_requested.connect(quit_app)
    window.today_page.counts_changed.connect(reminders.update_counts)
    # The banner hides on Today: the page itself says what is due.
    reminders.banner_suppressed = lambda: window.current_place() == "today"
    window.sidebar.currentItemChanged.connect(
        lambda *_a: banner.hide() if window.current_place() == "today" else None
    )
    reminders.update_counts(window.today_page.counts)
    return reminders


def start_hidden(reminders: Reminders) -> bool:
    """Whether the window should start hidden in the tray (the option, and a tray to go to)."""
    return reminders.has_tray and options.get(options.START_IN_TRAY)
