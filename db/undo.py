"""Undo and redo for the owner's everyday changes to contacts, as one pair of services.

Before an action (a stage move, an edit, a follow-up done or snoozed, a bulk tag, a touch
logged for many), :func:`take` records the state of the contacts it will change: their own
row (stage, dates, the derived follow-up columns, trash), emails, phones, tags, key dates and
follow-ups, and how far the append-only tables (touches, stage history) reach.
:func:`restore` puts that state back in one unit of work and removes the touches and stage
changes the action added; a snapshot taken just before undoing, with the rows the action
added, is what redo restores.

The snapshot holds plain values (no ORM objects) and is bounded by the contacts selected.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from db import search
from db.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    Followup,
    KeyDate,
    StageChange,
    Tag,
    Touch,
)

if TYPE_CHECKING:
    from db.engine import Database

#: Rows a contact owns and an action may rewrite: restored as they were.
_OWNED: tuple[Table, ...] = (
    ContactEmail.__table__,  # type: ignore[assignment]
    ContactPhone.__table__,
    ContactTag.__table__,
    KeyDate.__table__,
    Followup.__table__,
)
#: Rows an action only adds: those past the snapshot's mark are removed on undo.
_APPENDED: tuple[Table, ...] = (
    Touch.__table__,  # type: ignore[assignment]
    StageChange.__table__,
)
_CONTACT: Table = Contact.__table__  # type: ignore[assignment]
_TAG: Table = Tag.__table__  # type: ignore[assignment]
_CHUNK = 500


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _pack(values: Sequence[tuple[Any, ...]]) -> bytes:
    return zlib.compress(pickle.dumps(tuple(values), protocol=pickle.HIGHEST_PROTOCOL), 1)


def _unpack(packed: bytes) -> tuple[tuple[Any, ...], ...]:
    # Only ever bytes this module packed, in this process: never read from outside.
    values: tuple[tuple[Any, ...], ...] = pickle.loads(zlib.decompress(packed))
    return values


class Rows:
    """Rows of one table as tuples of values under one header, kept packed (pickled and
    compressed, one part per chunk of contacts) until they are put back.

    An undo snapshot lives on the stack for the rest of the session: as Python tuples the rows
    of 10,000 contacts hold about 20 MiB (and leave the heap fragmented once freed); packed
    they hold about 1 MiB, and unpacking a chunk costs less than writing it back.
    """

    __slots__ = ("_count", "_parts", "columns")

    def __init__(
        self, columns: tuple[str, ...] = (), values: Sequence[tuple[Any, ...]] = ()
    ) -> None:
        self.columns = columns
        self._parts: tuple[bytes, ...] = tuple(
            _pack(values[start : start + _CHUNK]) for start in range(0, len(values), _CHUNK)
        )
        self._count = len(values)

    @classmethod
    def from_parts(cls, columns: tuple[str, ...], parts: Sequence[bytes], count: int) -> Rows:
        """Rows already packed a part at a time (``_Reading``)."""
        rows = cls(columns)
        rows._parts = tuple(parts)
        rows._count = count
        return rows

    @property
    def values(self) -> tuple[tuple[Any, ...], ...]:
        return tuple(row for values in self.parts() for row in values)

    def parts(self) -> Iterator[tuple[tuple[Any, ...], ...]]:
        """The rows a part at a time (at most a chunk of contacts' worth each)."""
        for packed in self._parts:
            yield _unpack(packed)

    def __len__(self) -> int:
        return self._count

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Rows):
            return NotImplemented
        return self.columns == other.columns and self.values == other.values

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Rows({self.columns!r}, {self._count} rows)"

    def column(self, name: str) -> list[Any]:
        if not self._count:
            return []
        at = self.columns.index(name)
        return [row[at] for values in self.parts() for row in values]

    def dicts(self) -> Iterator[list[dict[str, Any]]]:
        """The rows as dicts, a part at a time, for an insert."""
        for values in self.parts():
            yield [dict(zip(self.columns, row, strict=True)) for row in values]


class _Reading:
    """Rows of one table gathered over several chunks of contacts, packed a chunk at a time,
    so the whole snapshot never stands as Python objects at once."""

    def __init__(self) -> None:
        self.columns: tuple[str, ...] = ()
        self.parts: list[bytes] = []
        self.count = 0

    def add(self, session: Session, statement: Select[Any]) -> None:
        result = session.execute(statement)
        self.columns = tuple(result.keys())
        values = [tuple(row) for row in result]
        if values:
            self.parts.append(_pack(values))
            self.count += len(values)

    def rows(self) -> Rows:
        return Rows.from_parts(self.columns, self.parts, self.count)


@dataclass(frozen=True)
class Snapshot:
    """The contacts' state at one moment (see the module's docstring)."""

    contact_ids: tuple[int, ...]
    contacts: Rows
    owned: dict[str, Rows]
    #: The highest id in each append-only table when the snapshot was taken.
    marks: dict[str, int]
    #: Rows past ``since`` in the append-only tables (what an action added), for redo.
    added: dict[str, Rows] = field(default_factory=dict)


def _read(session: Session, ids: Sequence[int], since: dict[str, int] | None) -> Snapshot:
    contact_rows = _Reading()
    owned = {t.name: _Reading() for t in (*_OWNED, _TAG)}
    added = {t.name: _Reading() for t in _APPENDED}
    for chunk in _chunks(ids):
        contact_rows.add(session, select(_CONTACT).where(_CONTACT.c.id.in_(chunk)))
        for table in _OWNED:
            owned[table.name].add(session, select(table).where(table.c.contact_id.in_(chunk)))
        if since is not None:
            for table in _APPENDED:
                added[table.name].add(
                    session,
                    select(table).where(
                        table.c.contact_id.in_(chunk), table.c.id > since[table.name]
                    ),
                )
    # The tags they wear: an edit that drops the last wearer of a tag deletes the tag.
    tag_ids = sorted(set(owned[ContactTag.__tablename__].rows().column("tag_id")))
    for chunk in _chunks(tag_ids):
        owned[_TAG.name].add(session, select(_TAG).where(_TAG.c.id.in_(chunk)))
    marks = {
        table.name: int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0)
        for table in _APPENDED
    }
    return Snapshot(
        tuple(ids),
        contact_rows.rows(),
        {name: reading.rows() for name, reading in owned.items()},
        marks,
        {name: reading.rows() for name, reading in added.items()},
    )


def _insert(session: Session, table: Table, rows: Rows) -> None:
    for part in rows.dicts():
        session.execute(insert(table), part)


def take(database: Database, contact_ids: Sequence[int]) -> Snapshot:
    """The state of these contacts now, to undo an action about to change them."""
    ids = sorted(set(contact_ids))
    with database.reading() as session:
        return _read(session, ids, None)


def take_after(database: Database, before: Snapshot) -> Snapshot:
    """The state after the action, with the rows it added: what redo brings back."""
    with database.reading() as session:
        return _read(session, list(before.contact_ids), before.marks)


def restore(database: Database, snapshot: Snapshot, *, since: dict[str, int]) -> int:
    """Put the contacts back as ``snapshot`` has them, in one unit of work.

    Touches and stage changes of these contacts past ``since`` (the marks taken before the
    action) go, and those the snapshot carries (redo) come back. Returns the contacts restored.
    """
    ids = list(snapshot.contact_ids)
    with database.write_session.begin() as session:
        for chunk in _chunks(ids):
            # Follow-ups first: nothing else of the contact's refers to them.
            for table in reversed(_OWNED):
                session.execute(delete(table).where(table.c.contact_id.in_(chunk)))
            for table in _APPENDED:
                session.execute(
                    delete(table).where(
                        table.c.contact_id.in_(chunk), table.c.id > since[table.name]
                    )
                )
        for table in _APPENDED:
            _insert(session, table, snapshot.added.get(table.name, Rows()))
        contacts = snapshot.contacts
        if contacts:
            statement = (
                update(_CONTACT)
                .where(_CONTACT.c.id == bindparam("v_id"))
                .values(
                    {c.name: bindparam(f"v_{c.name}") for c in _CONTACT.columns if c.name != "id"}
                )
            )
            keys = tuple(f"v_{name}" for name in contacts.columns)
            for values in contacts.parts():
                session.execute(statement, [dict(zip(keys, row, strict=True)) for row in values])
        tags = snapshot.owned.get(_TAG.name, Rows())
        if tags:
            existing = set(
                session.scalars(select(_TAG.c.id).where(_TAG.c.id.in_(tags.column("id"))))
            )
            at = tags.columns.index("id")
            missing = Rows(tags.columns, tuple(t for t in tags.values if t[at] not in existing))
            _insert(session, _TAG, missing)
        for table in _OWNED:
            _insert(session, table, snapshot.owned.get(table.name, Rows()))
        # Tags a bulk action brought in that no one wears any more go, as a delete would.
        session.execute(delete(Tag).where(~Tag.id.in_(select(ContactTag.tag_id).distinct())))
        search.reindex(session, ids)
    return len(ids)
