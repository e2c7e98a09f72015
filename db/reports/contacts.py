"""Contact reports: every field of every live contact, as CSV (and, in ``db.vcard``, vCard).

``contacts`` carries everything a person can type about a contact, so that exporting and
importing again gives the same contacts back, followed by the figures Touchbase derives
(lifecycle, satisfaction, value). Its layout (see docs/export.md):

- ``ID``, ``Name``, ``Company``, ``Title``;
- ``Email 1``, ``Email 1 label``, ``Email 2``, ``Email 2 label``, … as many pairs as the
  contact with the most emails needs (at least one), in the contact's order; the same for
  ``Phone N`` and ``Phone N label``;
- ``Street``, ``City``, ``Region``, ``Postal code``, ``Country``, ``Notes``;
- ``Tags``: the names joined by ", " (a tag cannot contain a comma);
- ``Stage``, ``Referred by`` and ``Referred by ID``;
- flags, each "yes" or "no": ``Centre of influence``, ``Do not contact``, ``Has need``,
  ``Has budget``, ``Has urgency``, ``Decision maker``; then ``Qualification`` (derived) and
  ``Purchase interval days`` (empty: the database's setting);
- derived: ``Lifecycle``, ``Satisfaction``, ``Last touch``, ``Next follow-up``,
  ``Purchases``, ``Historic value``, ``Predicted value``, ``Value at stake``, ``Currency``.

``contact-list`` is the address-book part of the same layout.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from db import settings, value
from db.domain import qualification
from db.engine import Database
from db.export import Cell, ExportOptions, Report, local_time, neutralise, report, yes_no
from db.feedback import Level
from db.lifecycle import Lifecycle, contact_status_sql
from db.models import Contact, ContactEmail, ContactPhone, ContactTag, Stage, Tag

#: Contacts read per round of queries: their emails, phones and tags come in one query each.
CHUNK = 1000
TAG_SEPARATOR = ", "


@dataclass(frozen=True)
class ContactCard:
    """Every field a person can type about one contact, as the exports write it."""

    id: int
    name: str
    company: str
    title: str
    emails: tuple[tuple[str, str], ...]  # (address, label)
    phones: tuple[tuple[str, str], ...]  # (number, label)
    street: str
    city: str
    region: str
    postal_code: str
    country: str
    notes: str
    tags: tuple[str, ...]
    stage: str
    referred_by: str
    referred_by_id: int | None
    centre_of_influence: bool
    do_not_contact: bool
    has_need: bool
    has_budget: bool
    has_urgency: bool
    is_decision_maker: bool
    purchase_interval_days: int | None
    updated_at: datetime | None


def trashed_ids(session: Session) -> list[int]:
    """Contacts in the trash: few, read through their partial index. Reports leave their rows
    out by id, which keeps each read a single pass over its table instead of a lookup of the
    contact per row."""
    return list(session.scalars(select(Contact.id).where(Contact.deleted_at.is_not(None))))


def live_ids(session: Session) -> list[int]:
    """Every live contact, by name."""
    return list(
        session.scalars(
            select(Contact.id)
            .where(Contact.deleted_at.is_(None))
            .order_by(Contact.name, Contact.id)
        )
    )


def _most(session: Session, contact_id: InstrumentedAttribute[int]) -> int:
    """The most rows of a kind (emails, phones) any live contact has."""
    per_contact = (
        select(func.count().label("n"))
        .select_from(contact_id.class_)
        .join(Contact, Contact.id == contact_id)
        .where(Contact.deleted_at.is_(None))
        .group_by(contact_id)
        .subquery()
    )
    return int(session.scalar(select(func.max(per_contact.c.n))) or 0)


def _grouped(session: Session, stmt: Select[int, str, str]) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for cid, first, second in session.execute(stmt):
        out.setdefault(cid, []).append((first, second))
    return out


def cards(session: Session, ids: Sequence[int]) -> Iterator[ContactCard]:
    """The contacts ``ids``, in that order, read ``CHUNK`` at a time."""
    referrer = aliased(Contact)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        emails = _grouped(
            session,
            select(ContactEmail.contact_id, ContactEmail.address, ContactEmail.label)
            .where(ContactEmail.contact_id.in_(chunk))
            .order_by(ContactEmail.contact_id, ContactEmail.position, ContactEmail.id),
        )
        phones = _grouped(
            session,
            select(ContactPhone.contact_id, ContactPhone.number, ContactPhone.label)
            .where(ContactPhone.contact_id.in_(chunk))
            .order_by(ContactPhone.contact_id, ContactPhone.position, ContactPhone.id),
        )
        tags: dict[int, list[str]] = {}
        for cid, name in session.execute(
            select(ContactTag.contact_id, Tag.name)
            .join(Tag, Tag.id == ContactTag.tag_id)
            .where(ContactTag.contact_id.in_(chunk))
            .order_by(ContactTag.contact_id, Tag.name)
        ):
            tags.setdefault(cid, []).append(name)
        found = {
            r[0]: r
            for r in session.execute(
                select(
                    Contact.id,
                    Contact.name,
                    Contact.company,
                    Contact.title,
                    Contact.street,
                    Contact.city,
                    Contact.region,
                    Contact.postal_code,
                    Contact.country,
                    Contact.notes,
                    Stage.label,
                    referrer.name,
                    Contact.referred_by_id,
                    Contact.centre_of_influence,
                    Contact.do_not_contact,
                    Contact.has_need,
                    Contact.has_budget,
                    Contact.has_urgency,
                    Contact.is_decision_maker,
                    Contact.purchase_interval_days,
                    Contact.updated_at,
                )
                .outerjoin(Stage, Stage.id == Contact.stage_id)
                .outerjoin(referrer, referrer.id == Contact.referred_by_id)
                .where(Contact.id.in_(chunk))
            )
        }
        for cid in chunk:
            r = found.get(cid)
            if r is None:
                continue
            yield ContactCard(
                id=cid,
                name=r[1],
                company=r[2],
                title=r[3],
                emails=tuple(emails.get(cid, ())),
                phones=tuple(phones.get(cid, ())),
                street=r[4],
                city=r[5],
                region=r[6],
                postal_code=r[7],
                country=r[8],
                notes=r[9],
                tags=tuple(tags.get(cid, ())),
                stage=r[10] or "",
                referred_by=r[11] or "",
                referred_by_id=r[12],
                centre_of_influence=r[13],
                do_not_contact=r[14],
                has_need=r[15],
                has_budget=r[16],
                has_urgency=r[17],
                is_decision_maker=r[18],
                purchase_interval_days=r[19],
                updated_at=r[20],
            )


def _numbered(kind: str, count: int) -> tuple[str, ...]:
    return tuple(h for n in range(1, count + 1) for h in (f"{kind} {n}", f"{kind} {n} label"))


def _spread(pairs: tuple[tuple[str, str], ...], count: int) -> list[str]:
    cells = [cell for pair in pairs for cell in pair]
    return cells + [""] * (2 * count - len(cells))


ADDRESS_HEADERS = ("Street", "City", "Region", "Postal code", "Country")
FLAG_HEADERS = (
    "Centre of influence",
    "Do not contact",
    "Has need",
    "Has budget",
    "Has urgency",
    "Decision maker",
)


def _typed_cells(c: ContactCard, n_emails: int, n_phones: int) -> list[Cell]:
    """ID to Country, made final (text neutralised) so the writer passes them through."""
    text = [
        c.name,
        c.company,
        c.title,
        *_spread(c.emails, n_emails),
        *_spread(c.phones, n_phones),
        c.street,
        c.city,
        c.region,
        c.postal_code,
        c.country,
    ]
    return [c.id, *map(neutralise, text)]


def _counts(session: Session) -> tuple[int, int]:
    return max(_most(session, ContactEmail.contact_id), 1), max(
        _most(session, ContactPhone.contact_id), 1
    )


@report("contact-list", "every contact: name, company, emails, phones, address, tags and stage")
def contact_list(database: Database, options: ExportOptions) -> Report:
    """A plain address list: one row per live contact, by name."""
    with database.reading() as session:
        n_emails, n_phones = _counts(session)

    def rows() -> Iterator[Sequence[Cell]]:
        with database.reading() as session:
            for c in cards(session, live_ids(session)):
                yield (
                    *_typed_cells(c, n_emails, n_phones),
                    neutralise(TAG_SEPARATOR.join(c.tags)),
                    neutralise(c.stage),
                )

    return Report(
        (
            "ID",
            "Name",
            "Company",
            "Title",
            *_numbered("Email", n_emails),
            *_numbered("Phone", n_phones),
            *ADDRESS_HEADERS,
            "Tags",
            "Stage",
        ),
        rows(),
        prepared=True,
    )


@dataclass(frozen=True)
class _Figures:
    lifecycle: str
    satisfaction: str
    last_touch: datetime | None
    next_followup: date | None
    purchases: int
    historic: Decimal
    predicted: Decimal
    at_stake: Decimal


def _figures(
    session: Session, ids: Sequence[int], options: ExportOptions, values: value.ValueSettings
) -> dict[int, _Figures]:
    lifecycle = contact_status_sql(options.today)
    out: dict[int, _Figures] = {}
    for r in session.execute(
        select(
            Contact.id,
            lifecycle,
            Contact.satisfaction,
            Contact.last_touch_at,
            Contact.next_followup_on,
            Contact.purchase_count,
            Contact.lifetime_value,
            Contact.first_purchase_on,
            Contact.purchase_interval_days,
            Contact.do_not_contact,
        ).where(Contact.id.in_(ids))
    ):
        predicted, at_stake = value.split_prediction(
            value.predicted_value(r[6], r[5], r[7], options.today, values, own_interval=r[8]),
            Lifecycle(r[1]),
            do_not_contact=bool(r[9]),
        )
        out[r[0]] = _Figures(
            lifecycle=Lifecycle(r[1]).label,
            satisfaction=Level(r[2]).label if r[2] else "",
            last_touch=r[3],
            next_followup=r[4],
            purchases=r[5],
            historic=r[6].quantize(value.CENT, rounding=ROUND_HALF_UP),
            predicted=predicted.quantize(value.CENT, rounding=ROUND_HALF_UP),
            at_stake=at_stake.quantize(value.CENT, rounding=ROUND_HALF_UP),
        )
    return out


@report(
    "contacts",
    "every contact with every field, stage, qualification, lifecycle, satisfaction and value",
)
def contacts_report(database: Database, options: ExportOptions) -> Report:
    """One row per live contact, by name, with every field (see the module's docstring);
    value figures are rounded to cents (half up) as shown in the app, and follow the
    lifecycle and value rules of ``db.lifecycle`` and ``db.value``."""
    with database.reading() as session:
        n_emails, n_phones = _counts(session)

    def rows() -> Iterator[Sequence[Cell]]:
        with database.reading() as session:
            currency = settings.get(session, settings.CURRENCY)
            values = value.read_settings(session)
            ids = live_ids(session)
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                figures = _figures(session, chunk, options, values)
                for c in cards(session, chunk):
                    f = figures[c.id]
                    yield (
                        *_typed_cells(c, n_emails, n_phones),
                        neutralise(c.notes),
                        neutralise(TAG_SEPARATOR.join(c.tags)),
                        neutralise(c.stage),
                        neutralise(c.referred_by),
                        "" if c.referred_by_id is None else c.referred_by_id,
                        yes_no(c.centre_of_influence),
                        yes_no(c.do_not_contact),
                        yes_no(c.has_need),
                        yes_no(c.has_budget),
                        yes_no(c.has_urgency),
                        yes_no(c.is_decision_maker),
                        qualification(
                            has_need=c.has_need,
                            has_budget=c.has_budget,
                            has_urgency=c.has_urgency,
                            is_decision_maker=c.is_decision_maker,
                        ).label,
                        "" if c.purchase_interval_days is None else c.purchase_interval_days,
                        f.lifecycle,
                        f.satisfaction,
                        "" if f.last_touch is None else local_time(f.last_touch),
                        "" if f.next_followup is None else f.next_followup.isoformat(),
                        f.purchases,
                        f.historic,
                        f.predicted,
                        f.at_stake,
                        neutralise(currency),
                    )

    return Report(
        (
            "ID",
            "Name",
            "Company",
            "Title",
            *_numbered("Email", n_emails),
            *_numbered("Phone", n_phones),
            *ADDRESS_HEADERS,
            "Notes",
            "Tags",
            "Stage",
            "Referred by",
            "Referred by ID",
            *FLAG_HEADERS,
            "Qualification",
            "Purchase interval days",
            "Lifecycle",
            "Satisfaction",
            "Last touch",
            "Next follow-up",
            "Purchases",
            "Historic value",
            "Predicted value",
            "Value at stake",
            "Currency",
        ),
        rows(),
        prepared=True,
    )
