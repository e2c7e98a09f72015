"""Journey models: the built-in ones shipped as data files, the active model, and the owner's
own copies of them (copy, rename, add, remove and reorder stages, switch the active model).

Whatever changes, history stays readable: a switch or a removed stage moves contacts by an
explicit old-stage to new-stage mapping, recorded as automatic stage changes, in one
transaction; stages that history points at are never deleted (old models stay, and a stage
removed from an edited model is kept aside under the ``_retired`` model with its old label).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from db import derived, settings
from db.domain import Medium, StageRole
from db.models import Contact, JourneyModel, Stage, StageChange, Touch, utcnow
from db.rules import JourneyRules, RulesError
from db.stages import StageNotFoundError, move_where

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
    rules: JourneyRules = field(default_factory=JourneyRules)


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
    try:
        rules = JourneyRules.parse(data.get("rules"))
    except RulesError as exc:
        raise JourneyFileError(f"model {key!r}: {exc}") from None
    named = {
        *(k for k in (rules.qualified, rules.sale, rules.repeat, rules.cross, rules.regular) if k),
        *(k for _, k in rules.lifecycle),
    }
    missing = named - {s.key for s in specs}
    if missing:
        raise JourneyFileError(f"model {key!r}: a rule names no stage {sorted(missing)[0]!r}")
    return ModelSpec(
        key=key,
        name=name,
        summary=str(data.get("summary", "")),
        stages=tuple(specs),
        rules=rules,
    )


@cache
def builtin_model(key: str) -> ModelSpec:
    text = resources.files("resources.journeys").joinpath(f"{key}.json").read_text("utf-8")
    return parse_model(json.loads(text))


def builtin_models() -> tuple[ModelSpec, ...]:
    return tuple(builtin_model(key) for key in BUILTIN_KEYS)


def install_model(session: Session, spec: ModelSpec, *, key: str | None = None) -> JourneyModel:
    model = JourneyModel(
        key=key or spec.key,
        name=spec.name,
        summary=spec.summary,
        builtin_key=spec.key,
        rules=spec.rules.dumps(),
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


def current_stages(database: Database) -> list[StageInfo]:
    """The stages of the active model, in order."""
    with database.reading() as session:
        return active_stages(session)


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
            for model in session.scalars(
                select(JourneyModel)
                .where(JourneyModel.key != ARCHIVE_KEY)
                .order_by(JourneyModel.id)
            )
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


# --- Copying and editing models -------------------------------------------------------------

#: Where stages removed from a model go when history still points at them, so old stage
#: changes and touches keep a readable label. Never listed, never active.
ARCHIVE_KEY = "_retired"
REMAP_REASON = "Journey model changed"
LABEL_MAX = 120
DAYS_MAX = 3650


@dataclass(frozen=True)
class StageDraft:
    """A stage as the model editor holds it; ``id`` is None for a stage not saved yet."""

    id: int | None
    label: str
    description: str = ""
    cadence_days: int | None = None
    dwell_days: int | None = None
    mediums: tuple[Medium, ...] = ()
    roles: tuple[StageRole, ...] = ()
    key: str = ""


@dataclass(frozen=True)
class ModelDraft:
    key: str
    name: str
    summary: str
    stages: tuple[StageDraft, ...]
    #: Built-in models are kept as shipped; the owner copies one to change it.
    builtin: bool = False
    active: bool = False
    #: What moves contacts along this model (kept as they are when a model is edited).
    rules: JourneyRules = field(default_factory=JourneyRules)


class JourneyEditError(ValueError):
    """The edited model has problems; ``errors`` maps a field (``stages.2.label``) to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class MappingError(ValueError):
    """Contacts stand on stages that are going away and no new stage was chosen for them."""

    def __init__(self, unmapped: Sequence[int]) -> None:
        super().__init__(f"choose a new stage for the contacts on stages {list(unmapped)}")
        self.unmapped = tuple(unmapped)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_") or "stage"


def _unique(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def validate_draft(draft: ModelDraft) -> dict[str, str]:
    """Problems with an edited model, by field, with messages an owner can act on."""
    errors: dict[str, str] = {}
    name = " ".join(draft.name.split())
    if not name:
        errors["name"] = "Give the model a name."
    elif len(name) > LABEL_MAX:
        errors["name"] = f"Keep the name under {LABEL_MAX} characters."
    if not draft.stages:
        errors["stages"] = "A journey needs at least one stage."
    seen: dict[str, int] = {}
    for index, stage in enumerate(draft.stages):
        label = " ".join(stage.label.split())
        where = f"stages.{index}"
        if not label:
            errors[f"{where}.label"] = f"Stage {index + 1} needs a name."
        elif len(label) > LABEL_MAX:
            errors[f"{where}.label"] = f"Keep stage names under {LABEL_MAX} characters."
        elif label.casefold() in seen:
            errors[f"{where}.label"] = (
                f"“{label}” is already stage {seen[label.casefold()] + 1}: give each stage its "
                "own name."
            )
        else:
            seen[label.casefold()] = index
        for field_name, what in (("cadence_days", "touch cadence"), ("dwell_days", "dwell limit")):
            days = getattr(stage, field_name)
            if days is not None and not 0 < days <= DAYS_MAX:
                errors[f"{where}.{field_name}"] = (
                    f"The {what} of “{label or index + 1}” must be between 1 and {DAYS_MAX} "
                    "days, or empty."
                )
    return errors


def _draft_of(model: JourneyModel, active: bool) -> ModelDraft:
    return ModelDraft(
        key=model.key,
        name=model.name,
        summary=model.summary,
        stages=tuple(
            StageDraft(
                id=s.id,
                key=s.key,
                label=s.label,
                description=s.description,
                cadence_days=s.cadence_days,
                dwell_days=s.dwell_days,
                mediums=tuple(Medium(m) for m in s.mediums.split(",") if m),
                roles=tuple(StageRole(r) for r in s.roles.split(",") if r),
            )
            for s in model.stages
        ),
        builtin=model.key in BUILTIN_KEYS,
        active=active,
        rules=JourneyRules.loads(model.rules),
    )


def _model(session: Session, key: str) -> JourneyModel:
    model = session.scalar(select(JourneyModel).where(JourneyModel.key == key))
    if model is None or key == ARCHIVE_KEY:
        raise KeyError(key)
    return model


def model_draft(database: Database, key: str) -> ModelDraft:
    """A model as the editor shows it."""
    with database.reading() as session:
        model = _model(session, key)
        active = active_model(session)
        return _draft_of(model, active is not None and active.id == model.id)


def copy_model(database: Database, key: str, name: str | None = None) -> str:
    """Copy a model (built-in or not) under a new name; returns the copy's key."""
    with database.write_session.begin() as session:
        source = _model(session, key)
        name = " ".join((name or f"{source.name} (copy)").split())
        taken = set(session.scalars(select(JourneyModel.key)))
        copy = JourneyModel(
            key=_unique(_slug(name), taken | set(BUILTIN_KEYS) | {ARCHIVE_KEY}),
            name=name,
            summary=source.summary,
            rules=source.rules,
            builtin_key=source.builtin_key,
        )
        copy.stages = [
            Stage(
                key=s.key,
                label=s.label,
                description=s.description,
                position=s.position,
                cadence_days=s.cadence_days,
                dwell_days=s.dwell_days,
                mediums=s.mediums,
                roles=s.roles,
            )
            for s in source.stages
        ]
        session.add(copy)
        session.flush()
        return copy.key


def stage_contact_counts(database: Database, stage_ids: Sequence[int]) -> dict[int, int]:
    """How many contacts (trash included) stand on each of these stages."""
    with database.reading() as session:
        return _stage_contact_counts(session, stage_ids)


def _stage_contact_counts(session: Session, stage_ids: Iterable[int]) -> dict[int, int]:
    # Live contacts and those in the trash apart: each count then reads an index (the live
    # contacts' by stage, the trash's), never the whole contact table.
    wanted = list(stage_ids)
    counts: dict[int, int] = {}
    for in_trash in (False, True):
        rows = session.execute(
            select(Contact.stage_id, func.count())
            .where(
                Contact.deleted_at.is_not(None) if in_trash else Contact.deleted_at.is_(None),
                Contact.stage_id.in_(wanted),
            )
            .group_by(Contact.stage_id)
        )
        for stage_id, count in rows:
            if stage_id is not None:
                counts[int(stage_id)] = counts.get(int(stage_id), 0) + int(count)
    return counts


def _remap(session: Session, mapping: Mapping[int, int | None], now: datetime) -> int:
    """Move every contact on each old stage to its new one, recorded as automatic changes.

    Two statements per stage, whatever the number of contacts; returns how many moved.
    """
    moved = 0
    for old, new in mapping.items():
        if old == new:
            continue
        moved += move_where(
            session, Contact.stage_id == old, new, automatic=True, reason=REMAP_REASON, now=now
        )
    return moved


def _check_mapping(
    session: Session,
    leaving: Iterable[int],
    mapping: Mapping[int, int | None],
    allowed: set[int],
) -> dict[int, int | None]:
    """The mapping for the stages that hold contacts; every target must be in ``allowed``."""
    used = _stage_contact_counts(session, leaving)
    missing = [s for s in used if s not in mapping]
    if missing:
        raise MappingError(missing)
    chosen = {s: mapping[s] for s in used}
    for target in chosen.values():
        if target is not None and target not in allowed:
            raise StageNotFoundError(target)
    return chosen


def _in_history(session: Session, stage_id: int) -> bool:
    for clause in (
        exists().where(StageChange.from_stage_id == stage_id),
        exists().where(StageChange.to_stage_id == stage_id),
        exists().where(Touch.stage_id == stage_id),
    ):
        if session.scalar(select(clause)):
            return True
    return False


def _archive(session: Session) -> JourneyModel:
    archive = session.scalar(select(JourneyModel).where(JourneyModel.key == ARCHIVE_KEY))
    if archive is None:
        archive = JourneyModel(key=ARCHIVE_KEY, name="Retired stages", summary="")
        session.add(archive)
        session.flush()
    return archive


def _retire(session: Session, stage: Stage, model_name: str) -> None:
    """Remove a stage from its model: deleted if nothing refers to it, else kept aside."""
    if not _in_history(session, stage.id):
        session.delete(stage)
        return
    archive = _archive(session)
    stage.model_id = archive.id
    stage.key = f"{stage.key}_{stage.id}"
    stage.label = f"{stage.label} ({model_name})"
    stage.position = stage.id


def save_model(
    database: Database,
    draft: ModelDraft,
    mapping: Mapping[int, int | None] | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Save an edited (copied) model in one unit of work.

    Stages left out of ``draft`` are removed; the contacts on them move to the stage
    ``mapping`` names (an existing stage of this model, or None for no stage), recorded as
    automatic stage changes. History keeps pointing at the removed stages, which are kept
    aside under their old label. Cadence and dwell changes re-date every contact.
    """
    errors = validate_draft(draft)
    if errors:
        raise JourneyEditError(errors)
    with database.write_session.begin() as session:
        save_model_in(session, draft, mapping, now=now or utcnow())


def save_model_in(
    session: Session,
    draft: ModelDraft,
    mapping: Mapping[int, int | None] | None,
    *,
    now: datetime,
) -> None:
    """``save_model``'s work inside the caller's unit of work (``draft`` already valid)."""
    model = _model(session, draft.key)
    if model.key in BUILTIN_KEYS:
        raise JourneyEditError({"name": "Built-in models stay as shipped: copy it to edit."})
    by_id = {s.id: s for s in model.stages}
    kept = {s.id for s in draft.stages if s.id is not None}
    unknown = kept - set(by_id)
    if unknown:
        raise StageNotFoundError(sorted(unknown)[0])
    leaving = [i for i in by_id if i not in kept]
    chosen = _check_mapping(session, leaving, mapping or {}, kept)

    model.name = " ".join(draft.name.split())
    model.summary = draft.summary.strip()
    # Park positions first so the new order never collides half-way.
    taken = {s.key for s in model.stages if s.id in kept}
    for position, stage_draft in enumerate(draft.stages):
        if stage_draft.id is None:
            key = _unique(_slug(stage_draft.key or stage_draft.label), taken)
            taken.add(key)
            stage = Stage(key=key, model=model)
            session.add(stage)
        else:
            stage = by_id[stage_draft.id]
        stage.label = " ".join(stage_draft.label.split())
        stage.description = stage_draft.description.strip()
        stage.position = position
        stage.cadence_days = stage_draft.cadence_days
        stage.dwell_days = stage_draft.dwell_days
        stage.mediums = ",".join(stage_draft.mediums)
        stage.roles = ",".join(stage_draft.roles)
    session.flush()
    _remap(session, chosen, now)
    for stage_id in leaving:
        _retire(session, by_id[stage_id], model.name)
    session.flush()
    session.expire(model)
    derived.refresh_all(session)


def suggest_mapping(
    database: Database, from_stage_ids: Sequence[int], to_model_key: str
) -> dict[int, int]:
    """A first guess for the mapping dialog: same key, else same role, else same place."""
    with database.reading() as session:
        targets = _model(session, to_model_key).stages
        if not targets:
            return {}
        guess: dict[int, int] = {}
        for stage_id in from_stage_ids:
            source = session.get(Stage, stage_id)
            if source is None:
                continue
            roles = set(source.roles.split(",")) - {""}
            match = next((t for t in targets if t.key == source.key), None) or next(
                (t for t in targets if roles & set(t.roles.split(","))), None
            )
            if match is None:
                siblings = len(source.model.stages) if source.model else 1
                share = source.position / max(siblings - 1, 1)
                match = targets[round(share * (len(targets) - 1))]
            guess[stage_id] = match.id
        return guess


def activate_model(
    database: Database,
    key: str,
    mapping: Mapping[int, int | None] | None = None,
    *,
    now: datetime | None = None,
) -> int:
    """Make ``key`` the active model, moving every contact to the new stage ``mapping`` names
    for its old one, in one transaction; returns how many contacts moved.

    Old models stay in the database, so the history of stage changes stays readable.
    """
    with database.write_session.begin() as session:
        return activate_model_in(session, key, mapping, now=now or utcnow())


def activate_model_in(
    session: Session,
    key: str,
    mapping: Mapping[int, int | None] | None,
    *,
    now: datetime,
) -> int:
    """``activate_model``'s work inside the caller's unit of work."""
    target = _model(session, key)
    current = active_model(session)
    if current is not None and current.id == target.id:
        return 0
    # Every stage outside the new model that still holds contacts must be mapped.
    new_ids = {s.id for s in target.stages}
    holding = session.scalars(
        select(Contact.stage_id)
        .where(Contact.stage_id.is_not(None), Contact.stage_id.not_in(new_ids))
        .distinct()
    )
    chosen = _check_mapping(session, [s for s in holding if s is not None], mapping or {}, new_ids)
    moved = _remap(session, chosen, now)
    settings.put(session, settings.ACTIVE_MODEL, key)
    derived.refresh_all(session)
    return moved


@dataclass(frozen=True)
class StageUse:
    """A stage that holds contacts, for the mapping dialog."""

    stage_id: int
    label: str
    contacts: int


def stages_to_map(database: Database, key: str) -> list[StageUse]:
    """The stages outside model ``key`` that hold contacts: what switching to it must map."""
    with database.reading() as session:
        target = _model(session, key)
        stages = session.execute(
            select(Stage.id, Stage.label)
            .where(Stage.model_id != target.id)
            .order_by(Stage.model_id, Stage.position)
        ).all()
        counts = _stage_contact_counts(session, [int(i) for i, _label in stages])
        return [
            StageUse(int(i), str(label), counts[int(i)]) for i, label in stages if int(i) in counts
        ]
