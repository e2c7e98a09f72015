"""The standalone package (``make package``) runs on a fresh database, headless.

``make package-test`` builds dist/touchbase and runs these tests on it (TOUCHBASE_BUILT_APP);
run alone, they build the package into a temporary folder first. They start the built
program the way an owner would, so a module, a Qt plugin, a resource or a migration left out
of the bundle fails here rather than on the owner's computer.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from db import __version__, schema
from desktop_app import cli
from desktop_app.app import DESKTOP_FILE_ID

pytestmark = pytest.mark.package

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "touchbase.spec"
SAMPLE_CSV = ROOT / "tests" / "db" / "import_files" / "spreadsheet_cp1252_semicolon.csv"
STARTUP_TIMEOUT = 120  # seconds; a cold start on a loaded 2-core machine takes a few


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = os.environ.get("TOUCHBASE_BUILT_APP")
    if built:
        folder = Path(built).resolve()
    else:
        work = tmp_path_factory.mktemp("pyinstaller")
        command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
        command += [str(SPEC), "--distpath", str(work / "dist"), "--workpath", str(work / "build")]
        subprocess.run(command, cwd=ROOT, check=True)
        folder = work / "dist" / "touchbase"
    assert (folder / _program_name()).is_file(), f"no built program in {folder}"
    return folder


def _program_name() -> str:
    return "touchbase.exe" if sys.platform == "win32" else "touchbase"


def _internal(bundle: Path) -> Path:
    return bundle / "_internal"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """What an owner's session has, minus this checkout: no virtualenv, no PYTHONPATH."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    kept["PATH"] = os.pathsep.join(
        p for p in kept.get("PATH", "").split(os.pathsep) if ".venv" not in p
    )
    kept["QT_QPA_PLATFORM"] = "offscreen"
    return kept


def run(bundle: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(bundle / _program_name()), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=bundle.parent,  # not the checkout: nothing may be found beside the sources
        timeout=STARTUP_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"touchbase {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result


def test_version(bundle: Path, env: dict[str, str]) -> None:
    assert run(bundle, env, "--version").stdout.strip() == f"touchbase {__version__}"


def test_demo_creates_and_migrates_a_fresh_database(
    bundle: Path, env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "fresh.sqlite"
    out = run(bundle, env, "--db", str(path), "demo", "--contacts", "40").stdout
    assert "Added 40 contacts" in out
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (schema.HEAD,)
        assert conn.execute("SELECT count(*) FROM contact").fetchone() == (40,)
        # The built-in journey models come from the bundled JSON files.
        assert conn.execute("SELECT count(*) FROM journey_model").fetchone()[0] >= 4


def test_check_passes_on_a_fresh_database(
    bundle: Path, env: dict[str, str], tmp_path: Path
) -> None:
    (commands,) = (
        action.choices
        for action in cli.build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    if "check" not in commands:
        pytest.skip("this Touchbase has no check command")
    path = tmp_path / "fresh.sqlite"
    run(bundle, env, "--db", str(path), "demo", "--contacts", "20")
    run(bundle, env, "--db", str(path), "check")


def test_reports_and_follow_ups_from_the_built_program(
    bundle: Path, env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "fresh.sqlite"
    run(bundle, env, "--db", str(path), "demo", "--contacts", "25")
    csv = tmp_path / "contacts.csv"
    run(bundle, env, "--db", str(path), "export", "contacts", "--output", str(csv))
    assert len(csv.read_text("utf-8-sig").splitlines()) == 26
    ics = tmp_path / "followups.ics"
    run(bundle, env, "--db", str(path), "export", "followups", "--output", str(ics))
    assert ics.read_text("utf-8").startswith("BEGIN:VCALENDAR")
    run(bundle, env, "--db", str(path), "followups")


def test_importing_csv_and_vcard_files_with_the_built_program(
    bundle: Path, env: dict[str, str], tmp_path: Path
) -> None:
    """The import's readers (encoding detection, vCard parsing, phone numbers' metadata) are
    loaded only when used, so only running them shows they are in the bundle."""
    path = tmp_path / "fresh.sqlite"
    sheet = tmp_path / "customers.csv"
    sheet.write_bytes(
        "Name;Company;Phone\nJosé Müller;Café Zürich;+41 44 668 18 00\n"
        "Zoë Lefèvre;Bäckerei Sonnenschein;+33 1 42 68 53 00\n".encode("cp1252")
    )
    by_hand = ("--db", str(path), "import", str(sheet), "--encoding", "cp1252")
    assert "created 2" in run(bundle, env, *by_hand).stdout
    # Matched again by phone number alone (no emails in the file): skipped, not doubled.
    out = run(bundle, env, *by_hand).stdout
    assert "created 0" in out
    assert "skipped 2" in out
    # The encoding and delimiter found by looking at the file.
    out = run(bundle, env, "--db", str(path), "import", str(SAMPLE_CSV)).stdout
    assert "Windows-1252 (Western Europe), semicolon" in out
    assert "created 2" in out
    card = tmp_path / "card.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Lima\r\nN:Lima;Ana;;;\r\n"
        "EMAIL;TYPE=work:ana@example.com\r\nTEL;TYPE=cell:+55 11 3030 4040\r\n"
        "END:VCARD\r\n",
        encoding="utf-8",
    )
    assert "created 1" in run(bundle, env, "--db", str(path), "import", str(card)).stdout
    with closing(sqlite3.connect(path)) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM contact")}
    assert {"José Müller", "Zoë Lefèvre", "Ana Lima"} <= names
    assert len(names) == 5


@pytest.fixture(params=["new", "demo"])
def gui(
    request: pytest.FixtureRequest, bundle: Path, env: dict[str, str], tmp_path: Path
) -> Iterator[subprocess.Popen[str]]:
    """The app on a new database (the contacts page and the welcome) or one with contacts
    (Today)."""
    path = tmp_path / "gui.sqlite"
    where = ["--db", str(path)]
    if request.param == "demo":
        run(bundle, env, *where, "demo", "--contacts", "30")
    else:
        # A --db that does not exist is asked about first; the owner's own data folder (here
        # a scratch one) is made without asking, as on a first start.
        env = {**env, "TOUCHBASE_DATA_DIR": str(tmp_path / "data")}
        where = []
    process = subprocess.Popen(
        [str(bundle / _program_name()), "--verbose", *where],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=bundle.parent,
    )
    with process:  # closes the pipe
        yield process
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def test_the_window_opens_headless(gui: subprocess.Popen[str]) -> None:
    assert gui.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + STARTUP_TIMEOUT
    for line in gui.stdout:  # ends when the program exits
        lines.append(line)
        if "Touchbase is ready on" in line or time.monotonic() > deadline:
            break
    output = "".join(lines)
    assert "Touchbase is ready on" in output, output
    assert gui.poll() is None, output
    problems = [
        line
        for line in lines
        if ("Traceback" in line or line.startswith(("WARNING", "ERROR", "CRITICAL", "qt.")))
        and "propagateSizeHints" not in line
    ]
    assert not problems, output


def test_the_bundle_holds_what_touchbase_loads_from_disk(bundle: Path) -> None:
    inside = _internal(bundle)
    for source in (ROOT / "db" / "migrations").rglob("*"):
        if source.is_file() and source.suffix in {".py", ".mako"}:
            assert (inside / source.relative_to(ROOT)).is_file(), source
    for source in (ROOT / "resources").rglob("*"):
        if source.is_file() and source.suffix not in {".py", ".pyc"}:
            assert (inside / source.relative_to(ROOT)).is_file(), source


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux plugin names")
def test_the_bundle_has_the_qt_plugins_touchbase_needs_and_not_the_rest(bundle: Path) -> None:
    (qt,) = _internal(bundle).glob("PySide6/Qt")
    plugins = {p.relative_to(qt / "plugins").as_posix() for p in (qt / "plugins").rglob("*.so")}
    assert {
        "platforms/libqxcb.so",
        "platforms/libqwayland.so",
        "wayland-shell-integration/libxdg-shell.so",
        "platforms/libqoffscreen.so",
        "imageformats/libqsvg.so",
        "iconengines/libqsvgicon.so",
    } <= plugins
    assert not {p for p in plugins if "pdf" in p or "virtualkeyboard" in p or "eglfs" in p}
    libraries = {p.name for p in (qt / "lib").iterdir()}
    for unused in ("Qt6Qml", "Qt6Quick", "Qt6WebEngine", "Qt63D", "Qt6Multimedia", "Qt6Pdf"):
        assert not {n for n in libraries if n.startswith(f"lib{unused}")}, unused
    assert not (qt / "translations").exists()


@pytest.mark.skipif(shutil.which("ldd") is None, reason="needs ldd (Linux)")
def test_every_bundled_qt_library_finds_the_qt_libraries_it_needs(bundle: Path) -> None:
    """A Qt library dropped from the bundle while a kept plugin still needs it would only
    fail on the desktop that loads that plugin."""
    missing = []
    for binary in _internal(bundle).rglob("*.so*"):
        if binary.is_symlink() or not binary.is_file():
            continue
        out = subprocess.run(
            ["ldd", str(binary)], capture_output=True, text=True, check=False
        ).stdout
        missing += [
            f"{binary.name}: {line.split()[0]}"
            for line in out.splitlines()
            if "not found" in line and ("Qt6" in line or "pyside" in line or "shiboken" in line)
        ]
    assert not missing


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="freedesktop install")
def test_install_sh_puts_touchbase_in_the_menu_and_takes_it_out(
    bundle: Path, env: dict[str, str], tmp_path: Path
) -> None:
    prefix = tmp_path / "prefix"
    env = {**env, "PREFIX": str(prefix)}
    subprocess.run([str(bundle / "install.sh")], env=env, check=True, capture_output=True)
    entry = prefix / "share" / "applications" / f"{DESKTOP_FILE_ID}.desktop"
    (exec_line,) = [line for line in entry.read_text("utf-8").splitlines() if line[:5] == "Exec="]
    program = exec_line.removeprefix("Exec=").strip('"')
    assert program == str(prefix / "lib" / "touchbase" / "touchbase")
    # make package-test installs desktop-file-validate (desktop-files-check) before this runs.
    problems = subprocess.run(
        ["desktop-file-validate", str(entry)], capture_output=True, text=True, check=False
    )
    assert (problems.returncode, problems.stdout + problems.stderr) == (0, "")
    for command in (program, str(prefix / "bin" / "touchbase")):
        version = subprocess.run(
            [command, "--version"], env=env, capture_output=True, text=True, check=False
        )
        assert version.stdout.strip() == f"touchbase {__version__}", version.stderr
    icons = prefix / "share" / "icons" / "hicolor"
    assert (icons / "48x48" / "apps" / f"{DESKTOP_FILE_ID}.png").is_file()
    assert (icons / "scalable" / "apps" / f"{DESKTOP_FILE_ID}.svg").is_file()
    assert (prefix / "share" / "metainfo" / f"{DESKTOP_FILE_ID}.metainfo.xml").is_file()

    installed = prefix / "lib" / "touchbase" / "install.sh"
    subprocess.run([str(installed), "--uninstall"], env=env, check=True, capture_output=True)
    shared_caches = {"icon-theme.cache", "mimeinfo.cache"}  # the desktop's, refreshed
    left = [p for p in prefix.rglob("*") if p.is_file() and p.name not in shared_caches]
    assert not left
