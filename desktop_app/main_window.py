"""The Touchbase main window: a sidebar of places, the page for the place chosen, and menus."""

from __future__ import annotations

import gc
import importlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from db import __version__, backups, contacts, journeys, settings
from db.checks import CheckReport, check_file
from db.engine import Database
from desktop_app import features, icons, options, reminders, theme
from desktop_app import touches as touch_ui
from desktop_app.app import choose_theme
from desktop_app.contacts.filters import Filters
from desktop_app.contacts.page import ContactsPage
from desktop_app.database_files import ChooseDatabaseFile, RestoreDialog, recent_databases
from desktop_app.dialogs import Confirm, show_error
from desktop_app.first_run import SAMPLE_CONTACTS, WelcomeDialog
from desktop_app.ops import EVERYTHING, OpsBus
from desktop_app.tasks import CancelledError, Progress, TaskRunner, run_with_progress
from desktop_app.today import place as today_place

if TYPE_CHECKING:
    from db.demo import DemoSummary
    from desktop_app.contacts.duplicates import DuplicatesDialog
    from desktop_app.journeys.board import BoardPage
    from desktop_app.reports.install import ReportsPlace
    from desktop_app.reports.page import ReportsPage
    from desktop_app.sales.section import SalesSection
    from desktop_app.today.page import TodayPage

log = logging.getLogger(__name__)

PLACE_CONTACTS = features.PLACE_CONTACTS
PLACE_TRASH = features.PLACE_TRASH


#: Modules of dialogs the window opens only when asked, loaded after the first page, one a
#: turn of the event loop (``MainWindow._after_start``): not on the way to the first page,
#: and not left for the first time a dialog is opened either.
AFTER_START_MODULES = (
    "desktop_app.touches.dialog",
    "desktop_app.contacts.editor",
    "desktop_app.settings.dialog",
    "desktop_app.shortcuts",
)

_frozen = False


def _freeze_startup_objects() -> None:
    """Leave what start-up built (modules, the window, the mappings) out of Python's full
    garbage collections, once per program: a full collection holds the interpreter lock
    while it walks every object, and walking these ~90,000 froze the window for 100 ms or
    more whenever one ran, on the GUI thread or on the runner's (docs/architecture.md,
    "Pauses"). Reference counting still frees them."""
    global _frozen  # noqa: PLW0603 - once per process, whatever the number of windows
    if not _frozen:
        _frozen = True
        gc.freeze()


class MainWindow(QMainWindow):
    #: The owner chose another database file (File → Open database… or the recent list).
    open_requested = Signal(object)
    #: The owner chose where a new database should go (File → New database…).
    new_requested = Signal(object)
    #: The owner chose a backup to put in place of this database.
    restore_requested = Signal(object)
    #: A backup was taken from this window (its path).
    backed_up = Signal(object)

    def __init__(self, database: Database, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.ops = OpsBus(database, runner)
        self.setWindowIcon(icons.app_icon())
        read_only = " (read-only)" if database.readonly else ""
        self.setWindowTitle(f"Touchbase — {database.path.name}{read_only}")
        self._fit_to_screen()

        self.contacts_page = ContactsPage(self.ops)
        self.contacts_page.status_message.connect(self._show_status)
        self.contacts_page.import_requested.connect(self.import_contacts)
        #: The Find duplicates window, once opened.
        self.duplicates_dialog: DuplicatesDialog | None = None

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setFixedWidth(190)
        self.sidebar.currentItemChanged.connect(self._on_place)
        self.pages = QStackedWidget()
        self._place_pages: dict[str, QWidget] = {}
        self._place_factories: dict[str, Callable[[], QWidget]] = {}

        # Each place is a sidebar entry and the page it shows: the features add theirs, and
        # their detail-pane sections, in one list (desktop_app.features).
        self.today_page: TodayPage
        self._sales_section: SalesSection | None = None
        features.install_all(self)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        # Banners (reminders, ...) go above the pages, in a column built once: moving the
        # pages into a new layout later would re-polish every widget on them.
        self.page_column = QVBoxLayout()
        self.page_column.setContentsMargins(0, 0, 0, 0)
        self.page_column.setSpacing(0)
        self.page_column.addWidget(self.pages, 1)
        row.addLayout(self.page_column, 1)
        self.setCentralWidget(central)
        if database.readonly:
            notice = QLabel(
                "This database is open read-only: you can look at it and export reports, but "
                "changes cannot be saved."
            )
            notice.setObjectName("readOnlyBanner")
            notice.setWordWrap(True)
            notice.setContentsMargins(12, 8, 12, 8)
            self.add_banner(notice)

        self.path_label = QLabel(str(database.path))
        self.path_label.setObjectName("pathLabel")
        self.statusBar().addPermanentWidget(self.path_label)
        self._make_menus()
        # A new database's Today offers the import too.
        self.today_page.import_requested.connect(self.import_action.trigger)
        self.today_page.set_import_available(True)
        self.sidebar.setCurrentRow(0)
        today_place.choose_start_place(self)
        self.reminders = reminders.install(self, reminders.system_tray(self))

        theme.notifier().changed.connect(self._on_scheme_changed)

        state = options.window_state("main_geometry")
        if state is not None:
            self.restoreGeometry(state)
        _freeze_startup_objects()

    def _fit_to_screen(self) -> None:
        """A first size that suits the screen: most of a laptop's, not all of a large one's."""
        screen = self.screen()
        area = screen.availableGeometry() if screen is not None else None
        if area is None or area.width() <= 0:
            self.resize(1280, 800)
            return
        width = min(max(int(area.width() * 0.9), 1024), area.width(), 1600)
        height = min(max(int(area.height() * 0.9), 640), area.height(), 1000)
        self.resize(width, height)

    # --- menus ----------------------------------------------------------------------------

    def _make_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.new_action = QAction(icons.icon("add"), "&New contact…", self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self._new_contact)
        file_menu.addAction(self.new_action)
        self.sample_action = QAction("Load &sample data…", self)
        self.sample_action.triggered.connect(self.ask_sample_data)
        file_menu.addAction(self.sample_action)
        self.remove_sample_action = QAction("&Remove sample data…", self)
        self.remove_sample_action.triggered.connect(self.remove_sample_data)
        file_menu.addAction(self.remove_sample_action)
        file_menu.addSeparator()
        self.open_db_action = QAction("&Open database…", self)
        self.open_db_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_db_action.triggered.connect(self._open_database)
        file_menu.addAction(self.open_db_action)
        self.new_db_action = QAction("New &database…", self)
        self.new_db_action.triggered.connect(self._new_database)
        file_menu.addAction(self.new_db_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._fill_recent()
        file_menu.addSeparator()
        self.backup_action = QAction("&Back up now", self)
        self.backup_action.triggered.connect(self.back_up_now)
        file_menu.addAction(self.backup_action)
        self.restore_action = QAction("Restore from &backup…", self)
        self.restore_action.triggered.connect(self._restore_backup)
        file_menu.addAction(self.restore_action)
        file_menu.addSeparator()
        self.import_action = QAction(icons.icon("import"), "&Import contacts…", self)
        self.import_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.import_action.triggered.connect(self.import_contacts)
        file_menu.addAction(self.import_action)
        self.export_action = QAction(icons.icon("export"), "&Export report…", self)
        self.export_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.export_action.triggered.connect(self.export_report)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        edit_menu = menu.addMenu("&Edit")
        stack = self.ops.undo_stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.contacts_page.find_action)
        edit_menu.addAction(self.contacts_page.edit_action)
        edit_menu.addAction(self.contacts_page.delete_action)
        edit_menu.addSeparator()
        self.log_touch_action = touch_ui.log_touch_action(self, self.ops, self._touch_contact)
        edit_menu.addAction(self.log_touch_action)
        edit_menu.addSeparator()
        self.settings_action = QAction("&Settings…", self)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.open_settings)
        edit_menu.addAction(self.settings_action)

        contacts_menu = menu.addMenu("&Contacts")
        self.duplicates_action = QAction("Find &duplicates…", self)
        self.duplicates_action.triggered.connect(self.find_duplicates)
        contacts_menu.addAction(self.duplicates_action)

        view_menu = menu.addMenu("&View")
        # One entry per place, Ctrl+1, Ctrl+2, ... in sidebar order.
        for row in range(self.sidebar.count()):
            item = self.sidebar.item(row)
            action = QAction(f"&{item.text()}", self)
            action.setShortcut(QKeySequence(f"Ctrl+{row + 1}"))
            action.triggered.connect(lambda _c=False, r=row: self.sidebar.setCurrentRow(r))
            view_menu.addAction(action)
        view_menu.addSeparator()
        self.detail_action = QAction("&Detail pane", self, checkable=True)
        self.detail_action.setChecked(options.get(options.SHOW_DETAIL_PANE))
        self.detail_action.toggled.connect(self.contacts_page.toggle_detail)
        view_menu.addAction(self.detail_action)
        appearance = view_menu.addMenu("&Appearance")
        self.theme_actions = QActionGroup(self)
        chosen = options.get(options.THEME)
        for key, label in theme.CHOICES.items():
            action = QAction(label, self, checkable=True)
            action.setData(key)
            action.setChecked(key == chosen)
            action.triggered.connect(lambda _c=False, k=key: self.choose_theme(k))
            self.theme_actions.addAction(action)
            appearance.addAction(action)

        tools_menu = menu.addMenu("&Tools")
        self.check_action = QAction("&Check database", self)
        self.check_action.triggered.connect(self.check_database)
        tools_menu.addAction(self.check_action)

        help_menu = menu.addMenu("&Help")
        self.shortcuts_action = QAction("&Keyboard shortcuts", self)
        self.shortcuts_action.setShortcuts([QKeySequence("F1"), QKeySequence("Ctrl+/")])
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        help_menu.addAction(self.shortcuts_action)
        about = QAction("&About Touchbase", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def open_settings(self) -> None:
        from desktop_app.settings.dialog import SettingsDialog  # noqa: PLC0415 - after start

        SettingsDialog.ask(self.ops, self)

    def show_shortcuts(self) -> None:
        from desktop_app.shortcuts import ShortcutsSheet  # noqa: PLC0415 - after start

        ShortcutsSheet.ask(self)

    # --- places ---------------------------------------------------------------------------

    def add_place(
        self, place: str, label: str, icon: str, page: QWidget | Callable[[], QWidget]
    ) -> QListWidgetItem:
        """Add a sidebar entry showing ``page`` (pages may serve more than one place).

        ``page`` may be a factory: the page is then built the first time it is shown, so
        places a person does not open cost nothing at start-up.
        """
        item = QListWidgetItem(icons.icon(icon), label)
        item.setData(Qt.ItemDataRole.UserRole, place)
        item.setSizeHint(QSize(0, 38))
        self.sidebar.addItem(item)
        if isinstance(page, QWidget):
            if self.pages.indexOf(page) < 0:
                self.pages.addWidget(page)
            self._place_pages[place] = page
        else:
            self._place_factories[place] = page
        return item

    def page_for(self, place: str) -> QWidget:
        """The page of a place, built now if it was added as a factory."""
        page = self._place_pages.get(place)
        if page is None:
            page = self._place_factories.pop(place)()
            self.pages.addWidget(page)
            self._place_pages[place] = page
        return page

    @property
    def board_page(self) -> BoardPage:
        """The journey board (built now if it has not been shown yet)."""
        return cast("BoardPage", self.page_for("board"))

    @property
    def sales_section(self) -> SalesSection:
        """The purchases and satisfaction section of the detail pane (built now if it has not
        been yet)."""
        if self._sales_section is None:
            self.contacts_page.detail.build_sections()
        assert self._sales_section is not None, "the sales feature adds it"
        return self._sales_section

    @sales_section.setter
    def sales_section(self, section: SalesSection) -> None:
        self._sales_section = section

    @property
    def reports_page(self) -> ReportsPage:
        """The Reports page (built now if it has not been shown yet; with a background runner
        it arrives a moment later)."""
        page = cast("ReportsPlace", self.page_for("reports")).finish_building()
        assert page is not None, "the Reports page is still loading"
        return page

    def add_banner(self, banner: QWidget) -> None:
        """Show a feature's banner above the pages (banners hide themselves when idle)."""
        self.page_column.insertWidget(self.page_column.count() - 1, banner)

    def current_place(self) -> str | None:
        item = self.sidebar.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _on_place(self, item: QListWidgetItem | None, _previous: Any = None) -> None:
        if item is None:
            return
        place = item.data(Qt.ItemDataRole.UserRole)
        shown = self.page_for(place)
        # Only the page on screen sets how small the window may get: a wide page opened once
        # (Reports, the board) must not keep a small screen from shrinking the window.
        for index in range(self.pages.count()):
            page = self.pages.widget(index)
            if page is None:
                continue
            policy = QSizePolicy.Policy.Preferred if page is shown else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.pages.setCurrentWidget(shown)
        if place in (PLACE_CONTACTS, PLACE_TRASH):
            self.contacts_page.set_trash(place == PLACE_TRASH)
        self.new_action.setEnabled(place != PLACE_TRASH)

    def show_place(self, place: str) -> None:
        for row in range(self.sidebar.count()):
            if self.sidebar.item(row).data(Qt.ItemDataRole.UserRole) == place:
                self.sidebar.setCurrentRow(row)

    def open_contact(self, contact_id: int) -> None:
        """Show one contact in the Contacts place (from Today, the board, ...)."""
        self.show_place(PLACE_CONTACTS)
        self.contacts_page.select_contact(contact_id)

    def open_contacts(self, filters: Filters, lifecycle: str | None = None) -> None:
        """Show the Contacts place with only the contacts these filters keep (from a chart on
        Reports, ...); the search, tag and satisfaction filters are cleared."""
        self.show_place(PLACE_CONTACTS)
        self.contacts_page.show_only(filters, lifecycle=lifecycle)

    def new_contact(self) -> None:
        """Add a contact (File → New contact, Today's empty state)."""
        self._new_contact()

    def _new_contact(self) -> None:
        self.show_place(PLACE_CONTACTS)
        self.contacts_page.new_contact()

    def _touch_contact(self) -> int | None:
        """The contact Ctrl+L logs a touch for: the one selected on the contacts page, or the
        current row on Today."""
        if self.current_place() == today_place.PLACE_TODAY:
            row = self.today_page.current_row
            return None if row is None else row.item.contact_id
        if self.current_place() != PLACE_CONTACTS:
            return None
        return self.contacts_page.current_id()

    def export_report(self) -> None:
        """Ask which report to export, then write it in the background."""
        from desktop_app import export  # noqa: PLC0415 - only when asked for

        export.export_from(self, self.database, self.runner, self._show_status)

    def find_duplicates(self) -> None:
        """Contacts → Find duplicates: the likely pairs, each one a merge away."""
        # Only when asked for: phone-number parsing would slow every start-up.
        from desktop_app.contacts.duplicates import DuplicatesDialog  # noqa: PLC0415

        self.show_place(PLACE_CONTACTS)
        dialog = DuplicatesDialog.open_for(self.ops, self)
        dialog.merged.connect(self.contacts_page.select_contact)
        self.duplicates_dialog = dialog

    def import_contacts(self) -> None:
        """The import wizard; afterwards the contacts list shows what came in."""
        # Only when asked for: the readers (vobject, phonenumbers) would slow every start-up.
        from desktop_app import importing  # noqa: PLC0415

        summary = importing.ImportWizard.ask(self.ops, self.runner, self)
        if summary is not None and summary.created + summary.updated:
            self.show_place(PLACE_CONTACTS)
            self._show_status(
                f"Imported {summary.created:,} new contacts, updated {summary.updated:,}."
            )

    def _show_status(self, message: str) -> None:
        self.show_status(message)

    def show_status(self, message: str, timeout: int = 6000) -> None:
        self.statusBar().showMessage(message, timeout)

    # --- the database file -----------------------------------------------------------------

    def _open_database(self) -> None:
        chosen = ChooseDatabaseFile.ask_open(self, self.database.path.parent)
        if chosen is not None:
            self.open_requested.emit(chosen)

    def _new_database(self) -> None:
        chosen = ChooseDatabaseFile.ask_new(self, self.database.path.parent)
        if chosen is not None:
            self.new_requested.emit(chosen)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        others = [p for p in recent_databases() if p != self.database.path]
        for path in others:
            action = self.recent_menu.addAction(f"{path.name}  —  {path.parent}")
            action.triggered.connect(lambda _c=False, p=path: self.open_requested.emit(p))
        self.recent_menu.setEnabled(bool(others))

    def _restore_backup(self) -> None:
        chosen = RestoreDialog.ask(self.database.path, backups.folder_for(self.database), self)
        if chosen is not None:
            self.restore_requested.emit(chosen)

    def back_up_now(self) -> None:
        """Take a backup in the background and say where it went."""
        database = self.database

        def work(_progress: Progress) -> Path:
            return backups.take_backup(database, backups.BY_HAND)

        def done(path: Path) -> None:
            self.backup_action.setEnabled(True)
            self.backed_up.emit(path)
            self.show_status(f"Backed up to {path}.", timeout=10_000)

        def failed(error: Exception) -> None:
            self.backup_action.setEnabled(True)
            show_error(self, "The backup was not made", str(error))

        self.backup_action.setEnabled(False)
        run_with_progress(self, self.runner, "Backing up…", work, on_done=done, on_error=failed)

    def check_database(self) -> None:
        """Tools → Check database: read every page in the background, then say what was found."""
        path = self.database.path

        def work(_progress: Progress) -> CheckReport:
            return check_file(path)

        def done(report: CheckReport) -> None:
            CheckResultBox.show(self, report)

        def failed(error: Exception) -> None:
            show_error(self, "The check could not be run", str(error))

        run_with_progress(
            self, self.runner, "Checking the database…", work, on_done=done, on_error=failed
        )

    def save_state(self) -> None:
        options.save_window_state("main_geometry", self.saveGeometry())

    # --- first start and sample data ------------------------------------------------------

    def offer_welcome(self) -> None:
        """On a new, empty database, welcome the owner once."""
        offered = settings.read(self.database, settings.SAMPLE_DATA_OFFERED)
        if offered or contacts.has_contacts(self.database):
            return
        answer = WelcomeDialog.ask(self.database, self)
        settings.write(self.database, settings.SAMPLE_DATA_OFFERED, True)
        if answer is None:
            return
        model_key, load_sample = answer
        journeys.choose_initial_model(self.database, model_key)
        self.ops.announce(EVERYTHING)
        if load_sample:
            self.ask_sample_data()

    def ask_sample_data(self) -> None:
        """File > Load sample data…: pick the business; asks first when contacts exist."""
        from desktop_app.sample_data import SampleDataDialog  # noqa: PLC0415 - reads db.demo

        existing = contacts.count_contacts(self.database, contacts.ContactQuery())
        profile = SampleDataDialog.ask(self, existing, SAMPLE_CONTACTS)
        if profile is not None:
            self.load_sample_data(SAMPLE_CONTACTS, profile)

    def remove_sample_data(self) -> None:
        """File > Remove sample data…: every sample contact goes, in one step."""
        from db import demo  # noqa: PLC0415 - only needed when asked for

        count = demo.sample_count(self.database)
        if not count:
            show_error(self, "No sample data", "This database holds no sample contacts.")
            return
        if not Confirm.ask(
            self,
            "Remove sample data",
            f"Delete the {count:,} sample contact{'s' if count != 1 else ''} with their "
            "touches, sales, feedback and follow-ups? Your own contacts stay as they are.",
            "Remove sample data",
        ):
            return
        removed = self.ops.run(demo.remove_sample_data, EVERYTHING)
        self._show_status(f"Removed {removed:,} sample contacts.")

    def load_sample_data(self, count: int, profile: str | None = None) -> None:
        from db import demo  # noqa: PLC0415 - only needed when asked for

        database = self.database
        chosen = profile or demo.DEFAULT_PROFILE

        def work(progress: Progress) -> DemoSummary:
            try:
                return demo.generate(
                    database, contacts=count, seed=0, progress=progress.update, profile=chosen
                )
            except demo.DemoCancelledError:
                raise CancelledError from None

        def done(summary: DemoSummary) -> None:
            self.ops.announce(EVERYTHING)
            self._show_status(
                f"Added {summary.contacts:,} sample contacts with {summary.touches:,} touches."
            )

        def failed(error: Exception) -> None:
            if not isinstance(error, CancelledError):
                show_error(self, "Sample data could not be loaded", str(error))

        self.sample_action.setEnabled(False)
        task = run_with_progress(
            self, self.runner, "Creating sample data…", work, on_done=done, on_error=failed
        )
        task.finished.connect(lambda _r: self.sample_action.setEnabled(True))
        task.failed.connect(lambda _e: self.sample_action.setEnabled(True))

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not getattr(self, "_welcomed", False):
            self._welcomed = True
            # After the window is on screen, so the welcome sits on top of it.
            QTimer.singleShot(0, self, self.offer_welcome)
            # What the first page does not show is built after it, a step at a time.
            self._after_start_modules = list(AFTER_START_MODULES)
            QTimer.singleShot(0, self, self._after_start)

    def _after_start(self) -> None:
        """One step of what the first page did not need: a section of the detail pane, else a
        dialog's module; then the next step on the next turn of the event loop, so that no
        turn holds the window for long (docs/architecture.md, "Pauses")."""
        if not self.contacts_page.detail.build_next_section():
            if not self._after_start_modules:
                return
            importlib.import_module(self._after_start_modules.pop(0))
        QTimer.singleShot(0, self, self._after_start)

    def choose_theme(self, choice: str) -> None:
        """Light, dark or the system's scheme (View → Appearance), remembered."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            choose_theme(app, choice)
        for action in self.theme_actions.actions():
            action.setChecked(action.data() == choice)

    def _on_scheme_changed(self, _scheme: object) -> None:
        # Chips and notes are colours written into rich text: have every view render again.
        self.ops.announce(EVERYTHING)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Touchbase",
            f"<h3>Touchbase {__version__}</h3><p>An offline contact manager for small "
            "businesses: journey stages, touches, follow-ups and lifetime value.</p>"
            f"<p>Database: {self.database.path}</p>",
        )

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        # A narrower sidebar on a small screen leaves the room to the lists.
        self.sidebar.setFixedWidth(160 if self.width() < 1200 else 190)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        super().closeEvent(event)


class CheckResultBox:
    @classmethod
    def show(cls, parent: QWidget | None, report: CheckReport) -> None:
        box = QMessageBox(parent)
        box.setWindowTitle("Check database")
        if report.healthy:
            box.setIcon(QMessageBox.Icon.Information)
            box.setText("The database is healthy")
            box.setInformativeText(f"Every page of {report.path.name} was read; nothing is wrong.")
        else:
            box.setIcon(QMessageBox.Icon.Warning)
            box.setText("The database has problems")
            box.setInformativeText(
                "\n".join(p for p in report.problems if not p.startswith("  "))
                + "\n\nRestore a backup with File → Restore from backup…."
            )
            box.setDetailedText("\n".join(report.problems))
        box.exec()
