"""Seasonal customers: recognised from their purchases (or set by hand in the contact form),
kept on ``contact.season``.

A customer is **seasonal** when they bought in at least two different years and every
purchase falls within the same few consecutive months of the year (``SPAN``, default three;
December to February counts as consecutive). ``contact.season`` holds those months
("4,5": April and May), in season order. Out of season, the lifecycle shows such a customer
as *seasonal* rather than lapsed (``db.lifecycle``), and a follow-up is planned a few weeks
before their season starts (``db.automation.plan_season_followups``). docs/domain.md states
the rule.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import text

#: The most consecutive months a season spans.
SPAN = 3
#: How many days before the season the follow-up is due.
LEAD_DAYS = 21


def detect(purchases: Iterable[tuple[int, int]]) -> tuple[int, ...] | None:
    """The season of a customer with purchases in these (year, month) pairs, or None."""
    pairs = set(purchases)
    years = {y for y, _ in pairs}
    months = {m for _, m in pairs}
    if len(years) < 2 or not months or len(months) > SPAN:
        return None
    for start in range(1, 13):
        window = [(start - 1 + k) % 12 + 1 for k in range(SPAN)]
        if months <= set(window):
            return tuple(m for m in window if m in months)
    return None


def as_text(months: tuple[int, ...] | None) -> str | None:
    return ",".join(str(m) for m in months) if months else None


def months_between(first: int, last: int) -> tuple[int, ...]:
    """The months from ``first`` to ``last`` (December to February wraps round)."""
    span = (last - first) % 12 + 1
    return tuple((first - 1 + k) % 12 + 1 for k in range(span))


def parse(season: str | None) -> tuple[int, ...]:
    return tuple(int(m) for m in (season or "").split(",") if m.strip().isdigit())


def describe(season: str | None) -> str:
    """ "April to May", "December", ... for the owner."""
    months = parse(season)
    if not months:
        return ""
    first, last = calendar.month_name[months[0]], calendar.month_name[months[-1]]
    return first if first == last else f"{first} to {last}"


def next_start(season: str | None, today: date) -> date | None:
    """The first day of the customer's next season after ``today``."""
    months = parse(season)
    if not months:
        return None
    start = date(today.year, months[0], 1)
    return start if start > today else date(today.year + 1, months[0], 1)


def refresh(executor: Any, contact_ids: Iterable[int] | None = None) -> None:
    """Recompute ``contact.season`` for these contacts (None: every contact). ``executor`` is a
    ``Session`` or a ``Connection``; nothing is committed here."""
    ids = None if contact_ids is None else sorted(set(contact_ids))
    if ids is not None and not ids:
        return
    where = "" if ids is None else " WHERE contact_id IN (SELECT value FROM json_each(:ids))"
    params = {} if ids is None else {"ids": "[" + ",".join(str(int(i)) for i in ids) + "]"}
    rows = executor.execute(
        text(
            "SELECT contact_id, CAST(strftime('%Y', purchased_on) AS INTEGER),"
            " CAST(strftime('%m', purchased_on) AS INTEGER) FROM purchase"
            + where
            + " GROUP BY 1, 2, 3"
        ),
        params,
    )
    bought: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for cid, year, month in rows:
        bought[int(cid)].append((int(year), int(month)))
    found = {cid: as_text(detect(pairs)) for cid, pairs in bought.items()}
    # A season the owner set by hand stays as it is.
    if ids is None:
        executor.execute(
            text("UPDATE contact SET season = NULL WHERE season IS NOT NULL AND NOT season_by_hand")
        )
    else:
        executor.execute(
            text(
                "UPDATE contact SET season = NULL"
                " WHERE id IN (SELECT value FROM json_each(:ids)) AND NOT season_by_hand"
            ),
            params,
        )
    seasonal = [{"id": cid, "season": season} for cid, season in found.items() if season]
    if seasonal:
        executor.execute(
            text("UPDATE contact SET season = :season WHERE id = :id AND NOT season_by_hand"),
            seasonal,
        )
