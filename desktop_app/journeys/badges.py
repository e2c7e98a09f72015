"""The badges a contact's card can carry (on the board and in the detail pane's stage section):
their text and colours, kept apart from the board so the detail pane needs no board to show
them."""

from __future__ import annotations

from db import journeys
from db.board import Card
from db.engine import Database
from desktop_app import theme

#: key: (text, chip tone in ``desktop_app.theme``)
BADGES = {
    "overdue": ("Overdue", "danger"),
    "stuck": ("Stuck", "warning"),
    "at_risk": ("At risk", "violet"),
}


def badge_html(key: str) -> str:
    text, tone = BADGES[key]
    return theme.chip_html(text, tone)


def card_badges(card: Card) -> list[str]:
    """The keys of the badges ``card`` carries, most pressing first."""
    return [key for key in BADGES if getattr(card, key)]


def stage_tones(database: Database) -> dict[str, str]:
    """Each stage label's chip tone, early to late along the active journey (a short read)."""
    stages = journeys.current_stages(database)
    return {
        stage.label: theme.stage_tone(number, len(stages)) for number, stage in enumerate(stages)
    }
