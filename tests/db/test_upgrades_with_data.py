"""Upgrading real data from every earlier schema revision.

A database is filled with sample data at today's schema; for each earlier revision, an empty
database at that revision receives the same rows (the columns that revision had), is opened by
Touchbase (which backs it up and upgrades it), and must then hold exactly the same data as the
original, search included. A new migration is covered as soon as it is listed in
``db.schema.REVISIONS``.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

import db
from db import contacts, demo, schema
from db.engine import open_database

MIGRATIONS = Path(db.__file__).parent / "migrations"
SKIPPED = ("sqlite_", "contact_fts", "alembic_version")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reference") / "today.sqlite"
    with open_database(path) as database:
        demo.generate(database, contacts=60, seed=4)
    return path


def _tables(conn: sqlite3.Connection) -> list[str]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return sorted(n for n in names if not n.startswith(SKIPPED))


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _rows(conn: sqlite3.Connection, table: str, columns: list[str]) -> list[tuple[object, ...]]:
    listed = ", ".join(f'"{c}"' for c in columns)
    try:
        return conn.execute(f'SELECT {listed} FROM "{table}" ORDER BY rowid').fetchall()
    except sqlite3.OperationalError:  # a table without rowids (the tag links, since 0017)
        return conn.execute(f'SELECT {listed} FROM "{table}" ORDER BY {listed}').fetchall()


def _same(a: sqlite3.Connection, b: sqlite3.Connection, table: str, columns: list[str]) -> bool:
    """The rows of both, with JSON text (a model's rules) compared by meaning, not key order."""
    json_columns = {i for i, c in enumerate(columns) if (table, c) == ("journey_model", "rules")}

    def read(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
        return [
            tuple(
                json.loads(v) if i in json_columns and isinstance(v, str) else v
                for i, v in enumerate(row)
            )
            for row in _rows(conn, table, columns)
        ]

    return read(a) == read(b)


def _build_at(revision: str, path: Path, reference: Path) -> dict[str, list[str]]:
    """An empty database at ``revision`` holding the reference's rows; its columns by table."""
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()
    kept: dict[str, list[str]] = {}
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("ATTACH DATABASE ? AS ref", (str(reference),))
        for table in _tables(conn):
            ref_columns = {r[1] for r in conn.execute(f'PRAGMA ref.table_info("{table}")')}
            columns = [c for c in _columns(conn, table) if c in ref_columns]
            listed = ", ".join(f'"{c}"' for c in columns)
            conn.execute(
                f'INSERT INTO main."{table}" ({listed}) SELECT {listed} FROM ref."{table}"'
            )
            kept[table] = columns
        # The search index, as the app kept it at that revision.
        conn.execute("INSERT INTO main.contact_fts SELECT * FROM ref.contact_fts")
        conn.commit()
        conn.execute("DETACH DATABASE ref")
    return kept


@pytest.mark.parametrize("revision", schema.REVISIONS[:-1])
def test_data_from_an_earlier_revision_upgrades_intact(
    revision: str, reference: Path, tmp_path: Path
) -> None:
    old = tmp_path / f"at-{revision}.sqlite"
    kept = _build_at(revision, old, reference)
    assert kept["contact"] and kept["touch"], "the revision's data was copied"
    with closing(sqlite3.connect(old)) as conn:
        assert conn.execute("SELECT count(*) FROM contact").fetchone()[0] == 60

    with open_database(old) as database:
        assert database.backup_path is not None, "a backup is taken before upgrading"
        names = [r.name for r in contacts.contact_rows(database, contacts.ContactQuery(), 0, 3)]
        # Search still finds each of them by name.
        for name in names:
            query = contacts.ContactQuery(text=name)
            assert name in [r.name for r in contacts.contact_rows(database, query, 0, 50)]

    with closing(sqlite3.connect(old)) as upgraded, closing(sqlite3.connect(reference)) as ref:
        assert upgraded.execute("SELECT version_num FROM alembic_version").fetchone() == (
            schema.HEAD,
        )
        assert [r[0] for r in upgraded.execute("PRAGMA integrity_check")] == ["ok"]
        assert upgraded.execute("PRAGMA foreign_key_check").fetchall() == []
        assert _tables(upgraded) == _tables(ref)
        for table in kept:  # a table added since starts empty: nothing old to carry
            columns = _columns(ref, table)
            if table == "contact" and "sample" not in kept[table]:
                # A revision without the sample mark held only the owner's own contacts.
                columns.remove("sample")
                assert (
                    upgraded.execute("SELECT count(*) FROM contact WHERE sample").fetchone()[0] == 0
                )
            # Every column, including those added since (derived ones are recomputed).
            assert _same(upgraded, ref, table, columns), table
