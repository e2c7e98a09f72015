"""The contact search index (SQLite FTS5) and turning what a person types into a query.

The index is a plain FTS5 table whose rowid is the contact id. Every service that changes a
contact, its emails, phones or tags calls ``reindex`` inside the same unit of work, so the
index can never disagree with the data it describes after a commit.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from db.models import Contact, ContactEmail, ContactPhone, ContactTag, Tag

#: Whitespace, control characters and ASCII punctuation: separators to FTS5 as well, and
#: they include the only character with a meaning inside an FTS5 string, the double quote.
_SEPARATORS = re.compile(r"[\s\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+")
_BATCH = 500


def digits(value: str) -> str:
    return "".join(filter(str.isdigit, value))


def match_expression(typed: str) -> str | None:
    """Every word typed must start a word somewhere in the contact (prefix match, any order).

    Returns None when nothing searchable was typed. The words are quoted, so FTS5 syntax such
    as ``OR`` or ``NEAR`` typed by a person is searched for, never interpreted.
    """
    # Each word is handed to FTS5 whole, as a quoted string, so that FTS5's own tokenizer
    # splits it exactly as it split the indexed text (combining marks, scripts newer than
    # Python's idea of a word character). A word with no letter or digit could become an empty
    # phrase that matches nothing, so it is left out instead.
    found = words(typed)
    return expression(found) if found else None


def expression(words: Sequence[str]) -> str:
    """The FTS5 query that finds contacts with a word starting with each of ``words``."""
    return " ".join(f'"{word}"*' for word in words)


def words(typed: str) -> tuple[str, ...]:
    """The words of what was typed that ``match_expression`` searches for, in order."""
    return tuple(w for w in _SEPARATORS.split(typed) if any(ch.isalnum() for ch in w))


def narrows(typed: Sequence[str], than: Sequence[str]) -> bool:
    """Whether the ``words`` ``typed`` can only find contacts that the words ``than`` find:
    each word of ``than`` starts one of ``typed``, as when a person types on or adds a word.

    (A word that starts another is matched by FTS5 wherever the longer one is: its tokens
    are the same, the last one a prefix of the other's.) False is always safe: it only means
    "not known"."""
    return all(any(word.startswith(old) for word in typed) for old in than)


def reindex(session: Session, contact_ids: Iterable[int]) -> None:
    """Bring the index rows of these contacts in line with the tables (flushes first)."""
    session.flush()
    ids = sorted(set(contact_ids))
    for start in range(0, len(ids), _BATCH):
        _reindex_batch(session, ids[start : start + _BATCH])


def _reindex_batch(session: Session, ids: Sequence[int]) -> None:
    emails: dict[int, list[str]] = defaultdict(list)
    phones: dict[int, list[str]] = defaultdict(list)
    tags: dict[int, list[str]] = defaultdict(list)
    for contact_id, address in session.execute(
        select(ContactEmail.contact_id, ContactEmail.address).where(
            ContactEmail.contact_id.in_(ids)
        )
    ):
        emails[contact_id].append(address)
    for contact_id, number in session.execute(
        select(ContactPhone.contact_id, ContactPhone.number).where(ContactPhone.contact_id.in_(ids))
    ):
        phones[contact_id].append(number)
    for contact_id, name in session.execute(
        select(ContactTag.contact_id, Tag.name)
        .join(Tag, Tag.id == ContactTag.tag_id)
        .where(ContactTag.contact_id.in_(ids))
    ):
        tags[contact_id].append(name)
    rows = [
        index_row(
            cid,
            name=name,
            company=company,
            title=title,
            emails=emails[cid],
            numbers=phones[cid],
            tags=tags[cid],
            place=(city, region, country),
        )
        for cid, name, company, title, city, region, country in session.execute(
            select(
                Contact.id,
                Contact.name,
                Contact.company,
                Contact.title,
                Contact.city,
                Contact.region,
                Contact.country,
            ).where(Contact.id.in_(ids))
        )
    ]
    session.execute(
        text("DELETE FROM contact_fts WHERE rowid IN :ids").bindparams(
            bindparam("ids", expanding=True)
        ),
        {"ids": list(ids)},
    )
    insert_rows(session, rows)


IndexRow = tuple[int, str, str, str, str, str, str, str]


def index_row(
    contact_id: int,
    *,
    name: str,
    company: str,
    title: str,
    emails: Sequence[str],
    numbers: Sequence[str],
    tags: Sequence[str],
    place: Sequence[str],
) -> IndexRow:
    """One contact's row of the index (``numbers`` as typed; their digits are added here)."""
    phones: list[str] = []
    for number in numbers:
        # Index the digits alone too, so "5551234" finds "(555) 123-4".
        phones.extend((number, digits(number)))
    return (
        contact_id,
        name,
        company,
        title,
        " ".join(emails),
        " ".join(phones),
        " ".join(tags),
        " ".join(p for p in place if p),
    )


def insert_rows(session: Session, rows: Sequence[IndexRow]) -> None:
    """Add index rows for contacts that have none yet (new ones, in a bulk load)."""
    if rows:
        session.connection().exec_driver_sql(
            "INSERT INTO contact_fts(rowid, name, company, title, emails, phones, tags, place)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            list(rows),
        )


def drop_missing(session: Session) -> None:
    """Forget the index rows of contacts deleted for good."""
    session.execute(text("DELETE FROM contact_fts WHERE rowid NOT IN (SELECT id FROM contact)"))


def rebuild(session: Session) -> int:
    """Rebuild the whole index (after a bulk load); returns the number of contacts indexed."""
    session.execute(text("DELETE FROM contact_fts"))
    ids = list(session.scalars(select(Contact.id)))
    reindex(session, ids)
    return len(ids)


def matching_ids_clause() -> str:
    return "SELECT rowid FROM contact_fts WHERE contact_fts MATCH :match"


def count_matches(session: Session, match: str, cap: int) -> int:
    """How many contacts ``match`` (a ``match_expression``) finds, counting no further than
    ``cap``: what the index alone says, read on every keystroke of a search, so sent as it
    stands to the driver."""
    found = (
        session.connection()
        .exec_driver_sql(
            "SELECT count(*) FROM (SELECT 1 FROM contact_fts WHERE contact_fts MATCH ? LIMIT ?)",
            (match, cap),
        )
        .scalar()
    )
    return int(found or 0)
