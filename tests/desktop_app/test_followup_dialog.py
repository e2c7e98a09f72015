"""The follow-up dialog, the detail pane's Follow-ups section and the Follow-ups settings tab."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from db import followups, purchases
from db import settings as db_settings
from db.contacts import get_contact
from db.domain import Medium
from db.engine import Database
from db.followups import PlanStepData
from desktop_app import options
from desktop_app.followups.dialog import FollowupDialog, FollowupRequest
from desktop_app.followups.section import FollowupsSection
from desktop_app.followups.settings_page import FollowupsSettingsPage
from desktop_app.journeys.prompts import PhaseOfferDialog
from desktop_app.main_window import MainWindow
from desktop_app.ops import Changes, OpsBus
from desktop_app.settings.dialog import SettingsDialog
from tests.conftest import ContactFactory
from tests.db.test_followups_rules import NOW, TODAY, place


def test_dialog_checks_the_day_and_reason_beside_the_fields(qtbot: QtBot) -> None:
    dialog = FollowupDialog("Ann Archer", TODAY)
    qtbot.addWidget(dialog)
    dialog.reason.setText("x" * 320)
    assert not dialog.validate()
    assert dialog.reason_error.text() == "Keep the reason under 300 characters."

    dialog.reason.setText("Send the proposal")
    dialog.due.setDate(QDate(2026, 3, 9))
    dialog.medium.setCurrentIndex(dialog.medium.findData(Medium.EMAIL.value))
    assert dialog.validate()
    assert dialog.request() == FollowupRequest(
        TODAY + timedelta(days=7), "Send the proposal", Medium.EMAIL
    )


@pytest.fixture
def section(qtbot: QtBot, ops: OpsBus) -> FollowupsSection:
    section = FollowupsSection(ops, lambda: TODAY)
    qtbot.addWidget(section)
    section.show()
    return section


def test_section_adds_a_follow_up_through_the_dialog(
    section: FollowupsSection,
    database: Database,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cid = contact_factory(name="Ann Archer")
    place(database, cid, touched=NOW)
    section.show_contact(get_contact(database, cid))
    assert section.next_label.text() == "Next follow-up: Sat 14 Mar · in 12 days (cadence)"

    request = FollowupRequest(TODAY + timedelta(days=3), "Send the proposal", Medium.EMAIL)
    monkeypatch.setattr(FollowupDialog, "ask", classmethod(lambda cls, *a, **k: request))
    section.add_button.click()

    assert section.next_label.text() == "Next follow-up: Thu 5 Mar · in 3 days (set by hand)"
    [row] = section.rows
    assert "Send the proposal" in row.text.text()
    assert row.drop_button.text() == "Remove"

    row.done_button.click()
    assert section.rows == []
    assert followups.contact_followups(database, cid) == []


def test_section_skips_a_plan_step_and_cancels_the_plan(
    section: FollowupsSection, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory()
    place(database, cid, touched=NOW)
    with database.write_session.begin() as session:
        followups.start_plan(session, cid, TODAY)
    section.show_contact(get_contact(database, cid))
    assert len(section.rows) == 6
    assert section.cancel_plan_button.isVisible()
    first = section.rows[0]
    assert first.drop_button.text() == "Skip"

    first.drop_button.click()
    assert section.rows[0].info.reason == "Activate"

    section.cancel_plan_button.click()
    assert section.rows == []
    assert not section.cancel_plan_button.isVisible()


def test_section_for_do_not_contact_offers_nothing(
    section: FollowupsSection, database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(do_not_contact=True)
    section.show_contact(get_contact(database, cid))
    assert section.next_label.text().startswith("Marked do not contact")
    assert not section.add_button.isEnabled()


def test_the_detail_pane_of_the_window_has_the_section(
    window: MainWindow, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ann Archer")
    window.ops.announce(Changes(contacts=True))
    window.show_place("contacts")
    window.contacts_page.select_contact(cid)
    sections = window.contacts_page.detail.findChildren(FollowupsSection)
    assert len(sections) == 1
    assert sections[0].contact is not None and sections[0].contact.id == cid
    assert sections[0].isVisible()


@pytest.fixture
def settings_page(qtbot: QtBot, ops: OpsBus) -> FollowupsSettingsPage:
    page = FollowupsSettingsPage(ops)
    qtbot.addWidget(page)
    page.show()
    return page


def test_settings_page_edits_the_plan_template(
    settings_page: FollowupsSettingsPage, database: Database
) -> None:
    assert settings_page.steps()[0].title == "Affirm the decision"
    settings_page.table.selectRow(0)
    settings_page.remove_step()
    settings_page.add_step()
    title = settings_page.table.item(5, 1)
    assert title is not None
    title.setText("Birthday card")
    assert settings_page.steps()[-1].day_offset == 107
    settings_page.table.selectRow(5)
    settings_page.move_step(-1)

    assert settings_page.validate() is not None  # day 107 now comes before day 100
    assert (
        settings_page.plan_error.text() == "Step 6: Day 100 comes before the step above (day 107)."
    )
    # The problem row is selected: moving it up puts the plan back in order.
    settings_page.move_step(-1)
    assert settings_page.validate() is None
    settings_page.apply()

    saved = followups.plan_template(database)
    assert [s.title for s in saved] == [
        "Activate",
        "Acclimate",
        "Accomplish",
        "Adopt",
        "Ask for a referral or review",
        "Birthday card",
    ]


def test_settings_page_saves_start_in_tray(settings_page: FollowupsSettingsPage) -> None:
    settings_page.start_in_tray.setChecked(True)
    settings_page.apply()
    assert options.get(options.START_IN_TRAY) is True


def test_settings_dialog_has_the_follow_ups_tab(qtbot: QtBot, ops: OpsBus) -> None:
    dialog = SettingsDialog(ops)
    qtbot.addWidget(dialog)
    page = dialog.page("Follow-ups")
    assert isinstance(page, FollowupsSettingsPage)
    title = page.table.item(0, 1)
    assert title is not None
    title.setText("  ")
    assert not dialog.save()
    assert dialog.tabs.currentWidget() is page
    assert followups.plan_template(ops.database)[0].title == "Affirm the decision"


def test_plan_steps_restore_to_the_default(settings_page: FollowupsSettingsPage) -> None:
    settings_page.set_steps([PlanStepData(0, "Only one")])
    settings_page.restore_default()
    assert len(settings_page.steps()) == len(followups.DEFAULT_PLAN_STEPS)
    assert settings_page.steps()[0].medium is Medium.PHONE


def test_a_done_plan_step_offers_to_move_into_its_phase(
    section: FollowupsSection,
    database: Database,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with database.write_session.begin() as session:
        db_settings.put(session, db_settings.ACTIVE_MODEL, "customer_experience")
    cid = contact_factory(name="Ann Archer")
    purchases.record_purchase(
        database, cid, purchases.PurchaseInput(TODAY, "Website", "900"), now=NOW, today=TODAY
    )
    assert get_contact(database, cid).stage_label == "Admit"
    section.show_contact(get_contact(database, cid))
    asked: list[tuple[str, str, str]] = []

    def answer(cls: object, parent: object, what: str, step: str, to: str) -> bool:
        asked.append((what, step, to))
        return len(asked) > 1  # "Not now" the first time, yes the second

    monkeypatch.setattr(PhaseOfferDialog, "ask", classmethod(answer))
    section.rows[0].done_button.click()
    assert asked == [("Ann Archer", "Affirm the decision", "Affirm")]
    assert get_contact(database, cid).stage_label == "Admit"
    section.rows[0].done_button.click()
    assert asked[-1] == ("Ann Archer", "Activate", "Activate")
    assert get_contact(database, cid).stage_label == "Activate"
