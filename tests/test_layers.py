"""The layers stay simple: no import cycles (function-level imports included), no database
session in the app (it calls ``db`` services), and the window's first paint loads no storage."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("db", "desktop_app")

#: Cycles that exist and are to be taken apart, each with what it is; a cycle not listed
#: fails, and so does a listed one that is gone (take it off the list).
KNOWN_CYCLES: dict[frozenset[str], str] = {
    frozenset(
        {
            "db.export",
            "db.reports",
            "db.reports.contacts",
            "db.reports.dashboard",
            "db.reports.followups",
            "db.reports.journeys",
            "db.reports.sales",
            "db.reports.touches",
        }
    ): "export loads the reports, which register themselves with export on import",
}


def _module_files() -> dict[str, Path]:
    files = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            files[name.removesuffix(".__init__")] = path
    return files


def imports_of(source: str, known: set[str], package: str = "") -> set[str]:
    """The known modules a source imports anywhere (functions included), but not the imports
    only type checkers see (``if TYPE_CHECKING:``)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in (
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        ):
            node.body = []
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}".rstrip(".")
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found & known


def cycles(graph: Mapping[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, set()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(frozenset(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def import_graph() -> dict[str, set[str]]:
    files = _module_files()
    known = set(files)
    graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = imports_of(path.read_text(encoding="utf-8"), known, package) - {name}
    return graph


def test_the_cycle_finder_finds_cycles_through_function_level_imports() -> None:
    a = "from b import thing\n"
    b = "def late():\n    import c\n"
    c = "import typing\nif typing.TYPE_CHECKING:\n    import b\ndef f():\n    from a import x\n"
    known = {"a", "b", "c"}
    graph = {name: imports_of(source, known) for name, source in zip("abc", (a, b, c), strict=True)}
    assert graph == {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_type_checking_imports_do_not_count() -> None:
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from b import B\n"
    assert imports_of(source, {"b"}) == set()


def test_no_import_cycles() -> None:
    found = set(cycles(import_graph()))
    assert found - set(KNOWN_CYCLES) == set(), "a new import cycle: move the shared piece down"
    assert set(KNOWN_CYCLES) - found == set(), "a known cycle is gone: take it off the list"


SESSION_USES = ("reading", "write_session", "read_session", "Session", "sessionmaker")


def _names_a_session(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr in SESSION_USES
    if isinstance(node, ast.Name):
        return node.id in SESSION_USES
    if isinstance(node, ast.ImportFrom):
        return any(alias.name in SESSION_USES for alias in node.names)
    return False


def session_uses(source: str) -> list[int]:
    """Lines that open or name a database session."""
    return sorted(
        {
            getattr(node, "lineno", 0)
            for node in ast.walk(ast.parse(source))
            if _names_a_session(node)
        }
    )


def test_the_session_finder_finds_sessions() -> None:
    assert session_uses("with db.reading() as s:\n    pass\n") == [1]
    assert session_uses("x = 1\nwith database.write_session.begin() as s:\n    pass\n") == [2]
    assert session_uses("from sqlalchemy.orm import Session\n") == [1]
    assert session_uses("contacts.get_contact(database, 3)\n") == []


def test_the_app_holds_no_database_session() -> None:
    offenders = {
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "desktop_app").rglob("*.py"))
        for line in session_uses(path.read_text(encoding="utf-8"))
    }
    assert offenders == set(), "call a db service (through OpsBus for slow work) instead"


def test_the_window_frame_paints_before_the_storage_loads() -> None:
    """What the ``touchbase`` command imports up to the first paint: Qt, no SQLAlchemy."""
    script = (
        "import sys\n"
        "from desktop_app import cli, app, startup\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy'"
        " or m in ('db.engine', 'db.models', 'desktop_app.main_window'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
