"""Journey models: the built-in ones shipped as data files, and reading the active model."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import settings
from db.domain import Medium, StageRole
from db.models import Contact, JourneyModel, Stage

if TYPE_CHECKING:
    from db.engine import Database

BUILTIN_KEYS = (
    "customer_development",
    "customers_for_life",
    "customer_experience",
    "customer_lifecycle",
)
DEFAULT_MODEL_KEY = "customer_development"


@dataclass(frozen=True)
class StageSpec:
    key: str
    label: str
    description: str
    cadence_days: int | None
    dwell_days: int | None
    mediums: tuple[Medium, ...]
    roles: tuple[StageRole, ...]


@dataclass(frozen=True)
class ModelSpec:
    key: str
    name: str
    summary: str
    stages: tuple[StageSpec, ...]


@dataclass(frozen=True)
class StageInfo:
    """A stage of a model in the database, as the user interface sees it."""

    id: int
    key: str
    label: str
    description: str
    position: int
    cadence_days: int | None
    dwell_days: int | None
    mediums: tuple[Medium, ...]
    roles: tuple[StageRole, ...]


class JourneyFileError(ValueError):
    pass


def _positive_or_none(raw: Any, what: str) -> int | None:
    if raw is None:
        return None
    if not isinstance(raw, int) or isinstance(raw, bool) or raw <= 0:
        raise JourneyFileError(f"{what} must be a positive whole number of days or null")
    return raw


def _list(raw: dict[str, Any], name: str, where: str) -> list[Any]:
    value = raw.get(name, [])
    if not isinstance(value, list):
        raise JourneyFileError(f"{where}: {name} must be a list")
    return value


def parse_model(data: Any) -> ModelSpec:
    """Validate a journey model read from JSON, with a clear message for the first problem."""
    if not isinstance(data, dict):
        raise JourneyFileError("a journey model must be a JSON object")
    try:
        key, name, stages = str(data["key"]), str(data["name"]), data["stages"]
    except KeyError as exc:
        raise JourneyFileError(f"missing field {exc.args[0]!r}") from None
    if not isinstance(stages, list) or not stages:
        raise JourneyFileError(f"model {key!r} needs at least one stage")
    specs = []
    for index, raw in enumerate(stages, start=1):
        where = f"stage {index} of {key!r}"
        if not isinstance(raw, dict):
            raise JourneyFileError(f"{where} must be a JSON object")
        try:
            specs.append(
                StageSpec(
                    key=str(raw["key"]),
                    label=str(raw["label"]),
                    description=str(raw.get("description", "")),
                    cadence_days=_positive_or_none(raw.get("cadence_days"), f"{where}: cadence"),
                    dwell_days=_positive_or_none(raw.get("dwell_days"), f"{where}: dwell limit"),
                    mediums=tuple(Medium(m) for m in _list(raw, "mediums", where)),
                    roles=tuple(StageRole(r) for r in _list(raw, "roles", where)),
                )
            )
        except KeyError as exc:
            raise JourneyFileError(f"{where}: missing field {exc.args[0]!r}") from None
        except JourneyFileError:
            raise  # already says where
        except ValueError as exc:
            raise JourneyFileError(f"{where}: {exc}") from None
    if len({s.key for s in specs}) != len(specs):
        raise JourneyFileError(f"model {key!r} repeats a stage key")
    return ModelSpec(key=key, name=name, summary=str(data.get("summary", "")), stages=tuple(specs))


@cache
def builtin_model(key: str) -> ModelSpec:
    text = resources.files("resources.journeys").joinpath(f"{key}.json").read_text("utf-8")
    return parse_model(json.loads(text))


def builtin_models() -> tuple[ModelSpec, ...]:
    return tuple(builtin_model(key) for key in BUILTIN_KEYS)


def install_model(session: Session, spec: ModelSpec, *, key: str | None = None) -> JourneyModel:
    model = JourneyModel(
        key=key or spec.key, name=spec.name, summary=spec.summary, builtin_key=spec.key
    )
    model.stages = [
        Stage(
            key=s.key,
            label=s.label,
            description=s.description,
            position=position,
            cadence_days=s.cadence_days,
            dwell_days=s.dwell_days,
            mediums=",".join(s.mediums),
            roles=",".join(s.roles),
        )
        for position, s in enumerate(spec.stages)
    ]
    session.add(model)
    return model


def ensure_builtin_models(database: Database) -> None:
    """Give a new database the built-in models, with customer development active."""
    with database.write_session.begin() as session:
        if session.scalar(select(func.count()).select_from(JourneyModel)):
            return
        for spec in builtin_models():
            install_model(session, spec)
        settings.put(session, settings.ACTIVE_MODEL, DEFAULT_MODEL_KEY)


def _stage_info(stage: Stage) -> StageInfo:
    return StageInfo(
        id=stage.id,
        key=stage.key,
        label=stage.label,
        description=stage.description,
        position=stage.position,
        cadence_days=stage.cadence_days,
        dwell_days=stage.dwell_days,
        mediums=tuple(Medium(m) for m in stage.mediums.split(",") if m),
        roles=tuple(StageRole(r) for r in stage.roles.split(",") if r),
    )


def active_model(session: Session) -> JourneyModel | None:
    key = settings.get(session, settings.ACTIVE_MODEL)
    model = session.scalar(select(JourneyModel).where(JourneyModel.key == key))
    return model or session.scalar(select(JourneyModel).order_by(JourneyModel.id).limit(1))


def active_stages(session: Session) -> list[StageInfo]:
    model = active_model(session)
    return [] if model is None else [_stage_info(s) for s in model.stages]


@dataclass(frozen=True)
class ModelInfo:
    key: str
    name: str
    summary: str
    stage_labels: tuple[str, ...]
    active: bool


def list_models(database: Database) -> list[ModelInfo]:
    with database.reading() as session:
        active = active_model(session)
        return [
            ModelInfo(
                key=model.key,
                name=model.name,
                summary=model.summary,
                stage_labels=tuple(s.label for s in model.stages),
                active=active is not None and model.id == active.id,
            )
            for model in session.scalars(select(JourneyModel).order_by(JourneyModel.id))
        ]


class ModelInUseError(RuntimeError):
    pass


def choose_initial_model(database: Database, key: str) -> None:
    """Pick the active model of a database that has no contacts yet (the first-start screen).

    Contacts already placed on stages need their stages mapped first, which this refuses.
    """
    with database.write_session.begin() as session:
        if session.scalar(select(JourneyModel.id).where(JourneyModel.key == key)) is None:
            raise KeyError(key)
        if session.scalar(select(func.count()).select_from(Contact)):
            raise ModelInUseError("contacts already stand on the current model's stages")
        settings.put(session, settings.ACTIVE_MODEL, key)
