"""The main window: places, menus, the welcome screen and sample data."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from db import contacts, journeys, settings
from db.engine import Database
from desktop_app.dialogs import Confirm
from desktop_app.first_run import WelcomeDialog
from desktop_app.main_window import PLACE_TRASH, MainWindow
from desktop_app.sample_data import SampleDataDialog
from desktop_app.tasks import ImmediateRunner
from tests.conftest import ContactFactory


def test_window_shows_contacts_and_switches_to_trash(
    qtbot: QtBot, window: MainWindow, contact_factory: ContactFactory, database: Database
) -> None:
    contact_id = contact_factory(name="Gina")
    contacts.trash_contacts(database, [contact_id])
    contact_factory(name="Hugo")
    window.contacts_page.model.reload()
    assert window.windowTitle() == "Touchbase — touchbase.sqlite"

    window.show_place(PLACE_TRASH)

    assert window.contacts_page.in_trash
    assert window.contacts_page.title.text() == "Trash"
    assert not window.new_action.isEnabled()
    assert window.contacts_page.model.total == 1


def test_welcome_is_offered_once_on_an_empty_database(
    qtbot: QtBot, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []

    def ask(cls: type, db: Database, parent: object = None) -> tuple[str, bool]:
        asked.append(1)
        return "customers_for_life", False

    monkeypatch.setattr(WelcomeDialog, "ask", classmethod(ask))
    window = MainWindow(database, ImmediateRunner())
    qtbot.addWidget(window)
    window.offer_welcome()
    window.offer_welcome()

    assert asked == [1]
    with database.reading() as session:
        assert settings.get(session, settings.ACTIVE_MODEL) == "customers_for_life"
        assert journeys.active_stages(session)[0].label == "Lead"


def test_welcome_dialog_lists_the_four_models(qtbot: QtBot, database: Database) -> None:
    dialog = WelcomeDialog(database)
    qtbot.addWidget(dialog)
    labels = [b.text() for b in dialog.models.buttons()]
    assert labels == [
        "Customer development",
        "Customers for life",
        "Customer experience",
        "Customer lifecycle",
    ]
    assert dialog.model_key() == "customer_development"
    dialog.models.buttons()[3].setChecked(True)
    dialog.sample_button.click()
    assert dialog.load_sample
    assert dialog.model_key() == "customer_lifecycle"


def test_sample_data_fills_the_list(window: MainWindow, database: Database) -> None:
    window.load_sample_data(30)
    assert window.contacts_page.model.total == 30
    assert "sample contacts" in window.statusBar().currentMessage()


def test_load_sample_data_asks_which_business_and_warns_when_contacts_exist(
    window: MainWindow,
    qtbot: QtBot,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    contact_factory(name="Real Customer")
    dialog = SampleDataDialog(1, 30)
    qtbot.addWidget(dialog)
    assert not dialog.warning.isHidden() and "already has 1 contact." in dialog.warning.text()
    assert dialog.load_button.text() == "Add sample data"
    dialog.profile.setCurrentIndex(dialog.profile.findData("wholesaler"))
    assert "Leipzig" in dialog.summary.text() and dialog.chosen() == "wholesaler"

    asked: list[int] = []

    def answer(cls: object, parent: object, existing: int, count: int) -> str | None:
        asked.append(existing)
        return None if len(asked) == 1 else "wholesaler"

    monkeypatch.setattr(SampleDataDialog, "ask", classmethod(answer))
    window.sample_action.trigger()
    assert asked == [1]
    assert contacts.count_contacts(window.database, contacts.ContactQuery()) == 1
    window.sample_action.trigger()
    assert contacts.count_contacts(window.database, contacts.ContactQuery()) == 251


def test_remove_sample_data_asks_then_removes_only_sample_contacts(
    window: MainWindow, contact_factory: ContactFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.load_sample_data(20)
    own = contact_factory(name="Real Customer")
    answers = iter([False, True])
    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, *a: next(answers)))
    window.remove_sample_action.trigger()
    assert contacts.count_contacts(window.database, contacts.ContactQuery()) == 21
    window.remove_sample_action.trigger()
    assert contacts.contact_ids(window.database, contacts.ContactQuery(), 0, 50) == [own]
    assert window.contacts_page.model.total == 1
    assert "Removed 20 sample contacts" in window.statusBar().currentMessage()


def test_window_renders(
    window: MainWindow, contact_factory: ContactFactory, tmp_path: Path
) -> None:
    contact_factory(name="Ivy")
    window.contacts_page.model.reload()
    image = window.grab().toImage()
    assert image.width() > 800
    # Not a blank canvas: the page draws more than one colour.
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, 300, 23)}
    assert len(colours) > 3


def test_a_place_added_as_a_factory_is_built_when_first_shown(window: MainWindow) -> None:
    built: list[QLabel] = []

    def make() -> QLabel:
        built.append(QLabel("Notes"))
        return built[-1]

    window.add_place("notes", "Notes", "note", make)
    assert built == []
    window.show_place("notes")
    assert len(built) == 1
    assert window.pages.currentWidget() is built[0]
    assert window.current_place() == "notes"
    window.show_place("contacts")
    window.show_place("notes")
    assert len(built) == 1, "built once"


def test_what_start_up_builds_is_left_out_of_full_collections(window: MainWindow) -> None:
    # docs/architecture.md, "Pauses": full garbage collections walk only what came after.
    assert gc.get_freeze_count() > 0


def test_the_window_fits_a_small_screen_in_every_everyday_place(
    qtbot: QtBot, window: MainWindow, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ada Byron", company="A company with a rather long name Ltd")
    window.contacts_page.model.reload()
    window.contacts_page.select_contact(cid)
    window.board_page  # noqa: B018 - built, as after a visit
    for place in ("today", "contacts", "board", "trash"):
        window.show_place(place)
        window.show_place("contacts")
        window.contacts_page.select_contact(cid)
        window.show_place(place)
        hint = window.minimumSizeHint()
        assert hint.width() <= 1024 and hint.height() <= 640, (place, hint)
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() == 1024)
    assert window.height() == 640
    window.show_place("contacts")
    table = window.contacts_page.table
    qtbot.waitUntil(lambda: not table.horizontalScrollBar().isVisible())
