"""The colours of the charts, in one place.

Mediums keep the colours of their icons, lifecycle statuses and satisfaction levels those of
their chips in the detail pane, and the funnel the app's blue accent, so a colour means the
same thing everywhere. ``for_background`` picks lighter tones of the same hues when the window
is dark, so every series stays readable in both palettes; the page passes the colours of the
current ``QPalette``.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

from db.domain import Medium
from db.feedback import Level
from db.lifecycle import Lifecycle

#: The strokes of resources/icons/medium-*.svg.
MEDIUM_COLOURS = {
    Medium.IN_PERSON: "#2E7D5B",
    Medium.EMAIL: "#2F6FB5",
    Medium.PHONE: "#6B4FB3",
    Medium.MAIL: "#8A5A2B",
    Medium.VIDEO: "#C2410C",
    Medium.GIFT: "#BE185D",
}
#: The text colours of the lifecycle chips (desktop_app.sales.section), a touch brighter.
LIFECYCLE_COLOURS = {
    Lifecycle.PROSPECTIVE: "#64748b",
    Lifecycle.NEW: "#4ade80",
    Lifecycle.ACTIVE: "#22c55e",
    Lifecycle.REPEAT: "#15803d",
    Lifecycle.SEASONAL: "#0284c7",
    Lifecycle.LAPSED_SHORT: "#f59e0b",
    Lifecycle.LAPSED_LONG: "#ea580c",
    Lifecycle.WIN_BACK: "#dc2626",
    Lifecycle.DO_NOT_CONTACT: "#9ca3af",
}
LEVEL_COLOURS = {
    Level.HIGHLY_SATISFIED: "#16a34a",
    Level.SATISFIED: "#0ea5e9",
    Level.DISSATISFIED: "#dc2626",
}
ACCENT = "#2563eb"
ACCENT_SOFT = "#bfdbfe"
GOOD = "#16a34a"
WARN = "#f59e0b"
BAD = "#dc2626"


def _luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _lighter(colour: str, lightness: float) -> str:
    """The same hue at least ``lightness`` light (0-1), for a dark background."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    h, light, s = colorsys.rgb_to_hls(r, g, b)
    r, g, b = colorsys.hls_to_rgb(h, max(light, lightness), s)
    return "#{:02x}{:02x}{:02x}".format(*(round(v * 255) for v in (r, g, b)))


@dataclass(frozen=True)
class ChartPalette:
    background: str
    text: str
    muted: str
    grid: str
    accent: str
    accent_soft: str
    good: str
    warn: str
    bad: str
    good_line: str
    bad_line: str
    mediums: dict[Medium, str]
    lifecycle: dict[Lifecycle, str]
    levels: dict[Level, str]

    @property
    def dark(self) -> bool:
        return _luminance(self.background) < 0.5


def for_background(background: str, text: str) -> ChartPalette:
    """Chart colours on ``background`` with ``text`` (both "#rrggbb")."""
    dark = _luminance(background) < 0.5
    if not dark:
        return ChartPalette(
            background=background,
            text=text,
            muted="#64748b",
            grid="#e2e8f0",
            accent=ACCENT,
            accent_soft=ACCENT_SOFT,
            good=GOOD,
            warn=WARN,
            bad=BAD,
            good_line="#166534",
            bad_line="#991b1b",
            mediums=dict(MEDIUM_COLOURS),
            lifecycle=dict(LIFECYCLE_COLOURS),
            levels=dict(LEVEL_COLOURS),
        )
    return ChartPalette(
        background=background,
        text=text,
        muted="#94a3b8",
        grid="#334155",
        accent="#60a5fa",
        accent_soft="#1e3a8a",
        good="#4ade80",
        warn="#fbbf24",
        bad="#f87171",
        good_line="#86efac",
        bad_line="#fca5a5",
        mediums={m: _lighter(c, 0.6) for m, c in MEDIUM_COLOURS.items()},
        lifecycle={k: _lighter(c, 0.55) for k, c in LIFECYCLE_COLOURS.items()},
        levels={k: _lighter(c, 0.55) for k, c in LEVEL_COLOURS.items()},
    )


LIGHT = for_background("#ffffff", "#0f172a")
DARK = for_background("#1e293b", "#e2e8f0")
