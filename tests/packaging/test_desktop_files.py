"""The Linux desktop files, the icon sizes and the running app agree on one identity.

A desktop matches a window to its menu entry by the .desktop file's id (Wayland's app id,
``QGuiApplication.desktopFileName``) or its ``StartupWMClass`` (X11's WM_CLASS, whose class
part Qt takes from the application name); the AppStream metainfo names the same id. If one of
them drifts, the app shows up with a generic icon and a second taskbar entry.
"""

from __future__ import annotations

import configparser
import json
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from db import __version__
from desktop_app.app import APPLICATION_NAME, DESKTOP_FILE_ID

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
ICONS = ROOT / "resources" / "icons"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(LINUX / f"{DESKTOP_FILE_ID}.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def _metainfo() -> ET.Element:
    return ET.parse(LINUX / f"{DESKTOP_FILE_ID}.metainfo.xml").getroot()


def test_the_desktop_entry_is_named_by_the_id_and_matches_the_window() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == APPLICATION_NAME
    assert entry["Icon"] == DESKTOP_FILE_ID
    assert entry["StartupWMClass"] == APPLICATION_NAME
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    assert [p.name for p in LINUX.glob("*.desktop")] == [f"{DESKTOP_FILE_ID}.desktop"]


def test_the_desktop_entry_runs_a_command_touchbase_installs() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    program = _desktop_entry()["Exec"].split()[0]
    assert program in scripts
    assert program == "touchbase"  # also the name of the packaged program (touchbase.spec)
    assert 'name="touchbase"' in (ROOT / "packaging" / "touchbase.spec").read_text("utf-8")


def test_the_metainfo_describes_this_app_and_version() -> None:
    root = _metainfo()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == DESKTOP_FILE_ID
    assert root.findtext("name") == APPLICATION_NAME
    assert root.findtext("launchable[@type='desktop-id']") == f"{DESKTOP_FILE_ID}.desktop"
    assert root.findtext("provides/binary") == "touchbase"
    newest = root.find("releases/release")
    assert newest is not None
    assert newest.get("version") == __version__


def test_the_metainfo_and_the_desktop_entry_share_their_categories() -> None:
    from_entry = [c for c in _desktop_entry()["Categories"].split(";") if c]
    from_metainfo = [c.text for c in _metainfo().iterfind("categories/category")]
    assert from_metainfo == from_entry


@pytest.mark.parametrize("size", PNG_SIZES)
def test_the_icon_comes_in_each_size(size: int) -> None:
    image = QImage(str(ICONS / f"touchbase-{size}.png"))
    assert not image.isNull()
    assert (image.width(), image.height()) == (size, size)
    assert image.hasAlphaChannel()
    assert image.pixelColor(0, 0).alpha() == 0  # the rounded corner is see-through
    assert image.pixelColor(size // 2, size // 2).alpha() == 255  # the badge is solid


def test_the_running_app_names_itself_as_the_desktop_files_do(tmp_path: Path) -> None:
    # A process of its own: the test session's QApplication is pytest-qt's, not Touchbase's.
    code = (
        "import json; from desktop_app.app import create_application; a = create_application(); "
        "print(json.dumps([a.applicationName(), a.organizationName(), a.desktopFileName(), "
        "a.applicationVersion(), a.windowIcon().isNull()]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    name, organisation, desktop_file, version, no_icon = json.loads(out)
    assert name == APPLICATION_NAME
    assert organisation == APPLICATION_NAME
    assert desktop_file == DESKTOP_FILE_ID
    assert version == __version__
    assert not no_icon
