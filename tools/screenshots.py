"""Write a picture of every place and dialog, light and dark, to docs/screenshots/.

    make screenshots          (runs this under Xvfb where it is installed)

It drives the real window on sample data and captures what is on the screen (the X server's
own pixels, through ``QScreen.grabWindow``), not what the widgets say they would paint:
the two can differ (a style-sheet background a plain widget never paints, say). Without an
X server it falls back to the offscreen platform and the widgets' own rendering.

Places are taken at 1366x768 and 1024x640 (Reports also at 1920x1080), dialogs at 1366x768,
each in light and dark;
``--scale 1.5`` or ``--scale 2`` takes the places at 1366x768 again at that scale factor.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from db import backups, demo, duplicates, settings
from db.clock import local_today
from db.contacts import ContactDetail
from db.duplicates import MergePreview
from db.engine import Database, open_database
from desktop_app.app import choose_theme, create_application
from desktop_app.contacts.bulk import BulkTouchDialog, TagDialog
from desktop_app.contacts.duplicates import DuplicatesDialog, MergeDialog
from desktop_app.contacts.editor import ContactDialog
from desktop_app.database_files import RestoreDialog
from desktop_app.export import ExportDialog
from desktop_app.followups.dialog import FollowupDialog, SnoozeDialog
from desktop_app.importing import ImportWizard
from desktop_app.journeys.moves import current_stages
from desktop_app.main_window import MainWindow
from desktop_app.sales.dialogs import FeedbackDialog, PurchaseDialog
from desktop_app.settings.dialog import SettingsDialog
from desktop_app.shortcuts import ShortcutsSheet
from desktop_app.tasks import ImmediateRunner
from desktop_app.touches.dialog import TouchDialog

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZES = ((1366, 768), (1024, 640))
GOOGLE_EXPORT = ROOT / "tests" / "db" / "import_files" / "google_contacts.csv"


def dialog_makers(
    window: MainWindow, database: Database, detail: ContactDetail | None, folder: Path
) -> list[tuple[str, Callable[[], QDialog]]]:
    """Each dialog to picture, by file name, and how to open it over ``window``."""
    today = local_today()
    stages = current_stages(window.ops)
    dialogs: list[tuple[str, Callable[[], QDialog]]] = [
        ("new-contact", lambda: ContactDialog(database, stages, None, window)),
        ("log-touch", lambda: TouchDialog(window.ops, window)),
        ("record-sale", lambda: PurchaseDialog(database, "Ada", None, today, window)),
        (
            "feedback",
            lambda: FeedbackDialog(
                "Ada", ["How was it?", "Would you recommend us?"], None, today, window
            ),
        ),
        ("export", lambda: ExportDialog(today, folder, None, window)),
        ("settings", lambda: SettingsDialog(window.ops, window)),
        ("add-follow-up", lambda: FollowupDialog("Ada", today, window)),
        ("snooze", lambda: SnoozeDialog(today, window)),
        ("tag-contacts", lambda: TagDialog(["vip", "wholesale"], 12, window)),
        ("touch-for-all", lambda: BulkTouchDialog(12, window)),
        ("keyboard-shortcuts", lambda: ShortcutsSheet(window, window)),
    ]
    if detail is not None:
        dialogs.append(("edit-contact", lambda: ContactDialog(database, stages, detail, window)))
    dialogs += [
        ("import-1-file", lambda: _wizard(window, steps=0)),
        ("import-2-columns", lambda: _wizard(window, steps=1)),
        ("import-3-preview", lambda: _wizard(window, steps=2)),
        ("find-duplicates", lambda: _duplicates(window)),
        ("restore-backup", lambda: _restore(window, database)),
    ]
    pair = _a_pair(database)
    if pair is not None:
        dialogs.append(("merge-duplicates", lambda: MergeDialog(pair, window)))
    return dialogs


def _wizard(window: MainWindow, steps: int) -> QDialog:
    """The import wizard on a Google Contacts export, ``steps`` steps past choosing it."""
    wizard = ImportWizard(window.ops, ImmediateRunner(), window)
    wizard.open_file(GOOGLE_EXPORT)
    for _ in range(steps):
        wizard.go_next()
    return wizard


def _duplicates(window: MainWindow) -> QDialog:
    dialog = DuplicatesDialog(window.ops, window)
    dialog.search()
    return dialog


def _restore(window: MainWindow, database: Database) -> QDialog:
    if not backups.list_backups(database.path, backups.folder_for(database), count=False):
        backups.take_backup(database, backups.BY_HAND)
    return RestoreDialog(database.path, backups.folder_for(database), window)


def _a_pair(database: Database) -> MergePreview | None:
    """A likely duplicate pair of the sample data, as the merge dialog shows it."""
    pairs = duplicates.find_duplicates(database)
    if not pairs:
        return None
    return duplicates.merge_preview(database, pairs[0].first_id, pairs[0].second_id)


def main(argv: list[str]) -> int:
    """``--scale 2`` takes the places again at that scale factor, as ``name@2x.png``."""
    scale = float(argv[argv.index("--scale") + 1]) if "--scale" in argv else 1.0
    suffix = "" if scale == 1 else f"@{scale:g}x"
    if scale != 1:
        os.environ["QT_SCALE_FACTOR"] = f"{scale:g}"
    folder = Path(tempfile.mkdtemp(prefix="touchbase-shots-"))
    # Preferences and data of this run only: never the owner's.
    os.environ["TOUCHBASE_CONFIG_DIR"] = str(folder / "config")
    os.environ["TOUCHBASE_DATA_DIR"] = str(folder / "data")
    app = create_application(["touchbase"])
    real_screen = QApplication.platformName() == "xcb"
    database = open_database(folder / "sample.sqlite")
    with database.write_session.begin() as session:
        settings.put(session, settings.SAMPLE_DATA_OFFERED, True)
    demo.generate(database, contacts=400, seed=7)
    empty = open_database(folder / "empty.sqlite")
    with empty.write_session.begin() as session:
        settings.put(session, settings.SAMPLE_DATA_OFFERED, True)
    OUT.mkdir(parents=True, exist_ok=True)

    def settle(rounds: int = 12) -> None:
        for _ in range(rounds):
            app.processEvents()
            loop_timer = QTimer()
            loop_timer.setSingleShot(True)
            loop_timer.start(25)
            while loop_timer.isActive():
                app.processEvents()

    def capture(widget: QWidget, name: str, width: int, height: int) -> None:
        settle()
        screen = widget.screen()
        pixmap: QPixmap
        if real_screen and screen is not None:
            pixmap = screen.grabWindow(0, 0, 0, width, height)
        else:
            pixmap = widget.window().grab()
        path = OUT / f"{name}{suffix}.png"
        # Full colour (a reduced palette shifts the dark surfaces), packed as tight as PNG goes.
        image = pixmap.toImage().convertToFormat(QImage.Format.Format_RGB888)
        image.save(str(path), "PNG", 0)  # type: ignore[call-overload]  # the binding takes str
        sys.stdout.write(f"  {path.relative_to(ROOT)}\n")

    for scheme in ("light", "dark"):
        choose_theme(app, scheme)
        for width, height in SIZES if scale == 1 else SIZES[:1]:
            window = MainWindow(database, ImmediateRunner())
            window.move(0, 0)
            window.resize(width, height)
            window.show()
            window.activateWindow()
            tag = f"{scheme}-{width}x{height}"
            for place in ("today", "contacts", "board", "trash", "reports"):
                window.show_place(place)
                if place == "contacts":
                    window.contacts_page.table.selectRow(2)
                capture(window, f"{place}-{tag}", width, height)
            if width == SIZES[0][0] and scale == 1:
                window.show_place("contacts")
                window.contacts_page.table.selectRow(2)
                detail = window.contacts_page.detail.contact
                dialogs = dialog_makers(window, database, detail, folder)
                for name, make in dialogs:
                    dialog = make()
                    dialog.show()
                    if name == "log-touch" and isinstance(dialog, TouchDialog):
                        dialog.picker.setText("abubakar")
                        dialog.picker.textEdited.emit("abubakar")
                    capture(dialog, f"{name}-{tag}", width, height)
                    dialog.close()
                    dialog.deleteLater()
            window.close()
            window.deleteLater()
            settle(2)
        if scale != 1:
            continue
        # Reports on a big screen, where the dashboard has room for two charts a row.
        wide = MainWindow(database, ImmediateRunner())
        wide.move(0, 0)
        wide.resize(1920, 1080)
        wide.show()
        wide.show_place("reports")
        capture(wide, f"reports-{scheme}-1920x1080", 1920, 1080)
        wide.close()
        wide.deleteLater()
        empty_window = MainWindow(empty, ImmediateRunner())
        empty_window.move(0, 0)
        empty_window.resize(*SIZES[0])
        empty_window.show()
        empty_window.show_place("today")
        capture(empty_window, f"today-new-database-{scheme}-1366x768", *SIZES[0])
        empty_window.close()
        empty_window.deleteLater()
    choose_theme(app, "system")
    database.close()
    empty.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
