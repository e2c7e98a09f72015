"""The lazily paged contacts model: Qt's model contract, paging, sorting and searching in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont, QIcon
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from db import contacts, followups, listing, touches
from db.clock import local_today
from db.contacts import ContactQuery, ContactRow, SortKey
from db.domain import Medium
from db.engine import Database
from db.listing import FirstPage
from db.models import Contact
from desktop_app.contacts.table_model import (
    CONTACT_ID_ROLE,
    STAGE_CHIP_ROLE,
    Column,
    ContactTableModel,
)
from desktop_app.tasks import ThreadRunner
from tests.conftest import ContactFactory
from tests.desktop_app.conftest import HeldRunner


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


def test_counting_many_matches_waits_for_the_runner_and_stale_counts_are_dropped(
    database: Database, contact_factory: ContactFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(7):
        contact_factory(name=f"Baker {n}")
    for n in range(4):
        contact_factory(name=f"Smith {n}")
    monkeypatch.setattr(ContactTableModel, "PAGE_SIZE", 3)
    runner = HeldRunner()
    model = ContactTableModel(database, runner=runner)
    totals: list[int] = []
    model.total_changed.connect(totals.append)

    model.set_query(ContactQuery(text="baker"))
    model.set_query(ContactQuery(text="smith"))
    # The first page is there at once; the counts are still queued.
    assert names(model) == ["Smith 0", "Smith 1", "Smith 2"]
    assert len(runner.held) == 3
    runner.run()
    # Only the count for what is typed now reaches the status line.
    assert totals == [4]
    assert model.total == 4


def test_on_a_worker_thread_only_the_newest_query_is_counted_once_the_event_loop_turns(
    qtbot: QtBot,
    database: Database,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n in range(7):
        contact_factory(name=f"Baker {n}")
    for n in range(4):
        contact_factory(name=f"Smith {n}")
    monkeypatch.setattr(ContactTableModel, "PAGE_SIZE", 3)
    counted: list[ContactQuery] = []
    real = contacts.count_contacts

    def spy(db: Database, query: ContactQuery) -> int:
        counted.append(query)
        return real(db, query)

    monkeypatch.setattr(contacts, "count_contacts", spy)
    runner = ThreadRunner()
    model = ContactTableModel(database, runner=runner)
    qtbot.waitUntil(lambda: model.total == 11)
    counted.clear()
    model.set_query(ContactQuery(text="baker"))
    model.set_query(ContactQuery(text="smith"))
    # The rows are there at once; nothing is counted beside them while they are shown.
    assert names(model) == ["Smith 0", "Smith 1", "Smith 2"]
    runner.wait()
    assert counted == []
    with qtbot.waitSignal(model.total_changed) as total:
        pass
    assert total.args == [4]
    runner.wait()
    assert counted == [ContactQuery(text="smith")]


def test_a_short_result_is_counted_without_the_runner(
    database: Database, contact_factory: ContactFactory
) -> None:
    contact_factory(name="Only One")
    runner = HeldRunner()
    model = ContactTableModel(database, runner=runner)
    assert model.total == 1
    assert runner.held == []


def test_cells_are_read_a_block_at_a_time_the_first_with_the_ids(
    database: Database, contact_factory: ContactFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(8):
        contact_factory(name=f"Person {n}")
    monkeypatch.setattr(ContactTableModel, "BLOCK_SIZE", 3)
    reads: list[list[int]] = []
    real = contacts.rows_for_ids

    def spy(db: Database, ids: list[int]) -> list[ContactRow]:
        reads.append(list(ids))
        return real(db, ids)

    real_first = listing.first_page

    def first_spy(db: Database, query: ContactQuery, limit: int, cells: int) -> FirstPage:
        page = real_first(db, query, limit, cells)
        reads.append([row.id for row in page.rows])
        return page

    monkeypatch.setattr(contacts, "rows_for_ids", spy)
    monkeypatch.setattr(listing, "first_page", first_spy)
    model = ContactTableModel(database)
    # The first block comes with the ids, in the same read (the view shows it at once); the
    # others when shown.
    assert [len(r) for r in reads] == [3]
    assert model.index(0, Column.NAME).data() == "Person 0"
    assert [len(r) for r in reads] == [3]
    assert model.index(4, Column.NAME).data() == "Person 4"
    assert model.index(3, Column.COMPANY).data() == "Harbour Bakery"
    assert [len(r) for r in reads] == [3, 3]
    assert model.index(7, Column.NAME).data() == "Person 7"
    assert [len(r) for r in reads] == [3, 3, 2]


def test_finding_a_contact_far_down_loads_the_rest_in_one_read(
    database: Database, contact_factory: ContactFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [contact_factory(name=f"Person {n:02d}") for n in range(30)]
    monkeypatch.setattr(ContactTableModel, "PAGE_SIZE", 4)
    model = ContactTableModel(database)
    assert model.row_of(ids[-1]) is None
    model.fetch_all()
    assert model.row_of(ids[-1]) == 29
    assert not model.canFetchMore(QModelIndex())


def test_roles_left_out_early_are_those_never_answered(
    database: Database, contact_factory: ContactFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.contacts import table_model  # noqa: PLC0415

    late = contact_factory(name="Late Larry", tags=("vip",))
    past = local_today() - timedelta(days=3)
    followups.add_followup(database, late, past, "Call back", today=past)
    touched = contact_factory(name="Touched Tina")
    touches.log_touch(
        database,
        touches.TouchInput(
            contact_id=touched, medium=Medium.PHONE, occurred_at=datetime.now(UTC), summary="Hi"
        ),
    )
    model = ContactTableModel(database)
    roles = [
        *(int(role) for role in Qt.ItemDataRole if role < Qt.ItemDataRole.UserRole),
        CONTACT_ID_ROLE,
        STAGE_CHIP_ROLE,
    ]

    def answers() -> list[object]:
        found = []
        for row in range(model.rowCount()):
            for column in Column:
                index = model.index(row, column)
                for role in roles:
                    value = model.data(index, role)
                    found.append(value.weight() if isinstance(value, QFont) else value)
        return found

    quick = answers()
    assert any(isinstance(value, QIcon) for value in quick)  # the last touch's medium
    assert "Overdue by 3 days" in " ".join(str(v) for v in quick)
    # Every role asked of every column, with the early answers turned off: the same answers.
    monkeypatch.setattr(table_model, "_ROLE_COLUMNS", dict.fromkeys(roles))
    slow = answers()
    assert [type(v) for v in quick] == [type(v) for v in slow]
    assert [v for v in quick if not isinstance(v, QIcon)] == [
        v for v in slow if not isinstance(v, QIcon)
    ]
