"""The app's SVG icons: drawn once per size, and never onto nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSize, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from desktop_app import icons


@pytest.fixture
def qt_warnings(qapp: QApplication) -> Iterator[list[str]]:
    said: list[str] = []

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if kind != QtMsgType.QtDebugMsg:
            said.append(message)

    previous = qInstallMessageHandler(handler)
    try:
        yield said
    finally:
        qInstallMessageHandler(previous)


def test_an_icon_asked_for_at_no_size_is_an_empty_pixmap_without_a_warning(
    qt_warnings: list[str],
) -> None:
    icon = icons.icon("delete")

    for size in (QSize(0, 0), QSize(16, 0), QSize(0, 16)):
        assert icon.pixmap(size, QIcon.Mode.Normal).isNull()
    assert qt_warnings == []


def test_an_icon_is_drawn_once_per_size(qt_warnings: list[str]) -> None:
    icon = icons.icon("export")

    first = icon.pixmap(QSize(20, 20))
    again = icon.pixmap(QSize(20, 20))

    assert not first.isNull() and first.size() == QSize(20, 20)
    assert again.cacheKey() == first.cacheKey()
    assert qt_warnings == []
