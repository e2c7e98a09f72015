"""The contact's lifecycle status stored beside the day it runs out, so the contacts list sorts
and filters by lifecycle on an index instead of computing it for every contact.

The values are filled in when the migration completes (``db.engine`` refreshes every derived
column after an upgrade).

Revision ID: 0009
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

_LIVE = sa.text("deleted_at IS NULL")
_DATED = sa.text("lifecycle_until IS NOT NULL")


def upgrade() -> None:
    # Plain ADD COLUMN statements: unlike a batch, they do not copy the contact table.
    op.add_column(
        "contact",
        sa.Column("lifecycle", sa.String(20), nullable=False, server_default="prospective"),
    )
    op.add_column("contact", sa.Column("lifecycle_until", sa.Date(), nullable=True))
    op.create_index(
        "ix_contact_live_lifecycle", "contact", ["lifecycle", "name"], sqlite_where=_LIVE
    )
    op.create_index(
        "ix_contact_lifecycle_until", "contact", ["lifecycle_until"], sqlite_where=_DATED
    )


def downgrade() -> None:
    op.drop_index("ix_contact_lifecycle_until", table_name="contact", sqlite_where=_DATED)
    op.drop_index("ix_contact_live_lifecycle", table_name="contact", sqlite_where=_LIVE)
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("lifecycle_until")
        batch.drop_column("lifecycle")
