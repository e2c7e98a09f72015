"""Realistic sample data: ``touchbase demo`` and the app's "Load sample data" action.

The generator fills every table of the domain with made-up but plausible small-business data:
contacts with emails, phones, addresses and tags, two years of journey history and touches on
every medium, purchases, feedback and open follow-ups. The same seed always gives the same data
(for a given ``now``), so screenshots, bug reports and benchmarks can be reproduced.

It is also how the big-database benchmark builds 100,000 contacts and a million touches, so it
writes with SQLAlchemy Core bulk inserts in batches, assigns primary keys itself (no RETURNING,
no ORM objects per row) and does everything in one write transaction: cancelling from the
progress callback, or any error, leaves the database exactly as it was.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import random
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.orm import Session

from db import automation, backups, derived, search, settings
from db.domain import FollowupSource, FollowupStatus, Medium, StageRole
from db.followups import DEFAULT_PLAN_STEPS
from db.journeys import StageInfo, active_stages
from db.models import (
    Base,
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    Feedback,
    FeedbackAnswer,
    FeedbackQuestion,
    Followup,
    JourneyModel,
    KeyDate,
    PlanStep,
    Purchase,
    Setting,
    StageChange,
    Tag,
    Touch,
)
from db.rules import Regular, ResolvedRules

if TYPE_CHECKING:
    from db.engine import Database

log = logging.getLogger(__name__)

MAX_CONTACTS = 1_000_000
MAX_TOUCHES_PER_CONTACT = 1000
#: Contacts generated and written per batch: big enough that executemany dominates, small
#: enough that a batch's rows (about ten touches each) stay a few megabytes.
BATCH_CONTACTS = 2000
#: How far back the history reaches.
HISTORY_DAYS = 730

_DAY = 86_400
# Times are squeezed into 07:00-20:00 UTC, so the log does not read as if the owner phoned
# people at three in the morning.
_OPENS = 7 * 3600
#: The share of contacts on a stage with a cadence whose last touch keeps to it.
_KEPT_UP = 0.92
#: The share of contacts moved along the journey who entered their stage within its limit.
_MOVED_LATELY = 0.8
_OPEN_HOURS = 13
#: The share of contacts with follow-ups set by hand in the past year.
_FOLLOWUP_HISTORY_SHARE = 0.35
#: Customers whose first purchase is this recent have a 100-day plan in the sample.
_PLAN_HISTORY_DAYS = 150
#: Days since the last purchase of a customer the sample makes inactive.
_LOST_AFTER = 400

_Row = dict[str, Any]


@dataclass(frozen=True)
class DemoSummary:
    """How many rows of each kind one run added (``tags`` counts tags given to contacts)."""

    contacts: int
    touches: int
    stage_changes: int
    purchases: int
    feedback: int
    followups: int
    tags: int


class SampleDataRefusedError(ValueError):
    """Sample data would be mixed into a database that already has contacts."""


class DemoCancelledError(Exception):
    """The progress callback asked to stop; nothing was written."""


# --- Word lists -------------------------------------------------------------------------------
# Data files under resources/sample/, not a faker library: the app stays free of such
# dependencies and the data cannot change under a seed when a library is upgraded.


class _Country(NamedTuple):
    name: str
    weight: int
    tld: str
    #: Patterns of phone numbers, one picked at random: ``#`` is a digit, ``@`` a capital
    #: letter.
    phones: tuple[str, ...]
    postal: str
    number_first: bool
    cities: tuple[tuple[str, str], ...]
    streets: tuple[str, ...]
    mail_domains: tuple[str, ...]


def _sample_file(name: str) -> Any:
    return json.loads(resources.files("resources.sample").joinpath(name).read_text("utf-8"))


_WORDS = _sample_file("words.json")
_FIRST_NAMES: tuple[str, ...] = tuple(_WORDS["first_names"])
_LAST_NAMES: tuple[str, ...] = tuple(_WORDS["last_names"])
_ADJECTIVES: tuple[str, ...] = tuple(_WORDS["adjectives"])
_NOUNS: tuple[str, ...] = tuple(_WORDS["nouns"])
_PLACE_WORDS: tuple[str, ...] = tuple(_WORDS["place_words"])
_TRADES: tuple[str, ...] = tuple(_WORDS["trades"])
_TITLES: tuple[str, ...] = tuple(_WORDS["titles"])
_NOTES: tuple[str, ...] = tuple(_WORDS["notes"])
# Phone numbers use ranges set aside for drama and examples (555-01xx, 020 7946 0xxx, ...)
# where a country has one, so a sample database never holds someone's real number.
_COUNTRIES = tuple(
    _Country(
        name=c["name"],
        weight=c["weight"],
        tld=c["tld"],
        phones=tuple(c["phone"]) if isinstance(c["phone"], list) else (c["phone"],),
        postal=c["postal"],
        number_first=c["number_first"],
        cities=tuple((city, region) for city, region in c["cities"]),
        streets=tuple(c["streets"]),
        mail_domains=tuple(c["mail_domains"]),
    )
    for c in _WORDS["countries"]
)


@dataclass(frozen=True)
class Product:
    name: str
    #: Lowest and highest price, in cents.
    low: int
    high: int
    #: Bought again about this often (a subscription, a service), or None: now and then.
    every_days: int | None = None
    weight: int = 1


@dataclass(frozen=True)
class Profile:
    """One business the sample data is about (resources/sample/profiles.json)."""

    key: str
    name: str
    summary: str
    country: str
    currency: str
    #: Share of contacts who work for a company (the rest are private customers).
    companies: float
    products: tuple[Product, ...]
    #: Relative sales in each month, January first.
    seasonality: tuple[float, ...]
    #: The months seasonal customers buy in, and how many customers are seasonal.
    season_months: tuple[int, ...]
    seasonal_share: float
    #: The trades of the companies it sells to (empty: any).
    trades: tuple[str, ...] = ()


def _profiles() -> dict[str, Profile]:
    out = {}
    for key, raw in _sample_file("profiles.json").items():
        out[key] = Profile(
            key=key,
            name=raw["name"],
            summary=raw["summary"],
            country=raw["country"],
            currency=raw["currency"],
            companies=float(raw["companies"]),
            products=tuple(Product(**p) for p in raw["products"]),
            seasonality=tuple(float(w) for w in raw["seasonality"]),
            season_months=tuple(int(m) for m in raw["season_months"]),
            seasonal_share=float(raw["seasonal_share"]),
            trades=tuple(raw.get("trades", ())),
        )
    return out


PROFILES = _profiles()
DEFAULT_PROFILE = "bakery-cafe"

#: The mixed catalogue of a sample without a profile (the benchmark's).
_GENERIC_PRODUCTS = tuple(Product(name, low, high) for name, low, high in _WORDS["products"])

#: (name, chance for anyone): a few more tags follow the contact's stage and role below.
_TAGS: tuple[tuple[str, float], ...] = tuple((name, float(p)) for name, p in _WORDS["tags"])
_VIP, _REFERRAL_PARTNER, _SAMPLE_SENT = "vip", "referral partner", "sample sent"
TAG_NAMES = (*(name for name, _ in _TAGS), _VIP, _REFERRAL_PARTNER, _SAMPLE_SENT)

#: Per medium: (outbound summaries, inbound summaries, outcomes). "" means no outcome noted.
_TOUCH_TEXT: dict[Medium, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    Medium(medium): (tuple(text["outbound"]), tuple(text["inbound"]), tuple(text["outcomes"]))
    for medium, text in _WORDS["touch_text"].items()
}
#: Chance that a touch on a medium came from the contact rather than from the owner.
_INBOUND_CHANCE = {
    Medium.IN_PERSON: 0.30,
    Medium.EMAIL: 0.40,
    Medium.MAIL: 0.15,
    Medium.PHONE: 0.35,
    Medium.VIDEO: 0.20,
    Medium.GIFT: 0.05,
}
# Used for a quarter of touches whatever the stage suggests, so every medium shows up.
_ANY_MEDIUM = (
    *[Medium.EMAIL] * 6,
    *[Medium.PHONE] * 5,
    *[Medium.IN_PERSON] * 4,
    *[Medium.VIDEO] * 2,
    *[Medium.MAIL] * 2,
    Medium.GIFT,
)
_TOUCH_NOTES: tuple[str, ...] = tuple(_WORDS["touch_notes"])
_FORWARD_REASONS: tuple[str, ...] = tuple(_WORDS["forward_reasons"])
_BACKWARD_REASONS: tuple[str, ...] = tuple(_WORDS["backward_reasons"])
_ROLE_REASONS = {
    StageRole.PURCHASE: "First purchase",
    StageRole.REPURCHASE: "Repeat purchase",
    StageRole.CROSS_PURCHASE: "Bought from another product line",
    StageRole.LAPSED: "No purchase within the expected interval",
    StageRole.INACTIVE: "No purchase for a year",
}
_BUYING_ROLES = (StageRole.PURCHASE, StageRole.REPURCHASE, StageRole.CROSS_PURCHASE)
_AFTER_BUYING_ROLES = (StageRole.LAPSED, StageRole.INACTIVE)

_FOLLOWUP_REASONS: tuple[tuple[str, Medium], ...] = tuple(
    (reason, Medium(medium)) for reason, medium in _WORDS["followup_reasons"]
)

DEFAULT_FEEDBACK_QUESTIONS = (
    "How happy are you with what you bought?",
    "How easy was it to work with us?",
    "How likely are you to recommend us to a friend?",
)
_COMMENTS: dict[str, tuple[str, ...]] = {
    level: tuple(texts) for level, texts in _WORDS["comments"].items()
}


# --- Small helpers ----------------------------------------------------------------------------

_ASCII_FOLD = str.maketrans(
    {"ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "\u0131": "i", "þ": "th"}
)


def _slug(text: str) -> str:
    """Lower-case ASCII letters and digits only, for email addresses and web domains."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_ASCII_FOLD))
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum())


_FIRST_SLUGS = {name: _slug(name) for name in _FIRST_NAMES}
_LAST_SLUGS = {name: _slug(name) for name in _LAST_NAMES}
_STOP_WORDS = frozenset({"the", "and", "co"})


def _domain_for(company: str, tld: str) -> str:
    words = [_slug(word) for word in company.split()]
    return "".join(w for w in words if w and w not in _STOP_WORDS)[:40] + "." + tld


def _geometric(rng: random.Random, mean: float) -> int:
    """A count 0, 1, 2, ... with the given mean: most small, a long tail of large ones."""
    if mean <= 0:
        return 0
    return int(math.log(1.0 - rng.random()) / math.log(mean / (mean + 1.0)))


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _next_id(session: Session, model: type[Base]) -> int:
    return int(session.scalar(select(func.max(_table(model).c.id))) or 0) + 1


_DIGITS = "0123456789"
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


# --- Generation -------------------------------------------------------------------------------

# Written in this order, parents before children, because foreign keys are checked per row.
_TABLES = (
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    StageChange,
    Touch,
    Purchase,
    Feedback,
    FeedbackAnswer,
    Followup,
    KeyDate,
)


@dataclass
class _Batch:
    rows: dict[type[Base], list[_Row]] = field(default_factory=lambda: {t: [] for t in _TABLES})

    def write(self, session: Session) -> None:
        for model, rows in self.rows.items():
            if rows:
                session.execute(insert(_table(model)), rows)
                rows.clear()


@dataclass
class _Counts:
    touches: int = 0
    stage_changes: int = 0
    purchases: int = 0
    feedback: int = 0
    followups: int = 0
    tags: int = 0


class _Journey(NamedTuple):
    #: Index of the current stage in the active model, -1 when there is no model.
    stage: int
    #: Stage indexes visited, in order (the last is the current one).
    path: list[int]
    #: When each stage of ``path`` was entered (the first is when the contact was added).
    change_ts: list[int]
    #: Moves into a buying stage: (when, role).
    buying: list[tuple[int, StageRole]]
    #: When buying stopped (moved to a lapsed stage), else now.
    buying_ends: int


class _Company(NamedTuple):
    name: str
    domain: str
    country: _Country
    city: str
    region: str
    street: str
    postal_code: str


class _Generator:
    """Makes the rows for one contact at a time; owns the id counters and the random stream."""

    def __init__(
        self,
        session: Session,
        rng: random.Random,
        *,
        now: datetime,
        total: int,
        touches_per_contact: float,
        stages: Sequence[StageInfo],
        tag_ids: dict[str, int],
        questions: Sequence[str],
        currency: str,
        profile: Profile | None = None,
        rules: ResolvedRules | None = None,
        regular: Regular | None = None,
        survey_gap_days: int = 90,
    ) -> None:
        self.rng = rng
        self.profile = profile
        self.survey_gap = survey_gap_days * _DAY
        self.total = total
        self.touches_per_contact = touches_per_contact
        self.tag_ids = tag_ids
        self.questions = tuple(questions)
        self.currency = currency
        self.now_ts = math.floor(now.timestamp())
        self.today = datetime.fromtimestamp(self.now_ts, UTC).date()
        self.oldest_ts = self.now_ts - HISTORY_DAYS * _DAY
        self.first_contact_id = _next_id(session, Contact)
        self.ids: dict[type[Base], int] = {
            model: _next_id(session, model) for model in _TABLES if model is not ContactTag
        }
        self.counts = _Counts()
        self.batch = _Batch()
        self.coi_ids: list[int] = []
        # Seeded from the sample's stream without drawing from it.
        self.number_rng = random.Random(hash(rng.getstate()))
        #: The digits of every phone number in the database, so none is given twice.
        self.numbers: set[str] = {
            "".join(ch for ch in number if ch.isdigit())
            for number in session.scalars(select(ContactPhone.number))
        }
        self.recent_companies: list[_Company] = []
        if profile is not None:
            self.countries = tuple(c for c in _COUNTRIES if c.name == profile.country)
            self.products = profile.products
            self.company_share = profile.companies
        else:
            self.countries, self.products, self.company_share = _COUNTRIES, _GENERIC_PRODUCTS, 0.9
        self.country_weights = [c.weight for c in self.countries]
        self.trades = (profile.trades if profile is not None else ()) or _TRADES
        self.product_weights = list(itertools.accumulate(p.weight for p in self.products))
        self.product_names = tuple(p.name.lower() for p in self.products)
        self.regular = regular or Regular()
        # The follow-up history draws from a stream of its own (seeded from the sample's
        # without drawing from it), so the rest of the sample is as it was without it.
        self.habit_rng = random.Random(hash(rng.getstate()[1]) ^ 0x5EED)
        #: The 100-day plan's steps, in order: (id, day, title, medium).
        self.plan_steps: list[tuple[int, int, str, str | None]] = [
            (int(i), int(day), str(title), medium)
            for i, day, title, medium in session.execute(
                select(PlanStep.id, PlanStep.day_offset, PlanStep.title, PlanStep.medium).order_by(
                    PlanStep.position, PlanStep.id
                )
            )
        ]

        self.stage_ids = [s.id for s in stages]
        self.stage_roles = [frozenset(s.roles) for s in stages]
        self.stage_cadence = [s.cadence_days for s in stages]
        self.stage_dwell = [s.dwell_days for s in stages]
        n = len(stages)
        # A funnel: each stage holds a fixed fraction of the one before, with the last stage
        # about a third of the first whatever the number of stages.
        ratio = 0.35 ** (1 / (n - 1)) if n > 1 else 1.0
        self.stage_cum_weights = list(itertools.accumulate(ratio**i for i in range(n)))
        # Where the journey rules put a sale, regular buying and qualification (roles for a
        # model without rules), so the history is written the way the rules read it.
        self.purchase_index = (
            rules.sale
            if rules is not None and rules.sale is not None
            else next(
                (i for i, roles in enumerate(self.stage_roles) if StageRole.PURCHASE in roles),
                n // 2,
            )
        )
        self.loyal_index = (
            rules.regular
            if rules is not None and rules.regular is not None
            else next(
                (i for i, roles in enumerate(self.stage_roles) if StageRole.LOYAL in roles), n
            )
        )
        self.qualified_index = rules.qualified if rules is not None else None
        # Suitable mediums, best first, weighted 4:3:2:1 so the first is the most common.
        self.stage_mediums: list[tuple[Medium, ...]] = []
        for s in stages:
            weighted = [m for rank, m in enumerate(s.mediums[:4]) for _ in range(4 - rank)]
            self.stage_mediums.append(tuple(weighted) or _ANY_MEDIUM)

    def _id(self, model: type[Base]) -> int:
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    def _add(self, model: type[Base], row: _Row) -> None:
        self.batch.rows[model].append(row)

    def _fill(self, pattern: str, rng: random.Random | None = None) -> str:
        """A phone number or postal code from a pattern: ``#`` a digit, ``@`` a letter."""
        random = (rng or self.rng).random
        out = []
        for ch in pattern:
            if ch == "#":
                out.append(_DIGITS[int(random() * 10)])
            elif ch == "@":
                out.append(_LETTERS[int(random() * 26)])
            else:
                out.append(ch)
        return "".join(out)

    def _office_hours(self, ts: int) -> int:
        """Map a moment onto the same day's opening hours, keeping the order of moments."""
        offset = ts % _DAY
        return min(ts - offset + _OPENS + offset * _OPEN_HOURS // 24, self.now_ts)

    def _moment(self, low: int, high: int) -> int:
        return self._office_hours(self.rng.randint(low, high))

    def contact(self, index: int) -> int:
        """Queue one contact's rows, from being added until today; returns its id."""
        rng = self.rng
        cid = self._id(Contact)
        # Contacts were added steadily over the history, in id order, so a referrer (an
        # earlier id) was always added before the people it referred.
        span = self.now_ts - _DAY - self.oldest_ts
        added_raw = self.oldest_ts + int(span * (index + rng.random()) / self.total)
        added = self._office_hours(added_raw)
        age_days = (self.now_ts - added) / _DAY

        journey = self._journey(cid, added_raw, age_days)
        # Without a journey model, "customer" cannot come from the stage.
        customer_chance = 0.3 if not self.stage_ids else float(journey.stage >= self.purchase_index)
        is_customer = rng.random() < customer_chance
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        company = self._company()
        country, street, city, region, postal_code = self._address(company)
        self._emails(cid, first, last, company, country)
        self._phones(cid, country)
        centre_of_influence, referred_by = self._referral(cid)
        self._key_dates(cid, company)
        self._tags(cid, journey.stage, is_customer=is_customer, coi=centre_of_influence)
        seasonal = (
            is_customer
            and self.profile is not None
            and rng.random() < self.profile.seasonal_share
            and journey.stage < self.loyal_index
        )
        if is_customer:
            first_purchase, seasonal = self._purchases(cid, journey, added_raw, seasonal=seasonal)
            if self.questions and rng.random() < 0.35:
                self._feedback(cid, first_purchase, happy=journey.stage >= self.loyal_index)
        last_touch = self._touches(cid, journey, added_raw, age_days)
        do_not_contact = rng.random() < 0.02
        # Contacts marked do-not-contact never get reminders (docs/domain.md §3).
        next_followup_on = None if do_not_contact else self._followups(cid, added)
        if not do_not_contact:
            self._followup_history(cid, added)
            if is_customer:
                self._plan(cid, first_purchase)

        criteria = self._criteria(journey.stage, is_customer=is_customer)
        notes = ""
        if rng.random() < 0.3:
            notes = rng.choice(_NOTES).format(product=rng.choice(self.product_names))
        self._add(
            Contact,
            {
                "id": cid,
                "name": f"{first} {last}",
                "company": company.name if company else "",
                "title": rng.choice(_TITLES) if company else "",
                "street": street,
                "city": city,
                "region": region,
                "postal_code": postal_code,
                "country": country.name,
                "notes": notes,
                "stage_id": self.stage_ids[journey.path[-1]] if journey.path else None,
                "stage_entered_at": _utc(journey.change_ts[-1]) if journey.path else None,
                "referred_by_id": referred_by,
                "centre_of_influence": centre_of_influence,
                "do_not_contact": do_not_contact,
                "sample": True,
                "has_need": criteria[0],
                "has_budget": criteria[1],
                "has_urgency": criteria[2],
                "is_decision_maker": criteria[3],
                "cadence_days": rng.choice((7, 14, 30, 60)) if rng.random() < 0.02 else None,
                # A seasonal buyer is expected once a year (marked by hand, as an owner would).
                "purchase_interval_days": 365
                if seasonal
                else (
                    rng.choice((30, 60, 120, 180)) if is_customer and rng.random() < 0.05 else None
                ),
                "last_touch_at": _utc(last_touch[0]) if last_touch else None,
                "last_touch_medium": last_touch[1] if last_touch else None,
                "next_followup_on": next_followup_on,
                "created_at": _utc(added),
                "updated_at": _utc(journey.change_ts[-1]),
                "deleted_at": None,
            },
        )
        return cid

    def _key_dates(self, cid: int, company: _Company | None) -> None:
        """Birthdays for some, now and then another occasion worth a card."""
        rng = self.rng
        dates: list[tuple[str, str]] = []
        if rng.random() < 0.3:
            dates.append(("birthday", ""))
        if rng.random() < 0.05:
            dates.append(("occasion", "Business anniversary" if company else "Wedding anniversary"))
        for kind, label in dates:
            year = rng.randint(1950, 2000) if kind == "birthday" else rng.randint(2000, 2020)
            on = date(year, rng.randint(1, 12), rng.randint(1, 28))
            self._add(
                KeyDate,
                {
                    "id": self._id(KeyDate),
                    "contact_id": cid,
                    "kind": kind,
                    "label": label,
                    "on": on,
                },
            )

    def _criteria(self, stage: int, *, is_customer: bool) -> tuple[bool, bool, bool, bool]:
        """The four qualification checks, as the rules expect them at this stage: three or
        more from the qualifying stage on, at most two before it."""
        rng = self.rng
        chance = 0.9 if stage >= 1 or is_customer else 0.45
        ticks = [rng.random() < chance for _ in range(4)]
        if self.qualified_index is None or is_customer:
            return ticks[0], ticks[1], ticks[2], ticks[3]
        if stage >= self.qualified_index:
            while sum(ticks) < 3:
                ticks[rng.randrange(4)] = True
        else:
            while sum(ticks) > 2:
                ticks[rng.randrange(4)] = False
        return ticks[0], ticks[1], ticks[2], ticks[3]

    def _journey(self, cid: int, added_raw: int, age_days: float) -> _Journey:
        """Choose the contact's stage, and write the moves that led there."""
        rng = self.rng
        added = self._office_hours(added_raw)
        n_stages = len(self.stage_ids)
        if not n_stages:
            return _Journey(-1, [], [added], [], self.now_ts)
        stage = rng.choices(range(n_stages), cum_weights=self.stage_cum_weights)[0]
        stage = min(stage, int(age_days) // 10)  # moving on takes time
        path = list(range(stage + 1))
        # Now and then a contact got one stage further and slipped back (never back out of
        # buying: someone who has bought stays a customer).
        if stage < n_stages - 1 and stage + 1 != self.purchase_index and rng.random() < 0.06:
            path += [stage + 1, stage]
        # Some customers stopped buying long ago: their whole journey is old history, and
        # they are inactive now (someone to win back, or to leave alone).
        lost = stage >= self.purchase_index and age_days > _LOST_AFTER + 60 and rng.random() < 0.2
        until = self.now_ts - _LOST_AFTER * _DAY if lost else self.now_ts
        change_ts = [added, *sorted(self._moment(added_raw, until) for _ in path[1:])]
        # Most moves into the current stage are recent enough not to be stuck there yet.
        dwell = self.stage_dwell[path[-1]]
        if len(path) > 1 and dwell and not lost and rng.random() < _MOVED_LATELY:
            since = max(change_ts[-2], self.now_ts - dwell * _DAY)
            change_ts[-1] = max(change_ts[-1], self._moment(since, self.now_ts))
        buying: list[tuple[int, StageRole]] = []
        buying_ends = until
        for step, position in enumerate(path):
            roles = self.stage_roles[position]
            role = next((r for r in _BUYING_ROLES if r in roles), None)
            after = next((r for r in _AFTER_BUYING_ROLES if r in roles), None)
            if step == 0:
                reason, automatic = "Added", True
            elif position < path[step - 1]:
                reason, automatic = rng.choice(_BACKWARD_REASONS), False
            elif role is not None:
                # As the purchase automation would have moved them (docs/domain.md §4).
                reason, automatic = _ROLE_REASONS[role], True
                buying.append((change_ts[step], role))
            elif after is not None:
                reason, automatic = _ROLE_REASONS[after], False
                buying_ends = min(buying_ends, change_ts[step])
            else:
                reason, automatic = rng.choice(_FORWARD_REASONS), False
            if position == self.purchase_index and not buying:
                # A customised model without a purchase role: buying still starts here.
                buying.append((change_ts[step], StageRole.PURCHASE))
            self._add(
                StageChange,
                {
                    "id": self._id(StageChange),
                    "contact_id": cid,
                    "from_stage_id": self.stage_ids[path[step - 1]] if step else None,
                    "to_stage_id": self.stage_ids[position],
                    "changed_at": _utc(change_ts[step]),
                    "automatic": automatic,
                    "reason": reason,
                },
            )
        self.counts.stage_changes += len(path)
        return _Journey(stage, path, change_ts, buying, buying_ends)

    def _company(self) -> _Company | None:
        rng = self.rng
        if rng.random() >= self.company_share:
            return None  # a private customer
        if rng.random() < 0.17 and self.recent_companies:
            return rng.choice(self.recent_companies)  # a colleague of an earlier contact
        last = rng.choice(_LAST_NAMES)
        pattern = rng.randrange(6)
        if pattern == 0:
            name = f"{last} & {rng.choice(('Sons', 'Daughters', 'Co.', rng.choice(_LAST_NAMES)))}"
        elif pattern == 1:
            name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {rng.choice(self.trades)}"
        elif pattern == 2:
            name = f"{rng.choice(_PLACE_WORDS)} {rng.choice(self.trades)}"
        elif pattern == 3:
            name = f"{last} {rng.choice(self.trades)}"
        elif pattern == 4:
            name = f"The {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
        else:
            name = f"{rng.choice(_NOUNS)} & {rng.choice(_NOUNS)}"
        country = rng.choices(self.countries, self.country_weights)[0]
        city, region = rng.choice(country.cities)
        company = _Company(
            name=name,
            domain=_domain_for(name, country.tld),
            country=country,
            city=city,
            region=region,
            street=self._street(country),
            postal_code=self._fill(country.postal),
        )
        self.recent_companies.append(company)
        if len(self.recent_companies) > 40:
            del self.recent_companies[0]
        return company

    def _street(self, country: _Country) -> str:
        street, number = self.rng.choice(country.streets), self.rng.randint(1, 240)
        return f"{number} {street}" if country.number_first else f"{street} {number}"

    def _address(self, company: _Company | None) -> tuple[_Country, str, str, str, str]:
        """(country, street, city, region, postal code): the company's, or a home address."""
        rng = self.rng
        if company is None:
            country = rng.choices(self.countries, self.country_weights)[0]
            city, region = rng.choice(country.cities)
            street, postal_code = self._street(country), self._fill(country.postal)
        else:
            country, city, region = company.country, company.city, company.region
            street, postal_code = company.street, company.postal_code
        if rng.random() < 0.08:
            return country, "", "", "", ""  # only the country is known
        return country, street, city, region, postal_code

    def _emails(
        self, cid: int, first: str, last: str, company: _Company | None, country: _Country
    ) -> None:
        rng = self.rng
        f, la = _FIRST_SLUGS[first], _LAST_SLUGS[last]
        personal_user = rng.choice((f"{f}.{la}", f"{f}{la}", f"{f[0]}{la}", f"{la}.{f}"))
        if rng.random() < 0.4:
            personal_user += str(rng.randint(1, 99))
        personal = f"{personal_user}@{rng.choice(country.mail_domains)}"
        addresses: list[tuple[str, str]]
        if company is None:
            addresses = [("home", personal)]
            if rng.random() < 0.15:
                other = f"{f}{rng.randint(1, 99)}@{rng.choice(country.mail_domains)}"
                addresses.append(("other", other))
        else:
            work_user = rng.choice((f"{f}.{la}", f, f"{f[0]}.{la}", f"{f}{la[0]}"))
            addresses = [("work", f"{work_user}@{company.domain}")]
            if rng.random() < 0.35:
                addresses.append(("home", personal))
        for position, (label, address) in enumerate(addresses):
            self._add(
                ContactEmail,
                {
                    "id": self._id(ContactEmail),
                    "contact_id": cid,
                    "label": label,
                    "address": address,
                    "position": position,
                },
            )

    def _phones(self, cid: int, country: _Country) -> None:
        rng = self.rng
        for position in range(rng.choices((0, 1, 2), (20, 55, 25))[0]):
            number = self._new_number(country)
            if number is None:
                break
            self._add(
                ContactPhone,
                {
                    "id": self._id(ContactPhone),
                    "contact_id": cid,
                    "label": rng.choice(("mobile", "work", "mobile", "home")),
                    "number": number,
                    "position": position,
                },
            )

    def _new_number(self, country: _Country) -> str | None:
        """A number no other contact has (the example ranges are small; two people sharing a
        number would look like duplicates), or None once the country's ranges run out.

        The first try draws from the sample's own random stream as it always has, so the rest
        of a seeded sample stays the same; tries after a clash draw from a stream of their own.
        """
        number = self._fill(country.phones[0])
        for _attempt in range(20):
            key = "".join(ch for ch in number if ch.isdigit())
            if key not in self.numbers:
                self.numbers.add(key)
                return number
            number = self._fill(self.number_rng.choice(country.phones), self.number_rng)
        return None

    def _referral(self, cid: int) -> tuple[bool, int | None]:
        """(is a centre of influence, referred by whom)."""
        rng = self.rng
        centre_of_influence = rng.random() < 0.03
        referred_by: int | None = None
        if cid > self.first_contact_id and rng.random() < 0.10:
            # Centres of influence refer many people each; anyone else now and then.
            if self.coi_ids and rng.random() < 0.5:
                referred_by = rng.choice(self.coi_ids)
            else:
                referred_by = rng.randrange(self.first_contact_id, cid)
        if centre_of_influence:
            self.coi_ids.append(cid)
        return centre_of_influence, referred_by

    def _tags(self, cid: int, stage: int, *, is_customer: bool, coi: bool) -> None:
        rng = self.rng
        tags = [name for name, chance in _TAGS if rng.random() < chance]
        if rng.random() < (0.4 if stage >= self.loyal_index else 0.02):
            tags.append(_VIP)
        if rng.random() < (0.7 if coi else 0.01):
            tags.append(_REFERRAL_PARTNER)
        if not is_customer and rng.random() < 0.1:
            tags.append(_SAMPLE_SENT)
        for name in tags:
            self._add(ContactTag, {"contact_id": cid, "tag_id": self.tag_ids[name]})
        self.counts.tags += len(tags)

    def _seasonal_moment(self, low: int, high: int) -> int:
        """A moment between ``low`` and ``high``, more likely in the business's busy months."""
        rng = self.rng
        weights = self.profile.seasonality if self.profile is not None else None
        if weights is None or high <= low:
            return self._moment(low, high)
        top = max(weights)
        for _ in range(4):
            ts = rng.randint(low, high)
            if rng.random() * top <= weights[_utc(ts).month - 1]:
                return self._office_hours(ts)
        return self._moment(low, high)

    def _in_season(self, low: int, high: int) -> list[int]:
        """One moment in the profile's season in each year between ``low`` and ``high``."""
        assert self.profile is not None
        rng = self.rng
        out = []
        for year in range(_utc(low).year, _utc(high).year + 1):
            month = rng.choice(self.profile.season_months)
            start = datetime(year, month, 1, tzinfo=UTC)
            ts = math.floor(start.timestamp()) + rng.randrange(27) * _DAY + rng.randrange(_DAY)
            if low <= ts <= high:
                out.append(self._office_hours(ts))
        return out

    def _purchases(
        self, cid: int, journey: _Journey, added_raw: int, *, seasonal: bool = False
    ) -> tuple[int, bool]:
        """One purchase on the day of each buying move, more for repeat buyers: a product
        bought regularly (a subscription, a service) comes back at its interval, others now
        and then, in the business's busy months. A contact at the regular-buying stage has
        bought at least as often as the rules ask. A seasonal customer buys only in season.

        Returns when the first purchase was made, and whether the customer is seasonal (not
        when no season fell in their time as a customer).
        """
        rng = self.rng
        buying = list(journey.buying) or [
            (self._seasonal_moment(added_raw, self.now_ts), StageRole.PURCHASE)
        ]
        first = buying[0][0]
        last = max(first, journey.buying_ends)
        n_products = len(self.products)

        def pick() -> int:
            return rng.choices(range(n_products), cum_weights=self.product_weights)[0]

        purchases: list[tuple[int, int]] = []
        moments = self._in_season(added_raw, self.now_ts) if seasonal else []
        seasonal = bool(moments)
        if seasonal:
            product = pick()
            purchases = [(ts, product) for ts in moments]
        else:
            bought: list[int] = []
            for ts, role in buying:
                if role is StageRole.REPURCHASE and bought:
                    product = bought[0]
                elif role is StageRole.CROSS_PURCHASE and bought and n_products > 1:
                    product = rng.choice([p for p in range(n_products) if p not in bought])
                else:
                    product = pick()
                bought.append(product)
                purchases.append((ts, product))
            loyal = journey.stage >= self.loyal_index
            # Regular products come back at their interval for a while.
            for product in dict.fromkeys(bought):
                every = self.products[product].every_days
                if every is None:
                    continue
                stop = last if rng.random() < 0.7 else rng.randint(first, last)
                ts = purchases[bought.index(product)][0] + every * _DAY
                while ts <= stop and len(purchases) < 30:
                    purchases.append((self._office_hours(ts), product))
                    ts += int(every * (0.8 + 0.4 * rng.random())) * _DAY
            repeats = _geometric(rng, 2.5 if loyal else 0.6)
            if loyal:
                # Regular buying made them loyal: enough purchases within one window.
                repeats = max(repeats, self.regular.purchases - len(purchases))
                window = self.regular.window_days * _DAY
                low = max(first, last - window + _DAY)
            else:
                low = first
            purchases.extend(
                (self._seasonal_moment(low, last), pick()) for _ in range(max(repeats, 0))
            )
        purchases.sort()
        for ts, product in purchases:
            item = self.products[product]
            cents = rng.randrange(item.low, item.high + 1, 50)
            if rng.random() < 0.3:
                cents -= 1  # the occasional .49 or .99 price
            self._add(
                Purchase,
                {
                    "id": self._id(Purchase),
                    "contact_id": cid,
                    "purchased_on": _utc(ts).date(),
                    "product": item.name,
                    "amount": _cents(cents),
                    "currency": self.currency,
                    "note": "Paid by bank transfer" if rng.random() < 0.15 else "",
                    "created_at": _utc(ts),
                },
            )
        self.counts.purchases += len(purchases)
        return purchases[0][0], seasonal

    def _touches(
        self, cid: int, journey: _Journey, added_raw: int, age_days: float
    ) -> tuple[int, str] | None:
        """Write the touches; returns (when, medium) of the newest, if any.

        This loop makes nine rows in ten of a big demo, so it draws from ``random()`` directly
        (``choice`` and ``randint`` cost several times more) and keeps everything in locals.
        """
        random = self.rng.random
        # A contact known for two years has had about three times as many touches as one
        # added last month; over all contacts the mean stays ``touches_per_contact``.
        count = _geometric(self.rng, self.touches_per_contact * (0.5 + age_days / HISTORY_DAYS))
        # An owner who keeps Touchbase mostly keeps up: most contacts were last touched within
        # their stage's cadence, so Today shows a day's work rather than everyone.
        path = journey.path
        cadence = self.stage_cadence[path[-1]] if path else None
        kept_up = bool(cadence) and self.touches_per_contact > 0 and random() < _KEPT_UP
        count = max(count, int(kept_up))
        if not count:
            return None
        now_ts, span = self.now_ts, self.now_ts - added_raw + 1
        moments = []
        for _ in range(count):
            raw = added_raw + int(random() * span)
            offset = raw % _DAY  # onto opening hours, as in _office_hours
            moments.append(min(raw - offset + _OPENS + offset * _OPEN_HOURS // 24, now_ts))
        moments.sort()
        change_ts, stage_ids = journey.change_ts, self.stage_ids
        if kept_up and cadence:
            recent = now_ts - int(random() * cadence * _DAY)
            moments[-1] = max(self._office_hours(max(recent, added_raw)), moments[-1])
        rows = self.batch.rows[Touch]
        first_id = self.ids[Touch]
        self.ids[Touch] = first_id + count
        at = 0
        medium = Medium.EMAIL
        for touch_id, ts in enumerate(moments, start=first_id):
            while at + 1 < len(change_ts) and change_ts[at + 1] <= ts:
                at += 1
            # Mostly what suits the stage they were at, sometimes anything.
            mediums = self.stage_mediums[path[at]] if path and random() < 0.75 else _ANY_MEDIUM
            medium = mediums[int(random() * len(mediums))]
            outbound_texts, inbound_texts, outcomes = _TOUCH_TEXT[medium]
            inbound = random() < _INBOUND_CHANCE[medium]
            texts = inbound_texts if inbound else outbound_texts
            summary = texts[int(random() * len(texts))]
            if "{" in summary:
                summary = summary.format(product=self.rng.choice(self.product_names))
            when = _utc(ts)
            rows.append(
                {
                    "id": touch_id,
                    "contact_id": cid,
                    "medium": medium.value,
                    "direction": "inbound" if inbound else "outbound",
                    "occurred_at": when,
                    "summary": summary,
                    "notes": self.rng.choice(_TOUCH_NOTES) if random() < 0.08 else "",
                    "outcome": outcomes[int(random() * len(outcomes))],
                    "stage_id": stage_ids[path[at]] if path else None,
                    "created_at": when,
                }
            )
        self.counts.touches += count
        return moments[-1], medium.value

    def _feedback(self, cid: int, after_ts: int, *, happy: bool) -> None:
        rng = self.rng
        mood = rng.choices((5, 4, 3, 2), (45, 35, 15, 5) if happy else (25, 40, 23, 12))[0]
        forms = 1 if rng.random() < 0.8 else 2
        moments = sorted(self._moment(after_ts, self.now_ts) for _ in range(forms))
        # Never asked twice within the survey gap (the app warns against over-surveying).
        moments = [
            ts for i, ts in enumerate(moments) if i == 0 or ts - moments[0] > self.survey_gap
        ]
        # Some are asked again later (from a stream of its own, so the rest of the sample is
        # as it was): the owner acted on most answers, and now and then a customer cooled.
        again = self.habit_rng
        if (
            len(moments) == 1
            and moments[0] + self.survey_gap < self.now_ts - _DAY
            and again.random() < 0.5
        ):
            low = moments[0] + self.survey_gap + _DAY
            moments.append(self._office_hours(low + int(again.random() * (self.now_ts - low))))
        for n, ts in enumerate(moments):
            feedback_id = self._id(Feedback)
            draw = rng if n < forms else again
            if n >= forms:
                mood = max(1, min(5, mood - 1 + again.choice((-2, -1, 0, 1, 1, 1))))
            scores = [min(5, max(1, mood + draw.choice((-1, 0, 0, 0, 1)))) for _ in self.questions]
            mean = sum(scores) / len(scores)
            level = (
                "highly_satisfied" if mean >= 4.5 else "satisfied" if mean >= 3 else "dissatisfied"
            )
            received = _utc(ts)
            self._add(
                Feedback,
                {
                    "id": feedback_id,
                    "contact_id": cid,
                    "received_on": received.date(),
                    "comment": draw.choice(_COMMENTS[level]) if draw.random() < 0.8 else "",
                    "level": level,
                    "created_at": received,
                },
            )
            for position, (question, score) in enumerate(zip(self.questions, scores, strict=True)):
                self._add(
                    FeedbackAnswer,
                    {
                        "id": self._id(FeedbackAnswer),
                        "feedback_id": feedback_id,
                        "position": position,
                        "question": question,
                        "score": score,
                    },
                )
            self.counts.feedback += 1
            mood = min(5, mood + 1)  # the owner acted on the first answers

    def _followups(self, cid: int, added: int) -> date | None:
        rng = self.rng
        if rng.random() >= 0.05:
            return None
        due_dates = []
        # Due from 20 days ago to two weeks ahead, but never before the contact was added.
        earliest = max(-20, (_utc(added).date() - self.today).days)
        for _ in range(1 if rng.random() < 0.75 else 2):
            due = self.today + timedelta(days=rng.randint(earliest, 14))
            reason, medium = rng.choice(_FOLLOWUP_REASONS)
            created = max(added, self._moment(self.now_ts - 40 * _DAY, self.now_ts - 21 * _DAY))
            self._add_followup(
                cid,
                due,
                reason=reason,
                medium=medium.value,
                source=FollowupSource.MANUAL,
                status=FollowupStatus.OPEN,
                created=created,
            )
            due_dates.append(due)
        self.counts.followups += len(due_dates)
        return min(due_dates)

    def _add_followup(
        self,
        cid: int,
        due: date,
        *,
        reason: str,
        medium: str | None,
        source: FollowupSource,
        status: FollowupStatus,
        created: int,
        plan_step_id: int | None = None,
        completed: int | None = None,
    ) -> None:
        """One follow-up row (``created`` and ``completed`` as Unix seconds)."""
        self._add(
            Followup,
            {
                "id": self._id(Followup),
                "contact_id": cid,
                "due_on": due,
                "reason": reason,
                "source": source.value,
                "status": status.value,
                "snoozed_until": None,
                "plan_step_id": plan_step_id,
                "suggested_medium": medium,
                "completed_at": _utc(completed) if completed is not None else None,
                "notified_at": None,
                "created_at": _utc(created),
            },
        )

    def _done_at(self, day: date) -> int:
        """A moment in the opening hours of ``day`` (never after now)."""
        start = math.floor(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
        return self._office_hours(start + int(self.habit_rng.random() * (_DAY - 1)))

    def _past_followup(
        self,
        cid: int,
        due: date,
        created: int,
        outcome: float,
        *,
        reason: str,
        medium: str | None,
        source: FollowupSource,
        plan_step_id: int | None = None,
    ) -> None:
        """A follow-up that fell due on ``due`` (or falls due later, then open). ``outcome``
        in [0, 1) says how it went: below 0.6 done on the day or a little before, below 0.82
        done some days late, below 0.9 dropped (cancelled), else still open."""
        rng = self.habit_rng
        status, completed = FollowupStatus.OPEN, None
        if due < self.today:
            if outcome < 0.6:
                day = max(due - timedelta(days=int(rng.random() * 3)), _utc(created).date())
                status, completed = FollowupStatus.DONE, self._done_at(min(day, due))
            elif outcome < 0.82:
                late = due + timedelta(days=1 + int(rng.random() * rng.choice((4, 10, 25))))
                if late <= self.today:
                    status, completed = FollowupStatus.DONE, self._done_at(late)
            elif outcome < 0.9:
                status = FollowupStatus.CANCELLED
        if completed is not None:
            # Never done before it was set (a few minutes after, on the day it was set).
            completed = min(max(completed, created + 600), self.now_ts)
        self._add_followup(
            cid,
            due,
            reason=reason,
            medium=medium,
            source=source,
            status=status,
            created=created,
            plan_step_id=plan_step_id,
            completed=completed,
        )
        self.counts.followups += 1

    def _followup_history(self, cid: int, added: int) -> None:
        """Follow-ups of the past year set by hand: most done on the day, some late, a few
        dropped, and of the last weeks' a few still open (overdue)."""
        rng = self.habit_rng
        if rng.random() >= _FOLLOWUP_HISTORY_SHARE:
            return
        added_day = _utc(added).date()
        for _ in range(rng.choice((1, 1, 2, 3))):
            ago = 1 + int(rng.random() * 364)
            due = self.today - timedelta(days=ago)
            if due <= added_day + timedelta(days=2):
                continue
            reason, medium = rng.choice(_FOLLOWUP_REASONS)
            set_on = max(added, self.now_ts - (ago + 3 + int(rng.random() * 20)) * _DAY)
            outcome = rng.random()
            # Left open only lately: an old one still open would have been dealt with.
            if outcome >= 0.9 and ago > 45:
                outcome = 0.6 + rng.random() * 0.22
            self._past_followup(
                cid,
                due,
                self._office_hours(set_on),
                outcome,
                reason=reason,
                medium=medium.value,
                source=FollowupSource.MANUAL,
            )

    def _plan(self, cid: int, first_purchase: int) -> None:
        """The 100-day plan of a customer whose first purchase was in the last five months,
        as ``db.followups.start_plan`` starts it: the early steps mostly done on time, the
        later ones slipping more often."""
        first_day = _utc(first_purchase).date()
        if not self.plan_steps or (self.today - first_day).days > _PLAN_HISTORY_DAYS:
            return
        rng = self.habit_rng
        # Some owners keep every plan; others let the later steps go.
        keen = rng.random()
        for step_id, offset, title, medium in self.plan_steps:
            outcome = rng.random() * (0.75 + 0.25 * offset / 100 + 0.25 * (1 - keen))
            self._past_followup(
                cid,
                first_day + timedelta(days=offset),
                first_purchase,
                min(outcome, 0.999),
                reason=title,
                medium=medium,
                source=FollowupSource.PLAN,
                plan_step_id=step_id,
            )


# --- Templates and tags -------------------------------------------------------------------------


def _ensure_templates(session: Session) -> list[str]:
    """Seed the feedback questions and the 100-day plan if empty; return the active questions."""
    if not session.scalar(select(func.count()).select_from(FeedbackQuestion)):
        first = _next_id(session, FeedbackQuestion)
        session.execute(
            insert(_table(FeedbackQuestion)),
            [
                {"id": first + i, "position": i, "text": text, "active": True}
                for i, text in enumerate(DEFAULT_FEEDBACK_QUESTIONS)
            ],
        )
    if not session.scalar(select(func.count()).select_from(PlanStep)):
        first = _next_id(session, PlanStep)
        session.execute(
            insert(_table(PlanStep)),
            [
                {
                    "id": first + i,
                    "position": i,
                    "day_offset": day,
                    "title": title,
                    "medium": medium.value,
                    "script": script,
                    "phase": phase,
                }
                for i, (day, title, medium, script, phase) in enumerate(DEFAULT_PLAN_STEPS)
            ],
        )
    # Answers follow whatever survey the owner has set up (at most five questions).
    return list(
        session.scalars(
            select(FeedbackQuestion.text)
            .where(FeedbackQuestion.active.is_(True))
            .order_by(FeedbackQuestion.position, FeedbackQuestion.id)
            .limit(5)
        )
    )


def _ensure_tags(session: Session) -> dict[str, int]:
    # Tag names compare without case (the column is NOCASE), so an owner's "VIP" is reused.
    existing = {
        name.casefold(): tag_id
        for tag_id, name in session.execute(select(Tag.id, Tag.name).where(Tag.name.in_(TAG_NAMES)))
    }
    missing = [name for name in TAG_NAMES if name.casefold() not in existing]
    if missing:
        first = _next_id(session, Tag)
        new_ids = {name: first + i for i, name in enumerate(missing)}
        session.execute(
            insert(_table(Tag)), [{"id": tag_id, "name": name} for name, tag_id in new_ids.items()]
        )
        existing.update(new_ids)
    return {name: existing[name.casefold()] for name in TAG_NAMES}


# --- The entry point ----------------------------------------------------------------------------


def _choose_model(session: Session, key: str, *, has_contacts: bool) -> None:
    found = session.scalar(select(JourneyModel.key).where(JourneyModel.key == key))
    if found is None:
        raise ValueError(f"Unknown journey model {key!r}.")
    if settings.get(session, settings.ACTIVE_MODEL) == key:
        return
    if has_contacts:
        raise SampleDataRefusedError(
            "Contacts already stand on another journey model; switch models in Settings first."
        )
    settings.put(session, settings.ACTIVE_MODEL, key)


def generate(
    database: Database,
    *,
    contacts: int = 250,
    seed: int = 0,
    touches_per_contact: float = 10.0,
    now: datetime | None = None,
    progress: Callable[[int, int], bool] | None = None,
    profile: str | None = DEFAULT_PROFILE,
    model: str | None = None,
    add_to_existing: bool = True,
) -> DemoSummary:
    """Add ``contacts`` made-up contacts, with their whole history, in one transaction.

    ``progress(done, total)`` is called after every batch (at least every 2% of the contacts)
    and at the end; when it returns False, ``DemoCancelledError`` is raised and nothing is
    written. The same ``seed`` and ``now`` (an aware datetime, default the current time) give
    the same data on the same database.

    ``profile`` names the business (``PROFILES``; None: a mix of everything); on a database
    without sales whose owner has not chosen a currency, it also sets the currency.
    ``model`` picks the active journey model of a database without contacts. Without
    ``add_to_existing``, a database that already has contacts is refused
    (``SampleDataRefusedError``). Every contact made is marked as sample data, and the
    journey rules run over the history at the end, so no stage contradicts its facts.
    """
    chosen = None
    if profile is not None:
        if profile not in PROFILES:
            raise ValueError(f"Unknown profile {profile!r}; choose one of: {', '.join(PROFILES)}.")
        chosen = PROFILES[profile]
    if not 1 <= contacts <= MAX_CONTACTS:
        raise ValueError(f"The number of contacts must be between 1 and {MAX_CONTACTS:,}.")
    if not 0 <= touches_per_contact <= MAX_TOUCHES_PER_CONTACT:  # also refuses NaN
        raise ValueError(
            "The average number of touches per contact must be between 0 and "
            f"{MAX_TOUCHES_PER_CONTACT:,}."
        )
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    rng = random.Random(seed)
    per_batch = max(1, min(BATCH_CONTACTS, contacts // 50))
    started = time.perf_counter()
    with database.write_session.begin() as session:
        has_contacts = session.scalar(select(Contact.id).limit(1)) is not None
        if has_contacts and not add_to_existing:
            raise SampleDataRefusedError(
                "This database already has contacts; sample data would be mixed in with them."
            )
        if model is not None:
            _choose_model(session, model, has_contacts=has_contacts)
        # The business's currency, unless the owner already chose one or has sales.
        if (
            chosen is not None
            and session.get(Setting, settings.CURRENCY.key) is None
            and session.scalar(select(Purchase.id).limit(1)) is None
        ):
            settings.put(session, settings.CURRENCY, chosen.currency)
        if progress is not None and not progress(0, contacts):
            raise DemoCancelledError
        questions = _ensure_templates(session)
        rules = automation.active_rules(session)
        generator = _Generator(
            session,
            rng,
            now=now,
            total=contacts,
            touches_per_contact=touches_per_contact,
            stages=active_stages(session),
            tag_ids=_ensure_tags(session),
            questions=questions,
            currency=settings.get(session, settings.CURRENCY),
            profile=chosen,
            rules=rules.resolved if rules is not None else None,
            regular=automation.regular_of(session),
            survey_gap_days=settings.get(session, settings.SURVEY_INTERVAL_DAYS),
        )
        for start in range(0, contacts, per_batch):
            end = min(contacts, start + per_batch)
            ids = [generator.contact(index) for index in range(start, end)]
            generator.batch.write(session)
            search.reindex(session, ids)
            derived.refresh_purchases(session, ids)
            derived.refresh_satisfaction(session, ids)
            derived.refresh_schedule(session, ids)
            if progress is not None and not progress(end, contacts):
                raise DemoCancelledError
        # The app's own rules over the generated history: whatever the random walk left
        # behind the facts (or, on the lifecycle model, off the status) moves on.
        counts = generator.counts
        counts.stage_changes += automation.conform(session, today=generator.today, now=now)
        counts.followups += automation.plan_season_followups(session, generator.today, now=now)
        counts.followups += automation.plan_key_date_followups(session, generator.today, now=now)
        summary = DemoSummary(
            contacts=contacts,
            touches=counts.touches,
            stage_changes=counts.stage_changes,
            purchases=counts.purchases,
            feedback=counts.feedback,
            followups=counts.followups,
            tags=counts.tags,
        )
    log.info(
        "added demo data in %.1f s (seed %d): %s", time.perf_counter() - started, seed, summary
    )
    return summary


# --- Removing it again --------------------------------------------------------------------------


def sample_count(database: Database) -> int:
    """How many contacts (trash included) are sample data."""
    with database.reading() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Contact).where(Contact.sample.is_(True))
            )
            or 0
        )


def remove_sample_data(database: Database) -> int:
    """Delete every sample contact with its touches, sales, feedback and follow-ups, in one
    transaction; returns how many. The owner's own contacts stay, and one that named a
    sample contact as its referrer simply no longer has one. Tags only sample contacts used
    go too. A backup is taken first."""
    backups.backup_before(database, backups.BEFORE_REMOVING_SAMPLE)
    with database.write_session.begin() as session:
        result = session.execute(delete(Contact).where(Contact.sample.is_(True)))
        session.execute(text("DELETE FROM contact_fts WHERE rowid NOT IN (SELECT id FROM contact)"))
        session.execute(delete(Tag).where(~Tag.id.in_(select(ContactTag.tag_id))))
        return int(result.rowcount)  # type: ignore[attr-defined]
