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


def give_back() -> bool:
    """Return the heap's free pages to the system; False where there is no way to. Runs on
    the background runner (ctypes lets go of the interpreter lock for the call)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
