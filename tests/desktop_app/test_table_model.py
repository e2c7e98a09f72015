"""The lazily paged contacts model: Qt's model contract, paging, sorting and searching in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from sqlalchemy import update

from db.contacts import ContactQuery, SortKey
from db.engine import Database
from db.models import Contact
from desktop_app.contacts.table_model import CONTACT_ID_ROLE, Column, ContactTableModel
from tests.conftest import ContactFactory


def names(model: ContactTableModel) -> list[str]:
    return [model.index(r, Column.NAME).data() for r in range(model.rowCount())]


def test_model_passes_qt_model_tester(
    qtmodeltester: object, database: Database, contact_factory: ContactFactory
) -> None:
    for name in ("Ann", "Bob", "Cid"):
        contact_factory(name=name, tags=("vip",))
    model = ContactTableModel(database)
    model.PAGE_SIZE = 2
    model.reload()
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.fetchMore(QModelIndex())
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_pages_load_lazily_until_everything_is_shown(
    database: Database, contact_factory: ContactFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(12):
        contact_factory(name=f"Person {n:02d}")
    monkeypatch.setattr(ContactTableModel, "PAGE_SIZE", 5)
    model = ContactTableModel(database)

    assert model.rowCount() == 5
    assert model.total == 12
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 10
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 12
    assert not model.canFetchMore(QModelIndex())
    assert names(model) == [f"Person {n:02d}" for n in range(12)]

    # A reload that keeps what was loaded does not snap back to the first page.
    model.reload(keep_loaded=True)
    assert model.rowCount() == 12


def test_sorting_by_header_runs_in_sql(database: Database, contact_factory: ContactFactory) -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    ids = {
        name: contact_factory(name=name, company=company)
        for name, company in (("Ann", "Zeta"), ("Bob", "Alpha"), ("Cid", "Mid"))
    }
    with database.write_session.begin() as session:
        session.execute(
            update(Contact)
            .where(Contact.id == ids["Ann"])
            .values(last_touch_at=now - timedelta(days=30), last_touch_medium="email")
        )
        session.execute(
            update(Contact)
            .where(Contact.id == ids["Cid"])
            .values(last_touch_at=now - timedelta(days=2), last_touch_medium="phone")
        )
    model = ContactTableModel(database)

    model.sort(Column.COMPANY, Qt.SortOrder.AscendingOrder)
    assert names(model) == ["Bob", "Cid", "Ann"]
    model.sort(Column.NAME, Qt.SortOrder.DescendingOrder)
    assert names(model) == ["Cid", "Bob", "Ann"]
    # Most days since first: the never-touched, then the oldest touch.
    model.sort(Column.DAYS_SINCE, Qt.SortOrder.DescendingOrder)
    assert model.query.sort is SortKey.LAST_TOUCH
    assert names(model) == ["Bob", "Ann", "Cid"]
    assert model.index(1, Column.LAST_TOUCH).data(Qt.ItemDataRole.DecorationRole) is not None
    assert "Email on" in model.index(1, Column.LAST_TOUCH).data(Qt.ItemDataRole.ToolTipRole)
    # Columns that cannot be sorted in SQL leave the order alone.
    model.sort(Column.EMAIL, Qt.SortOrder.AscendingOrder)
    assert names(model) == ["Bob", "Ann", "Cid"]


def test_cells_and_roles(database: Database, contact_factory: ContactFactory) -> None:
    contact_id = contact_factory(name="Dora", company="Dora's Deli", tags=("vip", "catering"))
    model = ContactTableModel(database)
    row = {column: model.index(0, column).data() for column in Column}
    assert row[Column.NAME] == "Dora"
    assert row[Column.COMPANY] == "Dora's Deli"
    assert row[Column.EMAIL].endswith("@example.com")
    assert row[Column.STAGE] == "Suspect"
    assert row[Column.TAGS] == "catering, vip"
    assert row[Column.LAST_TOUCH] == ""
    assert model.index(0, 0).data(CONTACT_ID_ROLE) == contact_id
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Name"


def test_query_filters_search_and_trash(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Eve Baker", company="Bakery")
    contact_factory(name="Finn Smith", company="Smithy")
    model = ContactTableModel(database)
    model.set_query(ContactQuery(text="bak"))
    assert names(model) == ["Eve Baker"]
    model.set_query(ContactQuery(trash=True))
    assert names(model) == []
    assert model.total == 0
