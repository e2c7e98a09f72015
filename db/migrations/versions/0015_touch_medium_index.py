"""The Reports charts of touches read one index led by the medium and the stage: touches per
month and the medium mix per stage ask for each medium and stage in the period's range of
days, which the index answers range by range, already grouped, instead of sorting every
touch of the period into groups (at 1,000,000 touches, 800,000 of them in the last twelve
months: touches per month 0.22 s -> 0.08 s, the medium mix 0.34 s -> 0.09 s of processor
time). It takes the place of the index led by the day.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_touch_when_medium", table_name="touch")
    op.create_index(
        "ix_touch_medium_stage", "touch", ["medium", "stage_id", "occurred_at", "contact_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_touch_medium_stage", table_name="touch")
    op.create_index(
        "ix_touch_when_medium", "touch", ["occurred_at", "medium", "contact_id", "stage_id"]
    )
