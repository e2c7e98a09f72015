"""The schema's version history, known without loading Alembic (which costs start-up time).

``REVISIONS`` lists every migration in order; a test checks it against Alembic's own graph, so
adding a migration without listing it here fails the suite.
"""

from __future__ import annotations

REVISIONS: tuple[str, ...] = (
    "0001",
    "0002",
    "0003",
    "0006",
    "0007",
    "0009",
    "0010",
    "0014",
    "0015",
    "0016",
    "0017",
)
HEAD = REVISIONS[-1]


def is_known(revision: str) -> bool:
    return revision in REVISIONS
