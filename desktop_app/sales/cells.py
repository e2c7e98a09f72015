"""How lifecycle, satisfaction, value and purchase counts read in lists."""

from __future__ import annotations

from db.contacts import ContactRow
from db.feedback import Level
from db.lifecycle import Lifecycle
from db.value import display

#: Chip tones (``desktop_app.theme``) of each lifecycle status and satisfaction level.
LIFECYCLE_TONES = {
    Lifecycle.PROSPECTIVE: "neutral",
    Lifecycle.NEW: "success",
    Lifecycle.ACTIVE: "success",
    Lifecycle.REPEAT: "teal",
    Lifecycle.SEASONAL: "info",
    Lifecycle.LAPSED_SHORT: "warning",
    Lifecycle.LAPSED_LONG: "orange",
    Lifecycle.WIN_BACK: "danger",
    Lifecycle.DO_NOT_CONTACT: "neutral",
}
LEVEL_TONES = {
    Level.HIGHLY_SATISFIED: "success",
    Level.SATISFIED: "info",
    Level.DISSATISFIED: "danger",
}


def sales_cell(row: ContactRow, column: str) -> str:
    """The text of the contacts table's sales columns (by ``Column`` name)."""
    if column == "LIFECYCLE":
        return Lifecycle(row.lifecycle).label
    if column == "SATISFACTION":
        return Level(row.satisfaction).label if row.satisfaction else ""
    if column == "VALUE":
        return display(row.lifetime_value) if row.purchase_count else ""
    if column == "PURCHASES":
        return f"{row.purchase_count:,}" if row.purchase_count else ""
    return ""
