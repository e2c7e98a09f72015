"""Start-up: the window's frame paints first, the database opens beside it, and the real
window takes the frame's place (or the owner is told plainly why it cannot)."""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from db.engine import open_database
from desktop_app import app as gui
from desktop_app import database_files, dialogs
from desktop_app.first_run import WelcomeDialog
from desktop_app.main_window import MainWindow
from desktop_app.startup import PLACES, Opened, StartWindow, StorageLoader


def test_the_frame_shows_the_sidebar_the_window_will_have(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    frame = StartWindow(tmp_path / "shop.sqlite")
    qtbot.addWidget(frame)
    shown = [frame.sidebar.item(row).text() for row in range(frame.sidebar.count())]
    real = [window.sidebar.item(row).text() for row in range(window.sidebar.count())]
    assert shown == real == [label for label, _icon in PLACES]
    assert frame.message.text() == "Opening shop.sqlite…"
    menus = [action.text() for action in frame.menuBar().actions()]
    assert menus == [action.text() for action in window.menuBar().actions()]


def test_the_loader_opens_the_database_off_the_gui_thread(qtbot: QtBot, tmp_path: Path) -> None:
    loader = StorageLoader(tmp_path / "new.sqlite")
    with qtbot.waitSignal(loader.opened, timeout=20_000) as blocker:
        loader.start()
    opened: Opened = blocker.args[0]
    assert opened.error is None and opened.database is not None
    assert opened.database.path == (tmp_path / "new.sqlite").resolve()
    opened.database.close()


def test_a_file_that_is_no_database_is_reported_and_left_alone(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    loader = StorageLoader(path)
    with (
        caplog.at_level(logging.INFO, logger="desktop_app.startup"),
        qtbot.waitSignal(loader.opened, timeout=20_000) as blocker,
    ):
        loader.start()
    opened: Opened = blocker.args[0]
    assert opened.database is None and opened.error is not None
    assert path.read_bytes() == b"not a database at all" * 100
    # The owner is told in a window; the log keeps one line, not a traceback.
    (record,) = [r for r in caplog.records if r.name == "desktop_app.startup"]
    assert record.levelno == logging.INFO and record.exc_info is None
    assert "was not opened" in record.getMessage()


def test_run_gui_puts_the_window_in_the_frames_place(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def look() -> None:
        kinds = [type(w).__name__ for w in QApplication.topLevelWidgets() if w.isVisible()]
        if "StartWindow" in kinds and "frame" not in seen:
            seen.append("frame")
        if "MainWindow" in kinds:
            seen.append("window" if "StartWindow" not in kinds else "both")
            QApplication.instance().quit()  # type: ignore[union-attr]
        else:
            QTimer.singleShot(5, look)

    monkeypatch.setattr(WelcomeDialog, "ask", classmethod(lambda cls, *a, **k: None))
    monkeypatch.setattr(database_files.CreateDatabase, "ask", classmethod(lambda cls, *a: True))
    QTimer.singleShot(0, look)
    assert gui.run_gui(tmp_path / "shop.sqlite") == 0
    assert seen[0] == "frame" and seen[-1] == "window"


def test_run_gui_explains_a_database_it_cannot_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    told: list[str] = []
    monkeypatch.setattr(
        dialogs.ErrorBox, "show", classmethod(lambda cls, _parent, title, text: told.append(title))
    )
    assert gui.run_gui(path) == 1
    assert told == ["Touchbase cannot open this database"]


def test_the_window_modules_load_on_the_gui_thread_after_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They define Qt classes, which PySide6 sets up on first use: not beside the GUI thread.
    If they cannot be loaded the owner is told, and the database is closed."""
    told: list[str] = []
    monkeypatch.setattr(
        dialogs.ErrorBox, "show", classmethod(lambda cls, _parent, title, text: told.append(title))
    )
    monkeypatch.setattr(database_files.CreateDatabase, "ask", classmethod(lambda cls, *a: True))
    monkeypatch.setitem(sys.modules, "desktop_app.launcher", None)  # importing it fails
    path = tmp_path / "shop.sqlite"
    assert gui.run_gui(path) == 1
    assert told == ["Touchbase could not start"]
    open_database(path).close()  # its lock was let go


def test_the_loader_thread_imports_no_qt_module(tmp_path: Path) -> None:
    import subprocess  # noqa: PLC0415

    script = (
        "import sys, threading\n"
        "from pathlib import Path\n"
        "from desktop_app import startup\n"
        "before = set(sys.modules)\n"
        "loader = startup.StorageLoader(Path(sys.argv[1]))\n"
        "loader.start()\n"
        "result = loader.wait()\n"
        "assert result is not None and result.database is not None, result\n"
        "result.database.close()\n"
        "new = sorted(m for m in set(sys.modules) - before"
        " if m.startswith(('PySide6', 'desktop_app')))\n"
        "assert not new, new\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "new.sqlite")],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_run_gui_collects_on_the_gui_thread_once_the_window_is_built(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app import collector  # noqa: PLC0415

    collecting = collector.pin(QApplication.instance())  # type: ignore[arg-type]
    seen: list[tuple[str, bool, bool]] = []

    def look() -> None:
        kinds = {type(w).__name__ for w in QApplication.topLevelWidgets() if w.isVisible()}
        if "MainWindow" in kinds:
            seen.append(("window", gc.isenabled(), collecting.running))
            QApplication.instance().quit()  # type: ignore[union-attr]
            return
        if "StartWindow" in kinds and not seen:
            seen.append(("frame", gc.isenabled(), collecting.running))
        QTimer.singleShot(5, look)

    monkeypatch.setattr(WelcomeDialog, "ask", classmethod(lambda cls, *a, **k: None))
    monkeypatch.setattr(database_files.CreateDatabase, "ask", classmethod(lambda cls, *a: True))
    QTimer.singleShot(0, look)
    assert gui.run_gui(tmp_path / "shop.sqlite") == 0
    # Never automatic (it would run on the loading thread too); the timer once built.
    assert seen[0] == ("frame", False, False) and seen[-1] == ("window", False, True)
    assert not gc.isenabled() and collecting.running


# Last in this file: an event loop ended by quit() leaves Qt's zero-interval timers unfired
# in the tests after it until an event loop ends otherwise, as this one does (its windows
# close).
def test_closing_the_frame_before_the_database_arrives_closes_it_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database_files.CreateDatabase, "ask", classmethod(lambda cls, *a: True))

    def close_frame() -> None:
        # Whatever is on screen by then (the frame, unless the machine was very quick).
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, StartWindow | MainWindow):
                widget.close()

    QTimer.singleShot(0, close_frame)
    path = tmp_path / "shop.sqlite"
    assert gui.run_gui(path) == 0
    # The database was closed (its lock let go): it opens again at once.
    open_database(path).close()
