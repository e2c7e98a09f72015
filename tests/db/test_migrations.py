"""The schema's history: Alembic's scripts, ``db.schema``, the models, and backups."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, MetaData, String, create_engine, inspect

import db
from db import backups, contacts, engine, schema
from db.engine import Database, open_database
from db.models import Base
from tests.conftest import ContactFactory

MIGRATIONS = Path(db.__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@pytest.fixture
def bare_engine(tmp_path: Path) -> Iterator[Engine]:
    """A plain engine on an empty file, with no Touchbase start-up logic in the way."""
    eng = create_engine(f"sqlite:///{tmp_path / 'bare.sqlite'}")
    yield eng
    eng.dispose()


def _run(eng: Engine, action: str, target: str) -> None:
    config = _config()
    with eng.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, target)


def _tables(eng: Engine) -> set[str]:
    return set(inspect(eng).get_table_names())


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def test_schema_revisions_match_alembic_history_in_order() -> None:
    script = ScriptDirectory.from_config(_config())
    in_order = [s.revision for s in reversed(list(script.walk_revisions()))]
    assert tuple(in_order) == schema.REVISIONS
    assert script.get_heads() == [schema.HEAD]
    assert schema.REVISIONS[-1] == schema.HEAD


def test_every_listed_revision_is_known_and_others_are_not() -> None:
    for revision in schema.REVISIONS:
        assert schema.is_known(revision)
    assert not schema.is_known("9999")
    assert not schema.is_known("")


def test_empty_database_upgrades_to_head(bare_engine: Engine) -> None:
    _run(bare_engine, "upgrade", "head")
    with bare_engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == schema.HEAD
    tables = _tables(bare_engine)
    assert set(Base.metadata.tables) <= tables
    assert "contact_fts" in tables


def test_downgrade_to_base_removes_everything_and_upgrade_works_again(
    bare_engine: Engine,
) -> None:
    _run(bare_engine, "upgrade", "head")
    _run(bare_engine, "downgrade", "base")
    assert {t for t in _tables(bare_engine) if not t.startswith("sqlite_")} == {"alembic_version"}
    _run(bare_engine, "upgrade", "head")
    assert set(Base.metadata.tables) <= _tables(bare_engine)


def _include(name: str | None, type_: str, _parent: object) -> bool:
    # The FTS5 index and its shadow tables are made by hand in the migration, not by a model.
    return not (type_ == "table" and name is not None and name.startswith("contact_fts"))


def _differences(eng: Engine, metadata: MetaData) -> list[object]:
    with eng.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": _include, "compare_type": True}
        )
        return list(compare_metadata(context, metadata))


def test_models_and_migrated_schema_agree(db_path: Path) -> None:
    with open_database(db_path, seed=False) as database:
        assert _differences(database.write_engine, Base.metadata) == []


def test_the_model_comparison_does_notice_a_difference(db_path: Path) -> None:
    """Proof that the test above can fail: a column the migration lacks is reported."""
    altered = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(altered)
    altered.tables["contact"].append_column(Column("nickname", String(40)))
    with open_database(db_path, seed=False) as database:
        differences = _differences(database.write_engine, altered)
    assert [d[0] for d in differences if isinstance(d, tuple)] == ["add_column"]


# --- Backups before a migration -------------------------------------------------------------


def test_backup_is_a_readable_copy_beside_the_database(
    database: Database, db_path: Path, contact_factory: ContactFactory
) -> None:
    for name in ("Anna Berg", "Bruno Costa", "Chen Wei"):
        contact_factory(name=name)
    database.close()

    backup = backups.backup_file(db_path, "before upgrading from schema 0001")

    assert backup.parent == db_path.parent / "backups"
    assert backup.name.startswith(f"{db_path.stem}-")
    assert backup.name.endswith("-before-upgrading-from-schema-0001.sqlite")
    assert backup.stat().st_mode & 0o777 == 0o600
    assert _rows(backup, "PRAGMA integrity_check") == [("ok",)]
    query = "SELECT id, name, company FROM contact ORDER BY id"
    assert _rows(backup, query) == _rows(db_path, query)
    assert len(_rows(backup, query)) == 3
    assert _rows(backup, "SELECT version_num FROM alembic_version") == [(schema.HEAD,)]


def test_backup_holds_writes_still_in_the_wal(db_path: Path) -> None:
    with open_database(db_path) as database:
        contacts.create_contact(database, contacts.ContactInput(name="Only in the WAL"))
        # The database is still open, so the new row may live only in the -wal file.
        backup = backups.take_backup(database, backups.BY_HAND)
    assert _rows(backup, "SELECT name FROM contact") == [("Only in the WAL",)]


def _pretend_a_newer_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend this Touchbase knows a newer schema "9999" whose migration changes nothing.

    A database at today's head is then "older": opening it must take a backup, then migrate.
    """
    monkeypatch.setattr(schema, "REVISIONS", (*schema.REVISIONS, "9999"))
    monkeypatch.setattr(schema, "HEAD", "9999")


def test_opening_an_older_database_takes_a_backup_before_migrating(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_database(db_path) as database:
        contacts.create_contact(database, contacts.ContactInput(name="Keep me safe"))
    _pretend_a_newer_schema(monkeypatch)
    seen: list[tuple[str | None, list[Path]]] = []
    real_migrate = engine._migrate

    def spy(eng: Engine, revision: str | None) -> None:
        seen.append((revision, sorted(backups.default_folder(db_path).glob("*.sqlite"))))
        real_migrate(eng, revision)

    monkeypatch.setattr(engine, "_migrate", spy)

    with open_database(db_path) as database:
        backup = database.backup_path
        assert contacts.count_contacts(database, contacts.ContactQuery()) == 1

    assert backup is not None
    assert backup.parent == db_path.parent / "backups"
    assert backup.name.endswith(f"-before-upgrading-from-schema-{schema.REVISIONS[-2]}.sqlite")
    [listed] = backups.list_backups(db_path, backup.parent)
    assert listed.reason == f"before upgrading from schema {schema.REVISIONS[-2]}"
    assert listed.contacts == 1
    assert seen == [(schema.REVISIONS[-2], [backup])], "the backup must exist before migrating"
    assert _rows(backup, "SELECT name FROM contact") == [("Keep me safe",)]


def test_a_failed_migration_keeps_the_backup_and_releases_the_file(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_database(db_path) as database:
        contacts.create_contact(database, contacts.ContactInput(name="Survivor"))
    _pretend_a_newer_schema(monkeypatch)

    def broken(_eng: Engine, _revision: str | None) -> None:
        raise RuntimeError("migration failed")

    monkeypatch.setattr(engine, "_migrate", broken)
    with pytest.raises(RuntimeError, match="migration failed"):
        open_database(db_path)
    saved = list(backups.default_folder(db_path).glob("*.sqlite"))
    assert len(saved) == 1
    assert _rows(saved[0], "SELECT name FROM contact") == [("Survivor",)]

    monkeypatch.undo()
    with open_database(db_path) as database:  # the lock was released
        assert database.backup_path is None
        assert contacts.count_contacts(database, contacts.ContactQuery()) == 1


def test_an_up_to_date_database_takes_no_backup(db_path: Path) -> None:
    with open_database(db_path) as database:
        assert database.backup_path is None
    with open_database(db_path) as database:
        assert database.backup_path is None
    assert not backups.default_folder(db_path).exists()


def test_a_0001_database_with_data_gains_filled_derived_columns(db_path: Path) -> None:
    """The derived columns of 0002 are computed for the data an older Touchbase wrote."""
    eng = create_engine(f"sqlite:///{db_path}")
    _run(eng, "upgrade", "0001")
    with eng.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO contact (id, name, company, title, street, city, region, postal_code,"
            " country, notes, centre_of_influence, do_not_contact, has_need, has_budget,"
            " has_urgency, is_decision_maker, created_at, updated_at)"
            " VALUES (1, 'Old Friend', '', '', '', '', '', '', '', '', 0, 0, 0, 0, 0, 0,"
            " '2025-01-01 10:00:00.000000', '2025-01-01 10:00:00.000000')"
        )
        connection.exec_driver_sql(
            "INSERT INTO purchase (contact_id, purchased_on, product, amount, currency, note,"
            " created_at) VALUES"
            " (1, '2025-02-01', 'Cake', 125000, 'USD', '', '2025-02-01 10:00:00.000000'),"
            " (1, '2025-05-01', 'Bread', 37500, 'USD', '', '2025-05-01 10:00:00.000000')"
        )
        connection.exec_driver_sql(
            "INSERT INTO feedback (contact_id, received_on, comment, level, created_at) VALUES"
            " (1, '2025-06-01', 'ok', 'satisfied', '2025-06-01 10:00:00.000000')"
        )
    eng.dispose()

    with open_database(db_path) as database:
        assert database.backup_path is not None
    assert _rows(
        db_path,
        "SELECT purchase_count, first_purchase_on, last_purchase_on, lifetime_value,"
        " satisfaction FROM contact",
    ) == [(2, "2025-02-01", "2025-05-01", 162500, "satisfied")]


def test_0017_keeps_every_tag_link_and_every_search_as_it_was(db_path: Path) -> None:
    """The tag links and the search index are made again, lighter to write, with their rows."""
    with open_database(db_path) as database:
        for n in range(12):
            contacts.create_contact(
                database,
                contacts.ContactInput(
                    name=f"Ann Lee {n}", company="Harbour Bakery", tags=("Fair", f"Group {n % 3}")
                ),
            )
    eng = create_engine(f"sqlite:///{db_path}")
    _run(eng, "downgrade", "0016")

    def state() -> tuple[list[tuple[object, ...]], ...]:
        return (
            _rows(db_path, "SELECT contact_id, tag_id FROM contact_tag ORDER BY 1, 2"),
            _rows(
                db_path,
                'SELECT rowid FROM contact_fts WHERE contact_fts MATCH \'"harb"* "grou"*\''
                " ORDER BY rowid",
            ),
            _rows(db_path, "SELECT rowid, * FROM contact_fts ORDER BY rowid"),
        )

    def schema_of(name: str) -> str:
        return str(_rows(db_path, f"SELECT sql FROM sqlite_master WHERE name = '{name}'")[0][0])

    before = state()
    assert len(before[0]) == 24 and len(before[1]) == 12
    assert "WITHOUT ROWID" not in schema_of("contact_tag")
    assert "columnsize" not in schema_of("contact_fts")
    _run(eng, "upgrade", "0017")
    assert state() == before
    assert "WITHOUT ROWID" in schema_of("contact_tag")
    assert "columnsize = 0" in schema_of("contact_fts")
    assert _rows(db_path, "SELECT name FROM sqlite_master WHERE name = 'contact_fts_docsize'") == []
    _run(eng, "downgrade", "0016")
    assert state() == before
    eng.dispose()
    with open_database(db_path) as database:  # back to the head, as the app opens it
        assert contacts.contact_ids(database, contacts.ContactQuery(text="ann group"), 0, 50)
        assert database.backup_path is not None
    assert state() == before
