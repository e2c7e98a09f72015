"""A scripted run of real use on the real main window, with an event-loop stall probe.

A 5 ms timer ticks on the GUI thread throughout; each gap between two ticks beyond its 5 ms
is time the window could not answer (a stall), charged to the action running at that moment.
The script opens every place, sorts by every column, applies every filter, types searches,
selects contacts one after another (a contact with thousands of touches among them), logs a
touch, snoozes and completes follow-ups, trashes and then empties a trash of thousands of
contacts, and remaps the journey model. Each action is started from the event loop and
waited out (background reads included), as a person would.

``run_script`` returns the figures; ``make bench`` prints them at 100,000 contacts and a test
runs the same script on a small database to prove every step still works. Nothing here
asserts a time.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QItemSelection, QItemSelectionModel, QObject, Qt, QTimer
from PySide6.QtWidgets import QComboBox
from sqlalchemy import insert, select

from db import journeys, touches
from db.domain import Medium, Qualification
from db.engine import Database, open_database
from db.models import Contact, Touch
from db.today import Section
from desktop_app import memory
from desktop_app.app import create_application
from desktop_app.contacts.table_model import SORT_KEYS, Column
from desktop_app.dialogs import Confirm
from desktop_app.journeys.prompts import BackwardReasonDialog, StageMappingDialog
from desktop_app.journeys.settings_page import JourneySettingsPage
from desktop_app.main_window import MainWindow
from desktop_app.tasks import ThreadRunner
from desktop_app.touches.dialog import TOUCH_CHANGES

TICK_MS = 5
TYPED = ("smith", "anna", "bakery", "555", "maria gar")


def add_heavy_contact(database: Database, touches: int) -> int:
    """Give the first live contact ``touches`` more touches, all older than its last one (so
    its derived columns stay right); returns its id. Bench preparation, not app code."""
    with database.write_session.begin() as session:
        contact_id = int(
            session.scalar(
                select(Contact.id)
                .where(Contact.deleted_at.is_(None))
                .order_by(Contact.name, Contact.id)
                .limit(1)
            )
            or 0
        )
        start = datetime(2015, 1, 1, 9, tzinfo=UTC)
        session.execute(
            insert(Touch),
            [
                {
                    "contact_id": contact_id,
                    "medium": "email",
                    "direction": "outbound",
                    "occurred_at": start + timedelta(hours=7 * n),
                    "summary": f"Old note {n}",
                    "notes": "",
                    "outcome": "",
                    "created_at": start,
                }
                for n in range(touches)
            ],
        )
    return contact_id


class StallProbe(QObject):
    """Ticks every 5 ms; the longest late tick per action is that action's worst stall. Beside
    it, ``busy``: how much of that stall the GUI thread spent working (its own processor
    time); the rest it spent waiting, for the interpreter lock or for a core on a busy
    machine."""

    def __init__(self) -> None:
        super().__init__()
        self.action = "idle"
        self.worst: dict[str, float] = {}
        self.busy: dict[str, float] = {}
        self.order: list[str] = []
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        stall = max((now - self._last) * 1000 - TICK_MS, 0.0)
        busy = (cpu - self._last_cpu) * 1000
        self._last, self._last_cpu = now, cpu
        if self.action not in self.worst:
            self.order.append(self.action)
        if stall >= self.worst.get(self.action, 0.0):
            self.worst[self.action] = stall
            self.busy[self.action] = min(busy, stall + TICK_MS)

    def begin(self, action: str) -> None:
        self._tick()  # what came before is charged to the previous action
        self.action = action
        if action not in self.worst:
            self.order.append(action)
            self.worst[action] = 0.0
            self.busy[action] = 0.0


@dataclass
class ScriptResult:
    """What the run measured: worst stall per action (ms), keystrokes (ms), memory (MiB)."""

    stalls: dict[str, float] = field(default_factory=dict)
    #: How much of each worst stall the GUI thread was working (ms): the rest it waited.
    stall_busy: dict[str, float] = field(default_factory=dict)
    keystrokes: list[float] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)
    #: What the app's child processes (Reports' helpers) hold beside it, at each step.
    helpers_mib: list[float] = field(default_factory=list)
    peak_mib: float = 0.0
    steps: list[str] = field(default_factory=list)

    @property
    def worst(self) -> tuple[str, float]:
        action = max(self.stalls, key=lambda a: self.stalls[a])
        return action, self.stalls[action]

    def keystroke_median(self) -> float:
        return statistics.median(self.keystrokes)

    def keystroke_p90(self) -> float:
        if len(self.keystrokes) < 2:
            return self.keystrokes[0]
        return statistics.quantiles(self.keystrokes, n=10)[-1]


def _rss_mib() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _helpers_mib() -> float:
    """The resident memory of this process's children: Reports' helper processes (Linux;
    elsewhere 0)."""
    total = 0.0
    me = os.getpid()
    processes = Path("/proc")
    if not processes.is_dir():
        return total
    for entry in processes.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii")
            if int(stat.rsplit(")", 1)[1].split()[1]) != me:
                continue
            pages = int((entry / "statm").read_text(encoding="ascii").split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not ours to read
        total += pages * resource.getpagesize() / 2**20
    return total


@contextmanager
def _answered(
    replacements: list[tuple[Any, str, Callable[..., Any]]],
) -> Iterator[None]:
    """Answer modal dialogs (their ``ask``) for the length of the run."""
    saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in replacements]
    try:
        for owner, name, answer in replacements:
            setattr(owner, name, classmethod(answer))
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


class Script:
    """Drives one ``MainWindow`` through the run; each step is timed by the probe."""

    #: How long the event loop must stay idle (no background work) before a step is over.
    QUIET_MS = 40

    def __init__(self, window: MainWindow, runner: ThreadRunner, probe: StallProbe) -> None:
        self.window = window
        self.runner = runner
        self.probe = probe
        self.result = ScriptResult()

    def step(self, action: str, do: Callable[[], object]) -> None:
        """Start ``do`` from the event loop and wait until it and its background reads end."""
        self.probe.begin(action)
        self.result.steps.append(action)
        loop = QEventLoop()
        quiet: dict[str, float | None] = {"since": None}

        def poll() -> None:
            if self.runner.idle():
                started = quiet["since"] or time.perf_counter()
                quiet["since"] = started
                if (time.perf_counter() - started) * 1000 >= self.QUIET_MS:
                    loop.quit()
            else:
                quiet["since"] = None

        def run() -> None:
            do()
            watch.start()

        watch = QTimer()
        watch.setInterval(5)
        watch.timeout.connect(poll)
        QTimer.singleShot(0, run)
        loop.exec()
        watch.stop()
        self.result.rss_mib.append(_rss_mib())
        self.result.helpers_mib.append(_helpers_mib())

    def keystroke(self, action: str, text: str) -> None:
        """Type into the contacts search box; timed until the view has painted the answer."""
        page = self.window.contacts_page

        def type_it() -> None:
            started = time.perf_counter()
            page.search.setText(text)
            page.table.viewport().repaint()
            self.result.keystrokes.append((time.perf_counter() - started) * 1000)

        self.step(action, type_it)


def run_script(
    window: MainWindow,
    runner: ThreadRunner,
    *,
    heavy_contact: int | None,
    trash_count: int,
    selections: int = 50,
) -> ScriptResult:
    """The scripted run on ``window`` (shown, on a database that may be changed freely)."""
    probe = StallProbe()
    script = Script(window, runner, probe)
    page = window.contacts_page
    answers: list[tuple[Any, str, Callable[..., Any]]] = [
        (Confirm, "ask", lambda cls, *a, **k: True),
        (BackwardReasonDialog, "ask", lambda cls, *a, **k: "Scripted run"),
        (
            StageMappingDialog,
            "ask",
            lambda cls, *a, suggested, **k: dict(suggested),
        ),
    ]
    probe.start()
    with _answered(answers):
        script.step("settle after start", lambda: None)
        _open_places(script)
        _sorts(script)
        _filters(script)
        _searches(script)
        _selections(script, heavy_contact, selections)
        _followup_actions(script)
        _trash(script, trash_count)
        _remap(script)
        script.step("back to contacts", lambda: window.show_place("contacts"))
    probe.stop()
    script.result.stalls = {a: probe.worst[a] for a in probe.order if a != "idle"}
    script.result.stall_busy = {a: probe.busy.get(a, 0.0) for a in script.result.stalls}
    script.result.peak_mib = memory.peak_resident_mib()
    del page
    return script.result


def _open_places(script: Script) -> None:
    window = script.window
    places = [
        str(window.sidebar.item(row).data(Qt.ItemDataRole.UserRole))
        for row in range(window.sidebar.count())
    ]
    # The board first (its first open builds it), then every place, twice.
    order = ["board", *[p for p in places if p != "board"]]
    for place in [p for p in order if p in places]:
        script.step(f"open {place} (first time)", partial(window.show_place, place))
    for place in places:
        script.step(f"open {place}", partial(window.show_place, place))
    script.step("open contacts", lambda: window.show_place("contacts"))


def _sorts(script: Script) -> None:
    table = script.window.contacts_page.table
    for column in SORT_KEYS:
        name = column.name.lower().replace("_", " ")
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            way = "up" if order == Qt.SortOrder.AscendingOrder else "down"
            script.step(
                f"sort by {name} {way}",
                partial(table.sortByColumn, column, order),
            )
            script.step(
                f"scroll sorted by {name}", lambda: table.verticalScrollBar().setValue(10**6)
            )
    script.step(
        "sort by name", lambda: table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
    )


def _filters(script: Script) -> None:
    page = script.window.contacts_page
    bar = page.filters
    stages = _stage_ids(script)
    journey_filters: list[tuple[str, dict[str, object]]] = [
        ("stuck", {"stuck": True}),
        ("at risk", {"at_risk": True}),
        ("referred", {"referred": True}),
        ("centre of influence", {"centre_of_influence": True}),
    ]
    for level in ("qualified", "prospect", "suspect"):
        journey_filters.append((f"qualification {level}", {"qualification": _qual(level)}))
    for stage_id in stages:
        journey_filters.append((f"stage {stage_id}", {"stage_id": stage_id}))
    for name, fields in journey_filters:
        script.step(f"filter {name}", partial(bar.change, **fields))
        script.step("clear filter", bar.clear)
    sales = page.sales_filters
    for index in range(1, sales.lifecycle_combo.count()):
        value = sales.lifecycle_combo.itemData(index)
        script.step(f"filter lifecycle {value}", partial(_pick, sales.lifecycle_combo, index))
    script.step("clear lifecycle", lambda: _pick(sales.lifecycle_combo, 0))
    for index in range(1, sales.satisfaction_combo.count()):
        value = sales.satisfaction_combo.itemData(index)
        script.step(f"filter satisfaction {value}", partial(_pick, sales.satisfaction_combo, index))
    script.step("clear satisfaction", lambda: _pick(sales.satisfaction_combo, 0))
    if page.tag_filter.count() > 1:
        script.step("filter by a tag", lambda: _pick(page.tag_filter, 1))
        script.step("clear tag", lambda: _pick(page.tag_filter, 0))


def _pick(combo: QComboBox, index: int) -> None:
    combo.setCurrentIndex(index)


def _qual(level: str) -> Qualification:
    return Qualification(level)


def _stage_ids(script: Script) -> list[int]:
    board = script.window.board_page
    return [column.stage.id for column in board.columns]


def _searches(script: Script) -> None:
    page = script.window.contacts_page
    for word in TYPED:
        for end in range(1, len(word) + 1):
            script.keystroke("search keystroke", word[:end])
        script.step("clear search", page.search.clear)


def _selections(script: Script, heavy_contact: int | None, count: int) -> None:
    page = script.window.contacts_page
    ids = [
        cid
        for row in range(min(count, page.model.rowCount()))
        if (cid := page.model.contact_id(row))
    ]
    if heavy_contact is not None:
        ids.insert(len(ids) // 2, heavy_contact)
    for contact_id in ids:
        action = (
            "select the contact with most touches"
            if contact_id == heavy_contact
            else "select a contact"
        )
        script.step(action, partial(page.select_contact, contact_id))


def _followup_actions(script: Script) -> None:
    window = script.window
    today = window.today_page
    script.step("open today", lambda: window.show_place("today"))
    first = page_id = _first_contact(script)
    if page_id is None:
        return
    window.show_place("contacts")
    page = window.contacts_page
    script.step("select for a touch", lambda: page.select_contact(page_id))
    script.step("log a touch", lambda: _log_touch(script, page_id))
    script.step("open today", lambda: window.show_place("today"))
    rows = [
        r
        for s in (Section.OVERDUE, Section.DUE_TODAY, Section.UPCOMING)
        for r in today.sections[s].rows
    ]
    if rows:
        item = rows[0].item
        script.step(
            "snooze", lambda: today.snooze(item.contact_id, today.today() + timedelta(days=7))
        )
    rows = [
        r
        for s in (Section.OVERDUE, Section.DUE_TODAY, Section.UPCOMING)
        for r in today.sections[s].rows
    ]
    if rows:
        done = rows[0].item
        script.step("complete a follow-up", lambda: today.mark_done(done))
    del first


def _first_contact(script: Script) -> int | None:
    return script.window.contacts_page.model.contact_id(0)


def _log_touch(script: Script, contact_id: int) -> None:
    data = touches.TouchInput(
        contact_id=contact_id,
        medium=Medium.PHONE,
        occurred_at=datetime.now(UTC),
        summary="Scripted call",
    )
    script.window.ops.run(lambda db: touches.log_touch(db, data), TOUCH_CHANGES)


def _trash(script: Script, count: int) -> None:
    window = script.window
    page = window.contacts_page
    window.show_place("contacts")
    script.step(
        "sort by name", lambda: page.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
    )

    def select_many() -> None:
        # The rows are loaded first (their ids read on the runner), then selected.
        page.model.fetch_all(then=select_loaded)

    def select_loaded() -> None:
        page.table.selectRow(0)
        selection = page.table.selectionModel()
        last = min(count, page.model.rowCount()) - 1
        selection.select(
            QItemSelection(page.model.index(0, 0), page.model.index(last, 0)),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    script.step(f"select {count:,} contacts", select_many)
    script.step(f"trash {count:,} contacts", page.delete_action.trigger)
    script.step("open trash", lambda: window.show_place("trash"))
    script.step(f"empty a trash of {count:,}", page.empty_trash)
    script.step("open contacts", lambda: window.show_place("contacts"))


def _remap(script: Script) -> None:
    settings = JourneySettingsPage(script.window.ops)
    models = [
        settings.models.item(row).data(Qt.ItemDataRole.UserRole)
        for row in range(settings.models.count())
    ]
    target = next(
        (m for m in models if m and settings.draft is not None and m != settings.draft.key),
        None,
    )
    active = settings.draft.key if settings.draft is not None else None
    if target is None:
        return
    settings.select_model(target)
    script.step("remap the journey model", settings.use_selected)
    if _active_model(script) != target:
        raise RuntimeError(f"the journey model was not switched to {target}")
    if active is not None:
        settings.select_model(active)
        script.step("remap back", settings.use_selected)
    settings.deleteLater()


def _active_model(script: Script) -> str | None:
    return next((m.key for m in journeys.list_models(script.window.database) if m.active), None)


def open_window(database: Database) -> tuple[MainWindow, ThreadRunner]:
    create_application()
    runner = ThreadRunner()
    window = MainWindow(database, runner)
    window.resize(1280, 800)
    window.show()
    return window, runner


def run_on(database_path: Path, *, heavy_touches: int, trash_count: int) -> ScriptResult:
    """Open the database (a copy the run may change), prepare it, show the window, run."""
    with open_database(database_path) as database:
        heavy = add_heavy_contact(database, heavy_touches) if heavy_touches else None
        window, runner = open_window(database)
        try:
            return run_script(window, runner, heavy_contact=heavy, trash_count=trash_count)
        finally:
            runner.wait()
            window.close()
            window.deleteLater()


def main(argv: list[str]) -> int:
    """``scripted.py DATABASE HEAVY_TOUCHES TRASH_COUNT``: run on DATABASE (which it changes)
    and print the figures as JSON on the last line."""
    path, heavy, trash = Path(argv[0]), int(argv[1]), int(argv[2])
    result = run_on(path, heavy_touches=heavy, trash_count=trash)
    sys.stdout.write(json.dumps(dataclasses.asdict(result)) + "\n")
    sys.stdout.flush()
    os._exit(0)  # skip teardown: not part of the run


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
