"""Sales and satisfaction reports: every purchase, every feedback form, levels by month."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from db.engine import Database
from db.export import Cell, ExportOptions, Report, report
from db.feedback import Level, change_between, levels_by_month
from db.models import Contact, Feedback, Purchase


def money(amount: Decimal) -> Decimal:
    """An amount with at least its two decimals ("100.00"), never rounded."""
    cents = amount.quantize(Decimal("0.01"))
    return cents if cents == amount else amount


@report(
    "purchases",
    "every purchase with its date, contact, product, amount and currency",
    period="the day of the purchase",
)
def purchases_report(database: Database, options: ExportOptions) -> Report:
    """Purchases of live contacts, oldest first, within --since/--until (inclusive)."""

    def rows() -> Iterator[Sequence[Cell]]:
        stmt = (
            select(
                Purchase.purchased_on,
                Purchase.id,
                Contact.id,
                Contact.name,
                Contact.company,
                Purchase.product,
                Purchase.amount,
                Purchase.currency,
                Purchase.note,
            )
            .join(Contact, Contact.id == Purchase.contact_id)
            .where(Contact.deleted_at.is_(None))
            .order_by(Purchase.purchased_on, Purchase.id)
        )
        if options.since:
            stmt = stmt.where(Purchase.purchased_on >= options.since)
        if options.until:
            stmt = stmt.where(Purchase.purchased_on <= options.until)
        with database.reading() as session:
            for r in session.execute(stmt):
                yield (*r[:6], money(r[6]), *r[7:])

    return Report(
        (
            "Date",
            "Purchase ID",
            "Contact ID",
            "Contact",
            "Company",
            "Product",
            "Amount",
            "Currency",
            "Note",
        ),
        rows(),
    )


@report(
    "satisfaction",
    "every feedback form: level, change since the previous one, scores",
    period="the day of the form",
)
def satisfaction_report(database: Database, options: ExportOptions) -> Report:
    """One row per feedback form of a live contact, oldest first, within --since/--until.

    "Previous level" is the contact's form before this one (even if older than --since);
    "Average score" is the plain average of the answered questions, to two decimals.
    """

    def rows() -> Iterator[Sequence[Cell]]:
        previous: dict[int, Level] = {}
        stmt = (
            select(Feedback, Contact.name)
            .join(Contact, Contact.id == Feedback.contact_id)
            .where(Contact.deleted_at.is_(None))
            .options(selectinload(Feedback.answers))
            .order_by(Feedback.received_on, Feedback.id)
        )
        if options.until:
            stmt = stmt.where(Feedback.received_on <= options.until)
        with database.reading() as session:
            for form, name in session.execute(stmt.execution_options(yield_per=500)):
                level = Level(form.level)
                before = previous.get(form.contact_id)
                previous[form.contact_id] = level
                if options.since and form.received_on < options.since:
                    continue
                scores = [a.score for a in form.answers]
                average = (
                    (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"))
                    if scores
                    else None
                )
                change = change_between(before, level)
                yield (
                    form.received_on,
                    form.contact_id,
                    name,
                    level.label,
                    before.label if before else "",
                    change.value if change else "",
                    average,
                    " ".join(str(s) for s in scores),
                    form.comment,
                )

    return Report(
        (
            "Date",
            "Contact ID",
            "Contact",
            "Level",
            "Previous level",
            "Change",
            "Average score",
            "Scores",
            "Comment",
        ),
        rows(),
    )


@report(
    "satisfaction-by-month",
    "feedback per month: forms at each level, moved up or down",
    period="the day of the form",
)
def satisfaction_by_month(database: Database, options: ExportOptions) -> Report:
    months = levels_by_month(database, options.since, options.until)
    return Report(
        (
            "Month",
            "Forms",
            "Highly satisfied",
            "Satisfied",
            "Dissatisfied",
            "Moved up",
            "Moved down",
        ),
        (
            (
                m.month,
                m.forms,
                m.highly_satisfied,
                m.satisfied,
                m.dissatisfied,
                m.moved_up,
                m.moved_down,
            )
            for m in months
        ),
    )
