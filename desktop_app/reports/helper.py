"""Where a Reports helper process starts (``desktop_app.reports.worker`` starts them).

It lowers the process's scheduling priority before anything heavy is imported: the helpers
import SQLAlchemy and matplotlib and walk hundreds of thousands of rows, and on a two-core
laptop two of them at full priority take the processor from the window as it opens Reports
(docs/architecture.md, "Reports"). At a lower priority they use every cycle the window leaves
idle, and the window's own work comes first. This module imports nothing else until then.
"""

from __future__ import annotations

import contextlib
import os

#: How much lower than the app's the helpers' priority is (``os.nice``; 19 is the lowest),
#: where there is no idle scheduling class (``lower_priority``): enough that the window is
#: scheduled first when it wakes; a process at 5 gets about a third of the share of one at
#: the usual 0.
NICENESS = 5


def lower_priority() -> bool:
    """Lower this process's priority by ``NICENESS`` and, on Linux, have it scheduled only on
    cycles nothing else wants (``SCHED_IDLE``). Measured opening Reports cold on two cores
    (``tests/benchmarks/bench_reports.py``, traced): as batch work at nice 5 the window's
    thread still waited 100-155 ms in all for a core while the helpers imported; as idle
    work, with the app's runner in the background too (``desktop_app.tasks``), 18-58 ms
    over 26 runs, and the charts came as soon. The cost: while other programs, or the app's
    own background work, keep every core busy, the charts wait for them. False where the
    system has no ``nice`` (Windows) or refuses it."""
    nice = getattr(os, "nice", None)
    if nice is None:
        return False
    try:
        nice(NICENESS)
    except OSError:
        return False
    idle = getattr(os, "SCHED_IDLE", None)
    if idle is not None:
        # Linux: never the one a waking thread (the window's) waits behind.
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, idle, os.sched_param(0))
    return True


def start(path: str, parent: int) -> None:
    """A helper process's initializer: lower its priority, then load and open what it uses."""
    lower_priority()
    from desktop_app.reports import jobs  # noqa: PLC0415 - only once the priority is lowered

    jobs.start_helper(path, parent)
