"""Indexes for the Reports charts: touches by month, medium and stage read from one covering
index; sales by month, the weekly follow-up habit and the 100-day plan's new customers find
their rows by date instead of reading whole tables.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_touch_when_medium", "touch", ["occurred_at", "medium", "contact_id", "stage_id"]
    )
    op.create_index("ix_purchase_date", "purchase", ["purchased_on"])
    op.create_index("ix_followup_due", "followup", ["due_on", "status"])
    op.create_index(
        "ix_contact_live_first_purchase", "contact", ["first_purchase_on"], sqlite_where=_LIVE
    )


def downgrade() -> None:
    op.drop_index("ix_contact_live_first_purchase", table_name="contact", sqlite_where=_LIVE)
    op.drop_index("ix_followup_due", table_name="followup")
    op.drop_index("ix_purchase_date", table_name="purchase")
    op.drop_index("ix_touch_when_medium", table_name="touch")
