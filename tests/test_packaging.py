"""The built wheel carries everything Touchbase needs at run time, not only the Python code."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JOURNEYS = (
    "customer_development",
    "customers_for_life",
    "customer_experience",
    "customer_lifecycle",
)
MEDIUM_ICONS = ("in_person", "email", "mail", "phone", "video", "gift")


def _build(source: Path, out: Path, *, isolated: bool) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-w", str(out)]
    if not isolated:
        command.append("--no-build-isolation")
    return subprocess.run(command, cwd=source, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    tmp = tmp_path_factory.mktemp("wheel")
    # Build from a copy, so the build leaves no build/ or egg-info in the working tree.
    source = tmp / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "tests",
            "build",
            "dist",
            "*.egg-info",
            "__pycache__",
            ".*_cache",
            ".hypothesis",
            "*.sqlite*",
        ),
    )
    out = tmp / "dist"
    result = _build(source, out, isolated=False)
    if result.returncode != 0:
        # The environment lacks the build requirements (e.g. ``wheel``): let pip fetch them.
        result = _build(source, out, isolated=True)
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("touchbase-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


@pytest.fixture(scope="module")
def names(wheel: zipfile.ZipFile) -> set[str]:
    return set(wheel.namelist())


def _dist_info(names: set[str]) -> str:
    (folder,) = {n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")}
    return folder


def test_wheel_has_the_migrations(names: set[str]) -> None:
    assert {
        "db/migrations/env.py",
        "db/migrations/script.py.mako",
        "db/migrations/versions/0001_initial_schema.py",
    } <= names


def test_every_migration_in_the_tree_is_in_the_wheel(names: set[str]) -> None:
    in_tree = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "db" / "migrations" / "versions").glob("*.py")
    }
    assert in_tree
    assert in_tree <= names


@pytest.mark.parametrize("key", JOURNEYS)
def test_wheel_has_the_journey_models(names: set[str], key: str) -> None:
    assert f"resources/journeys/{key}.json" in names


def test_wheel_has_the_icons(names: set[str]) -> None:
    icons = {n for n in names if n.startswith("resources/icons/") and n.endswith(".svg")}
    assert {f"resources/icons/medium-{m}.svg" for m in MEDIUM_ICONS} <= icons
    in_tree = {f"resources/icons/{p.name}" for p in (ROOT / "resources" / "icons").glob("*.svg")}
    assert in_tree <= icons


def test_wheel_has_the_app_icon_sizes(names: set[str]) -> None:
    in_tree = {f"resources/icons/{p.name}" for p in (ROOT / "resources" / "icons").glob("*.png")}
    assert "resources/icons/touchbase-48.png" in in_tree
    assert in_tree <= names


def test_wheel_does_not_ship_the_tests(names: set[str]) -> None:
    assert not {n for n in names if n.startswith("tests/")}


def test_wheel_declares_both_launchers(wheel: zipfile.ZipFile, names: set[str]) -> None:
    entry_points = configparser.ConfigParser()
    entry_points.read_string(wheel.read(f"{_dist_info(names)}/entry_points.txt").decode())
    assert entry_points["console_scripts"]["touchbase"] == "desktop_app.cli:main"
    assert entry_points["gui_scripts"]["touchbase-gui"] == "desktop_app.cli:gui_main"
    # The functions they name exist in the shipped module.
    cli = wheel.read("desktop_app/cli.py").decode()
    assert "def main(" in cli
    assert "def gui_main(" in cli


def test_wheel_version_is_the_package_version(names: set[str]) -> None:
    import db  # noqa: PLC0415

    assert _dist_info(names) == f"touchbase-{db.__version__}.dist-info"
