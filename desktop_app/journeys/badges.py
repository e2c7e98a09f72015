"""The badges a contact's card can carry (on the board and in the detail pane's stage section):
their text and colours, kept apart from the board so the detail pane needs no board to show
them."""

from __future__ import annotations

from db.board import Card

BADGES = {
    "overdue": ("Overdue", "#fee2e2", "#991b1b"),
    "stuck": ("Stuck", "#fef3c7", "#92400e"),
    "at_risk": ("At risk", "#ede9fe", "#5b21b6"),
}


def card_badges(card: Card) -> list[str]:
    """The keys of the badges ``card`` carries, most pressing first."""
    return [key for key in BADGES if getattr(card, key)]
