"""Indexes that let the contacts list sort by next follow-up and by satisfaction a page at a
time: each carries the name after its value, so every run of equal values (a day, a level, no
follow-up, no feedback) is already in name order.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    # Plain index statements: unlike a batch, they do not copy the contact table.
    op.drop_index("ix_contact_live_next_followup", table_name="contact", sqlite_where=_LIVE)
    op.create_index(
        "ix_contact_live_next_followup",
        "contact",
        ["next_followup_on", "name"],
        sqlite_where=_LIVE,
    )
    op.create_index(
        "ix_contact_live_satisfaction", "contact", ["satisfaction", "name"], sqlite_where=_LIVE
    )


def downgrade() -> None:
    op.drop_index("ix_contact_live_satisfaction", table_name="contact", sqlite_where=_LIVE)
    op.drop_index("ix_contact_live_next_followup", table_name="contact", sqlite_where=_LIVE)
    op.create_index(
        "ix_contact_live_next_followup", "contact", ["next_followup_on"], sqlite_where=_LIVE
    )
