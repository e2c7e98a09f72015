"""Adding a follow-up by hand, from wherever a contact is shown (detail pane, board)."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QWidget

from db import contacts, followups
from desktop_app.dialogs import show_error
from desktop_app.followups.dialog import FollowupDialog
from desktop_app.ops import Changes, OpsBus
from desktop_app.undo import run_undoable


def add_followup(parent: QWidget | None, ops: OpsBus, contact_id: int, today: date) -> bool:
    """Ask for a follow-up for this contact and save it; True if one was added."""
    name = contacts.get_contact(ops.database, contact_id).name
    request = FollowupDialog.ask(name, today, parent)
    if request is None:
        return False
    try:
        run_undoable(
            ops,
            f"Add a follow-up for {name}",
            [contact_id],
            lambda db: followups.add_followup(
                db,
                contact_id,
                request.due_on,
                request.reason,
                today=today,
                suggested_medium=request.medium,
            ),
            Changes(followups=True),
        )
    except followups.FollowupError as exc:
        show_error(parent, "The follow-up could not be added", str(exc))
        return False
    return True
