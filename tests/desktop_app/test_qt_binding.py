"""The Qt binding itself. PySide6 6.12.0 drops a reference to ``True`` each time a signal is
emitted from Python; on Python 3.11, where ``True`` is an ordinary object, the interpreter
aborts ("deallocating True or False") after a few thousand emits: minutes into a session.
pyproject.toml leaves that release out; this test fails on any release that does it again."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    happened = Signal(object)
    ticked = Signal()


def test_emitting_signals_leaves_reference_counts_alone() -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.happened.connect(received.append)
    emitter.ticked.connect(lambda: received.append("tick"))
    before = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    for n in range(200):
        emitter.happened.emit(n)
        emitter.ticked.emit()
    after = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    assert len(received) == 400
    assert after[:2] == before[:2], "each emit lost a reference to True or False"
