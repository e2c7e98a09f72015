"""Copying and editing journey models, switching the active model, and by-hand stage moves."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from db import derived, journeys, stages
from db.contacts import (
    ContactInput,
    ContactQuery,
    count_contacts,
    create_contact,
    get_contact,
    update_contact,
)
from db.domain import Qualification
from db.engine import Database
from db.journeys import JourneyEditError, MappingError, ModelDraft, StageDraft
from db.models import Contact, Stage, StageChange

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)


def _add(database: Database, name: str, stage_id: int | None = None, **fields: object) -> int:
    return create_contact(
        database,
        ContactInput(name=name, stage_id=stage_id, **fields),  # type: ignore[arg-type]
        now=NOW,
    )


def _active(database: Database) -> list[journeys.StageInfo]:
    with database.reading() as session:
        return journeys.active_stages(session)


def _history(database: Database, contact_id: int) -> list[tuple[str, str, bool, str]]:
    """(from label, to label, automatic, reason) of every change, oldest first."""
    with database.reading() as session:
        labels = {row[0]: row[1] for row in session.execute(select(Stage.id, Stage.label))}
        return [
            (
                labels.get(c.from_stage_id, "") if c.from_stage_id else "",
                labels.get(c.to_stage_id, "") if c.to_stage_id else "",
                c.automatic,
                c.reason,
            )
            for c in session.scalars(
                select(StageChange)
                .where(StageChange.contact_id == contact_id)
                .order_by(StageChange.changed_at, StageChange.id)
            )
        ]


# --- built-in models ------------------------------------------------------------------------


@pytest.mark.parametrize("key", journeys.BUILTIN_KEYS)
def test_every_builtin_model_can_become_active(database: Database, key: str) -> None:
    suspect = _active(database)[0]
    cid = _add(database, "Ada")
    target = journeys.model_draft(database, key)
    mapping = journeys.suggest_mapping(database, [suspect.id], key)

    journeys.activate_model(database, key, mapping, now=LATER)

    shown = _active(database)
    assert [s.label for s in shown] == [s.label for s in target.stages]
    assert all(s.description for s in shown)
    assert get_contact(database, cid).stage_id in {s.id for s in shown}


# --- copying and editing ----------------------------------------------------------------------


def test_a_copy_can_be_renamed_and_its_stages_edited(database: Database) -> None:
    key = journeys.copy_model(database, "customer_development", "My shop")
    draft = journeys.model_draft(database, key)
    assert draft.name == "My shop" and not draft.builtin and not draft.active
    suspect, prospect, customer, loyal = draft.stages

    edited = dataclasses.replace(
        draft,
        name="  Corner shop  ",
        stages=(
            dataclasses.replace(prospect, label="Interested", cadence_days=5),
            suspect,
            StageDraft(id=None, label="Trial", description="Trying it out.", dwell_days=14),
            customer,
            loyal,
        ),
    )
    journeys.save_model(database, edited)

    saved = journeys.model_draft(database, key)
    assert saved.name == "Corner shop"
    assert [s.label for s in saved.stages] == [
        "Interested",
        "Suspect",
        "Trial",
        "Customer",
        "Loyal customer",
    ]
    assert saved.stages[0].cadence_days == 5
    assert saved.stages[2].key == "trial" and saved.stages[2].dwell_days == 14
    # The built-in original is untouched.
    original = journeys.model_draft(database, "customer_development")
    assert [s.label for s in original.stages][:2] == ["Suspect", "Prospect"]


def test_built_in_models_are_not_edited_in_place(database: Database) -> None:
    draft = journeys.model_draft(database, "customer_development")
    with pytest.raises(JourneyEditError, match="copy it"):
        journeys.save_model(database, dataclasses.replace(draft, name="Mine"))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda d: dataclasses.replace(d, name=" "), "name", "Give the model a name"),
        (lambda d: dataclasses.replace(d, stages=()), "stages", "at least one stage"),
        (
            lambda d: dataclasses.replace(
                d, stages=(d.stages[0], dataclasses.replace(d.stages[1], label="suspect"))
            ),
            "stages.1.label",
            "already stage 1",
        ),
        (
            lambda d: dataclasses.replace(
                d, stages=(dataclasses.replace(d.stages[0], cadence_days=0),)
            ),
            "stages.0.cadence_days",
            "between 1 and",
        ),
        (
            lambda d: dataclasses.replace(
                d, stages=(dataclasses.replace(d.stages[0], dwell_days=-3),)
            ),
            "stages.0.dwell_days",
            "between 1 and",
        ),
        (
            lambda d: dataclasses.replace(d, stages=(dataclasses.replace(d.stages[0], label=""),)),
            "stages.0.label",
            "needs a name",
        ),
    ],
)
def test_invalid_edits_are_refused_with_a_message_for_the_field(
    database: Database, change: object, field: str, message: str
) -> None:
    key = journeys.copy_model(database, "customer_development", "Mine")
    draft = journeys.model_draft(database, key)
    bad: ModelDraft = change(draft)  # type: ignore[operator]

    with pytest.raises(JourneyEditError) as caught:
        journeys.save_model(database, bad)

    assert message in caught.value.errors[field]
    assert journeys.model_draft(database, key) == draft


def _use_copy(database: Database) -> tuple[str, ModelDraft]:
    """A copy of customer development made active, with contacts mapped stage for stage."""
    key = journeys.copy_model(database, "customer_development", "Mine")
    draft = journeys.model_draft(database, key)
    old = _active(database)
    journeys.activate_model(
        database, key, {o.id: n.id for o, n in zip(old, draft.stages, strict=True)}, now=NOW
    )
    return key, journeys.model_draft(database, key)


def test_removing_a_stage_moves_its_contacts_and_keeps_history_readable(
    database: Database,
) -> None:
    _key, draft = _use_copy(database)
    suspect, prospect, customer, loyal = draft.stages
    assert prospect.id is not None and customer.id is not None
    cid = _add(database, "Ben", prospect.id)
    other = _add(database, "Cleo", suspect.id)

    without = dataclasses.replace(draft, stages=(suspect, customer, loyal))
    with pytest.raises(MappingError):
        journeys.save_model(database, without, now=LATER)
    assert get_contact(database, cid).stage_id == prospect.id  # nothing was half-applied

    journeys.save_model(database, without, {prospect.id: customer.id}, now=LATER)

    assert get_contact(database, cid).stage_id == customer.id
    assert get_contact(database, other).stage_id == suspect.id
    assert _history(database, cid)[-2:] == [
        ("", "Prospect (Mine)", True, "Added"),
        ("Prospect (Mine)", "Customer", True, journeys.REMAP_REASON),
    ]
    assert [s.label for s in _active(database)] == ["Suspect", "Customer", "Loyal customer"]
    assert all(m.key != journeys.ARCHIVE_KEY for m in journeys.list_models(database))


def test_a_removed_stage_nobody_used_is_deleted(database: Database) -> None:
    key = journeys.copy_model(database, "customer_development", "Mine")
    draft = journeys.model_draft(database, key)
    journeys.save_model(database, dataclasses.replace(draft, stages=draft.stages[:3]))

    with database.reading() as session:
        assert session.get(Stage, draft.stages[3].id) is None


def test_switching_models_maps_every_contact_in_one_transaction(database: Database) -> None:
    suspect, _prospect, customer, _loyal = _active(database)
    a = _add(database, "Ada", suspect.id)
    b = _add(database, "Ben", customer.id)
    lifecycle = journeys.model_draft(database, "customer_lifecycle")
    prospective, new, *_ = lifecycle.stages
    assert prospective.id is not None and new.id is not None

    with pytest.raises(MappingError) as missing:
        journeys.activate_model(database, "customer_lifecycle", {suspect.id: prospective.id})
    assert missing.value.unmapped == (customer.id,)
    assert _active(database)[0].id == suspect.id

    moved = journeys.activate_model(
        database,
        "customer_lifecycle",
        {suspect.id: prospective.id, customer.id: new.id},
        now=LATER,
    )

    assert moved == 2
    assert [s.label for s in _active(database)][:2] == ["Prospective", "New"]
    assert get_contact(database, a).stage_id == prospective.id
    assert _history(database, b) == [
        ("", "Customer", True, "Added"),
        ("Customer", "New", True, journeys.REMAP_REASON),
    ]
    with database.reading() as session:
        contact = session.get(Contact, b)
        assert contact is not None
        # Re-dated for the new stage: entered at the switch, New's dwell limit is 90 days.
        assert contact.stuck_on == date(2026, 6, 7)
    # The old model and its stages stay, so the history keeps its labels.
    assert "Customer development" in [m.name for m in journeys.list_models(database)]


def test_suggested_mapping_matches_keys_then_roles_then_place(database: Database) -> None:
    old = {s.key: s.id for s in _active(database)}
    life = {s.key: s.id for s in journeys.model_draft(database, "customer_lifecycle").stages}

    guess = journeys.suggest_mapping(database, list(old.values()), "customer_lifecycle")

    assert guess[old["customer"]] == life["new"]  # the purchase role
    assert guess[old["loyal_customer"]] == life["repeat_loyal"]
    assert guess[old["suspect"]] == life["prospective"]  # first place


def test_editing_cadence_redates_contacts_on_the_stage(database: Database) -> None:
    _key, draft = _use_copy(database)
    suspect = draft.stages[0]
    assert suspect.id is not None
    cid = _add(database, "Ada", suspect.id)
    stages.set_stage(database, [cid], suspect.id)  # no move: already there

    journeys.save_model(
        database,
        dataclasses.replace(
            draft, stages=(dataclasses.replace(suspect, dwell_days=10), *draft.stages[1:])
        ),
    )

    with database.reading() as session:
        contact = session.get(Contact, cid)
        assert contact is not None
        assert contact.stuck_on == date(2026, 3, 12)


# --- by-hand moves ----------------------------------------------------------------------------


def test_a_backward_move_by_hand_needs_a_reason(database: Database) -> None:
    suspect, prospect, customer, _ = _active(database)
    cid = _add(database, "Ada", customer.id)

    assert stages.is_backward(database, [cid], prospect.id)
    assert not stages.is_backward(database, [cid], customer.id)
    with pytest.raises(stages.ReasonRequiredError):
        stages.set_stage(database, [cid], prospect.id, now=LATER)
    assert get_contact(database, cid).stage_id == customer.id

    stages.set_stage(database, [cid], suspect.id, reason="  Went quiet  ", now=LATER)

    assert _history(database, cid)[-1] == ("Customer", "Suspect", False, "Went quiet")


# --- stuck, at risk and qualification ---------------------------------------------------------


def test_stuck_at_risk_and_qualification_filters_against_a_fixed_today(
    database: Database,
) -> None:
    suspect, prospect, customer, loyal = _active(database)
    # Prospect's dwell limit is 45 days: entered 2 March, stuck from 16 April.
    waiting = _add(database, "Waiting", prospect.id, has_need=True, has_budget=True)
    # Loyal customers are touched every 12 days: due 14 March, at risk from the 15th.
    loyal_one = _add(
        database,
        "Loyal",
        loyal.id,
        has_need=True,
        has_budget=True,
        has_urgency=True,
        is_decision_maker=True,
    )
    # A customer with an overdue cadence is not "at risk": only loyal stages slide back.
    _add(database, "Customer", customer.id, has_need=True, has_budget=True, has_urgency=True)
    centre = _add(database, "Centre", suspect.id, centre_of_influence=True)
    _add(database, "Referred", suspect.id, referred_by_id=centre)

    def names(**filters: object) -> list[str]:
        from db.contacts import contact_rows  # noqa: PLC0415

        query = ContactQuery(**filters)  # type: ignore[arg-type]
        rows = contact_rows(database, query, 0, 50)
        assert count_contacts(database, query) == len(rows)
        return [r.name for r in rows]

    assert names(stuck=True, today=date(2026, 4, 15)) == []
    assert names(stuck=True, today=date(2026, 4, 16)) == ["Waiting"]
    assert names(at_risk=True, today=date(2026, 3, 14)) == []
    assert names(at_risk=True, today=date(2026, 3, 15)) == ["Loyal"]
    assert names(stage_id=prospect.id) == ["Waiting"]
    assert names(qualification=Qualification.QUALIFIED) == ["Loyal"]
    assert names(qualification=Qualification.PROSPECT) == ["Customer"]
    assert names(qualification=Qualification.SUSPECT) == ["Centre", "Referred", "Waiting"]
    assert names(centre_of_influence=True) == ["Centre"]
    assert names(referred=True) == ["Referred"]

    # A touch resets the cadence: touched on the 14th, the loyal contact is fine on the 15th.
    with database.write_session.begin() as session:
        session.execute(
            update(Contact)
            .where(Contact.id == loyal_one)
            .values(last_touch_at=datetime(2026, 3, 14, 12, tzinfo=UTC))
        )
        derived.refresh_schedule(session, [loyal_one, waiting])
    assert names(at_risk=True, today=date(2026, 3, 15)) == []


def test_editing_a_contact_back_a_stage_needs_a_reason_too(database: Database) -> None:
    suspect, _prospect, customer, _ = _active(database)
    cid = _add(database, "Ada", customer.id)
    data = ContactInput(name="Ada", stage_id=suspect.id)

    with pytest.raises(stages.ReasonRequiredError):
        update_contact(database, cid, data, now=LATER)
    assert get_contact(database, cid).stage_id == customer.id

    update_contact(database, cid, data, now=LATER, stage_reason="Budget cut")
    assert _history(database, cid)[-1] == ("Customer", "Suspect", False, "Budget cut")
