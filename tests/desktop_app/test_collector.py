"""Cycles, and the Qt objects in them, are collected on the GUI thread only."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app import collector
from desktop_app.app import create_application


class _Cycle:
    """A dialog and the slot that refers back to it, say: only the collector frees it."""

    def __init__(self) -> None:
        self.me = self
        self.qt = QObject()


def _cycle(freed_on: list[str]) -> _Cycle:
    cycle = _Cycle()
    weakref.finalize(cycle, lambda: freed_on.append(threading.current_thread().name))
    return cycle


def _garbage_cycle(freed_on: list[str]) -> None:
    _cycle(freed_on)


def _allocate_on_a_thread() -> list[list[int]]:
    """Enough lasting container objects, made on a worker, for collections of every
    generation had collection been automatic."""
    kept: list[list[int]] = []

    def busy() -> None:
        kept.extend([n] for n in range(400_000))

    thread = threading.Thread(target=busy, name="busy worker")
    thread.start()
    thread.join()
    return kept


def test_the_application_turns_automatic_collection_off() -> None:
    app = create_application()
    assert not gc.isenabled()
    pinned = collector.pin(app)
    assert pinned is collector.pin(app)  # one per application
    assert pinned.running


def test_a_busy_thread_leaves_a_cycle_for_the_gui_thread_to_collect(qtbot: QtBot) -> None:
    create_application()
    gc.collect()
    freed_on: list[str] = []
    _garbage_cycle(freed_on)
    kept = _allocate_on_a_thread()
    assert freed_on == []  # the worker collected nothing
    # The timer on the GUI thread collects it, the counts being past the thresholds.
    qtbot.waitUntil(lambda: freed_on != [], timeout=5 * collector.INTERVAL_MS)
    assert freed_on == [threading.main_thread().name]
    del kept


def test_only_what_is_due_is_collected() -> None:
    create_application()
    collector.pin(QApplication.instance()).pause()  # type: ignore[arg-type]
    try:
        gc.collect()
        freed_on: list[str] = []
        _garbage_cycle(freed_on)
        assert collector.collect_due() == 0 and freed_on == []  # the young count is low
        young = gc.get_threshold()[0]
        kept = [[n] for n in range(young + 1)]
        assert collector.collect_due() > 0 and freed_on == [threading.main_thread().name]
        del kept
    finally:
        collector.pin(QApplication.instance()).start()  # type: ignore[arg-type]


def test_a_full_collection_waits_for_enough_new_long_lived_objects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As CPython's own: walking every old object again is worth it only once the objects
    moved to the oldest generation since are a quarter of those that survived the last."""
    create_application()
    collector.pin(QApplication.instance()).pause()  # type: ignore[arg-type]
    try:
        freed_on: list[str] = []
        cycle = _cycle(freed_on)
        gc.collect(1)  # now in the oldest generation
        del cycle  # and garbage there
        for _ in range(gc.get_threshold()[2] + 1):
            gc.collect(0)
            gc.collect(1)  # each counts towards a full collection
        monkeypatch.setattr(collector._LongLived, "total", 1_000_000)
        monkeypatch.setattr(collector._LongLived, "pending", 1_000)
        kept = [[n] for n in range(gc.get_threshold()[0] + 1)]
        collector.collect_due()
        assert freed_on == []
        monkeypatch.setattr(collector._LongLived, "pending", 250_001)
        kept += [[n] for n in range(gc.get_threshold()[0] + 1)]
        collector.collect_due()
        assert freed_on == [threading.main_thread().name]
        assert collector._LongLived.pending == 0 and collector._LongLived.total > 0
        del kept
    finally:
        collector.pin(QApplication.instance()).start()  # type: ignore[arg-type]
