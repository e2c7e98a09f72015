"""The style sheet: Qt must be able to read all of it (a broken rule silently drops the rest)."""

from __future__ import annotations

from importlib import resources

from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot


def test_the_style_sheet_parses(qtbot: QtBot, qapp: QApplication) -> None:
    text = resources.files("resources").joinpath("style.qss").read_text("utf-8")
    qapp.setStyleSheet("")
    button = QPushButton("Styled")
    qtbot.addWidget(button)
    # Parsed when applied; a syntax error is reported as a Qt warning, which fails the test.
    qapp.setStyleSheet(text.replace("@ICONS@", "/nonexistent"))
    button.show()
    qtbot.waitExposed(button)
