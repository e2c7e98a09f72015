"""Derived columns on contact, so the big lists filter and sort on indexes.

Cadence due date and stuck date (journeys, follow-ups), purchase count, first and last
purchase, lifetime value (purchases) and the latest satisfaction level (feedback). They are
kept in step by ``db.derived``, which also fills them after any migration.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cadence_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("stuck_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("purchase_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("first_purchase_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("last_purchase_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("lifetime_value", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("satisfaction", sa.String(length=20), nullable=True))
        batch_op.create_index("ix_contact_live_stuck", ["stuck_on"], sqlite_where=_LIVE)
        batch_op.create_index(
            "ix_contact_live_cadence_due", ["stage_id", "cadence_due_on"], sqlite_where=_LIVE
        )
        batch_op.create_index("ix_contact_live_value", ["lifetime_value"], sqlite_where=_LIVE)
        batch_op.create_index("ix_contact_live_purchases", ["purchase_count"], sqlite_where=_LIVE)
        batch_op.create_index(
            "ix_contact_live_last_purchase", ["last_purchase_on"], sqlite_where=_LIVE
        )


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        for name in ("last_purchase", "purchases", "value", "cadence_due", "stuck"):
            batch_op.drop_index(f"ix_contact_live_{name}")
        for column in (
            "satisfaction",
            "lifetime_value",
            "last_purchase_on",
            "first_purchase_on",
            "purchase_count",
            "stuck_on",
            "cadence_due_on",
        ):
            batch_op.drop_column(column)
