"""Contact reports."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import select

from db.engine import Database
from db.export import Cell, ExportOptions, Report, report
from db.models import Contact, Stage


@report("contact-list", "every contact with company, stage, emails, phones and tags")
def contact_list(database: Database, options: ExportOptions) -> Report:
    """A plain address list; the full contacts report with value and lifecycle comes later."""
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
