"""The Today place inside the real window: its Log touch opens the touch dialog, and the
touch logged there clears the overdue row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from db import followups, touches
from db.domain import Medium
from db.today import Section
from desktop_app.main_window import MainWindow
from desktop_app.ops import Changes, OpsBus
from desktop_app.touches.dialog import TouchDialog
from tests.conftest import ContactFactory


def test_log_touch_on_today_opens_the_dialog_and_clears_the_row(
    qtbot: QtBot,
    window: MainWindow,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cid = contact_factory(name="Ada Overdue")
    today = datetime.now(UTC).astimezone().date()
    with window.database.write_session.begin() as session:
        followups.create_followup(session, cid, today - timedelta(days=3), "Send the proposal")
    asked: list[int | None] = []

    def fake_ask(
        cls: type[TouchDialog], ops: OpsBus, parent: object = None, contact_id: int | None = None
    ) -> int:
        asked.append(contact_id)
        data = touches.TouchInput(
            contact_id=contact_id, medium=Medium.PHONE, occurred_at=datetime.now(UTC)
        )
        changes = Changes(touches=True, contacts=True, followups=True)
        return ops.run(lambda db: touches.log_touch(db, data), changes)

    monkeypatch.setattr(TouchDialog, "ask", classmethod(fake_ask))
    window.today_page.refresh()
    window.show_place("today")
    [row] = window.today_page.sections[Section.OVERDUE].rows
    qtbot.waitUntil(lambda: row.touch_button.height() > 0)  # laid out, as on screen

    qtbot.mouseClick(row.touch_button, Qt.MouseButton.LeftButton)

    assert asked == [cid]
    assert window.today_page.sections[Section.OVERDUE].rows == []
    assert "overdue" not in window.windowTitle()
