"""Fixtures for widget tests: the real window and pages on a fresh database, run in-line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from db import settings
from db.engine import Database
from desktop_app.app import create_application
from desktop_app.contacts.page import ContactsPage
from desktop_app.main_window import MainWindow
from desktop_app.ops import OpsBus
from desktop_app.tasks import ImmediateRunner, Task


@pytest.fixture(autouse=True)
def _styled_app(qapp: object) -> None:
    # The real application setup (style sheet, icons), so tests see what people see.
    create_application()


@pytest.fixture
def ops(database: Database) -> OpsBus:
    return OpsBus(database)


@pytest.fixture
def page(qtbot: QtBot, ops: OpsBus) -> ContactsPage:
    page = ContactsPage(ops)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    return page


@pytest.fixture
def welcomed(database: Database) -> Database:
    """A database whose owner has already seen the welcome screen."""
    with database.write_session.begin() as session:
        settings.put(session, settings.SAMPLE_DATA_OFFERED, True)
    return database


@pytest.fixture
def window(qtbot: QtBot, welcomed: Database) -> Iterator[MainWindow]:
    window = MainWindow(welcomed, ImmediateRunner())
    qtbot.addWidget(window)
    window.show()
    yield window


class HeldRunner:
    """A runner like a busy background thread: it keeps the submitted tasks until the test
    lets them run (in the order submitted, or newest first); a task may submit more."""

    def __init__(self) -> None:
        self.held: list[Task] = []

    def submit(self, task: Task) -> None:
        self.held.append(task)

    def run(self, *, newest_first: bool = False) -> None:
        tasks, self.held = self.held, []
        for task in reversed(tasks) if newest_first else tasks:
            task.run()


@pytest.fixture
def held() -> HeldRunner:
    return HeldRunner()
