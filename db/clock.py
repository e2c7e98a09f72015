"""The owner's calendar day. Every "today" in Touchbase is the local day of this computer;
code that depends on the day takes a ``today`` argument so tests can fix it."""

from __future__ import annotations

from datetime import UTC, date, datetime


def local_today() -> date:
    """Today, in the computer's time zone."""
    return datetime.now(UTC).astimezone().date()
