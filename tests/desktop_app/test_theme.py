"""Light and dark: the named colours read well in both, and the whole app follows the choice."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app import options, theme
from desktop_app.app import apply_style, choose_theme


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_is_measured_the_wcag_way() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("scheme", list(theme.Scheme))
def test_text_and_chips_meet_wcag_aa_in_both_schemes(scheme: theme.Scheme) -> None:
    too_faint = {
        (fg, bg): round(contrast(theme.hex_of(fg, scheme), theme.hex_of(bg, scheme)), 2)
        for fg, bg in theme.CONTRAST_PAIRS
        if contrast(theme.hex_of(fg, scheme), theme.hex_of(bg, scheme)) < 4.5
    }
    assert too_faint == {}


@pytest.mark.parametrize("scheme", list(theme.Scheme))
def test_every_chip_tone_and_stage_chip_is_checked(scheme: theme.Scheme) -> None:
    checked = set(theme.CONTRAST_PAIRS)
    for tone in (*theme.TONES, *theme.STAGE_TONES):
        assert (f"{tone}_fg", f"{tone}_bg") in checked
    # Stages spread from the first tone to the last along any journey.
    assert theme.stage_tone(0, 10) == theme.STAGE_TONES[0]
    assert theme.stage_tone(9, 10) == theme.STAGE_TONES[-1]


def test_the_style_sheet_names_only_colours_the_palette_has() -> None:
    assert theme.template_names() - set(theme.PALETTE) == set()
    for scheme in theme.Scheme:
        assert "@" not in theme.stylesheet(scheme)


def test_the_two_schemes_differ_where_it_matters() -> None:
    for name in ("window", "surface", "text", "muted", "link"):
        assert theme.hex_of(name, theme.Scheme.LIGHT) != theme.hex_of(name, theme.Scheme.DARK)


@pytest.mark.parametrize("choice", ["light", "dark"])
def test_the_owners_choice_is_applied_and_remembered(
    qtbot: QtBot, qapp: QApplication, choice: str
) -> None:
    button = QPushButton("Styled")
    qtbot.addWidget(button)
    with qtbot.waitSignal(theme.notifier().changed):
        choose_theme(qapp, choice)
    button.show()
    qtbot.waitExposed(button)
    scheme = theme.Scheme(choice)
    assert theme.current() is scheme
    assert options.get(options.THEME) == choice
    # The style draws menus, check boxes and links from the palette: it must match the sheet.
    palette = qapp.palette()
    assert palette.color(QPalette.ColorRole.Window).name() == theme.hex_of("window", scheme)
    assert palette.color(QPalette.ColorRole.Base).name() == theme.hex_of("surface", scheme)
    assert palette.color(QPalette.ColorRole.Link).name() == theme.hex_of("link", scheme)
    assert theme.hex_of("text", scheme) in qapp.styleSheet()
    # Starting again applies what was chosen.
    apply_style(qapp)
    assert theme.current() is scheme
    choose_theme(qapp, "light")


def test_system_follows_the_desktops_colour_scheme(qapp: QApplication) -> None:
    options.put(options.THEME, "system")
    apply_style(qapp)
    assert theme.current() is theme.system_scheme()
