"""The shape of the code: data flows one way (``db`` knows nothing of Qt or the app), no print."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_DB = ("PySide6", "shiboken6", "desktop_app")


def _python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imported_modules(source: str) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            modules.add(node.args[0].value)
    return modules


def _forbidden(modules: set[str]) -> set[str]:
    return {m for m in modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN_IN_DB)}


def _print_calls(source: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "print"
    ]


# The checkers themselves must be able to fail, or the tests below prove nothing.
@pytest.mark.parametrize(
    "source",
    [
        "import PySide6",
        "from PySide6.QtCore import Qt",
        "import desktop_app.paths as paths",
        "from desktop_app import options",
        "def f():\n    from shiboken6 import isValid",
        "import importlib\nimportlib.import_module('PySide6.QtGui')",
    ],
)
def test_the_import_checker_catches_qt_and_app_imports(source: str) -> None:
    assert _forbidden(_imported_modules(source))


@pytest.mark.parametrize(
    "source",
    ["import sqlalchemy", "from db import models", "from . import schema", "import PySide"],
)
def test_the_import_checker_allows_storage_imports(source: str) -> None:
    assert not _forbidden(_imported_modules(source))


def test_the_print_checker_finds_prints() -> None:
    assert _print_calls("x = 1\nif x:\n    print('debug', x)\n") == [3]
    assert _print_calls("log.info('print(this)')\nprinter.print_(1)\n") == []


def test_db_never_imports_qt_or_the_app() -> None:
    files = _python_files("db")
    assert ROOT / "db" / "engine.py" in files
    assert ROOT / "db" / "migrations" / "env.py" in files
    offenders = {
        str(path.relative_to(ROOT)): sorted(bad)
        for path in files
        if (bad := _forbidden(_imported_modules(path.read_text(encoding="utf-8"))))
    }
    assert offenders == {}


def test_importing_every_db_module_loads_no_qt() -> None:
    modules = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in _python_files("db")
        if "migrations" not in path.parts
    )
    modules = [m.removesuffix(".__init__") for m in modules]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'desktop_app'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("package", ["db", "desktop_app"])
def test_no_print_calls_in_the_app(package: str) -> None:
    files = _python_files(package)
    assert files, f"no Python files found under {package}/"
    offenders = {
        f"{path.relative_to(ROOT)}:{line}"
        for path in files
        for line in _print_calls(path.read_text(encoding="utf-8"))
    }
    assert offenders == set(), "use logging.getLogger(__name__) instead of print"
