"""Giving memory back to the system after a big piece of work.

A long write (emptying a trash of 10,000 contacts, remapping a journey over 100,000) briefly
needs tens of MiB: SQLite's working sets, the rows it walks. Once freed, glibc keeps those
pages in the process's heap for reuse, so the app would stay at its highest size for the
rest of the session. ``give_back`` asks glibc to return the free pages (``malloc_trim``).
Other platforms' allocators return large frees themselves; there it does nothing.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the process's own C library
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


#: ``mallopt``'s parameter for how many heaps (glibc's "arenas") threads may share.
_M_ARENA_MAX = -8
#: How many heaps the app's threads share. glibc gives each new thread a heap of its own, up
#: to eight per core; a page freed in one heap is never reused by another, so every thread
#: that once worked hard (the background runner walking 100,000 rows, the thread that opens
#: the database, Reports' submitting thread) keeps its own high-water mark beside the GUI
#: thread's. Two heaps: the GUI thread and the runner each rarely wait for the other's, and
#: the scripted run at 100,000 contacts stays about 7 MiB lower (highest 190 -> 184 MiB, peak
#: 200 -> 194 MiB; docs/architecture.md, "Memory").
HEAPS = 2


@functools.cache
def _mallopt() -> Callable[[int, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return mallopt


def limit_heaps() -> bool:
    """Let the app's threads share ``HEAPS`` heaps; False where the C library has no such
    setting. Called before the app starts any thread: a thread keeps the heap it was given."""
    mallopt = _mallopt()
    return mallopt is not None and mallopt(_M_ARENA_MAX, HEAPS) == 1


def give_back() -> bool:
    """Return the heap's free pages to the system; False where there is no way to. Runs on
    the background runner (ctypes lets go of the interpreter lock for the call)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


def peak_resident_mib() -> float:
    """The most memory this process has held resident since it started, in MiB: Linux's
    ``VmHWM``. ``getrusage``'s ``ru_maxrss`` is not that on Linux: it carries over the
    high-water mark of the process that started this one (a benchmark's own, say) through
    ``exec``; it is the answer only where there is no ``/proc``."""
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    import resource  # noqa: PLC0415 - not on Windows

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
