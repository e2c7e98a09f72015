"""Slow work behind a progress dialog: its text follows the work, and Cancel stops it."""

from __future__ import annotations

import os
import sys
import threading
from functools import partial

import pytest
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.tasks import (
    RUNNER_NICENESS,
    CancelledError,
    ImmediateRunner,
    Progress,
    Task,
    ThreadRunner,
    run_with_progress,
)


def test_the_dialog_says_how_far_the_work_is_and_hands_back_its_result(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[str] = []
    results: list[object] = []

    def work(progress: Progress) -> str:
        for done in (1000, 2000):
            progress.update(done, 0)
            dialog = parent.findChild(QProgressDialog)
            assert dialog is not None
            seen.append(dialog.labelText())
        return "finished"

    run_with_progress(
        parent,
        ImmediateRunner(),
        "Exporting…",
        work,
        on_done=results.append,
        describe=lambda done, _total: f"{done:,} rows written",
    )
    assert seen == ["1,000 rows written", "2,000 rows written"]
    assert results == ["finished"]


def test_cancel_stops_the_work_and_says_so(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    errors: list[Exception] = []

    def work(progress: Progress) -> None:
        dialog = parent.findChild(QProgressDialog)
        assert dialog is not None
        cancel = dialog.findChild(QPushButton)
        assert cancel is not None and cancel.text() == "Cancel"
        cancel.click()
        if not progress.update(1, 10):
            raise CancelledError
        raise AssertionError("the work should have stopped")

    run_with_progress(
        parent,
        ImmediateRunner(),
        "Working…",
        work,
        on_done=lambda _r: None,
        on_error=errors.append,
    )
    assert len(errors) == 1 and isinstance(errors[0], CancelledError)


def test_a_held_runner_starts_its_tasks_on_release_in_order(qtbot: QtBot) -> None:
    runner = ThreadRunner()
    ran: list[str] = []
    runner.hold()
    for name in ("first", "second"):
        runner.submit(Task(lambda _p, n=name: ran.append(n)))  # type: ignore[misc]
    runner.pool.waitForDone(200)
    assert ran == [] and not runner.idle()
    runner.release()
    qtbot.waitUntil(runner.idle)
    assert ran == ["first", "second"]
    runner.submit(Task(lambda _p: ran.append("after")))
    qtbot.waitUntil(runner.idle)
    assert ran[-1] == "after", "released: tasks start at once again"


def test_waiting_on_a_held_runner_runs_what_it_holds(qtbot: QtBot) -> None:
    runner = ThreadRunner()
    ran: list[int] = []
    runner.hold()
    runner.submit(Task(lambda _p: ran.append(1)))
    assert runner.wait(5000)
    assert ran == [1]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own priority")
def test_the_runner_works_below_the_window_and_leaves_the_window_as_it_was(qtbot: QtBot) -> None:
    """When both want a core, the window's thread gets it (docs/architecture.md, "Pauses")."""
    window = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    runner = ThreadRunner()
    seen: list[int] = []

    def priority(_progress: Progress) -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    for count in (1, 2):  # lowered once, not once per task
        task = Task(priority)
        task.finished.connect(seen.append)
        runner.submit(task)
        qtbot.waitUntil(partial(_has, seen, count))
    assert seen == [min(window + RUNNER_NICENESS, 19)] * 2
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == window


def _has(seen: list[int], count: int) -> bool:
    return len(seen) == count
