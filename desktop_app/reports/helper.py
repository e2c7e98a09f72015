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

#: How much lower than the app's the helpers' priority is (``os.nice``; 19 is the lowest).
#: Enough that the window is scheduled first when it wakes; not so much that other busy
#: programs (a browser, a backup) starve the charts: a process at 5 gets about a third of
#: the share of one at the usual 0.
NICENESS = 5


def lower_priority() -> bool:
    """Lower this process's priority by ``NICENESS`` and, on Linux, have it scheduled as
    batch work (``SCHED_BATCH``: a thread that wakes, the window's, does not wait behind it;
    the longest pause opening Reports cold went from about 45 to about 25 ms); False where
    the system has no ``nice`` (Windows) or refuses it."""
    nice = getattr(os, "nice", None)
    if nice is None:
        return False
    try:
        nice(NICENESS)
    except OSError:
        return False
    batch = getattr(os, "SCHED_BATCH", None)
    if batch is not None:
        # Linux: a batch process is never the one a waking thread (the window's) waits behind.
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, batch, os.sched_param(0))
    return True


def start(path: str, parent: int) -> None:
    """A helper process's initializer: lower its priority, then load and open what it uses."""
    lower_priority()
    from desktop_app.reports import jobs  # noqa: PLC0415 - only once the priority is lowered

    jobs.start_helper(path, parent)
