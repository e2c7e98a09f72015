"""The Settings dialog: every page is validated before any is applied."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.main_window import MainWindow
from desktop_app.ops import OpsBus
from desktop_app.settings import dialog as settings_dialog
from desktop_app.settings.dialog import SettingsDialog


class _Page(QWidget):
    def __init__(self, title: str, problem: str | None, applied: list[str]) -> None:
        super().__init__()
        self.title = title
        self.problem = problem
        self.applied = applied

    def validate(self) -> str | None:
        return self.problem

    def apply(self) -> None:
        self.applied.append(self.title)


def test_nothing_is_applied_while_a_page_is_invalid(
    qtbot: QtBot, ops: OpsBus, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied: list[str] = []
    pages = [_Page("One", None, applied), _Page("Two", "Cadence must be positive", applied)]
    monkeypatch.setattr(settings_dialog, "PAGES", [lambda _ops, p=p: p for p in pages])
    dialog = SettingsDialog(ops)
    qtbot.addWidget(dialog)

    assert dialog.save() is False
    assert applied == []
    assert dialog.tabs.currentWidget() is pages[1], "the page with the problem is shown"

    pages[1].problem = None
    assert dialog.save() is True
    assert applied == ["One", "Two"]


def test_the_database_page_says_where_the_data_lives(qtbot: QtBot, ops: OpsBus) -> None:
    dialog = SettingsDialog(ops)
    qtbot.addWidget(dialog)
    page = dialog.page("Database")
    texts = [label.text() for label in page.findChildren(QLabel)]
    assert str(ops.database.path) in texts


def test_settings_open_from_the_edit_menu(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[OpsBus] = []
    monkeypatch.setattr(
        SettingsDialog,
        "ask",
        classmethod(lambda cls, ops, parent=None, tab=None: opened.append(ops)),
    )
    window.settings_action.trigger()
    assert opened == [window.ops]
