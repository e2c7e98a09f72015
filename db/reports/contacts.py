"""Contact reports."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import ROUND_HALF_UP

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from db import settings
from db.engine import Database
from db.export import Cell, ExportOptions, Report, report
from db.models import Contact, ContactEmail, ContactPhone, ContactTag, Stage, Tag


@report("contact-list", "every contact with company, stage, emails, phones and tags")
def contact_list(database: Database, options: ExportOptions) -> Report:
    """A plain address list: one row per live contact, by name."""
    from db import contacts  # noqa: PLC0415

    def rows() -> Iterator[Sequence[Cell]]:
        with database.reading() as session:
            ids = list(
                session.scalars(
                    select(Contact.id)
                    .where(Contact.deleted_at.is_(None))
                    .order_by(Contact.name, Contact.id)
                )
            )
            labels = {r[0]: r[1] for r in session.execute(select(Stage.id, Stage.label))}
        for contact_id in ids:
            c = contacts.get_contact(database, contact_id)
            yield (
                c.id,
                c.name,
                c.company,
                c.title,
                "; ".join(e.address for e in c.emails),
                "; ".join(p.number for p in c.phones),
                labels.get(c.stage_id, "") if c.stage_id else "",
                "; ".join(c.tags),
                c.city,
                c.country,
            )

    return Report(
        ("id", "name", "company", "title", "emails", "phones", "stage", "tags", "city", "country"),
        rows(),
    )


def _chunks(ids: Sequence[int], size: int = 1000) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _joined(session: Session, stmt: Select[int, str]) -> dict[int, str]:
    """contact id → "a; b; c" from (contact_id, text) rows already in order."""
    out: dict[int, list[str]] = {}
    for cid, value in session.execute(stmt):
        out.setdefault(cid, []).append(value)
    return {cid: "; ".join(values) for cid, values in out.items()}


@report(
    "contacts",
    "every contact with stage, qualification, lifecycle, satisfaction, purchases and value",
)
def contacts_report(database: Database, options: ExportOptions) -> Report:
    """One row per live contact; value figures are rounded to cents (half up) as shown in
    the app, and follow the lifecycle and value rules of ``db.lifecycle`` and ``db.value``."""
    from db import value  # noqa: PLC0415
    from db.domain import qualification  # noqa: PLC0415
    from db.feedback import Level  # noqa: PLC0415
    from db.lifecycle import Lifecycle, contact_status_sql  # noqa: PLC0415

    referrer = aliased(Contact)
    lifecycle = contact_status_sql(options.today)
    columns = (
        Contact.id,
        Contact.name,
        Contact.company,
        Stage.label,
        Contact.has_need,
        Contact.has_budget,
        Contact.has_urgency,
        Contact.is_decision_maker,
        lifecycle,
        Contact.satisfaction,
        Contact.last_touch_at,
        Contact.next_followup_on,
        Contact.purchase_count,
        Contact.lifetime_value,
        Contact.first_purchase_on,
        Contact.last_purchase_on,
        Contact.purchase_interval_days,
        referrer.name,
        Contact.do_not_contact,
    )

    def rows() -> Iterator[Sequence[Cell]]:
        with database.reading() as session:
            currency = settings.get(session, settings.CURRENCY)
            values = value.read_settings(session)
            ids = list(
                session.scalars(
                    select(Contact.id)
                    .where(Contact.deleted_at.is_(None))
                    .order_by(Contact.name, Contact.id)
                )
            )
            for chunk in _chunks(ids):
                emails = _joined(
                    session,
                    select(ContactEmail.contact_id, ContactEmail.address)
                    .where(ContactEmail.contact_id.in_(chunk))
                    .order_by(ContactEmail.contact_id, ContactEmail.position),
                )
                phones = _joined(
                    session,
                    select(ContactPhone.contact_id, ContactPhone.number)
                    .where(ContactPhone.contact_id.in_(chunk))
                    .order_by(ContactPhone.contact_id, ContactPhone.position),
                )
                tags = _joined(
                    session,
                    select(ContactTag.contact_id, Tag.name)
                    .join(Tag, Tag.id == ContactTag.tag_id)
                    .where(ContactTag.contact_id.in_(chunk))
                    .order_by(ContactTag.contact_id, Tag.name),
                )
                found = {
                    r[0]: r
                    for r in session.execute(
                        select(*columns)
                        .outerjoin(Stage, Stage.id == Contact.stage_id)
                        .outerjoin(referrer, referrer.id == Contact.referred_by_id)
                        .where(Contact.id.in_(chunk))
                    )
                }
                for cid in chunk:
                    r = found[cid]
                    predicted, at_stake = value.split_prediction(
                        value.predicted_value(
                            r[13], r[12], r[14], options.today, values, own_interval=r[16]
                        ),
                        Lifecycle(r[8]),
                        do_not_contact=bool(r[18]),
                    )
                    yield (
                        cid,
                        r[1],
                        r[2],
                        emails.get(cid, ""),
                        phones.get(cid, ""),
                        tags.get(cid, ""),
                        r[3] or "",
                        qualification(
                            has_need=r[4], has_budget=r[5], has_urgency=r[6], is_decision_maker=r[7]
                        ).label,
                        Lifecycle(r[8]).label,
                        Level(r[9]).label if r[9] else "",
                        r[10],
                        r[11],
                        r[12],
                        r[13].quantize(value.CENT, rounding=ROUND_HALF_UP),
                        predicted.quantize(value.CENT, rounding=ROUND_HALF_UP),
                        at_stake.quantize(value.CENT, rounding=ROUND_HALF_UP),
                        currency,
                        r[17] or "",
                    )

    return Report(
        (
            "id",
            "name",
            "company",
            "emails",
            "phones",
            "tags",
            "stage",
            "qualification",
            "lifecycle",
            "satisfaction",
            "last_touch",
            "next_followup",
            "purchases",
            "historic_value",
            "predicted_value",
            "value_at_stake",
            "currency",
            "referred_by",
        ),
        rows(),
    )
