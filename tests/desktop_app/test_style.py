"""The style sheet: Qt must be able to read all of it (a broken rule silently drops the rest)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.app import apply_style


def test_the_style_sheet_parses(qtbot: QtBot, qapp: QApplication) -> None:
    qapp.setStyleSheet("")
    button = QPushButton("Styled")
    qtbot.addWidget(button)
    # Parsed when applied; a syntax error is reported as a Qt warning, which fails the test.
    apply_style(qapp)
    button.show()
    qtbot.waitExposed(button)
    assert qapp.styleSheet()
