"""Bulk actions on a large selection, with their undo: prints how long each takes.

    python tests/benchmarks/bulk_bench.py DATABASE [COUNT]

Works on a copy of DATABASE (any Touchbase file, e.g. one ``touchbase demo`` filled), selects
COUNT live contacts (default 5,000) and times tag, set stage, one touch for all, a follow-up
for all and move to trash, each followed by its undo (``db.undo.restore``).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from db import bulk, contacts, stages, undo
from db.clock import local_today
from db.domain import Medium
from db.engine import open_database
from db.journeys import active_stages
from db.models import Contact


def timed(label: str, action: Callable[[], object]) -> None:
    start = time.perf_counter()
    action()
    print(f"  {label:<36} {1000 * (time.perf_counter() - start):8.0f} ms")


def main() -> None:
    source = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "bench.sqlite"
        shutil.copy(source, copy)
        database = open_database(copy)
        try:
            with database.reading() as session:
                ids = list(
                    session.scalars(
                        select(Contact.id).where(Contact.deleted_at.is_(None)).limit(count)
                    )
                )
                stage = active_stages(session)[-1]
            print(f"Bulk actions on {len(ids):,} contacts ({source.name})")
            today = local_today()
            actions: list[tuple[str, Callable[[], object]]] = [
                ("tag", lambda: bulk.tag_contacts(database, ids, "bench")),
                ("set stage", lambda: stages.set_stage(database, ids, stage.id, reason="bench")),
                (
                    "one touch for all",
                    lambda: bulk.log_touch_for_all(
                        database, ids, Medium.EMAIL, datetime.now(UTC) - timedelta(hours=1), "x"
                    ),
                ),
                (
                    "a follow-up for all",
                    lambda: bulk.add_followup_for_all(
                        database, ids, today + timedelta(days=3), "bench", today=today
                    ),
                ),
                ("move to trash", lambda: contacts.trash_contacts(database, ids)),
            ]
            for label, action in actions:
                before: list[undo.Snapshot] = []
                timed(
                    f"{label}: snapshot for undo",
                    lambda b=before: b.append(undo.take(database, ids)),  # type: ignore[misc]
                )
                timed(label, action)
                snap = before[0]
                timed(
                    f"{label}: undo",
                    lambda s=snap: undo.restore(database, s, since=s.marks),  # type: ignore[misc]
                )
        finally:
            database.close()


if __name__ == "__main__":
    main()
