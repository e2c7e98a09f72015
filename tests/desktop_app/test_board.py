"""The journey board through its real widgets: columns, lazy cards, drag and drop, keys."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db import journeys
from db.contacts import ContactInput, create_contact, get_contact
from db.engine import Database
from db.models import StageChange
from desktop_app.journeys.board import CARD_MIME, BoardPage, CardListModel, StageColumn
from desktop_app.journeys.prompts import BackwardReasonDialog
from desktop_app.main_window import MainWindow
from desktop_app.ops import Changes, OpsBus

ADDED = datetime(2026, 3, 2, 12, tzinfo=UTC)
TODAY = date(2026, 3, 5)


def _stage_ids(database: Database) -> list[int]:
    with database.reading() as session:
        return [s.id for s in journeys.active_stages(session)]


def _add(database: Database, name: str, stage_index: int = 0, **fields: object) -> int:
    stage_id = _stage_ids(database)[stage_index]
    data = ContactInput(name=name, company=f"{name} & Co", stage_id=stage_id, **fields)  # type: ignore[arg-type]
    return create_contact(database, data, now=ADDED)


@pytest.fixture
def board(qtbot: QtBot, ops: OpsBus) -> BoardPage:
    page = BoardPage(ops, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    return page


def _names(column: StageColumn) -> list[str]:
    model = column.model
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def _last_change(database: Database, contact_id: int) -> tuple[int | None, bool, str]:
    with database.reading() as session:
        change = session.scalars(
            select(StageChange)
            .where(StageChange.contact_id == contact_id)
            .order_by(StageChange.id.desc())
        ).first()
        assert change is not None
        return change.to_stage_id, change.automatic, change.reason


def test_one_column_per_stage_with_counts(database: Database, board: BoardPage) -> None:
    _add(database, "Ada")
    _add(database, "Ben")
    _add(database, "Cleo", 2)

    board.reload()

    assert [c.title.text() for c in board.columns] == [
        "Suspect",
        "Prospect",
        "Customer",
        "Loyal customer",
    ]
    assert [c.count.text() for c in board.columns] == ["2", "0", "1", "0"]
    assert _names(board.columns[0]) == ["Ada", "Ben"]
    assert board.columns[1].empty.isVisible()
    assert board.count_label.text() == "3 contacts on 4 stages"


def test_cards_load_lazily_and_say_how_many_are_left(
    database: Database, board: BoardPage, qtmodeltester: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CardListModel, "PAGE_SIZE", 3)
    for n in range(7):
        _add(database, f"Baker {n}")
    board.reload()
    column = board.columns[0]

    assert column.model.rowCount() == 3
    assert column.more.isVisible() and column.more.text().startswith("4 more")
    qtmodeltester.check(column.model)  # type: ignore[attr-defined]

    column.model.fetchMore(QModelIndex())
    column.model.fetchMore(QModelIndex())

    assert _names(column) == [f"Baker {n}" for n in range(7)]
    assert not column.more.isVisible()
    qtmodeltester.check(column.model)  # type: ignore[attr-defined]


def test_search_filters_the_cards_and_counts(database: Database, board: BoardPage) -> None:
    _add(database, "Ada Baker")
    _add(database, "Ben Florist", 1)

    board.search.setText("florist")

    assert [c.count.text() for c in board.columns] == ["0", "1", "0", "0"]
    assert _names(board.columns[1]) == ["Ben Florist"]


def test_dropping_a_card_on_a_column_moves_the_contact(
    database: Database, board: BoardPage
) -> None:
    ada = _add(database, "Ada")
    board.reload()
    suspect, prospect = board.columns[0], board.columns[1]
    data = suspect.model.mimeData([suspect.model.index(0, 0)])
    assert data.hasFormat(CARD_MIME)

    # Dropping back on its own column is refused; another column takes it.
    assert not suspect.model.canDropMimeData(data, Qt.DropAction.MoveAction, -1, 0, QModelIndex())
    assert prospect.model.dropMimeData(data, Qt.DropAction.MoveAction, -1, 0, QModelIndex())

    assert get_contact(database, ada).stage_id == prospect.stage.id
    assert _last_change(database, ada) == (prospect.stage.id, False, "")
    assert [c.count.text() for c in board.columns][:2] == ["0", "1"]
    assert _names(prospect) == ["Ada"]


def test_a_real_drop_event_on_a_column_moves_the_card(
    database: Database, board: BoardPage, qtbot: QtBot
) -> None:
    ada = _add(database, "Ada")
    board.reload()
    source, target = board.columns[0], board.columns[2]
    data = source.model.mimeData([source.model.index(0, 0)])
    viewport = target.view.viewport()
    point = QPoint(20, 20)  # drag events take a QPoint, the drop a QPointF
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    action = Qt.DropAction.MoveAction

    enter = QDragEnterEvent(point, action, data, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(viewport, QDragMoveEvent(point, action, data, buttons, mods))
    QApplication.sendEvent(viewport, QDropEvent(QPointF(point), action, data, buttons, mods))

    qtbot.waitUntil(lambda: get_contact(database, ada).stage_id == target.stage.id)
    assert _names(target) == ["Ada"]


def test_foreign_drops_are_refused(database: Database, board: BoardPage) -> None:
    _add(database, "Ada")
    board.reload()
    text = QMimeData()
    text.setText("Ada")

    assert not board.columns[1].model.canDropMimeData(
        text, Qt.DropAction.MoveAction, -1, 0, QModelIndex()
    )
    assert not board.columns[1].model.dropMimeData(
        text, Qt.DropAction.MoveAction, -1, 0, QModelIndex()
    )
    assert board.columns[0].count.text() == "1"


def test_moving_back_asks_why_and_cancel_keeps_the_stage(
    database: Database, board: BoardPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    cleo = _add(database, "Cleo", 2)
    board.reload()
    customer, suspect = board.columns[2], board.columns[0]
    data = customer.model.mimeData([customer.model.index(0, 0)])
    asked: list[str] = []

    def cancel(cls: object, parent: object, what: str, to_label: str) -> str | None:
        asked.append(f"{what} -> {to_label}")
        return None

    monkeypatch.setattr(BackwardReasonDialog, "ask", classmethod(cancel))
    suspect.model.dropMimeData(data, Qt.DropAction.MoveAction, -1, 0, QModelIndex())
    assert asked == ["This contact -> Suspect"]
    assert get_contact(database, cleo).stage_id == customer.stage.id

    monkeypatch.setattr(BackwardReasonDialog, "ask", classmethod(lambda cls, *a: "Went quiet"))
    suspect.model.dropMimeData(data, Qt.DropAction.MoveAction, -1, 0, QModelIndex())
    assert _last_change(database, cleo) == (suspect.stage.id, False, "Went quiet")
    assert _names(suspect) == ["Cleo"]


def test_keyboard_moves_focus_and_cards(database: Database, board: BoardPage, qtbot: QtBot) -> None:
    ada = _add(database, "Ada")
    _add(database, "Ben", 1)
    board.reload()
    suspect, prospect, customer = board.columns[:3]
    suspect.view.setFocus()
    suspect.view.setCurrentIndex(suspect.model.index(0, 0))

    qtbot.keyClick(suspect.view, Qt.Key.Key_Right)
    assert prospect.view.hasFocus()
    assert prospect.view.currentIndex().data() == "Ben"
    qtbot.keyClick(prospect.view, Qt.Key.Key_Left)
    assert suspect.view.hasFocus()

    qtbot.keyClick(suspect.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert get_contact(database, ada).stage_id == prospect.stage.id
    # The moved card keeps the focus in its new column, so it can keep going.
    assert prospect.view.hasFocus() and prospect.view.currentIndex().data() == "Ada"

    qtbot.keyClick(prospect.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert get_contact(database, ada).stage_id == customer.stage.id
    assert customer.view.currentIndex().data() == "Ada"

    with qtbot.waitSignal(board.contact_opened) as opened:
        qtbot.keyClick(customer.view, Qt.Key.Key_Return)
    assert opened.args == [ada]


def test_cards_show_badges_for_the_boards_today(
    database: Database, ops: OpsBus, qtbot: QtBot
) -> None:
    _add(database, "Waiting", 1)  # Prospect: follow-up every 7 days, stuck after 45.
    late = BoardPage(ops, today=date(2026, 4, 20))
    qtbot.addWidget(late)
    card = late.columns[1].model.index(0, 0)

    tip = card.data(Qt.ItemDataRole.ToolTipRole)
    assert "Stuck: longer than 45 days" in tip
    assert "Overdue" in tip
    assert "49 days in Prospect" in tip
    assert "Overdue, Stuck" in card.data(Qt.ItemDataRole.AccessibleTextRole)


def test_card_menu_offers_touch_and_followup(
    database: Database, board: BoardPage, qtbot: QtBot
) -> None:
    ada = _add(database, "Ada")
    board.reload()

    menu = board.card_menu([ada])
    actions = {a.text(): a for a in menu.actions() if a.text()}
    assert {"Open contact", "Move to stage", "Log touch…", "Add follow-up…"} <= set(actions)

    with qtbot.waitSignal(board.touch_requested) as touch:
        actions["Log touch…"].trigger()
    with qtbot.waitSignal(board.followup_requested) as followup:
        actions["Add follow-up…"].trigger()
    assert touch.args == [ada] and followup.args == [ada]

    stage_menu = actions["Move to stage"].menu()
    assert isinstance(stage_menu, QMenu)
    to_customer = next(a for a in stage_menu.actions() if a.text() == "Customer")
    to_customer.trigger()
    assert _names(board.columns[2]) == ["Ada"]


def test_the_board_sits_after_today_and_contacts_and_opens_a_contact(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = _add(window.database, "Ada")
    window.ops.announce(Changes(contacts=True))
    places = [
        window.sidebar.item(r).data(Qt.ItemDataRole.UserRole) for r in range(window.sidebar.count())
    ]
    assert places[:4] == ["today", "contacts", "board", "trash"]

    window.show_place("board")
    board = window.board_page
    assert board.isVisible() and board.columns[0].count.text() == "1"

    board.contact_opened.emit(ada)

    assert window.current_place() == "contacts"
    assert window.contacts_page.current_id() == ada


def test_a_hidden_board_reloads_when_shown(window: MainWindow) -> None:
    window.show_place("contacts")
    ada = _add(window.database, "Ada")
    window.ops.announce(Changes(contacts=True))
    assert get_contact(window.database, ada).stage_id is not None

    window.show_place("board")

    assert _names(window.board_page.columns[0]) == ["Ada"]


def test_stuck_and_at_risk_toggles_narrow_the_board(
    database: Database, ops: OpsBus, qtbot: QtBot
) -> None:
    _add(database, "Fresh", 1)
    _add(database, "Loyal", 3)
    # 15 March: the loyal contact's 12-day cadence is overdue; 16 April: Prospect is stuck.
    page = BoardPage(ops, today=date(2026, 4, 16))
    qtbot.addWidget(page)

    page.stuck_only.setChecked(True)
    assert [c.count.text() for c in page.columns] == ["0", "1", "0", "0"]
    page.stuck_only.setChecked(False)
    page.at_risk_only.setChecked(True)
    assert [c.count.text() for c in page.columns] == ["0", "0", "0", "1"]
    assert _names(page.columns[3]) == ["Loyal"]


def test_a_moved_card_is_looked_for_only_in_its_new_column(
    database: Database, board: BoardPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CardListModel, "PAGE_SIZE", 2)
    for n in range(9):
        _add(database, f"Baker {n}")
    board.reload()
    suspect, prospect = board.columns[0], board.columns[1]

    board.move_cards([suspect.model.card(0).id], 1)  # type: ignore[union-attr]

    # The suspect column still shows one page: no pages were loaded there looking for it.
    assert suspect.model.rowCount() == 2
    assert prospect.view.currentIndex().data() == "Baker 0"


def test_log_touch_and_add_follow_up_from_a_card_open_their_dialogs(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from db.followups import open_followups  # noqa: PLC0415
    from desktop_app.followups.dialog import FollowupDialog, FollowupRequest  # noqa: PLC0415
    from desktop_app.touches.dialog import TouchDialog  # noqa: PLC0415

    ada = _add(window.database, "Ada")
    asked_touch: list[int | None] = []
    monkeypatch.setattr(
        TouchDialog,
        "ask",
        classmethod(lambda cls, ops, parent=None, contact_id=None: asked_touch.append(contact_id)),
    )
    local_today = datetime.now(UTC).astimezone().date()
    request = FollowupRequest(due_on=local_today, reason="Send the proposal", medium=None)
    monkeypatch.setattr(FollowupDialog, "ask", classmethod(lambda cls, *a, **k: request))

    window.board_page.touch_requested.emit(ada)
    window.board_page.followup_requested.emit(ada)

    assert asked_touch == [ada]
    with window.database.reading() as session:
        reasons = [f.reason for f in open_followups(session, ada)]
    assert reasons == ["Send the proposal"]
