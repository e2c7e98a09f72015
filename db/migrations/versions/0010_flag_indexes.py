"""Indexes for the contacts list's "centre of influence" and "referred" filters: each holds
only the live contacts it keeps, in name order, so a page of either filter reads its own rows
instead of walking every contact by name to find the few that carry the flag.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Word for word the filters' own terms (db.listing), so SQLite sees that they imply these.
_CENTRES = sa.text("deleted_at IS NULL AND centre_of_influence IS 1")
_REFERRED = sa.text("deleted_at IS NULL AND referred_by_id IS NOT NULL")


def upgrade() -> None:
    # Plain index statements: unlike a batch, they do not copy the contact table.
    op.create_index("ix_contact_live_centres", "contact", ["name"], sqlite_where=_CENTRES)
    op.create_index("ix_contact_live_referred", "contact", ["name"], sqlite_where=_REFERRED)


def downgrade() -> None:
    op.drop_index("ix_contact_live_referred", table_name="contact", sqlite_where=_REFERRED)
    op.drop_index("ix_contact_live_centres", table_name="contact", sqlite_where=_CENTRES)
