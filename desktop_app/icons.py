"""Icons shipped in ``resources/icons`` (SVG, so they stay sharp at any scale)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtGui import QIcon

from db.domain import Medium


@cache
def icon(name: str) -> QIcon:
    path = resources.files("resources.icons").joinpath(f"{name}.svg")
    return QIcon(str(path))


def medium_icon(medium: Medium) -> QIcon:
    return icon(f"medium-{medium.value}")


def app_icon() -> QIcon:
    return icon("touchbase")
