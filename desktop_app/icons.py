"""Icons shipped in ``resources/icons`` (SVG, so they stay sharp at any scale).

Each icon is drawn from its SVG at the size asked for, in the colours of the scheme in force
when it is painted (``desktop_app.theme``), so the same QIcon reads well in light and dark.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from db.domain import Medium
from desktop_app import theme


class SvgIconEngine(QIconEngine):
    """Renders an SVG in the current scheme's colours; disabled icons are drawn faded."""

    def __init__(self, svg: str) -> None:
        super().__init__()
        self._svg = svg
        self._renderers: dict[theme.Scheme, QSvgRenderer] = {}

    def _renderer(self) -> QSvgRenderer:
        scheme = theme.current()
        renderer = self._renderers.get(scheme)
        if renderer is None:
            data = QByteArray(theme.tint_svg(self._svg, scheme).encode("utf-8"))
            renderer = QSvgRenderer(data)
            self._renderers[scheme] = renderer
        return renderer

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.save()
        if mode == QIcon.Mode.Disabled:
            painter.setOpacity(0.4)
        self._renderer().render(painter, rect)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        pixmap = QPixmap(size * scale)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), size * scale), mode, state)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        return size

    def clone(self) -> QIconEngine:
        return SvgIconEngine(self._svg)

    def key(self) -> str:
        return "touchbase-svg"


@cache
def icon(name: str) -> QIcon:
    svg = resources.files("resources.icons").joinpath(f"{name}.svg").read_text("utf-8")
    return QIcon(SvgIconEngine(svg))


def medium_icon(medium: Medium) -> QIcon:
    return icon(f"medium-{medium.value}")


def app_icon() -> QIcon:
    return icon("touchbase")
