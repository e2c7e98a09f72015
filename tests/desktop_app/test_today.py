"""The Today page and its place in the window, driven through the real widgets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMenu, QStackedWidget, QWidget
from pytestqt.qtbot import QtBot

from db import followups
from db.engine import Database
from db.today import Section
from desktop_app import importing
from desktop_app.followups.dialog import SnoozeDialog
from desktop_app.main_window import MainWindow
from desktop_app.ops import Changes, OpsBus
from desktop_app.tasks import ImmediateRunner
from desktop_app.today.page import PAGE, ROWS_PER_TURN, TodayPage, TodayRow
from tests.conftest import ContactFactory
from tests.db.test_followups_rules import NOW, TODAY, log_touch, place


class Clock:
    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def people(database: Database, contact_factory: ContactFactory) -> dict[str, int]:
    ids = {
        "old": contact_factory(name="Ada Old", company="Old Mill"),
        "recent": contact_factory(name="Ben Recent"),
        "due": contact_factory(name="Cy Today"),
        "soon": contact_factory(name="Di Soon"),
    }
    place(database, ids["old"], touched=NOW - timedelta(days=30))
    place(database, ids["recent"], touched=NOW - timedelta(days=14))
    place(database, ids["due"], touched=NOW)
    place(database, ids["soon"], touched=NOW - timedelta(days=7))
    followups.add_followup(database, ids["due"], TODAY, "Send the proposal", today=TODAY)
    return ids


@pytest.fixture
def today_page(qtbot: QtBot, ops: OpsBus, people: dict[str, int]) -> TodayPage:
    page = TodayPage(ops, Clock(TODAY))
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    return page


def rows(page: TodayPage, section: Section) -> list[TodayRow]:
    return page.sections[section].rows


def shown(page: TodayPage, section: Section) -> list[str]:
    return [r.item.name for r in rows(page, section)]


def laid_out(page: TodayPage, section: Section) -> list[str]:
    """The rows as the section's layout holds them, top to bottom."""
    layout = page.sections[section]._rows_layout
    items = [layout.itemAt(i) for i in range(layout.count())]
    widgets = [item.widget() for item in items if item is not None]
    return [w.item.name for w in widgets if isinstance(w, TodayRow)]


def test_sections_show_whom_to_contact_and_why(today_page: TodayPage) -> None:
    assert shown(today_page, Section.OVERDUE) == ["Ada Old", "Ben Recent"]
    assert [r.due_label.text() for r in rows(today_page, Section.OVERDUE)] == [
        "18 days overdue",
        "2 days overdue",
    ]
    assert today_page.sections[Section.OVERDUE].count_label.text() == "2"
    assert shown(today_page, Section.DUE_TODAY) == ["Cy Today"]
    assert rows(today_page, Section.DUE_TODAY)[0].reason_label.text() == "Send the proposal"
    assert shown(today_page, Section.UPCOMING) == ["Di Soon"]
    assert not today_page.sections[Section.STUCK].isVisible()
    assert today_page.summary.text() == "To do: 2 overdue, 1 due today."


def test_snooze_tomorrow_moves_the_row_to_the_next_days(today_page: TodayPage) -> None:
    ada = rows(today_page, Section.OVERDUE)[0]
    menu = ada.snooze_button.menu()
    tomorrow = menu.actions()[0]
    assert tomorrow.text().startswith("Tomorrow")

    tomorrow.trigger()

    assert shown(today_page, Section.OVERDUE) == ["Ben Recent"]
    assert shown(today_page, Section.UPCOMING) == ["Ada Old", "Di Soon"]
    # A row that moved between lists is laid out in its new place, and only there.
    assert laid_out(today_page, Section.OVERDUE) == ["Ben Recent"]
    assert laid_out(today_page, Section.UPCOMING) == ["Ada Old", "Di Soon"]


def test_snooze_to_a_picked_date(today_page: TodayPage, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        SnoozeDialog, "ask", classmethod(lambda cls, day, parent=None: day + timedelta(days=30))
    )
    ben = rows(today_page, Section.OVERDUE)[1]
    ben.snooze_button.menu().actions()[-1].trigger()
    assert shown(today_page, Section.OVERDUE) == ["Ada Old"]
    assert "Ben Recent" not in shown(today_page, Section.UPCOMING)


def test_done_ticks_the_follow_up_off(qtbot: QtBot, today_page: TodayPage) -> None:
    cy = rows(today_page, Section.DUE_TODAY)[0]
    qtbot.mouseClick(cy.done_button, Qt.MouseButton.LeftButton)
    assert shown(today_page, Section.DUE_TODAY) == []
    assert not today_page.sections[Section.DUE_TODAY].isVisible()


def test_log_touch_asks_for_the_touch_and_the_touch_clears_the_row(
    qtbot: QtBot, today_page: TodayPage, ops: OpsBus, people: dict[str, int]
) -> None:
    ada = rows(today_page, Section.OVERDUE)[0]
    with qtbot.waitSignal(today_page.touch_requested) as asked:
        qtbot.mouseClick(ada.touch_button, Qt.MouseButton.LeftButton)
    assert asked.args == [people["old"]]

    ops.run(lambda db: log_touch(db, people["old"], NOW), Changes(touches=True))

    assert shown(today_page, Section.OVERDUE) == ["Ben Recent"]


def test_open_asks_to_show_the_contact(
    qtbot: QtBot, today_page: TodayPage, people: dict[str, int]
) -> None:
    ben = rows(today_page, Section.OVERDUE)[1]
    with qtbot.waitSignal(today_page.open_contact_requested) as asked:
        qtbot.mouseClick(ben.open_button, Qt.MouseButton.LeftButton)
    assert asked.args == [people["recent"]]


def test_a_new_day_refreshes_the_lists(qtbot: QtBot, today_page: TodayPage) -> None:
    clock = today_page.today
    assert isinstance(clock, Clock)
    clock.day = TODAY + timedelta(days=5)
    with qtbot.waitSignal(today_page.lists_shown):  # its rows come a few a turn
        today_page._on_midnight()
    assert shown(today_page, Section.OVERDUE) == ["Ada Old", "Ben Recent", "Cy Today"]
    assert shown(today_page, Section.DUE_TODAY) == ["Di Soon"]
    assert today_page.date_label.text() == "Saturday 7 March 2026"


def test_an_empty_day_says_so(
    qtbot: QtBot, ops: OpsBus, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ada Recent")
    place(database, cid, touched=NOW)
    page = TodayPage(ops, Clock(TODAY))
    qtbot.addWidget(page)
    page.show()
    assert page.empty_hint.isVisible()
    assert not page.start.isVisible()
    assert page.summary.text() == "You are all caught up."


def test_a_new_database_shows_how_to_start(qtbot: QtBot, ops: OpsBus) -> None:
    page = TodayPage(ops, Clock(TODAY))
    qtbot.addWidget(page)
    page.show()
    assert page.start.isVisible() and not page.empty_hint.isVisible()
    assert page.new_button.isVisible() and page.sample_button.isVisible()
    assert not page.import_button.isVisible()  # Until the window offers an import.
    page.set_import_available(True)
    with qtbot.waitSignal(page.import_requested):
        page.import_button.click()
    with qtbot.waitSignal(page.new_contact_requested):
        page.new_button.click()
    with qtbot.waitSignal(page.sample_data_requested):
        page.sample_button.click()


def test_today_comes_first_and_counts_show_on_the_sidebar_and_title(
    qtbot: QtBot, window: MainWindow, people: dict[str, int]
) -> None:
    # The window's own page uses the real day: everything in the fixture is long overdue then.
    window.ops.announce(Changes(followups=True))
    today_item = window.sidebar.item(0)
    assert today_item.data(Qt.ItemDataRole.UserRole) == "today"
    assert today_item.text().startswith("Today")
    assert today_item.text().split()[-1].isdigit()
    assert "overdue" in window.windowTitle()


def test_window_opens_on_today_when_there_are_contacts(
    qtbot: QtBot, welcomed: Database, people: dict[str, int]
) -> None:
    window = MainWindow(welcomed, ImmediateRunner())
    qtbot.addWidget(window)
    assert window.current_place() == "today"

    # Today builds its rows when it is shown (the counts above followed while it was hidden).
    window.show_place("today")
    page = window.today_page
    first = page.sections[Section.OVERDUE].rows[0]
    qtbot.mouseClick(first.open_button, Qt.MouseButton.LeftButton)

    assert window.current_place() == "contacts"
    assert window.contacts_page.current_id() == first.item.contact_id


def test_window_opens_on_contacts_when_the_database_is_empty(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert window.current_place() == "contacts"
    assert window.sidebar.item(0).text() == "Today"
    window.show_place("today")
    assert window.today_page.start.isVisible()
    assert window.today_page.import_button.isVisible()  # File → Import contacts… from here
    asked: list[object] = []

    def ask(cls: object, *args: object) -> None:
        asked.append(args)

    monkeypatch.setattr(importing.ImportWizard, "ask", classmethod(ask))
    with qtbot.waitSignal(window.import_action.triggered):
        window.today_page.import_button.click()
    assert len(asked) == 1


def test_at_risk_and_stuck_rows_offer_only_what_helps(
    qtbot: QtBot, ops: OpsBus, database: Database, contact_factory: ContactFactory
) -> None:
    loyal = contact_factory(name="Hal Loyal")
    stuck = contact_factory(name="Jo Prospect")
    place(database, loyal, "loyal_customer", touched=NOW - timedelta(days=13))
    place(database, stuck, "prospect", entered=NOW - timedelta(days=50), touched=NOW)
    page = TodayPage(ops, Clock(TODAY))
    qtbot.addWidget(page)
    page.show()
    [at_risk] = rows(page, Section.AT_RISK)
    [stuck_row] = rows(page, Section.STUCK)
    assert (at_risk.snooze_button.isVisible(), at_risk.done_button.isVisible()) == (False, True)
    assert (stuck_row.snooze_button.isVisible(), stuck_row.done_button.isVisible()) == (
        False,
        False,
    )
    assert stuck_row.touch_button.isVisible()

    qtbot.mouseClick(at_risk.done_button, Qt.MouseButton.LeftButton)

    assert rows(page, Section.AT_RISK) == []


# --- the keyboard ----------------------------------------------------------------------------


def test_arrows_choose_a_row_and_single_keys_act_on_it(
    qtbot: QtBot, today_page: TodayPage, people: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    popped: list[QMenu] = []
    monkeypatch.setattr(QMenu, "popup", lambda menu, *_a: popped.append(menu))
    today_page.setFocus()
    qtbot.waitUntil(today_page.hasFocus)
    assert today_page.current_row is rows(today_page, Section.OVERDUE)[0]
    qtbot.keyClick(today_page, Qt.Key.Key_Down)
    assert today_page.current_row is rows(today_page, Section.OVERDUE)[1]
    assert today_page.current_row.property("current") is True
    qtbot.keyClick(today_page, Qt.Key.Key_Down)
    assert today_page.current_row is not None
    assert today_page.current_row.item.name == "Cy Today"
    qtbot.keyClick(today_page, Qt.Key.Key_Up)

    with qtbot.waitSignal(today_page.touch_requested) as asked:
        qtbot.keyClick(today_page, Qt.Key.Key_L)
    assert asked.args == [people["recent"]]
    with qtbot.waitSignal(today_page.open_contact_requested) as opened:
        qtbot.keyClick(today_page, Qt.Key.Key_Return)
    assert opened.args == [people["recent"]]

    # D ticks Ben off; the row that takes his place becomes the current one.
    qtbot.keyClick(today_page, Qt.Key.Key_D)
    assert shown(today_page, Section.OVERDUE) == ["Ada Old"]
    assert today_page.current_row is not None
    assert today_page.current_row.item.name == "Cy Today"

    # S offers the snooze choices, the first (tomorrow) ready for Enter.
    qtbot.keyClick(today_page, Qt.Key.Key_Up)
    qtbot.keyClick(today_page, Qt.Key.Key_S)
    menu = rows(today_page, Section.OVERDUE)[0].snooze_button.menu()
    assert popped == [menu]
    assert menu.activeAction() is menu.actions()[0]
    menu.activeAction().trigger()
    assert shown(today_page, Section.OVERDUE) == []
    assert "Ada Old" in shown(today_page, Section.UPCOMING)


def test_rows_say_how_late_in_plain_words(today_page: TodayPage) -> None:
    from desktop_app.today.page import late_words  # noqa: PLC0415

    assert [late_words(d) for d in (1, 18, 75, 400, 800)] == [
        "1 day",
        "18 days",
        "about 2 months",
        "over a year",
        "over 2 years",
    ]
    ada = rows(today_page, Section.OVERDUE)[0]
    texts = [label.text() for label in ada.findChildren(QLabel)]
    assert not any("cadence" in t for t in texts)
    assert sum(t.lower().count("last touch") for t in texts) <= 1


# --- one source for every count --------------------------------------------------------------


def _counts_everywhere(window: MainWindow) -> dict[str, str]:
    page = window.today_page
    return {
        "sidebar": window.sidebar.item(0).text().split()[-1],
        "page": str(page.counts.needs_attention),
        "title": window.windowTitle(),
        "summary": page.summary.text(),
        "headline": page.counts.headline(),
    }


def _assert_in_sync(window: MainWindow) -> None:
    seen = _counts_everywhere(window)
    due = window.today_page.counts.needs_attention
    if due:
        assert seen["sidebar"] == seen["page"]
        assert seen["headline"] in seen["title"]
        assert seen["headline"] in seen["summary"]
        banner = window.reminders.banner
        if banner.isVisible():
            assert banner.title.text().startswith(f"{due:,} follow-up")
    else:
        assert window.sidebar.item(0).text() == "Today"
        assert "overdue" not in seen["title"] and "due today" not in seen["title"]


def test_counts_agree_after_logging_snoozing_and_completing(
    qtbot: QtBot, window: MainWindow, people: dict[str, int]
) -> None:
    window.ops.announce(Changes(followups=True))
    window.reminders.check()
    window.show_place("contacts")
    window.reminders.check()
    _assert_in_sync(window)
    before = window.today_page.counts.needs_attention
    assert before >= 3

    now = datetime.now(UTC)
    window.ops.run(lambda db: log_touch(db, people["old"], now), Changes(touches=True))
    _assert_in_sync(window)
    after_touch = window.today_page.counts.needs_attention

    # Today builds its rows when it is shown (the counts above followed while it was hidden).
    window.show_place("today")
    page = window.today_page
    first = page.sections[Section.OVERDUE].rows[0]
    page.snooze(first.item.contact_id, page.today() + timedelta(days=3))
    _assert_in_sync(window)
    after_snooze = page.counts.needs_attention

    assert not window.reminders.banner.isVisible()  # Today itself says what is due.
    page.set_current_row(page.all_rows()[0])
    qtbot.keyClick(page, Qt.Key.Key_D)
    _assert_in_sync(window)
    assert before > after_touch >= after_snooze >= page.counts.needs_attention


def test_long_lists_are_built_a_screenful_a_turn_in_order(
    qtbot: QtBot, ops: OpsBus, database: Database, contact_factory: ContactFactory
) -> None:
    late = [f"Late {n:02d}" for n in range(ROWS_PER_TURN - 2)]
    due = [f"Due {n:02d}" for n in range(PAGE + ROWS_PER_TURN + 2)]
    for names, day in ((late, TODAY - timedelta(days=3)), (due, TODAY)):
        for name in names:
            followups.add_followup(database, contact_factory(name=name), day, "Call", today=day)
    page = TodayPage(ops, Clock(TODAY))
    qtbot.addWidget(page)
    page.show()
    # The first turn shows the first screenful; the rest follow without being asked.
    assert shown(page, Section.OVERDUE) == late
    assert shown(page, Section.DUE_TODAY) == due[:2]
    assert not page.sections[Section.DUE_TODAY].more_button.isVisible()
    with qtbot.waitSignal(page.lists_shown):
        pass
    assert shown(page, Section.DUE_TODAY) == due[:PAGE]
    assert laid_out(page, Section.DUE_TODAY) == due[:PAGE]
    assert laid_out(page, Section.OVERDUE) == late
    assert page.sections[Section.DUE_TODAY].more_button.isVisible()
    assert page.current_row is rows(page, Section.OVERDUE)[0]
    first_due = rows(page, Section.DUE_TODAY)[0]
    last_due = rows(page, Section.DUE_TODAY)[PAGE - 1]

    # "Show more": the rows already built are kept; a refresh overtaken by a newer one
    # stops building, and the newer one ends with every row shown, in order.
    page.sections[Section.DUE_TODAY].limit = len(due)
    page.sections[Section.OVERDUE].limit = 1
    page.refresh()  # 12 new rows: a turn's worth now, then it is overtaken
    assert len(rows(page, Section.DUE_TODAY)) == PAGE + ROWS_PER_TURN
    assert laid_out(page, Section.DUE_TODAY) == due[: PAGE + ROWS_PER_TURN]
    with qtbot.waitSignal(page.lists_shown):
        page.refresh()  # 2 new rows: shown at once
    qtbot.wait(20)  # the first refresh's next turn comes and goes
    assert shown(page, Section.OVERDUE) == late[:1]
    assert shown(page, Section.DUE_TODAY) == due
    assert laid_out(page, Section.OVERDUE) == late[:1]
    assert laid_out(page, Section.DUE_TODAY) == due
    assert rows(page, Section.DUE_TODAY)[0] is first_due
    assert rows(page, Section.DUE_TODAY)[PAGE - 1] is last_due
    assert all(row.isVisible() for row in rows(page, Section.DUE_TODAY))


def test_a_build_left_off_while_another_place_shows_goes_on_when_today_shows(
    qtbot: QtBot, ops: OpsBus, database: Database, contact_factory: ContactFactory
) -> None:
    due = [f"Due {n:02d}" for n in range(ROWS_PER_TURN + 3)]
    for name in due:
        followups.add_followup(database, contact_factory(name=name), TODAY, "Call", today=TODAY)
    places = QStackedWidget()
    qtbot.addWidget(places)
    page = TodayPage(ops, Clock(TODAY))
    other = QWidget()
    places.addWidget(page)
    places.addWidget(other)
    places.show()
    assert shown(page, Section.DUE_TODAY) == due[:ROWS_PER_TURN]  # the first turn
    places.setCurrentWidget(other)  # another place, before the next turn
    qtbot.wait(50)
    assert shown(page, Section.DUE_TODAY) == due[:ROWS_PER_TURN]  # nothing built meanwhile
    with qtbot.waitSignal(page.lists_shown):
        places.setCurrentWidget(page)
    assert shown(page, Section.DUE_TODAY) == due
    assert laid_out(page, Section.DUE_TODAY) == due
