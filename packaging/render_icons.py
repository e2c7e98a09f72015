"""Render the application icon's PNG sizes from resources/icons/touchbase.svg.

Desktops that do not draw SVG (and the hicolor icon theme's fixed sizes) need PNGs. Run
after changing the SVG and commit the result:

    .venv/bin/python packaging/render_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SOURCE = ICONS / "touchbase.svg"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def png_path(size: int) -> Path:
    return ICONS / f"touchbase-{size}.png"


def render(size: int) -> QImage:
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])  # a QPainter needs a platform, even offscreen
    for size in SIZES:
        if not render(size).save(str(png_path(size))):
            raise SystemExit(f"cannot write {png_path(size)}")
        sys.stdout.write(f"wrote {png_path(size).relative_to(ICONS.parents[1])}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
