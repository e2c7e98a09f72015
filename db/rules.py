"""Journey rules: which stage a contact's facts call for, on each journey model.

Every model carries its rules as data (the ``rules`` object of its file under
``resources/journeys/``, stored in ``journey_model.rules``; copies carry them too). A rule
names a stage by key:

- ``qualified``: the stage three of the four qualification criteria reach;
- ``sale``: the stage the first purchase reaches;
- ``repeat``: the stage a second purchase reaches;
- ``cross``: the stage a purchase of a second, different product reaches;
- ``regular``: the stage regular buying reaches (at least N purchases in the last D days,
  Settings → Sales);
- ``lifecycle``: for the lifecycle model, the stage of each lifecycle status: the stage *is*
  the computed status.

From the facts the rules give a *placement*: the lowest stage the facts call for and the
highest one they allow (a contact without a purchase cannot stand at the sale's stage; with
one purchase, not at the repeat purchase's stage; and so on). A contact outside that range
*contradicts* its facts. Automation only ever raises a contact to the lowest stage; the
owner's one-click fix brings it into the range either way. docs/domain.md states the rules.

No SQL session and no Qt here; ``db.automation`` applies the rules to the database and
writes the same placement as SQL for the contacts filter (a test checks the two agree).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from db.lifecycle import Lifecycle

QUALIFYING_CRITERIA = 3

#: The lifecycle statuses a lifecycle model names a stage for.
LIFECYCLE_GROUPS = ("prospective", "new", "active", "repeat", "lapsed", "inactive")


def lifecycle_group(status: Lifecycle) -> str:
    """The group of a lifecycle status that a lifecycle model's stages follow."""
    if status is Lifecycle.SEASONAL:
        return "repeat"  # a regular buyer between seasons, not a lapsed one
    if status.lapsed:
        return "lapsed"
    if status.inactive:
        return "inactive"
    return status.value


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class JourneyRules:
    qualified: str | None = None
    sale: str | None = None
    repeat: str | None = None
    cross: str | None = None
    regular: str | None = None
    #: (lifecycle group, stage key) pairs; empty unless this is a lifecycle model.
    lifecycle: tuple[tuple[str, str], ...] = field(default=())

    @classmethod
    def parse(cls, data: Any) -> JourneyRules:
        """Rules from their JSON form, with a clear message for the first problem."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise RulesError("rules must be a JSON object")
        values: dict[str, Any] = {}
        for name in ("qualified", "sale", "repeat", "cross", "regular"):
            raw = data.get(name)
            if raw is not None and not isinstance(raw, str):
                raise RulesError(f"rule {name!r} must name a stage key")
            values[name] = raw
        raw_map = data.get("lifecycle") or {}
        if not isinstance(raw_map, dict) or not all(isinstance(v, str) for v in raw_map.values()):
            raise RulesError("rule 'lifecycle' must map lifecycle statuses to stage keys")
        unknown = set(raw_map) - set(LIFECYCLE_GROUPS)
        if unknown:
            raise RulesError(f"unknown lifecycle status {sorted(unknown)[0]!r}")
        pairs = tuple((g, raw_map[g]) for g in LIFECYCLE_GROUPS if g in raw_map)
        return cls(lifecycle=pairs, **values)

    @classmethod
    def loads(cls, text: str | None) -> JourneyRules:
        try:
            return cls.parse(json.loads(text or "{}"))
        except (RulesError, ValueError):
            return cls()

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            name: getattr(self, name)
            for name in ("qualified", "sale", "repeat", "cross", "regular")
            if getattr(self, name)
        }
        if self.lifecycle:
            out["lifecycle"] = dict(self.lifecycle)
        return out

    def dumps(self) -> str:
        return json.dumps(self.as_json(), sort_keys=True)


@dataclass(frozen=True)
class Regular:
    """What counts as buying regularly (Settings → Sales)."""

    purchases: int = 3
    window_days: int = 365

    @property
    def window_label(self) -> str:
        if self.window_days % 365 == 0:
            years = self.window_days // 365
            return "12 months" if years == 1 else f"{12 * years} months"
        return f"{self.window_days} days"


@dataclass(frozen=True)
class Facts:
    """What Touchbase knows about a contact that the rules read."""

    criteria: int = 0
    purchases: int = 0
    #: Distinct products bought (only read when the model has a ``cross`` rule).
    products: int = 0
    #: Purchases in the regular-buying window that ends today.
    recent: int = 0
    status: Lifecycle = Lifecycle.PROSPECTIVE


@dataclass(frozen=True)
class Placement:
    """The stage positions the facts call for: at least ``low``, at most ``high``.

    ``-1`` means off the journey. Each bound comes with the reason the owner is shown.
    """

    low: int
    low_reason: str
    high: int
    high_reason: str

    def allows(self, position: int) -> bool:
        return self.low <= position <= self.high

    def nearest(self, position: int) -> tuple[int, str]:
        """Where the one-click fix puts a contact standing at ``position``, and why."""
        if position < self.low:
            return self.low, self.low_reason
        if position > self.high:
            return self.high, self.high_reason
        return position, ""


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass(frozen=True)
class ResolvedRules:
    """Rules turned into stage positions of one model's stages (missing stages drop out)."""

    qualified: int | None
    sale: int | None
    repeat: int | None
    cross: int | None
    regular: int | None
    lifecycle: Mapping[str, int]
    last: int
    labels: tuple[str, ...]

    @classmethod
    def of(
        cls, rules: JourneyRules, stage_keys: Sequence[str], labels: Sequence[str] = ()
    ) -> ResolvedRules:
        where = {key: i for i, key in enumerate(stage_keys)}

        def pos(key: str | None) -> int | None:
            return None if key is None else where.get(key)

        return cls(
            qualified=pos(rules.qualified),
            sale=pos(rules.sale),
            repeat=pos(rules.repeat),
            cross=pos(rules.cross),
            regular=pos(rules.regular),
            lifecycle={g: where[k] for g, k in rules.lifecycle if k in where},
            last=len(stage_keys) - 1,
            labels=tuple(labels) or tuple(stage_keys),
        )

    @property
    def empty(self) -> bool:
        return self.last < 0 or (
            not self.lifecycle
            and all(
                p is None
                for p in (self.qualified, self.sale, self.repeat, self.cross, self.regular)
            )
        )

    def placement(self, facts: Facts, regular: Regular) -> Placement:
        """The range of stages ``facts`` call for (see the module docstring)."""
        if self.lifecycle:
            group = lifecycle_group(facts.status)
            target = self.lifecycle.get(group)
            if target is not None:
                reason = f"Lifecycle: {facts.status.label}"
                return Placement(target, reason, target, reason)
            return Placement(-1, "", self.last, "")
        low, low_reason = -1, ""
        high, high_reason = self.last, ""

        def raise_to(position: int | None, reason: str) -> None:
            nonlocal low, low_reason
            if position is not None and position >= low:
                low, low_reason = position, reason

        def cap_below(position: int | None, reason: str) -> None:
            nonlocal high, high_reason
            if position is not None and position - 1 < high:
                high, high_reason = position - 1, reason

        if facts.criteria >= QUALIFYING_CRITERIA:
            raise_to(self.qualified, f"{facts.criteria} of 4 criteria")
        if facts.purchases >= 1:
            raise_to(self.sale, "First purchase")
        if facts.purchases >= 2:
            raise_to(self.repeat, f"{ordinal(facts.purchases)} purchase")
        if facts.products >= 2:
            raise_to(self.cross, f"Bought {facts.products} different products")
        if facts.recent >= regular.purchases:
            raise_to(
                self.regular,
                f"{ordinal(facts.recent)} purchase in {regular.window_label}",
            )

        if facts.purchases == 0:
            if facts.criteria < QUALIFYING_CRITERIA:
                met = f"only {facts.criteria} of 4" if facts.criteria else "none of the 4"
                cap_below(self.qualified, f"No purchase yet and {met} qualification criteria")
            cap_below(self.sale, "No purchase yet")
        if facts.purchases < 2:
            cap_below(self.repeat, "Only one purchase" if facts.purchases else "No purchase yet")
            cap_below(self.cross, "Only one purchase" if facts.purchases else "No purchase yet")
        if facts.purchases < regular.purchases:
            cap_below(
                self.regular,
                f"Only {_plural(facts.purchases, 'purchase')} "
                f"({regular.purchases} in {regular.window_label} make a regular buyer)",
            )
        return Placement(low, low_reason, max(high, low), high_reason)


def describe(rules: JourneyRules, labels: Mapping[str, str], regular: Regular) -> list[str]:
    """The rules in the owner's words, one line each ("First purchase → Customer"), for the
    stages ``labels`` (key → label) still has."""
    lines = []
    for key, fact in (
        (rules.qualified, f"{QUALIFYING_CRITERIA} of 4 criteria"),
        (rules.sale, "First purchase"),
        (rules.repeat, "Second purchase"),
        (rules.cross, "Another product"),
        (rules.regular, f"{regular.purchases} purchases in {regular.window_label}"),
    ):
        if key is not None and key in labels:
            lines.append(f"{fact} → {labels[key]}")
    if rules.lifecycle:
        lines.append("The stage follows the lifecycle status every day")
    return lines


@dataclass(frozen=True)
class Contradiction:
    """A contact whose stage contradicts its facts, and the one-click fix."""

    position: int
    target: int
    target_label: str
    reason: str

    @property
    def behind(self) -> bool:
        return self.target > self.position

    def message(self, stage_label: str) -> str:
        where = stage_label or "off the journey"
        if self.behind:
            return f"{self.reason}, but stands at {where}: should be at least {self.target_label}."
        return f"{self.reason}, but stands at {where}: at most {self.target_label} fits."


def contradiction(
    resolved: ResolvedRules, position: int, facts: Facts, regular: Regular
) -> Contradiction | None:
    """The contradiction of a contact at ``position`` (-1: off the journey), if any."""
    if resolved.empty:
        return None
    placement = resolved.placement(facts, regular)
    if placement.allows(position):
        return None
    target, reason = placement.nearest(position)
    label = resolved.labels[target] if target >= 0 else "off the journey"
    return Contradiction(position, target, label, reason)
