"""Journey rules stored with each model, plan steps tied to a phase, and sample data marked.

- ``journey_model.rules``: which stage qualification, a sale, a repeat purchase, another
  product and regular buying reach, or (lifecycle model) the stage for each lifecycle status,
  as JSON (see docs/domain.md). Models copied from a built-in one get the built-in rules.
- ``plan_step.phase``: the stage key of the customer-experience phase a 100-day plan step
  belongs to; the default steps get theirs.
- ``key_date``: birthdays, anniversaries and other occasions on a contact.
- ``contact.sample``: contacts made by the sample-data generator, so they can be removed.
- ``contact.last_interaction_on``: the later of the last purchase and the last inbound touch
  (the customer reaching out keeps them from lapsing), and ``contact.season``: the months a
  seasonal customer buys in (recognised from purchases, or set by hand:
  ``contact.season_by_hand``). Both are kept by ``db.derived``, which fills them after any
  migration.

Plain ``ADD COLUMN`` statements: they do not copy the contact table.

Revision ID: 0006
Revises: 0003
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None

#: The built-in models' rules as they were when this revision was written.
_RULES = {
    "customer_development": {
        "qualified": "prospect",
        "sale": "customer",
        "regular": "loyal_customer",
    },
    "customers_for_life": {
        "qualified": "qualify",
        "sale": "purchase",
        "repeat": "re_purchase",
        "cross": "cross_purchase",
        "regular": "loyalty",
    },
    "customer_experience": {"sale": "admit"},
    "customer_lifecycle": {
        "lifecycle": {
            "prospective": "prospective",
            "new": "new",
            "active": "active",
            "repeat": "repeat_loyal",
            "lapsed": "lapsed",
            "inactive": "inactive",
        }
    },
}

_PHASES = {
    1: "affirm",
    3: "activate",
    14: "acclimate",
    45: "accomplish",
    75: "adopt",
    100: "advocate",
}


def upgrade() -> None:
    op.add_column(
        "journey_model", sa.Column("rules", sa.Text(), server_default="{}", nullable=False)
    )
    op.add_column("plan_step", sa.Column("phase", sa.String(length=64), nullable=True))
    op.add_column(
        "contact",
        sa.Column("sample", sa.Boolean(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column("contact", sa.Column("last_interaction_on", sa.Date(), nullable=True))
    op.add_column("contact", sa.Column("season", sa.String(length=40), nullable=True))
    op.add_column(
        "contact",
        sa.Column("season_by_hand", sa.Boolean(), server_default=sa.text("0"), nullable=False),
    )
    op.create_table(
        "key_date",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('birthday','anniversary','occasion')", name=op.f("ck_key_date_kind")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_key_date_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_date")),
    )
    op.create_index("ix_key_date_contact", "key_date", ["contact_id"], unique=False)
    bind = op.get_bind()
    for builtin_key, rules in _RULES.items():
        bind.execute(
            sa.text("UPDATE journey_model SET rules = :rules WHERE builtin_key = :key"),
            {"rules": json.dumps(rules), "key": builtin_key},
        )
    for day, phase in _PHASES.items():
        bind.execute(
            sa.text("UPDATE plan_step SET phase = :phase WHERE day_offset = :day"),
            {"phase": phase, "day": day},
        )


def downgrade() -> None:
    op.drop_index("ix_key_date_contact", table_name="key_date")
    op.drop_table("key_date")
    op.drop_column("contact", "season_by_hand")
    op.drop_column("contact", "season")
    op.drop_column("contact", "last_interaction_on")
    op.drop_column("contact", "sample")
    op.drop_column("plan_step", "phase")
    op.drop_column("journey_model", "rules")
