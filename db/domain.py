"""Plain domain vocabulary shared by storage and the user interface: mediums, directions,
follow-up states and the qualification rule. No SQL and no Qt here."""

from __future__ import annotations

import enum


class Medium(enum.StrEnum):
    """How a touch reached the contact. The order is the order shown everywhere (keys 1-6):
    the everyday ones first, so a phone call is logged with 3."""

    IN_PERSON = "in_person"
    EMAIL = "email"
    PHONE = "phone"
    MAIL = "mail"
    VIDEO = "video"
    GIFT = "gift"

    @property
    def label(self) -> str:
        return _MEDIUM_LABELS[self]


_MEDIUM_LABELS = {
    Medium.IN_PERSON: "In person",
    Medium.EMAIL: "Email",
    Medium.MAIL: "Mail",
    Medium.PHONE: "Phone",
    Medium.VIDEO: "Video",
    Medium.GIFT: "Gift",
}


class Direction(enum.StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class FollowupSource(enum.StrEnum):
    MANUAL = "manual"
    CADENCE = "cadence"
    PLAN = "plan"


class FollowupStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class StageRole(enum.StrEnum):
    """What a stage means to automation and badges (data in the journey files)."""

    PURCHASE = "purchase"
    REPURCHASE = "repurchase"
    CROSS_PURCHASE = "cross_purchase"
    LOYAL = "loyal"
    LAPSED = "lapsed"
    INACTIVE = "inactive"


class Qualification(enum.StrEnum):
    SUSPECT = "suspect"
    PROSPECT = "prospect"
    QUALIFIED = "qualified"

    @property
    def label(self) -> str:
        return {
            Qualification.SUSPECT: "Suspect",
            Qualification.PROSPECT: "Prospect",
            Qualification.QUALIFIED: "Qualified prospect",
        }[self]


def qualification(
    *, has_need: bool, has_budget: bool, has_urgency: bool, is_decision_maker: bool
) -> Qualification:
    """Four of four criteria make a qualified prospect, three a prospect, fewer a suspect."""
    met = sum((has_need, has_budget, has_urgency, is_decision_maker))
    if met == 4:
        return Qualification.QUALIFIED
    if met == 3:
        return Qualification.PROSPECT
    return Qualification.SUSPECT
