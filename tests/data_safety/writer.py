"""A Touchbase process that writes and says what it has committed, for the kill tests.

``python -m tests.data_safety.writer edits DB RUN`` adds contacts (every other one with a touch,
every third one edited) and prints ``committed N`` once contact N's unit of work has returned;
``... demo DB N`` generates sample data, printing ``progress DONE TOTAL`` along the way and
``done`` after the commit; ``... import DB FILE`` imports a CSV file the same way. The test
kills it with SIGKILL when the output says so.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from db import contacts, demo, touches
from db.domain import Medium
from db.engine import open_database
from db.importing import service


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def edits(path: str, run: str) -> None:
    with open_database(path) as database:
        _say("open")
        n = 0
        while True:
            n += 1
            contact_id = contacts.create_contact(
                database,
                contacts.ContactInput(
                    name=f"Run {run} edit {n:05d}",
                    company="Harbour Bakery",
                    emails=(contacts.EmailData(f"edit{n}@example.com", "work"),),
                    tags=("kill-test",),
                ),
            )
            if n % 2 == 0:
                touches.log_touch(
                    database,
                    touches.TouchInput(
                        contact_id, Medium.EMAIL, datetime.now(UTC), summary=f"Touch {n}"
                    ),
                )
            if n % 3 == 0:
                current = contacts.get_contact(database, contact_id)
                contacts.update_contact(
                    database, contact_id, contacts.ContactInput(name=current.name, notes="edited")
                )
            _say(f"committed {n}")


def generate(path: str, count: int) -> None:
    def progress(done: int, total: int) -> bool:
        _say(f"progress {done} {total}")
        return True

    with open_database(path) as database:
        _say("open")
        demo.generate(database, contacts=count, seed=1, progress=progress)
    _say("done")


def import_file(path: str, source_file: str) -> None:
    def progress(done: int, total: int) -> bool:
        _say(f"progress {done} {total}")
        return True

    with open_database(path) as database:
        _say("open")
        source = service.open_source(Path(source_file))
        _say("progress 0 0")
        service.run_import(
            database, source, service.ImportOptions(tag="kill-test"), progress=progress
        )
    _say("done")


if __name__ == "__main__":
    if sys.argv[1] == "edits":
        edits(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "import":
        import_file(sys.argv[2], sys.argv[3])
    else:
        generate(sys.argv[2], int(sys.argv[3]))
