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
        self._pixmaps: dict[tuple[int, int, QIcon.Mode, float, theme.Scheme], QPixmap] = {}

    def _renderer(self) -> QSvgRenderer:
        scheme = theme.current()
        renderer = self._renderers.get(scheme)
        if renderer is None:
            data = QByteArray(theme.tint_svg(self._svg, scheme).encode("utf-8"))
            renderer = QSvgRenderer(data)
            self._renderers[scheme] = renderer
        return renderer

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, ratio))

    def _draw(self, painter: QPainter, rect: QRect, mode: QIcon.Mode) -> None:
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
        # Drawn once per size, mode and scheme: lists paint the same few icons on every row,
        # every time they repaint, and rendering the SVG each time was most of that paint.
        if size.isEmpty():  # a widget laid out to nothing yet: nothing to draw on
            return QPixmap()
        key = (size.width(), size.height(), mode, scale, theme.current())
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            pixmap = QPixmap(size * scale)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            self._draw(painter, QRect(QPoint(0, 0), size * scale), mode)
            painter.end()
            pixmap.setDevicePixelRatio(scale)
            self._pixmaps[key] = pixmap
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
