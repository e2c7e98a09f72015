"""Settings → Journey through its real widgets: copy, edit, validate, remove, switch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from db import journeys
from db.contacts import ContactInput, create_contact, get_contact
from db.engine import Database
from db.models import StageChange
from desktop_app.journeys.prompts import MappingSource, NameDialog, StageMappingDialog
from desktop_app.journeys.settings_page import JourneySettingsPage
from desktop_app.ops import OpsBus
from desktop_app.settings.dialog import SettingsDialog

ADDED = datetime(2026, 3, 2, 12, tzinfo=UTC)


@pytest.fixture
def dialog(qtbot: QtBot, ops: OpsBus) -> SettingsDialog:
    dialog = SettingsDialog(ops)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _page(dialog: SettingsDialog) -> JourneySettingsPage:
    page = dialog.page("Journey")
    assert isinstance(page, JourneySettingsPage)
    dialog.tabs.setCurrentWidget(page)
    return page


def _active(database: Database) -> list[journeys.StageInfo]:
    with database.reading() as session:
        return journeys.active_stages(session)


def _stage_labels(page: JourneySettingsPage) -> list[str]:
    return [page.stages.item(r).text() for r in range(page.stages.count())]


class MappingAnswers:
    """Stands in for the mapping dialog: records what was asked, answers with a choice."""

    def __init__(self, answer: Mapping[str, str] | None) -> None:
        self.answer = answer
        self.asked: list[tuple[list[str], list[str]]] = []

    def __call__(
        self,
        cls: object,
        parent: object,
        title: str,
        intro: str,
        *,
        sources: Sequence[MappingSource],
        targets: Sequence[tuple[int, str]],
        suggested: Mapping[int, int],
    ) -> dict[int, int] | None:
        self.asked.append(([s.label for s in sources], [label for _i, label in targets]))
        if self.answer is None:
            return None
        by_label = {label: i for i, label in targets}
        return {s.stage_id: by_label[self.answer[s.label]] for s in sources}


def _copy(page: JourneySettingsPage, monkeypatch: pytest.MonkeyPatch, name: str) -> str:
    monkeypatch.setattr(NameDialog, "ask", classmethod(lambda cls, *a: name))
    page.copy_button.click()
    assert page.draft is not None
    return page.draft.key


def test_built_in_models_are_listed_and_read_only(dialog: SettingsDialog) -> None:
    page = _page(dialog)
    names = [page.models.item(r).text().strip() for r in range(page.models.count())]

    assert names == [
        "✓ Customer development",
        "Customers for life",
        "Customer experience",
        "Customer lifecycle",
    ]
    assert _stage_labels(page) == ["1. Suspect", "2. Prospect", "3. Customer", "4. Loyal customer"]
    assert page.builtin_hint.isVisible()
    assert not page.name.isEnabled() and not page.stage_box.isEnabled()
    assert not page.use_button.isEnabled() and page.use_button.text() == "In use"
    page.stages.setCurrentRow(1)
    assert page.cadence.value() == 7 and page.dwell.value() == 45


def test_copy_edit_reorder_and_save(
    dialog: SettingsDialog, database: Database, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    page = _page(dialog)
    key = _copy(page, monkeypatch, "Corner shop")
    assert page.name.isEnabled() and page.name.text() == "Corner shop"

    page.stages.setCurrentRow(1)
    page.label.clear()
    qtbot.keyClicks(page.label, "Interested")
    page.cadence.setValue(5)
    page.mediums[next(iter(page.mediums))].setChecked(False)
    page.up_button.click()
    page.add_button.click()
    qtbot.keyClicks(page.label, "Trial")  # the new stage's name is selected: typing replaces it
    page.dwell.setValue(14)
    page.description.setPlainText("Let them try it for two weeks.")
    page.name.setText("Corner shop journey")
    page.name.textEdited.emit("Corner shop journey")

    assert dialog.save()

    saved = journeys.model_draft(database, key)
    assert saved.name == "Corner shop journey"
    assert [s.label for s in saved.stages] == [
        "Interested",
        "Trial",
        "Suspect",
        "Customer",
        "Loyal customer",
    ]
    assert saved.stages[0].cadence_days == 5
    assert saved.stages[1].dwell_days == 14
    assert saved.stages[1].description == "Let them try it for two weeks."


def test_invalid_edits_are_shown_beside_the_field_and_nothing_is_saved(
    dialog: SettingsDialog, database: Database, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    page = _page(dialog)
    key = _copy(page, monkeypatch, "Mine")
    page.stages.setCurrentRow(2)
    page.label.clear()
    qtbot.keyClicks(page.label, "prospect")

    assert not dialog.save()

    assert page.stage_error.isVisible()
    assert "already stage 2" in page.stage_error.text()
    assert page.stages.currentRow() == 2
    assert [s.label for s in journeys.model_draft(database, key).stages][2] == "Customer"


def test_switching_the_model_maps_contacts_and_cancel_changes_nothing(
    dialog: SettingsDialog, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    suspect, _prospect, customer, _loyal = _active(database)
    ada = create_contact(database, ContactInput(name="Ada", stage_id=customer.id), now=ADDED)
    create_contact(database, ContactInput(name="Ben", stage_id=suspect.id), now=ADDED)
    page = _page(dialog)
    page.select_model("customer_lifecycle")

    cancel = MappingAnswers(None)
    monkeypatch.setattr(StageMappingDialog, "ask", classmethod(cancel))
    assert not page.use_selected()
    assert cancel.asked[0][0] == ["Suspect", "Customer"]
    assert _active(database)[0].label == "Suspect"

    choose = MappingAnswers({"Suspect": "Prospective", "Customer": "Active"})
    monkeypatch.setattr(StageMappingDialog, "ask", classmethod(choose))
    assert page.use_selected()

    assert [s.label for s in _active(database)][:3] == ["Prospective", "New", "Active"]
    assert page.models.currentItem().text() == "✓ Customer lifecycle"
    with database.reading() as session:
        changes = session.scalars(
            select(StageChange).where(StageChange.contact_id == ada).order_by(StageChange.id.desc())
        ).all()
    # Mapped to Active as asked, then, having never bought, put on her lifecycle status.
    assert [(c.automatic, c.reason) for c in changes[:2]] == [
        (True, "Lifecycle: Prospective"),
        (True, journeys.REMAP_REASON),
    ]
    assert get_contact(database, ada).stage_label == "Prospective"


def test_removing_a_stage_with_contacts_asks_where_they_go(
    dialog: SettingsDialog, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(dialog)
    key = _copy(page, monkeypatch, "Mine")
    monkeypatch.setattr(
        StageMappingDialog,
        "ask",
        classmethod(
            MappingAnswers(
                {
                    "Suspect": "Suspect",
                    "Prospect": "Prospect",
                    "Customer": "Customer",
                    "Loyal customer": "Loyal customer",
                }
            )
        ),
    )
    page.use_selected()
    prospect = _active(database)[1]
    ben = create_contact(database, ContactInput(name="Ben", stage_id=prospect.id), now=ADDED)

    page.stages.setCurrentRow(1)
    refuse = MappingAnswers(None)
    monkeypatch.setattr(StageMappingDialog, "ask", classmethod(refuse))
    assert not page.remove_stage()
    assert len(_stage_labels(page)) == 4

    choose = MappingAnswers({"Prospect": "Customer"})
    monkeypatch.setattr(StageMappingDialog, "ask", classmethod(choose))
    assert page.remove_stage()
    assert choose.asked == [(["Prospect"], ["Suspect", "Customer", "Loyal customer"])]
    assert _stage_labels(page) == ["1. Suspect", "2. Customer", "3. Loyal customer"]
    assert get_contact(database, ben).stage_label == "Prospect"  # not before OK

    assert dialog.save()

    assert [s.label for s in journeys.model_draft(database, key).stages] == [
        "Suspect",
        "Customer",
        "Loyal customer",
    ]
    assert get_contact(database, ben).stage_label == "Customer"


def test_the_last_stage_cannot_be_removed(
    dialog: SettingsDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(dialog)
    _copy(page, monkeypatch, "Tiny")
    for _ in range(3):
        page.stages.setCurrentRow(0)
        assert page.remove_stage()

    assert not page.remove_stage()
    assert page.stage_error.text() == "A journey needs at least one stage."


def test_each_model_shows_its_rules_and_a_copy_carries_them(
    dialog: SettingsDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(dialog)
    page.select_model("customer_development")
    text = page.rules.text()
    assert "3 of 4 criteria → Prospect" in text
    assert "First purchase → Customer" in text
    assert "3 purchases in 12 months → Loyal customer" in text
    page.select_model("customer_lifecycle")
    assert "follows the lifecycle status" in page.rules.text()
    page.select_model("customers_for_life")
    _copy(page, monkeypatch, "Our way")
    assert "Another product → Cross-purchase" in page.rules.text()
