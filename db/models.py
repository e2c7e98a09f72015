"""SQLAlchemy models for the whole Touchbase domain (see docs/domain.md).

Every table a feature needs exists from the first schema on, so later features add behaviour
rather than tables. Columns the big lists sort and filter on (last touch, next follow-up,
stage) are kept on ``contact`` and indexed, so 100,000 contacts list without joins.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.types import Money, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), Decimal: Money()}


class Setting(Base):
    """A database-wide setting (currency, lapse intervals, active journey model, ...).

    Values are JSON text; the keys, types and defaults are declared in ``db.settings``.
    """

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class JourneyModel(Base):
    __tablename__ = "journey_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    #: The built-in file a model was loaded or copied from, if any.
    builtin_key: Mapped[str | None] = mapped_column(String(64))
    #: What moves contacts along this model, as JSON (``db.rules.JourneyRules``).
    rules: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    stages: Mapped[list[Stage]] = relationship(
        back_populates="model", order_by="Stage.position", cascade="all, delete-orphan"
    )


class Stage(Base):
    __tablename__ = "stage"
    __table_args__ = (UniqueConstraint("model_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("journey_model.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)
    cadence_days: Mapped[int | None] = mapped_column(
        CheckConstraint("cadence_days > 0", name="cadence_days")
    )
    dwell_days: Mapped[int | None] = mapped_column(
        CheckConstraint("dwell_days > 0", name="dwell_days")
    )
    #: Comma-separated ``Medium`` values that suit the stage, best first.
    mediums: Mapped[str] = mapped_column(String(120), default="")
    #: Comma-separated ``StageRole`` values.
    roles: Mapped[str] = mapped_column(String(120), default="")

    model: Mapped[JourneyModel] = relationship(back_populates="stages")


class Contact(Base):
    __tablename__ = "contact"
    __table_args__ = (
        # The contacts list only ever shows live (not trashed) contacts sorted by one of these.
        Index("ix_contact_live_name", "name", sqlite_where=text("deleted_at IS NULL")),
        Index(
            "ix_contact_live_company", "company", "name", sqlite_where=text("deleted_at IS NULL")
        ),
        Index("ix_contact_live_stage", "stage_id", "name", sqlite_where=text("deleted_at IS NULL")),
        Index(
            "ix_contact_live_last_touch", "last_touch_at", sqlite_where=text("deleted_at IS NULL")
        ),
        # Value then name: runs of equal values come in name order (see contacts._parts).
        Index(
            "ix_contact_live_next_followup",
            "next_followup_on",
            "name",
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index("ix_contact_live_updated", "updated_at", sqlite_where=text("deleted_at IS NULL")),
        Index("ix_contact_deleted_at", "deleted_at", sqlite_where=text("deleted_at IS NOT NULL")),
        Index("ix_contact_live_stuck", "stuck_on", sqlite_where=text("deleted_at IS NULL")),
        Index(
            "ix_contact_live_cadence_due",
            "stage_id",
            "cadence_due_on",
            # Carried for the journey funnel, which then reads this index alone (0014).
            "stage_entered_at",
            "stuck_on",
            "do_not_contact",
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index("ix_contact_live_value", "lifetime_value", sqlite_where=text("deleted_at IS NULL")),
        Index(
            "ix_contact_live_purchases", "purchase_count", sqlite_where=text("deleted_at IS NULL")
        ),
        Index(
            "ix_contact_live_satisfaction",
            "satisfaction",
            "name",
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_contact_live_last_purchase",
            "last_purchase_on",
            sqlite_where=text("deleted_at IS NULL"),
        ),
        # The 100-day plan chart's customers, by the day they first bought.
        Index(
            "ix_contact_live_first_purchase",
            "first_purchase_on",
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_contact_live_lifecycle",
            "lifecycle",
            "name",
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_contact_lifecycle_until",
            "lifecycle_until",
            sqlite_where=text("lifecycle_until IS NOT NULL"),
        ),
        # The flag filters' contacts by name: the filters' own terms, so SQLite uses them.
        Index(
            "ix_contact_live_centres",
            "name",
            sqlite_where=text("deleted_at IS NULL AND centre_of_influence IS 1"),
        ),
        Index(
            "ix_contact_live_referred",
            "name",
            sqlite_where=text("deleted_at IS NULL AND referred_by_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200, collation="NOCASE"))
    company: Mapped[str] = mapped_column(String(200, collation="NOCASE"), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    street: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    region: Mapped[str] = mapped_column(String(120), default="")
    postal_code: Mapped[str] = mapped_column(String(40), default="")
    country: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id", ondelete="SET NULL"))
    stage_entered_at: Mapped[datetime | None]
    referred_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="SET NULL"), index=True
    )
    centre_of_influence: Mapped[bool] = mapped_column(Boolean, default=False)
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Made by the sample-data generator (File > Remove sample data takes these away).
    sample: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("0"))

    # Qualification checklist (docs/domain.md §1).
    has_need: Mapped[bool] = mapped_column(Boolean, default=False)
    has_budget: Mapped[bool] = mapped_column(Boolean, default=False)
    has_urgency: Mapped[bool] = mapped_column(Boolean, default=False)
    is_decision_maker: Mapped[bool] = mapped_column(Boolean, default=False)

    # Per-contact overrides of the stage cadence and of the expected purchase interval.
    cadence_days: Mapped[int | None] = mapped_column(
        CheckConstraint("cadence_days > 0", name="cadence_days")
    )
    purchase_interval_days: Mapped[int | None] = mapped_column(
        CheckConstraint("purchase_interval_days > 0", name="purchase_interval_days")
    )

    # Kept in step by the services so lists sort and filter on indexed columns.
    last_touch_at: Mapped[datetime | None]
    last_touch_medium: Mapped[str | None] = mapped_column(String(20))
    next_followup_on: Mapped[date | None] = mapped_column(Date)
    #: Last touch (or, never touched, the day it entered its stage) + cadence.
    cadence_due_on: Mapped[date | None] = mapped_column(Date)
    #: The day the contact passes its stage's dwell limit.
    stuck_on: Mapped[date | None] = mapped_column(Date)
    purchase_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    first_purchase_on: Mapped[date | None] = mapped_column(Date)
    last_purchase_on: Mapped[date | None] = mapped_column(Date)
    #: Historic value: the sum of purchases (in the database's currency).
    lifetime_value: Mapped[Decimal] = mapped_column(default=Decimal(0), server_default="0")
    #: The later of the last purchase and the last inbound touch (a customer who reaches out
    #: has not lapsed), for customers only.
    last_interaction_on: Mapped[date | None] = mapped_column(Date)
    #: The months (1-12, comma-separated) a seasonal customer buys in, if they are one.
    season: Mapped[str | None] = mapped_column(String(40))
    #: The owner set ``season`` by hand: purchases no longer decide it.
    season_by_hand: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("0"))
    #: The level of the latest feedback (``SatisfactionLevel`` value), if any.
    satisfaction: Mapped[str | None] = mapped_column(String(20))
    #: The lifecycle status as of the day it was computed, and the last day it holds
    #: (None: until something other than time changes it); see ``db.lifecycle``.
    lifecycle: Mapped[str] = mapped_column(
        String(20), default="prospective", server_default="prospective"
    )
    lifecycle_until: Mapped[date | None] = mapped_column(Date)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]

    stage: Mapped[Stage | None] = relationship()
    emails: Mapped[list[ContactEmail]] = relationship(
        order_by="ContactEmail.position", cascade="all, delete-orphan"
    )
    phones: Mapped[list[ContactPhone]] = relationship(
        order_by="ContactPhone.position", cascade="all, delete-orphan"
    )
    tags: Mapped[list[Tag]] = relationship(secondary="contact_tag", order_by="Tag.name")
    referred_by: Mapped[Contact | None] = relationship(remote_side=[id])
    key_dates: Mapped[list[KeyDate]] = relationship(
        order_by="KeyDate.id", cascade="all, delete-orphan"
    )


class KeyDate(Base):
    """A date worth remembering about a contact: a birthday, an anniversary (else the first
    purchase's counts), or any other occasion. Follow-ups are planned ahead of each."""

    __tablename__ = "key_date"
    __table_args__ = (
        Index("ix_key_date_contact", "contact_id"),
        CheckConstraint("kind IN ('birthday','anniversary','occasion')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(120), default="")
    on: Mapped[date] = mapped_column(Date)


class ContactEmail(Base):
    __tablename__ = "contact_email"
    __table_args__ = (Index("ix_contact_email_contact", "contact_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(320, collation="NOCASE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ContactPhone(Base):
    __tablename__ = "contact_phone"
    __table_args__ = (Index("ix_contact_phone_contact", "contact_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(40), default="")
    number: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Tag(Base):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80, collation="NOCASE"), unique=True)


class ContactTag(Base):
    __tablename__ = "contact_tag"
    # Its key alone: one b-tree to write per link (migration 0017).
    __table_args__ = (
        Index("ix_contact_tag_tag", "tag_id", "contact_id"),
        {"sqlite_with_rowid": False},
    )

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True)


class StageChange(Base):
    """Every move of a contact between stages, so time in stage and conversion can be reported."""

    __tablename__ = "stage_change"
    __table_args__ = (
        Index("ix_stage_change_contact", "contact_id", "changed_at"),
        Index("ix_stage_change_to_stage", "to_stage_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id", ondelete="SET NULL"))
    to_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")


class Touch(Base):
    """One logged interaction with a contact."""

    __tablename__ = "touch"
    __table_args__ = (
        Index("ix_touch_contact_when", "contact_id", "occurred_at"),
        Index("ix_touch_when", "occurred_at"),
        # The Reports charts of touches by month, medium and stage read this index alone,
        # one range of days per medium and stage (``db.reports.touches.by_medium_and_stage``).
        Index("ix_touch_medium_stage", "medium", "stage_id", "occurred_at", "contact_id"),
        CheckConstraint(
            "medium IN ('in_person','email','mail','phone','video','gift')", name="medium"
        ),
        CheckConstraint("direction IN ('outbound','inbound')", name="direction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    medium: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(10), default="outbound")
    occurred_at: Mapped[datetime]
    summary: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(300), default="")
    #: The contact's stage when the touch happened (for the medium mix per stage).
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stage.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Followup(Base):
    __tablename__ = "followup"
    __table_args__ = (
        Index("ix_followup_open_due", "due_on", sqlite_where=text("status = 'open'")),
        # Both carry what the Reports charts of follow-ups read (migration 0016).
        Index(
            "ix_followup_contact",
            "contact_id",
            "status",
            "source",
            "plan_step_id",
            "due_on",
            "completed_at",
        ),
        Index("ix_followup_due", "due_on", "status", "completed_at", "contact_id"),
        CheckConstraint("source IN ('manual','cadence','plan')", name="source"),
        CheckConstraint("status IN ('open','done','cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(10), default="manual")
    status: Mapped[str] = mapped_column(String(10), default="open")
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    plan_step_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_step.id", ondelete="SET NULL")
    )
    suggested_medium: Mapped[str | None] = mapped_column(String(20))
    completed_at: Mapped[datetime | None]
    notified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanStep(Base):
    """One step of the editable 100-day plan template started by a first purchase."""

    __tablename__ = "plan_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    day_offset: Mapped[int] = mapped_column(CheckConstraint("day_offset >= 0", name="day_offset"))
    title: Mapped[str] = mapped_column(String(200))
    medium: Mapped[str | None] = mapped_column(String(20))
    script: Mapped[str] = mapped_column(Text, default="")
    #: The stage key of the customer-experience phase the step belongs to, if any.
    phase: Mapped[str | None] = mapped_column(String(64))


class Purchase(Base):
    __tablename__ = "purchase"
    __table_args__ = (
        Index("ix_purchase_contact_date", "contact_id", "purchased_on"),
        Index("ix_purchase_product", "product"),
        Index("ix_purchase_date", "purchased_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    purchased_on: Mapped[date] = mapped_column(Date)
    product: Mapped[str] = mapped_column(String(200, collation="NOCASE"))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedbackQuestion(Base):
    """The editable survey template: at most five questions, each scored 1 to 5."""

    __tablename__ = "feedback_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        Index("ix_feedback_contact_when", "contact_id", "received_on"),
        CheckConstraint("level IN ('highly_satisfied','satisfied','dissatisfied')", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    received_on: Mapped[date] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    answers: Mapped[list[FeedbackAnswer]] = relationship(
        order_by="FeedbackAnswer.position", cascade="all, delete-orphan"
    )


class FeedbackAnswer(Base):
    __tablename__ = "feedback_answer"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(String(300))
    score: Mapped[int] = mapped_column(Integer)
