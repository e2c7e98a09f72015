"""Write a picture of every place and dialog, light and dark, to docs/screenshots/.

    make screenshots          (runs this under Xvfb where it is installed)

It drives the real window on sample data and captures what is on the screen (the X server's
own pixels, through ``QScreen.grabWindow``), not what the widgets say they would paint:
the two can differ (a style-sheet background a plain widget never paints, say). Without an
X server it falls back to the offscreen platform and the widgets' own rendering.

Places are taken at 1366x768 and 1024x640, dialogs at 1366x768, each in light and dark.
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

from db import demo, settings
from db.clock import local_today
from db.contacts import ContactDetail
from db.engine import Database, open_database
from desktop_app.app import choose_theme, create_application
from desktop_app.contacts.bulk import BulkTouchDialog, TagDialog
from desktop_app.contacts.editor import ContactDialog
from desktop_app.export import ExportDialog
from desktop_app.followups.dialog import FollowupDialog, SnoozeDialog
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
    return dialogs


def main() -> int:
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
        path = OUT / f"{name}.png"
        # Full colour (a reduced palette shifts the dark surfaces), packed as tight as PNG goes.
        image = pixmap.toImage().convertToFormat(QImage.Format.Format_RGB888)
        image.save(str(path), "PNG", 0)  # type: ignore[call-overload]  # the binding takes str
        sys.stdout.write(f"  {path.relative_to(ROOT)}\n")

    for scheme in ("light", "dark"):
        choose_theme(app, scheme)
        for width, height in SIZES:
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
            if width == SIZES[0][0]:
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
    sys.exit(main())
