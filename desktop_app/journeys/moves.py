"""Moving contacts to a stage by hand, the same way from the board, the detail pane and the
contacts table: a move backward asks for a reason first."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QMenu, QWidget

from db import automation, journeys, stages
from db.journeys import StageInfo
from desktop_app.dialogs import show_error
from desktop_app.journeys.prompts import BackwardReasonDialog, PhaseOfferDialog
from desktop_app.ops import Changes, OpsBus
from desktop_app.undo import run_long_undoable, run_undoable

STAGE_CHANGES = Changes(contacts=True, stages=True)


def current_stages(ops: OpsBus) -> list[StageInfo]:
    return journeys.current_stages(ops.database)


def move_to_stage(
    ops: OpsBus,
    contact_ids: Sequence[int],
    stage: StageInfo,
    parent: QWidget | None,
    *,
    what: str | None = None,
) -> list[int] | None:
    """Move contacts to ``stage``; returns the ids that moved, None if the owner cancelled."""
    ids = list(contact_ids)
    if not ids:
        return []
    reason = backward_reason(ops, ids, stage, parent, what=what)
    if reason is None:
        return None
    who = what or ("1 contact" if len(ids) == 1 else f"{len(ids):,} contacts")
    return run_undoable(
        ops,
        f"Move {who} to {stage.label}",
        ids,
        lambda db: stages.set_stage(db, ids, stage.id, reason=reason),
        STAGE_CHANGES,
    )


def backward_reason(
    ops: OpsBus,
    contact_ids: Sequence[int],
    stage: StageInfo,
    parent: QWidget | None,
    *,
    what: str | None = None,
) -> str | None:
    """ "" for a move forward; for a move backward the owner's reason, None if cancelled."""
    ids = list(contact_ids)
    if not stages.is_backward(ops.database, ids, stage.id):
        return ""
    who = what or ("This contact" if len(ids) == 1 else f"{len(ids):,} contacts")
    return BackwardReasonDialog.ask(parent, who, stage.label)


def add_stage_menu(
    menu: QMenu, ops: OpsBus, contact_ids: Sequence[int], parent: QWidget | None
) -> QMenu:
    """Append “Move to stage ▸” with one entry per stage of the active model."""
    ids = list(contact_ids)
    submenu = menu.addMenu("Move to stage")
    for stage in current_stages(ops):
        action = submenu.addAction(stage.label)
        action.triggered.connect(lambda _c=False, s=stage: _move_from_menu(ops, ids, s, parent))
    submenu.setEnabled(bool(ids) and not submenu.isEmpty())
    return submenu


def _move_from_menu(ops: OpsBus, ids: list[int], stage: StageInfo, parent: QWidget | None) -> None:
    """A selection of many moves in the background behind a progress dialog (setting the
    stage of thousands of contacts takes seconds), still one step of Edit → Undo."""
    if len(ids) < 2 or parent is None:
        move_to_stage(ops, ids, stage, parent)
        return
    reason = backward_reason(ops, ids, stage, parent)
    if reason is None:
        return
    text = f"Move {len(ids):,} contacts to {stage.label}"
    run_long_undoable(
        ops,
        parent,
        title=f"{text}…",
        text=text,
        contact_ids=ids,
        op=lambda db, _progress: stages.set_stage(db, ids, stage.id, reason=reason),
        changes=STAGE_CHANGES,
        on_done=lambda _moved: None,
        on_error=lambda error: show_error(parent, "The contacts were not moved", str(error)),
    )


def offer_phase(
    parent: QWidget | None, ops: OpsBus, offer: automation.PhaseOffer, what: str
) -> bool:
    """After a 100-day plan step is ticked off: offer to move the contact into its phase."""
    if not PhaseOfferDialog.ask(parent, what, offer.step_title, offer.stage_label):
        return False
    ops.run(lambda db: automation.move_to_phase(db, offer), STAGE_CHANGES)
    return True
