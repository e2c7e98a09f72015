"""Journey models: the built-in data files, validating a model file, and the active model."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from db import journeys
from db.contacts import ContactInput, create_contact
from db.domain import Medium, StageRole
from db.engine import Database, open_database
from db.journeys import JourneyFileError, ModelInUseError, parse_model

# docs/domain.md §1, word for word.
DOMAIN_STAGES = {
    "customer_development": ("Suspect", "Prospect", "Customer", "Loyal customer"),
    "customers_for_life": (
        "Lead",
        "Capture",
        "Qualify",
        "Convert",
        "Trial",
        "Purchase",
        "Re-purchase",
        "Cross-purchase",
        "Loyalty",
        "Retention",
    ),
    "customer_experience": (
        "Assess",
        "Admit",
        "Affirm",
        "Activate",
        "Acclimate",
        "Accomplish",
        "Adopt",
        "Advocate",
    ),
    "customer_lifecycle": ("Prospective", "New", "Active", "Repeat/Loyal", "Lapsed", "Inactive"),
}
DOMAIN_NAMES = {
    "customer_development": "Customer development",
    "customers_for_life": "Customers for life",
    "customer_experience": "Customer experience",
    "customer_lifecycle": "Customer lifecycle",
}


def _valid() -> dict[str, Any]:
    return {
        "key": "my_model",
        "name": "My model",
        "summary": "A tiny model for tests.",
        "stages": [
            {
                "key": "first",
                "label": "First",
                "description": "Say hello.",
                "cadence_days": 7,
                "dwell_days": 30,
                "mediums": ["email", "phone"],
                "roles": [],
            },
            {"key": "second", "label": "Second", "mediums": ["gift"], "roles": ["loyal"]},
        ],
    }


# --- The built-in files ---------------------------------------------------------------------


@pytest.mark.parametrize("key", journeys.BUILTIN_KEYS)
def test_builtin_models_have_the_domain_stages_in_order(key: str) -> None:
    model = journeys.builtin_model(key)
    assert model.key == key
    assert model.name == DOMAIN_NAMES[key]
    assert tuple(s.label for s in model.stages) == DOMAIN_STAGES[key]
    assert model.summary
    for stage in model.stages:
        assert stage.description, f"{key}/{stage.key} needs a description for the owner"
        assert stage.mediums, f"{key}/{stage.key} should suggest at least one medium"


def test_every_builtin_file_is_listed() -> None:
    files = {
        entry.name.removesuffix(".json")
        for entry in resources.files("resources.journeys").iterdir()
        if entry.name.endswith(".json")
    }
    assert files == set(journeys.BUILTIN_KEYS) == set(DOMAIN_STAGES)
    assert tuple(m.key for m in journeys.builtin_models()) == journeys.BUILTIN_KEYS


def test_customer_development_defaults_follow_the_domain_rules() -> None:
    """Customers and loyal customers: 2 to 3 touches a month (cadence about 12 days)."""
    stages = {s.key: s for s in journeys.builtin_model("customer_development").stages}
    for key in ("customer", "loyal_customer"):
        cadence = stages[key].cadence_days
        assert cadence is not None and 10 <= cadence <= 15
    assert StageRole.PURCHASE in stages["customer"].roles
    assert StageRole.LOYAL in stages["loyal_customer"].roles


def test_lifecycle_model_marks_lapsed_and_inactive_stages() -> None:
    roles = {s.label: s.roles for s in journeys.builtin_model("customer_lifecycle").stages}
    assert StageRole.LAPSED in roles["Lapsed"]
    assert StageRole.INACTIVE in roles["Inactive"]


# --- Validating a model file ----------------------------------------------------------------


def test_a_valid_model_parses() -> None:
    model = parse_model(_valid())
    assert (model.key, model.name, model.summary) == (
        "my_model",
        "My model",
        "A tiny model for tests.",
    )
    first, second = model.stages
    assert (first.cadence_days, first.dwell_days) == (7, 30)
    assert first.mediums == (Medium.EMAIL, Medium.PHONE)
    assert (second.cadence_days, second.dwell_days, second.description) == (None, None, "")
    assert second.roles == (StageRole.LOYAL,)


def _broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(_valid())
    change(data)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "a journey model must be a JSON object"),
        (_broken(lambda d: d.pop("key")), "missing field 'key'"),
        (_broken(lambda d: d.pop("name")), "missing field 'name'"),
        (_broken(lambda d: d.pop("stages")), "missing field 'stages'"),
        (_broken(lambda d: d.update(stages=[])), "model 'my_model' needs at least one stage"),
        (_broken(lambda d: d.update(stages="first")), "needs at least one stage"),
        (
            _broken(lambda d: d["stages"][1].pop("label")),
            "stage 2 of 'my_model': missing field 'label'",
        ),
        (
            _broken(lambda d: d["stages"][0].pop("key")),
            "stage 1 of 'my_model': missing field 'key'",
        ),
        (
            _broken(lambda d: d["stages"][0].update(cadence_days=0)),
            "stage 1 of 'my_model': cadence must be a positive whole number of days or null",
        ),
        (_broken(lambda d: d["stages"][0].update(cadence_days=-3)), "cadence must be a positive"),
        (_broken(lambda d: d["stages"][0].update(cadence_days=1.5)), "cadence must be a positive"),
        (_broken(lambda d: d["stages"][0].update(cadence_days="7")), "cadence must be a positive"),
        (_broken(lambda d: d["stages"][0].update(cadence_days=True)), "cadence must be a positive"),
        (
            _broken(lambda d: d["stages"][1].update(dwell_days=0)),
            "stage 2 of 'my_model': dwell limit must be a positive",
        ),
        (
            _broken(lambda d: d["stages"][0].update(mediums=["email", "fax"])),
            "stage 1 of 'my_model': 'fax' is not a valid Medium",
        ),
        (
            _broken(lambda d: d["stages"][0].update(mediums="email")),
            "stage 1 of 'my_model': mediums must be a list",
        ),
        (
            _broken(lambda d: d["stages"][0].update(roles=["vip"])),
            "stage 1 of 'my_model': 'vip' is not a valid StageRole",
        ),
        (
            _broken(lambda d: d["stages"][1].update(key="first")),
            "model 'my_model' repeats a stage key",
        ),
        (
            _broken(lambda d: d["stages"].append("third")),
            "stage 3 of 'my_model' must be a JSON object",
        ),
    ],
)
def test_bad_model_files_are_refused_with_a_clear_message(data: Any, message: str) -> None:
    with pytest.raises(JourneyFileError) as refused:
        parse_model(data)
    assert message in str(refused.value)
    # Where the problem is, is said once.
    assert str(refused.value).count("of 'my_model'") <= 1


def test_a_model_round_trips_through_json() -> None:
    original = journeys.builtin_model("customers_for_life")
    as_json = {
        "key": original.key,
        "name": original.name,
        "summary": original.summary,
        "rules": original.rules.as_json(),
        "stages": [
            {
                "key": s.key,
                "label": s.label,
                "description": s.description,
                "cadence_days": s.cadence_days,
                "dwell_days": s.dwell_days,
                "mediums": list(s.mediums),
                "roles": list(s.roles),
            }
            for s in original.stages
        ],
    }
    assert parse_model(json.loads(json.dumps(as_json))) == original


# --- The active model in a database ---------------------------------------------------------


def test_active_stages_are_the_active_models_in_order(database: Database) -> None:
    with database.reading() as session:
        stages = journeys.active_stages(session)
    assert [s.label for s in stages] == list(DOMAIN_STAGES["customer_development"])
    assert [s.position for s in stages] == sorted(s.position for s in stages)
    assert len({s.id for s in stages}) == 4
    spec = journeys.builtin_model("customer_development")
    for stored, original in zip(stages, spec.stages, strict=True):
        assert (stored.key, stored.description) == (original.key, original.description)
        assert (stored.cadence_days, stored.dwell_days) == (
            original.cadence_days,
            original.dwell_days,
        )
        assert (stored.mediums, stored.roles) == (original.mediums, original.roles)


def test_choosing_another_model_changes_the_active_stages(database: Database) -> None:
    journeys.choose_initial_model(database, "customer_experience")
    with database.reading() as session:
        labels = [s.label for s in journeys.active_stages(session)]
    assert labels == list(DOMAIN_STAGES["customer_experience"])
    models = journeys.list_models(database)
    assert [m.key for m in models if m.active] == ["customer_experience"]
    assert {m.key: m.stage_labels for m in models} == DOMAIN_STAGES


def test_the_model_cannot_be_swapped_once_contacts_stand_on_it(database: Database) -> None:
    create_contact(database, ContactInput(name="Anna"))
    with pytest.raises(ModelInUseError):
        journeys.choose_initial_model(database, "customer_lifecycle")
    assert [m.key for m in journeys.list_models(database) if m.active] == ["customer_development"]


def test_an_unknown_model_cannot_be_chosen(database: Database) -> None:
    with pytest.raises(KeyError):
        journeys.choose_initial_model(database, "no_such_model")
    assert [m.key for m in journeys.list_models(database) if m.active] == ["customer_development"]


def test_stages_are_read_in_position_order_whatever_the_insert_order(database: Database) -> None:
    spec = parse_model(_valid())
    with database.write_session.begin() as session:
        model = journeys.install_model(session, spec, key="custom")
        session.flush()
        # Reorder by hand: "second" now comes first.
        first, second = model.stages
        first.position, second.position = 10, 5
    journeys.choose_initial_model(database, "custom")
    with database.reading() as session:
        stages = journeys.active_stages(session)
    assert [(s.key, s.position) for s in stages] == [("second", 5), ("first", 10)]


def test_an_empty_database_has_no_active_stages(db_path: Path) -> None:
    with open_database(db_path, seed=False) as database, database.reading() as session:
        assert journeys.active_model(session) is None
        assert journeys.active_stages(session) == []


def test_the_stages_to_map_count_live_and_trashed_contacts(database: Database) -> None:
    from db.contacts import trash_contacts  # noqa: PLC0415

    with database.reading() as session:
        suspect, prospect, *_ = (s.id for s in journeys.active_stages(session))
    ids = [
        create_contact(database, ContactInput(name=name, stage_id=stage))
        for name, stage in (("Ann", suspect), ("Bo", suspect), ("Cy", prospect))
    ]
    trash_contacts(database, [ids[1], ids[2]])

    uses = journeys.stages_to_map(database, "customer_lifecycle")

    assert [(u.stage_id, u.label, u.contacts) for u in uses] == [
        (suspect, "Suspect", 2),
        (prospect, "Prospect", 1),
    ]
    assert journeys.stages_to_map(database, "customer_development") == []
    assert journeys.stage_contact_counts(database, [suspect, prospect]) == {suspect: 2, prospect: 1}
