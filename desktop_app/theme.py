"""Light and dark: one palette of named colours, and everything that paints reads from it.

Every colour the app uses has a name here with a light and a dark value. The style sheet
(``resources/style.qss``) names colours as ``@name@``; both variants of it are generated from
the same table, and the widgets that paint for themselves (the journey board's cards, the
timeline, chips in rich text) ask :func:`color` or :func:`hex_of` at paint time, so a change
of scheme reaches them on their next paint.

Which variant applies is the owner's choice under *View → Appearance* (``options.THEME``):
light, dark, or the desktop's own colour scheme (``QStyleHints.colorScheme``), followed live.
"""

from __future__ import annotations

import enum
import re
import tempfile
from html import escape
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


class Scheme(enum.Enum):
    LIGHT = "light"
    DARK = "dark"


#: The owner's choices under View → Appearance, as stored in ``options.THEME``.
CHOICES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}

#: name: (light, dark). Text colours are checked against the surfaces they sit on by a test
#: (WCAG AA, 4.5:1), so a new pair belongs in ``CONTRAST_PAIRS`` below.
PALETTE: dict[str, tuple[str, str]] = {
    # Surfaces, from the window behind everything to the cards and fields on it.
    "window": ("#f8fafc", "#0f172a"),
    "sidebar": ("#eef2f7", "#0b1222"),
    "surface": ("#ffffff", "#1e293b"),
    "surface_alt": ("#f8fafc", "#1a2436"),
    "hover": ("#f1f5f9", "#273449"),
    "pressed": ("#e2e8f0", "#334155"),
    "border": ("#e2e8f0", "#334155"),
    "border_strong": ("#cbd5e1", "#52627a"),
    # Text.
    "text": ("#0f172a", "#e2e8f0"),
    "text_secondary": ("#334155", "#cbd5e1"),
    "subtle": ("#475569", "#b4c0d0"),
    "muted": ("#536379", "#9fadc0"),
    "disabled_text": ("#64748b", "#8392a7"),
    "icon": ("#475569", "#c3cedb"),
    # The one accent: links, focus, the primary button, selection.
    "accent": ("#2563eb", "#2563eb"),
    "accent_hover": ("#1d4ed8", "#1d4ed8"),
    "on_accent": ("#ffffff", "#ffffff"),
    "link": ("#1d4ed8", "#93c5fd"),
    "focus": ("#2563eb", "#60a5fa"),
    "selection": ("#dbeafe", "#1e3a8a"),
    "selection_text": ("#0f172a", "#f8fafc"),
    "danger": ("#b91c1c", "#fca5a5"),
    "success": ("#166534", "#86efac"),
    # The undo bar: the inverse of the page, so it stands out on either.
    "inverse": ("#1e293b", "#e2e8f0"),
    "on_inverse": ("#f8fafc", "#0f172a"),
    "inverse_link": ("#93c5fd", "#1d4ed8"),
    # The reminder banner.
    "banner": ("#fef3c7", "#422006"),
    "banner_border": ("#fcd34d", "#854d0e"),
    "on_banner": ("#78350f", "#fde68a"),
    # Chips: a soft background and a strong text colour per tone.
    "neutral_bg": ("#e2e8f0", "#334155"),
    "neutral_fg": ("#334155", "#e2e8f0"),
    "accent_bg": ("#dbeafe", "#1e3a8a"),
    "accent_fg": ("#1e3a8a", "#dbeafe"),
    "info_bg": ("#e0f2fe", "#0c4a6e"),
    "info_fg": ("#075985", "#e0f2fe"),
    "teal_bg": ("#ccfbf1", "#134e4a"),
    "teal_fg": ("#115e59", "#ccfbf1"),
    "violet_bg": ("#ede9fe", "#4c1d95"),
    "violet_fg": ("#5b21b6", "#ede9fe"),
    "success_bg": ("#dcfce7", "#14532d"),
    "success_fg": ("#166534", "#dcfce7"),
    "warning_bg": ("#fef3c7", "#713f12"),
    "warning_fg": ("#92400e", "#fef3c7"),
    "orange_bg": ("#fed7aa", "#7c2d12"),
    "orange_fg": ("#9a3412", "#ffedd5"),
    "danger_bg": ("#fee2e2", "#7f1d1d"),
    "danger_fg": ("#991b1b", "#fee2e2"),
    # The tray icon's count.
    "badge": ("#dc2626", "#dc2626"),
    "on_badge": ("#ffffff", "#ffffff"),
}

#: Chip tones: each has ``<tone>_bg`` and ``<tone>_fg`` above.
TONES = ("neutral", "accent", "info", "teal", "violet", "success", "warning", "orange", "danger")

#: Stages get tones from early (cool, grey) to late (green) along the journey.
STAGE_TONES = ("neutral", "info", "violet", "accent", "teal", "success")

#: (text, background) pairs the contrast test checks in both schemes.
CONTRAST_PAIRS: tuple[tuple[str, str], ...] = (
    *(
        (fg, bg)
        for fg in ("text", "text_secondary", "subtle", "muted")
        for bg in ("window", "sidebar", "surface", "surface_alt", "hover", "selection")
    ),
    ("selection_text", "selection"),
    ("link", "surface"),
    ("link", "window"),
    ("danger", "surface"),
    ("danger", "window"),
    ("success", "surface"),
    ("on_accent", "accent"),
    ("on_accent", "accent_hover"),
    ("on_inverse", "inverse"),
    ("inverse_link", "inverse"),
    ("on_banner", "banner"),
    ("on_badge", "badge"),
    ("disabled_text", "surface"),
    *((f"{tone}_fg", f"{tone}_bg") for tone in TONES),
)

_TOKEN = re.compile(r"@([a-z_]+)@")


class _Notifier(QObject):
    changed = Signal(object)


_current = Scheme.LIGHT
notifier_holder: list[_Notifier] = []


def current() -> Scheme:
    return _current


def hex_of(name: str, scheme: Scheme | None = None) -> str:
    light, dark = PALETTE[name]
    return dark if (scheme or _current) is Scheme.DARK else light


def color(name: str, scheme: Scheme | None = None) -> QColor:
    return QColor(hex_of(name, scheme))


def stage_tone(position: int, count: int) -> str:
    """The chip tone of the stage at ``position`` (0-based) of ``count``."""
    if count <= 1:
        return STAGE_TONES[0]
    step = round(position * (len(STAGE_TONES) - 1) / (count - 1))
    return STAGE_TONES[max(0, min(step, len(STAGE_TONES) - 1))]


def chip_html(text: str, tone: str, title: str = "") -> str:
    """A chip for rich text labels, in the current scheme's colours."""
    attr = f' title="{escape(title)}"' if title else ""
    return (
        f'<span style="background:{hex_of(tone + "_bg")}; color:{hex_of(tone + "_fg")};"{attr}>'
        f"&nbsp;{escape(text)}&nbsp;</span>"
    )


def muted_html(text: str) -> str:
    return f'<span style="color:{hex_of("muted")};">{text}</span>'


def stylesheet(scheme: Scheme) -> str:
    """``resources/style.qss`` with every ``@name@`` replaced by its colour in ``scheme``."""
    template = resources.files("resources").joinpath("style.qss").read_text("utf-8")
    icon_dir = _icon_dir(scheme).as_posix()

    def colour(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "icons":
            return icon_dir
        return hex_of(name, scheme)

    return _TOKEN.sub(colour, template)


def template_names() -> set[str]:
    """Every colour name the style sheet uses (a test checks each is in ``PALETTE``)."""
    template = resources.files("resources").joinpath("style.qss").read_text("utf-8")
    return {name for name in _TOKEN.findall(template) if name != "icons"}


_icon_dirs: dict[Scheme, Path] = {}


def _icon_dir(scheme: Scheme) -> Path:
    """A folder of the style sheet's icons (chevrons) drawn in ``scheme``'s icon colour."""
    if scheme in _icon_dirs:
        return _icon_dirs[scheme]
    folder = Path(tempfile.mkdtemp(prefix=f"touchbase-icons-{scheme.value}-"))
    for name in ("chevron-down", "chevron-up", "check"):
        svg = resources.files("resources.icons").joinpath(f"{name}.svg").read_text("utf-8")
        (folder / f"{name}.svg").write_text(tint_svg(svg, scheme), "utf-8")
    _icon_dirs[scheme] = folder
    return folder


#: Icon colours in the SVG files and what each becomes in the dark scheme.
_DARK_ICON_COLOURS = {
    "#475569": PALETTE["icon"][1],
    "#15803d": "#86efac",
    "#2f6fb5": "#7fb2ec",
    "#be185d": "#f08cbc",
    "#2e7d5b": "#6fd3a4",
    "#8a5a2b": "#d9a46c",
    "#6b4fb3": "#b9a4f0",
    "#c2410c": "#fb9a62",
}


def tint_svg(svg: str, scheme: Scheme) -> str:
    """The SVG with its colours swapped for the ones that read well on ``scheme``."""
    if scheme is Scheme.LIGHT:
        return svg
    return re.sub(
        r"#[0-9a-fA-F]{6}",
        lambda m: _DARK_ICON_COLOURS.get(m.group(0).lower(), m.group(0)),
        svg,
    )


def palette(scheme: Scheme) -> QPalette:
    """A QPalette from the named colours, for what the style draws itself (menus, check boxes,
    radio buttons, links, scroll bars)."""
    pal = QPalette()
    role = QPalette.ColorRole
    group = QPalette.ColorGroup
    pairs = {
        role.Window: "window",
        role.WindowText: "text",
        role.Base: "surface",
        role.AlternateBase: "surface_alt",
        role.Text: "text",
        role.Button: "surface",
        role.ButtonText: "text",
        role.BrightText: "on_accent",
        role.Highlight: "accent",
        role.HighlightedText: "on_accent",
        role.Link: "link",
        role.LinkVisited: "link",
        role.ToolTipBase: "surface",
        role.ToolTipText: "text",
        role.PlaceholderText: "muted",
        role.Light: "surface",
        role.Midlight: "hover",
        role.Mid: "border_strong",
        role.Dark: "border_strong",
        role.Shadow: "inverse",
        role.Accent: "accent",
    }
    for r, name in pairs.items():
        pal.setColor(r, color(name, scheme))
    for r in (role.WindowText, role.Text, role.ButtonText):
        pal.setColor(group.Disabled, r, color("disabled_text", scheme))
    return pal


def system_scheme() -> Scheme:
    hints = QGuiApplication.styleHints()
    return Scheme.DARK if hints.colorScheme() == Qt.ColorScheme.Dark else Scheme.LIGHT


def resolve(choice: str) -> Scheme:
    if choice == "dark":
        return Scheme.DARK
    if choice == "light":
        return Scheme.LIGHT
    return system_scheme()


def apply(app: QApplication, scheme: Scheme) -> None:
    """Give the whole application ``scheme``'s palette and style sheet."""
    global _current  # noqa: PLW0603 - the one place the scheme changes
    _current = scheme
    app.setPalette(palette(scheme))
    app.setStyleSheet(stylesheet(scheme))
    if notifier_holder:
        notifier_holder[0].changed.emit(scheme)


def notifier() -> _Notifier:
    """Emits ``changed(scheme)`` after :func:`apply`, for views that render colours into text."""
    if not notifier_holder:
        notifier_holder.append(_Notifier())
    return notifier_holder[0]
