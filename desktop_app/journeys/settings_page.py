"""Settings → Journey: pick the active model, copy a model and edit the copy.

Built-in models stay as shipped; “Copy…” makes an editable one. Edits (name; add, remove,
reorder stages; label, description, cadence, dwell limit, mediums) are held here and saved
on OK, after every settings page validated. Removing a stage that holds contacts asks where
they go; switching the active model asks the same for every stage in use, then applies at
once in one transaction (the mapping dialog is its confirmation).
"""

from __future__ import annotations

import dataclasses
import logging
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db import automation, backups, journeys, rules
from db.clock import local_today
from db.domain import Medium
from db.engine import Database
from db.journeys import ModelDraft, StageDraft
from desktop_app.dialogs import show_error
from desktop_app.journeys.prompts import MappingSource, NameDialog, StageMappingDialog
from desktop_app.ops import Changes, OpsBus
from desktop_app.tasks import Progress
from desktop_app.widgets import FieldError

log = logging.getLogger(__name__)

JOURNEY_CHANGES = Changes(settings=True, stages=True, contacts=True)


def _days_box() -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, journeys.DAYS_MAX)
    box.setSpecialValueText("None")
    box.setSuffix(" days")
    box.setMaximumWidth(150)
    return box


class JourneySettingsPage(QWidget):
    title = "Journey"

    def __init__(self, ops: OpsBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self._saved: dict[str, ModelDraft] = {}
        self._drafts: dict[str, ModelDraft] = {}
        self._mappings: dict[str, dict[int, int | None]] = {}
        self._key: str | None = None
        self._loading = False

        # Models: the list, and what can be done with one.
        self.models = QListWidget()
        self.models.setObjectName("journeyModels")
        self.models.setMinimumWidth(220)
        self.models.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.models.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.models.currentItemChanged.connect(self._on_model_chosen)
        self.use_button = QPushButton("Use this model…")
        self.use_button.setObjectName("primaryButton")
        self.use_button.clicked.connect(self.use_selected)
        self.copy_button = QPushButton("Copy…")
        self.copy_button.clicked.connect(self.copy_selected)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setObjectName("stageDescription")
        #: The model's rules, as data that comes with it (copies carry them).
        self.rules = QLabel()
        self.rules.setWordWrap(True)
        self.rules.setObjectName("stageDescription")
        left = QVBoxLayout()
        left.addWidget(QLabel("Journey models"))
        left.addWidget(self.models, 1)
        left.addWidget(self.summary)
        left.addWidget(self.rules)
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.copy_button)
        left.addLayout(buttons)

        # The model's name and stages.
        self.builtin_hint = QLabel(
            "Built-in models stay as shipped. Press “Copy…” to make one you can change."
        )
        self.builtin_hint.setWordWrap(True)
        self.builtin_hint.setObjectName("stageDescription")
        self.name = QLineEdit()
        self.name.textEdited.connect(self._on_edited)
        self.name_error = FieldError()
        self.stages = QListWidget()
        self.stages.setObjectName("journeyStages")
        self.stages.currentRowChanged.connect(self._on_stage_chosen)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add_stage)
        self.remove_button = QPushButton("Remove…")
        self.remove_button.clicked.connect(self.remove_stage)
        self.up_button = QPushButton("Move up")
        self.up_button.clicked.connect(lambda: self.move_stage(-1))
        self.down_button = QPushButton("Move down")
        self.down_button.clicked.connect(lambda: self.move_stage(1))
        stage_buttons = QVBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            stage_buttons.addWidget(button)
        stage_buttons.addStretch(1)
        stage_row = QHBoxLayout()
        stage_row.addWidget(self.stages, 1)
        stage_row.addLayout(stage_buttons)

        self.label = QLineEdit()
        self.label.textEdited.connect(self._on_edited)
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("What to do with a contact at this stage")
        self.description.setFixedHeight(100)
        self.description.textChanged.connect(self._on_edited)
        self.cadence = _days_box()
        self.cadence.setToolTip("Days between touches that keep the relationship healthy")
        self.cadence.valueChanged.connect(self._on_edited)
        self.dwell = _days_box()
        self.dwell.setToolTip("After this many days in the stage a contact shows as stuck")
        self.dwell.valueChanged.connect(self._on_edited)
        self.mediums: dict[Medium, QCheckBox] = {}
        medium_grid = QGridLayout()
        medium_grid.setContentsMargins(0, 0, 0, 0)
        for n, medium in enumerate(Medium):
            box = QCheckBox(medium.label)
            box.toggled.connect(self._on_edited)
            self.mediums[medium] = box
            medium_grid.addWidget(box, n // 3, n % 3)
        self.stage_error = FieldError()
        stage_form = QFormLayout()
        stage_form.addRow("Stage name", self.label)
        stage_form.addRow("What to do", self.description)
        stage_form.addRow("Touch cadence", self.cadence)
        stage_form.addRow("Stuck after", self.dwell)
        stage_form.addRow("Suited mediums", medium_grid)
        stage_form.addRow("", self.stage_error)
        self.stage_box = QGroupBox("Stage")
        self.stage_box.setLayout(stage_form)

        right = QVBoxLayout()
        right.addWidget(self.builtin_hint)
        name_form = QFormLayout()
        name_form.addRow("Model name", self.name)
        name_form.addRow("", self.name_error)
        right.addLayout(name_form)
        right.addLayout(stage_row, 1)
        right.addWidget(self.stage_box)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addSpacing(12)
        layout.addLayout(right, 5)
        self._load_models()

    # --- models ---------------------------------------------------------------------------

    def _load_models(self, select: str | None = None) -> None:
        infos = journeys.list_models(self.ops.database)
        current = select or self._key or next((m.key for m in infos if m.active), None)
        self.models.blockSignals(True)
        self.models.clear()
        for info in infos:
            saved = journeys.model_draft(self.ops.database, info.key)
            self._saved[info.key] = saved
            self._drafts.setdefault(info.key, saved)
            if info.active:
                self._drafts[info.key] = dataclasses.replace(self._drafts[info.key], active=True)
            elif self._drafts[info.key].active:
                self._drafts[info.key] = dataclasses.replace(self._drafts[info.key], active=False)
            item = QListWidgetItem(("✓ " if info.active else "    ") + info.name)
            item.setData(Qt.ItemDataRole.UserRole, info.key)
            item.setToolTip(
                ("Active model: " if info.active else "") + " → ".join(info.stage_labels)
            )
            if info.active:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.models.addItem(item)
        self.models.blockSignals(False)
        for row in range(self.models.count()):
            if self.models.item(row).data(Qt.ItemDataRole.UserRole) == current:
                self.models.setCurrentRow(row)
                return
        self.models.setCurrentRow(0)

    def select_model(self, key: str) -> None:
        for row in range(self.models.count()):
            if self.models.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.models.setCurrentRow(row)

    @property
    def draft(self) -> ModelDraft | None:
        return None if self._key is None else self._drafts[self._key]

    def _on_model_chosen(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        self._key = None if item is None else str(item.data(Qt.ItemDataRole.UserRole))
        draft = self.draft
        if draft is None:
            return
        self._loading = True
        self.name.setText(draft.name)
        self.summary.setText(draft.summary)
        regular = automation.read_regular(self.ops.database)
        lines = rules.describe(draft.rules, {s.key: s.label for s in draft.stages}, regular)
        self.rules.setText(
            "<b>Moves contacts on:</b><br>" + "<br>".join(escape(line) for line in lines)
            if lines
            else "No rules move contacts along this model."
        )
        self.builtin_hint.setVisible(draft.builtin)
        for widget in (self.name, self.stage_box, self.add_button):
            widget.setEnabled(not draft.builtin)
        self.use_button.setEnabled(not draft.active)
        self.use_button.setText("In use" if draft.active else "Use this model…")
        self.name_error.show_message(None)
        self._loading = False
        self._show_stages(0)

    def copy_selected(self) -> str | None:
        draft = self.draft
        if draft is None:
            return None
        name = NameDialog.ask(
            self, "Copy journey model", "Name of the copy", f"{draft.name} (copy)"
        )
        if not name:
            return None
        key = self.ops.run(
            lambda db: journeys.copy_model(db, draft.key, name), Changes(settings=True)
        )
        self._load_models(select=key)
        return key

    def use_selected(self) -> bool:
        """Make the selected model active, after the owner maps the stages in use."""
        draft = self.draft
        if draft is None or draft.active:
            return False
        if draft != self._saved.get(draft.key):
            show_error(
                self,
                "Save your changes first",
                "This model has unsaved changes. Press OK to save them, then come back here "
                "to switch to it.",
            )
            return False
        database = self.ops.database
        in_use = journeys.stages_to_map(database, draft.key)
        mapping: dict[int, int] = {}
        if in_use:
            chosen = StageMappingDialog.ask(
                self,
                f"Switch to {draft.name}",
                f"Choose the stage of “{draft.name}” each contact moves to. The moves are "
                "recorded, and the old stages stay in the history.",
                sources=[MappingSource(u.stage_id, u.label, u.contacts) for u in in_use],
                targets=[(s.id, s.label) for s in draft.stages if s.id is not None],
                suggested=journeys.suggest_mapping(
                    database, [u.stage_id for u in in_use], draft.key
                ),
            )
            if chosen is None:
                return False
            mapping = chosen
        key = draft.key
        day = local_today()

        def activate(db: Database, _progress: Progress) -> int:
            if mapping:  # contacts move between stages: keep how they stood
                backups.take_backup(db, backups.BEFORE_JOURNEY_CHANGE)
            return automation.activate_model(db, key, dict(mapping), today=day)

        def failed(error: Exception) -> None:
            show_error(self, "The journey model was not switched", str(error))

        # Every contact may move, the rules run and every derived date is recomputed: seconds
        # at 100,000 contacts, so in the background behind a progress dialog.
        self.ops.run_long(
            self,
            f"Switching to {draft.name}…",
            activate,
            JOURNEY_CHANGES,
            on_done=lambda _moved: self._load_models(select=key),
            on_error=failed,
        )
        return True

    # --- stages ---------------------------------------------------------------------------

    def _show_stages(self, row: int) -> None:
        draft = self.draft
        if draft is None:
            return
        self._loading = True
        self.stages.clear()
        for number, stage in enumerate(draft.stages, start=1):
            self.stages.addItem(f"{number}. {stage.label or '(no name)'}")
        self._loading = False
        self.stages.setCurrentRow(min(row, len(draft.stages) - 1))
        self._on_stage_chosen(self.stages.currentRow())

    def _stage(self) -> StageDraft | None:
        draft, row = self.draft, self.stages.currentRow()
        return draft.stages[row] if draft is not None and 0 <= row < len(draft.stages) else None

    def _on_stage_chosen(self, row: int) -> None:
        if self._loading:
            return
        stage = self._stage()
        draft = self.draft
        editable = stage is not None and draft is not None and not draft.builtin
        self.stage_box.setTitle("Stage" if editable or stage is None else "Stage (read only)")
        self.stage_box.setEnabled(editable)
        self.remove_button.setEnabled(editable)
        self.up_button.setEnabled(editable and row > 0)
        self.down_button.setEnabled(editable and draft is not None and row < len(draft.stages) - 1)
        self._loading = True
        self.label.setText(stage.label if stage else "")
        self.description.setPlainText(stage.description if stage else "")
        self.cadence.setValue(stage.cadence_days or 0 if stage else 0)
        self.dwell.setValue(stage.dwell_days or 0 if stage else 0)
        for medium, box in self.mediums.items():
            box.setChecked(stage is not None and medium in stage.mediums)
        self.stage_error.show_message(None)
        self._loading = False

    def _set_stages(self, stages: tuple[StageDraft, ...], row: int) -> None:
        assert self._key is not None
        self._drafts[self._key] = dataclasses.replace(self._drafts[self._key], stages=stages)
        self._show_stages(row)

    def _on_edited(self, *_args: object) -> None:
        if self._loading or self._key is None:
            return
        draft = self._drafts[self._key]
        row = self.stages.currentRow()
        stages = list(draft.stages)
        if 0 <= row < len(stages):
            stages[row] = dataclasses.replace(
                stages[row],
                label=self.label.text(),
                description=self.description.toPlainText(),
                cadence_days=self.cadence.value() or None,
                dwell_days=self.dwell.value() or None,
                mediums=tuple(m for m, box in self.mediums.items() if box.isChecked()),
            )
            item = self.stages.item(row)
            item.setText(f"{row + 1}. {self.label.text() or '(no name)'}")
        self._drafts[self._key] = dataclasses.replace(
            draft, name=self.name.text(), stages=tuple(stages)
        )

    def add_stage(self) -> None:
        draft = self.draft
        if draft is None or draft.builtin:
            return
        row = self.stages.currentRow() + 1 if draft.stages else 0
        new = StageDraft(id=None, label=f"New stage {len(draft.stages) + 1}")
        self._set_stages((*draft.stages[:row], new, *draft.stages[row:]), row)
        self.label.setFocus()
        self.label.selectAll()

    def move_stage(self, step: int) -> None:
        draft, row = self.draft, self.stages.currentRow()
        if draft is None or not 0 <= row + step < len(draft.stages):
            return
        stages = list(draft.stages)
        stages[row], stages[row + step] = stages[row + step], stages[row]
        self._set_stages(tuple(stages), row + step)

    def remove_stage(self) -> bool:
        """Remove the selected stage; its contacts (if any) go where the owner says."""
        draft, stage, row = self.draft, self._stage(), self.stages.currentRow()
        if draft is None or stage is None or draft.builtin:
            return False
        if len(draft.stages) == 1:
            self.stage_error.show_message("A journey needs at least one stage.")
            return False
        if stage.id is not None:
            held = journeys.stage_contact_counts(self.ops.database, [stage.id]).get(stage.id, 0)
            if held:
                others = [
                    (s.id, s.label) for s in draft.stages if s.id is not None and s.id != stage.id
                ]
                if not others:
                    self.stage_error.show_message(
                        "Its contacts need a saved stage to move to: save the new stages first."
                    )
                    return False
                guess = {stage.id: others[min(max(row - 1, 0), len(others) - 1)][0]}
                chosen = StageMappingDialog.ask(
                    self,
                    f"Remove {stage.label}",
                    f"Contacts on “{stage.label}” move to the stage you choose when you press "
                    "OK. Their history keeps the old stage.",
                    sources=[MappingSource(stage.id, stage.label, held)],
                    targets=others,
                    suggested=guess,
                )
                if chosen is None:
                    return False
                self._mappings.setdefault(draft.key, {}).update(chosen)
        self._set_stages(draft.stages[:row] + draft.stages[row + 1 :], max(row - 1, 0))
        return True

    # --- the settings page protocol ---------------------------------------------------------

    def _dirty(self) -> list[ModelDraft]:
        return [d for key, d in self._drafts.items() if d != self._saved.get(key)]

    def validate(self) -> str | None:
        for draft in self._dirty():
            errors = journeys.validate_draft(draft)
            if not errors:
                continue
            self.select_model(draft.key)
            field, message = next(iter(errors.items()))
            parts = field.split(".")
            if parts[0] == "stages" and len(parts) > 1:
                self.stages.setCurrentRow(int(parts[1]))
                self.stage_error.show_message(message)
            elif field == "stages":
                self.stage_error.show_message(message)
            else:
                self.name_error.show_message(message)
            return message
        return None

    def apply(self) -> None:
        for draft in self._dirty():
            mapping = dict(self._mappings.get(draft.key, {}))

            def save(
                db: Database, d: ModelDraft = draft, m: dict[int, int | None] = mapping
            ) -> None:
                if m:  # contacts move off stages that go away: keep how they stood
                    backups.take_backup(db, backups.BEFORE_JOURNEY_CHANGE)
                automation.save_model(db, d, m, today=local_today())

            self.ops.run(save, JOURNEY_CHANGES)
        self._mappings.clear()
        self._drafts = {}
        self._load_models()
