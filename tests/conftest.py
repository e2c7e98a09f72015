"""Fixtures shared by every test: a fresh database per test, and nothing near real user data."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Headless Qt, set before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from db import contacts
from db.engine import Database, open_database


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every per-user folder at the test's own tmp_path: the owner's files are never read."""
    monkeypatch.setenv("TOUCHBASE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TOUCHBASE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("TOUCHBASE_DB", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / "config"))


@pytest.fixture(autouse=True)
def _collect_on_this_thread() -> Iterator[None]:
    """Once a test made the application, automatic collection is off for the rest of the
    session (desktop_app.collector): what a test left behind is collected here, on the
    tests' own thread, which is the GUI thread."""
    yield
    collector = sys.modules.get("desktop_app.collector")
    if collector is not None and not gc.isenabled():
        collector.collect_due()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "touchbase.sqlite"


@pytest.fixture
def database(db_path: Path) -> Iterator[Database]:
    database = open_database(db_path)
    yield database
    database.close()


ContactFactory = Callable[..., int]


@pytest.fixture
def contact_factory(database: Database) -> ContactFactory:
    """Create a realistic contact; keyword arguments override ``ContactInput`` fields."""
    counter = iter(range(1, 1_000_000))

    def make(**overrides: object) -> int:
        n = next(counter)
        fields: dict[str, object] = {
            "name": f"Contact {n:04d}",
            "company": "Harbour Bakery",
            "emails": (contacts.EmailData(f"contact{n}@example.com", "work"),),
            "phones": (contacts.PhoneData(f"+1 555 010 {n:04d}", "mobile"),),
        }
        fields.update(overrides)
        return contacts.create_contact(database, contacts.ContactInput(**fields))  # type: ignore[arg-type]

    return make
