"""The import's own errors: each message is written for the owner and says what to do."""

from __future__ import annotations


class ImportProblemError(ValueError):
    """The file cannot be imported as it is (the message says why)."""
