"""Building the contact write statements ahead of the owner's first change
(``derived.prepare_writes``): nothing is written, and the next change finds them built."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import default

from db import derived, touches
from db.domain import Medium
from db.engine import Database, open_database
from tests.conftest import ContactFactory


def _dump(database: Database) -> list[str]:
    with sqlite3.connect(database.path) as raw:
        return list(raw.iterdump())


@contextmanager
def _lifecycle_updates(database: Database) -> Iterator[list[Any]]:
    """Whether each stored-lifecycle UPDATE run meanwhile found its SQL already built."""
    found: list[Any] = []

    def seen(
        _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: Any
    ) -> None:
        if statement.startswith("UPDATE contact SET lifecycle="):
            found.append(context.cache_hit)

    engine = database.write_session.kw["bind"]
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_preparing_writes_changes_nothing(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Ann")
    before = _dump(database)

    assert derived.prepare_writes(database) == 0

    assert _dump(database) == before


@pytest.mark.parametrize("prepared", [False, True])
def test_the_first_touch_after_preparing_finds_its_statements_built(
    db_path: Path, database: Database, contact_factory: ContactFactory, prepared: bool
) -> None:
    ann = contact_factory(name="Ann")
    database.close()
    touch = touches.TouchInput(ann, Medium.PHONE, datetime.now(UTC), summary="Called")
    # Opened again, as at start-up: a new engine has built no statement yet.
    with open_database(db_path) as reopened, _lifecycle_updates(reopened) as built:
        if prepared:
            derived.prepare_writes(reopened)
        touches.log_touch(reopened, touch)

    first_touch = built[-1]
    assert first_touch == (default.CACHE_HIT if prepared else default.CACHE_MISS)


def test_a_closed_database_is_left_alone(db_path: Path, database: Database) -> None:
    database.close()
    engine = database.write_session.kw["bind"]
    opened: list[object] = []
    event.listen(engine, "connect", lambda *_args: opened.append("connection"))

    assert derived.prepare_writes(database) == 0
    assert opened == []
