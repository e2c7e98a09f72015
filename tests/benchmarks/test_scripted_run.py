"""The bench's scripted run, at a small size: every step of it still works on the real window.

Figures are only printed by ``make bench``; this test checks the run reaches its end and that
what it did happened (the trash emptied, the touch logged, the model remapped).
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from db import contacts, demo, journeys
from db.engine import Database
from tests.benchmarks.scripted import add_heavy_contact, open_window, run_script


def test_the_scripted_run_goes_through_every_step(qtbot: QtBot, database: Database) -> None:
    demo.generate(database, contacts=60, touches_per_contact=3)
    before = contacts.count_contacts(database, contacts.ContactQuery())
    active = next(m.key for m in journeys.list_models(database) if m.active)
    heavy = add_heavy_contact(database, 40)
    window, runner = open_window(database)
    qtbot.addWidget(window)
    try:
        result = run_script(window, runner, heavy_contact=heavy, trash_count=10, selections=5)
    finally:
        runner.wait()

    for action in (
        "open board (first time)",
        "open reports (first time)",
        "sort by lifecycle up",
        "filter stuck",
        "select the contact with most touches",
        "log a touch",
        "empty a trash of 10",
        "remap the journey model",
    ):
        assert action in result.stalls, action
    assert len(result.keystrokes) == sum(
        len(word) for word in ("smith", "anna", "bakery", "555", "maria gar")
    )
    assert set(result.stall_busy) == set(result.stalls)
    assert all(busy >= 0 for busy in result.stall_busy.values())
    assert result.rss_mib and result.peak_mib > 0
    assert len(result.helpers_mib) == len(result.rss_mib)
    # The run changed the database the way its steps say.
    assert contacts.count_contacts(database, contacts.ContactQuery()) == before - 10
    assert contacts.count_contacts(database, contacts.ContactQuery(trash=True)) == 0
    assert next(m.key for m in journeys.list_models(database) if m.active) == active
    assert window.contacts_page.model.rowCount() > 0
