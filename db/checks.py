"""A full check of a database (Tools → Check database, ``touchbase check``), in plain words.

SQLite's ``integrity_check`` reads every page and index; ``foreign_key_check`` finds rows that
point at something no longer there. Both only read. Their findings are said the way an owner
would: "3 touches belong to a contact that no longer exists", not "touch 12 fk 0".
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from db.files import connect_for_reading

#: What each table holds, for the owner's eyes (singular, plural).
_THINGS: dict[str, tuple[str, str]] = {
    "contact": ("contact", "contacts"),
    "contact_email": ("email address", "email addresses"),
    "contact_phone": ("phone number", "phone numbers"),
    "contact_tag": ("tag on a contact", "tags on contacts"),
    "tag": ("tag", "tags"),
    "touch": ("touch", "touches"),
    "followup": ("follow-up", "follow-ups"),
    "purchase": ("purchase", "purchases"),
    "feedback": ("feedback form", "feedback forms"),
    "feedback_answer": ("feedback answer", "feedback answers"),
    "stage": ("stage", "stages"),
    "stage_change": ("stage change", "stage changes"),
    "journey_model": ("journey model", "journey models"),
    "plan_step": ("100-day plan step", "100-day plan steps"),
    "feedback_question": ("feedback question", "feedback questions"),
}
MAX_LISTED = 20
RESTORE_HINT = "Restore a backup (File → Restore from backup…, or touchbase restore FILE)."


@dataclass(frozen=True)
class CheckReport:
    path: Path
    #: Each problem as a sentence; empty when the database is healthy.
    problems: tuple[str, ...]

    @property
    def healthy(self) -> bool:
        return not self.problems


def check_file(path: Path) -> CheckReport:
    """Run ``integrity_check`` and ``foreign_key_check`` on the file at ``path``."""
    try:
        with closing(connect_for_reading(path)) as conn:
            integrity = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
            orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return CheckReport(
            path,
            (f"The file is damaged so badly that SQLite cannot check it ({exc}). {RESTORE_HINT}",),
        )
    problems: list[str] = []
    if integrity != ["ok"]:
        problems.append(
            f"The file is damaged: SQLite found {len(integrity):,} problem"
            f"{'s' if len(integrity) != 1 else ''} in how it is stored. {RESTORE_HINT}"
        )
        problems.extend(f"  {line}" for line in integrity[:MAX_LISTED])
    counts = Counter((str(row[0]), str(row[2])) for row in orphans)
    for (table, parent), count in sorted(counts.items()):
        child = _THINGS.get(table, (f"row of {table}", f"rows of {table}"))
        owner = _THINGS.get(parent, (parent, parent))[0]
        verb = "belongs" if count == 1 else "belong"
        what = child[0] if count == 1 else child[1]
        problems.append(f"{count:,} {what} {verb} to a {owner} that no longer exists.")
    return CheckReport(path, tuple(problems))
