"""The import itself: a preview that writes nothing, then one transaction that writes it all.

``open_source`` looks at a file (CSV or vCard; encoding, delimiter and column layout for a
CSV) and returns an ``ImportSource`` the owner may correct. ``preview`` reads the file once
and sorts its rows into new contacts, matches with existing ones (by email, then phone, see
``db.matching``) and invalid rows with their line and reason. ``run_import`` reads it again
and, in a single write transaction, creates, updates or skips each row as chosen: if any
invalid row is not to be left out, if the owner cancels, or if anything fails, nothing at all
is written. Both keep only counts and the first ``SHOWN`` rows of each kind, so a file of a
million rows imports in bounded memory.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Index, Table, func, insert, inspect, select
from sqlalchemy.orm import Session

from db import backups, derived, matching, search
from db.clock import local_today
from db.contacts import TAG_MAX
from db.importing import csvfile, pipeline, vcard
from db.importing.csvfile import CsvDialect, CsvReader
from db.importing.errors import ImportProblemError
from db.importing.fields import ColumnRule, Layout, Mapping, guess_layout
from db.importing.rows import ImportRow, Record, merge_notes, record_summary, row_of
from db.journeys import active_model
from db.models import (
    Base,
    Contact,
    ContactEmail,
    ContactPhone,
    ContactTag,
    StageChange,
    Tag,
    utcnow,
)

if TYPE_CHECKING:
    from db.engine import Database

log = logging.getLogger(__name__)

#: Rows of each kind the preview and the summary list (the counts are always complete).
SHOWN = 1000
#: Rows written per batch inside the one transaction.
_BATCH = 2000
#: An import expected to create at least this many contacts, and at least half as many as
#: the database already has, builds the indexes it does not read anew at the end (see
#: ``_Writer.defer_indexes``).
DEFER_INDEXES_FROM = 5000
#: While an import writes, its connection keeps up to this much of the database in memory
#: (KiB; SQLite's own default is 2 MiB): the pages it fills and reads again (the tables as
#: the indexes are built, the derived columns) stay there instead of going out and back.
#: 100,000 new contacts fill about 130 MiB; each deferred index built anew reads the whole
#: contact table, from memory rather than from the log when it is all there (0.70 s for the
#: 21 indexes, against 0.85-0.91 s with 64 MiB). It is given back when the import ends.
_CACHE_KIB = 256 * 1024
#: The search index gathers new terms in memory up to this many bytes before it writes them
#: out as a segment (SQLite's FTS5 ``hashsize``, by default 1 MiB): fewer, larger segments to
#: write and merge. ``_FTS_HASHSIZE`` is FTS5's default, set again before the commit.
_FTS_PENDING = 16 << 20
_FTS_HASHSIZE = 1 << 20

Progress = Callable[[int, int], bool]


class Format(enum.Enum):
    CSV = "csv"
    VCARD = "vcard"


class DuplicateAction(enum.Enum):
    SKIP = "skip"
    UPDATE = "update"
    CREATE = "create"


class ImportCancelledError(ImportProblemError):
    def __init__(self) -> None:
        super().__init__("The import was cancelled; nothing was written.")


class FileChangedError(ImportProblemError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path.name} changed since it was previewed; preview it again before importing."
        )


class InvalidRowsError(ImportProblemError):
    """Some rows cannot be imported and were not to be left out: nothing was written."""

    def __init__(self, invalid: int, rows: Sequence[PreviewRow]) -> None:
        lines = ", ".join(str(r.line) for r in rows[:10])
        more = f" and {invalid - 10:,} more" if invalid > 10 else ""
        super().__init__(
            f"{invalid:,} row{'s' if invalid != 1 else ''} cannot be imported "
            f"(line{'s' if invalid != 1 else ''} {lines}{more}); nothing was written."
        )
        self.invalid = invalid
        self.rows = tuple(rows)


@dataclass(frozen=True)
class ImportSource:
    """A file to import and how to read it (all of it can be corrected by the owner)."""

    path: Path
    format: Format
    dialect: CsvDialect | None = None
    headers: tuple[str, ...] = ()
    mapping: Mapping = ()
    layout: str = ""
    #: Size and modification time when it was looked at, to notice a file changed since.
    stamp: tuple[int, int] = (0, 0)

    def with_dialect(self, dialect: CsvDialect) -> ImportSource:
        """The same CSV file read another way (its headers and mapping are read again)."""
        return _csv_source(self.path, dialect)

    def with_mapping(self, mapping: Sequence[ColumnRule]) -> ImportSource:
        return ImportSource(
            self.path,
            self.format,
            self.dialect,
            self.headers,
            tuple(mapping),
            self.layout,
            self.stamp,
        )


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return (info.st_size, info.st_mtime_ns)


def guess_format(path: Path) -> Format:
    if path.suffix.lower() in (".vcf", ".vcard") or vcard.has_cards(path):
        return Format.VCARD
    return Format.CSV


def open_source(path: Path, fmt: Format | None = None) -> ImportSource:
    """Look at a file: its format, and for a CSV its encoding, delimiter and layout.

    Raises ``OSError`` (missing, unreadable) or ``ImportProblemError`` (nothing to import).
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder, not a file.")
    fmt = fmt or guess_format(path)
    if fmt is Format.VCARD:
        return ImportSource(path, Format.VCARD, stamp=_stamp(path))
    return _csv_source(path, csvfile.detect(path))


def _csv_source(path: Path, dialect: CsvDialect) -> ImportSource:
    with CsvReader(path, dialect) as reader:
        headers = tuple(h.strip().lstrip("\ufeff") for h in reader.headers)
    if not any(headers):
        raise ImportProblemError(f"{path.name} is empty: it has no header row.")
    layout: Layout = guess_layout(headers)
    return ImportSource(
        path, Format.CSV, dialect, headers, layout.mapping, layout.name, _stamp(path)
    )


# --- Reading rows -------------------------------------------------------------------------------


def _reading(source: ImportSource, region: str = "") -> pipeline.Reading:
    """How to read ``source``'s records: without the import's tag, which ``_Writer`` adds."""
    return pipeline.Reading(
        source.path, source.format is Format.VCARD, source.dialect, source.mapping, "", region
    )


def _check_unchanged(source: ImportSource) -> None:
    if source.stamp != (0, 0) and _stamp(source.path) != source.stamp:
        raise FileChangedError(source.path)


@contextmanager
def _rows(source: ImportSource) -> Iterator[pipeline.Rows]:
    _check_unchanged(source)
    with pipeline.open_rows(_reading(source)) as rows:
        yield rows


class _Reading(Protocol):
    """How far a file is read (``position`` of ``size`` bytes)."""

    size: int

    @property
    def position(self) -> int: ...


class _Ticker:
    """Calls ``progress`` every few hundred rows; raises when the owner cancels."""

    def __init__(self, progress: Progress | None, rows: _Reading) -> None:
        self.progress = progress
        self.rows = rows
        self.count = 0
        self.last = time.monotonic()

    def tick(self) -> None:
        self.count += 1
        if self.progress is None or self.count % 256:
            return
        now = time.monotonic()
        if now - self.last < 0.05:
            return
        self.last = now
        if not self.progress(self.rows.position, self.rows.size):
            raise ImportCancelledError

    def check(self) -> None:
        """Report progress now (while waiting for rows); raises when the owner cancels."""
        if self.progress is not None:
            self.last = time.monotonic()
            if not self.progress(self.rows.position, self.rows.size):
                raise ImportCancelledError

    def done(self) -> None:
        if self.progress is not None and not self.progress(self.rows.size, self.rows.size):
            raise ImportCancelledError


# --- The preview ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewRow:
    line: int
    #: What the row says (name · company · emails · phones).
    summary: str
    #: The existing contact it matches, if any, and that contact's name.
    contact_id: int | None = None
    existing: str = ""
    #: Why it cannot be imported ("" when it can).
    error: str = ""


@dataclass(frozen=True)
class Preview:
    """What importing the file would do; nothing has been written."""

    source: ImportSource
    new: int = 0
    matched: int = 0
    invalid: int = 0
    #: Rows with nothing in them at all (not counted anywhere else).
    blank: int = 0
    new_rows: tuple[PreviewRow, ...] = ()
    matched_rows: tuple[PreviewRow, ...] = ()
    invalid_rows: tuple[PreviewRow, ...] = ()

    @property
    def rows(self) -> int:
        return self.new + self.matched + self.invalid


class _Tally:
    """Blank and invalid rows as a file is read (the first ``SHOWN`` invalid ones kept)."""

    def __init__(self) -> None:
        self.blank = 0
        self.invalid = 0
        self.invalid_rows: list[PreviewRow] = []

    def valid_records(self, records: Iterable[Record], ticker: _Ticker) -> Iterator[Record]:
        """The records of the rows that can be imported; the others are counted here."""
        for record in records:
            ticker.tick()
            if record[1] is not None:
                yield record
            else:
                self._left_out(record[0], *record[10])

    def _left_out(self, line: int, error: str, summary: str) -> None:
        if not error:
            self.blank += 1
        else:
            self.invalid += 1
            if len(self.invalid_rows) < SHOWN:
                self.invalid_rows.append(PreviewRow(line, summary, error=error))


def preview(
    database: Database,
    source: ImportSource,
    *,
    progress: Progress | None = None,
    keep: bool = True,
) -> Preview:
    """Read the whole file and say what importing it would do (writes nothing).

    A row matches an existing contact, or an earlier row of the file that would be created
    (its ``contact_id`` is then minus that row's line, see ``in_file_line``). With ``keep``
    the rows read are kept for an import of the same file that follows (``_records``); a
    preview that is all there will be (``touchbase import --dry-run``) keeps nothing."""
    new = matched = 0
    new_rows: list[PreviewRow] = []
    matched_rows: list[PreviewRow] = []
    tally = _Tally()
    with database.reading() as session:
        region = matching.default_region(session)
        index = matching.ContactIndex.load(session, region)
    keeping = _Keeping(keep=keep)
    with keeping, _rows(source) as rows:
        ticker = _Ticker(progress, rows)
        # Each row as a record, without the import's tag (see ``_records``).
        for record in tally.valid_records(keeping.kept(rows.records("", region)), ticker):
            line = record[0]
            found = index.claim_keys(-line, record[7], record[8])
            if found is None:
                new += 1
                if len(new_rows) < SHOWN:
                    new_rows.append(PreviewRow(line, record_summary(record)))
            else:
                matched += 1
                if len(matched_rows) < SHOWN:
                    matched_rows.append(PreviewRow(line, record_summary(record), found))
        ticker.done()
        keeping.keep(source, region)
    if matched_rows:
        matched_rows = _with_names(database, matched_rows)
    return Preview(
        source,
        new,
        matched,
        tally.invalid,
        tally.blank,
        tuple(new_rows),
        tuple(matched_rows),
        tuple(tally.invalid_rows),
    )


#: The records the last preview read, with the file and region they were read for, for the
#: import of that file that follows (``_records``).
_kept: tuple[ImportSource, str, pipeline.Spool] | None = None
_kept_lock = threading.Lock()


class _Keeping:
    """Keeps a preview's records as it reads the rows (``pipeline.Spool``). Keeping them is
    only a saving: should the temporary file fail (a full disk), the preview goes on without
    it and the import reads the file again."""

    def __init__(self, *, keep: bool = True) -> None:
        self.spool: pipeline.Spool | None = None
        if not keep:
            return
        try:
            self.spool = pipeline.Spool()
        except OSError as exc:
            log.warning("cannot keep the preview's rows for the import (%s)", exc)

    def kept(self, records: Iterable[Record]) -> Iterator[Record]:
        """The records, each kept as it is given."""
        for record in records:
            if self.spool is not None:
                try:
                    self.spool.add(record)
                except OSError as exc:
                    log.warning("cannot keep the preview's rows for the import (%s)", exc)
                    self._drop()
            yield record

    def keep(self, source: ImportSource, region: str) -> None:
        """Every row was read: keep the records for an import of ``source`` (its phone
        numbers' matching keys are for ``region``)."""
        global _kept
        spool, self.spool = self.spool, None
        if spool is None:
            return
        try:
            spool.finish()
        except OSError as exc:
            log.warning("cannot keep the preview's rows for the import (%s)", exc)
            spool.close()
            return
        with _kept_lock:
            replaced, _kept = _kept, (source, region, spool)
        if replaced is not None:
            replaced[2].close()

    def _drop(self) -> None:
        if self.spool is not None:
            self.spool.close()
            self.spool = None

    def __enter__(self) -> _Keeping:
        return self

    def __exit__(self, *exc: object) -> None:
        self._drop()  # a preview that failed or was cancelled keeps nothing


@contextmanager
def _records(source: ImportSource, region: str) -> Iterator[pipeline.Feed]:
    """The file's records for an import, without its tag (``_Writer`` adds it): those its
    preview kept when it was the last one and read the same file the same way for the same
    region, else read from the file now. Kept records serve one import."""
    global _kept
    with _kept_lock:
        kept, spool = _kept, None
        if kept is not None and kept[0] == source and kept[1] == region:
            spool, _kept = kept[2], None
    if spool is None:
        with pipeline.records(_reading(source, region=region)) as feed:
            yield feed
        return
    try:
        with spool.read() as feed:
            yield feed
    finally:
        spool.close()


def in_file_line(contact_id: int | None) -> int | None:
    """The line of the file a preview row matches, when it matches a row, not a contact."""
    return -contact_id if contact_id is not None and contact_id < 0 else None


def _with_names(database: Database, rows: list[PreviewRow]) -> list[PreviewRow]:
    ids = sorted({r.contact_id for r in rows if r.contact_id is not None})
    with database.reading() as session:
        names = {
            cid: (name, company)
            for cid, name, company in session.execute(
                select(Contact.id, Contact.name, Contact.company).where(Contact.id.in_(ids))
            )
        }
    out = []
    for r in rows:
        line = in_file_line(r.contact_id)
        if line is not None:
            shown = f"line {line:,} of this file"
        else:
            name, company = names.get(r.contact_id or 0, ("", ""))
            shown = f"{name} · {company}" if company else name
        out.append(PreviewRow(r.line, r.summary, r.contact_id, shown))
    return out


# --- Writing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOptions:
    #: What to do with a row that matches an existing contact.
    on_duplicate: DuplicateAction = DuplicateAction.SKIP
    #: A different choice for particular rows, by line.
    choices: dict[int, DuplicateAction] = field(default_factory=dict)
    #: Leave invalid rows out (otherwise any invalid row means nothing is written).
    skip_invalid: bool = False
    #: A tag for every contact the import creates ("imported 2026-12-01"); "" for none.
    tag: str = ""


@dataclass(frozen=True)
class ImportSummary:
    created: int = 0
    updated: int = 0
    #: Rows matching an existing contact that were left alone.
    skipped: int = 0
    #: Invalid rows left out.
    invalid: int = 0
    blank: int = 0
    invalid_rows: tuple[PreviewRow, ...] = ()
    #: Ids of the created contacts, in file order (the first ``SHOWN``).
    created_ids: tuple[int, ...] = ()


def check_tag(tag: str) -> str | None:
    """Why ``tag`` cannot be an import tag, or None."""
    tag = " ".join(tag.split())
    if len(tag) > TAG_MAX:
        return f"Keep the tag under {TAG_MAX} characters."
    if "," in tag:
        return "A tag cannot contain a comma."
    return None


def run_import(
    database: Database,
    source: ImportSource,
    options: ImportOptions,
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ImportSummary:
    """Import the file in one transaction: every chosen row, or nothing.

    Raises ``InvalidRowsError`` when a row cannot be imported and ``skip_invalid`` is not set,
    ``ImportCancelledError`` when ``progress`` returns False, ``FileChangedError`` when the file
    is not the one previewed; in each case nothing is written.
    """
    problem = check_tag(options.tag)
    if problem is not None:
        raise ImportProblemError(problem)
    tag = " ".join(options.tag.split())
    now = now or utcnow()
    # Before the transaction: an import that goes wrong in the owner's eyes can be undone
    # by restoring this (the transaction itself guarantees all-or-nothing).
    backups.backup_before(database, backups.BEFORE_IMPORT)
    started = time.perf_counter()
    updated = skipped = 0
    tally = _Tally()
    with database.write_session.begin() as session, _bulk_settings(session):
        _check_unchanged(source)
        region = matching.default_region(session)
        # The records its preview kept, or else (a large file) read by a helper process
        # from here on, beside what follows.
        with _records(source, region) as feed:
            index = matching.ContactIndex.load(session, region)
            writer = _Writer(session, now, tag, region)
            writer.rows_read = feed
            ticker = _Ticker(progress, feed)
            feed.idle = ticker.check
            for record in tally.valid_records(feed, ticker):
                if tally.invalid and not options.skip_invalid:
                    continue  # nothing will be written: just find the other invalid rows
                # A record matches a contact, or one this import creates from an earlier row.
                found = index.claim_keys(writer.next_contact, record[7], record[8])
                action = (
                    DuplicateAction.CREATE
                    if found is None
                    else options.choices.get(record[0], options.on_duplicate)
                )
                if action is DuplicateAction.CREATE:
                    writer.create(record)
                elif action is DuplicateAction.UPDATE:
                    assert found is not None
                    writer.update(found, row_of(record))
                    updated += 1
                else:
                    skipped += 1
            if tally.invalid and not options.skip_invalid:
                raise InvalidRowsError(tally.invalid, tally.invalid_rows)
            # The last steps take a while for a big file (seconds at 1,000,000 rows): the
            # owner can still cancel between them.
            writer.finish(between=ticker.done)
            ticker.done()
        summary = ImportSummary(
            created=writer.created,
            updated=updated,
            skipped=skipped,
            invalid=tally.invalid,
            blank=tally.blank,
            invalid_rows=tuple(tally.invalid_rows),
            created_ids=tuple(writer.created_ids),
        )
    log.info("imported %s in %.1f s: %s", source.path.name, time.perf_counter() - started, summary)
    return summary


@contextmanager
def _bulk_settings(session: Session) -> Iterator[None]:
    """A larger page cache for the import's connection and a larger in-memory buffer for the
    search index, for the length of the import (see ``_CACHE_KIB``, ``_FTS_PENDING``). The
    buffer is a setting stored in the index: it is set back before the commit, and a rollback
    takes it back anyway, so the database keeps no trace of it."""
    connection = session.connection()
    cache = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    stored = connection.exec_driver_sql(
        "SELECT v FROM contact_fts_config WHERE k = 'hashsize'"
    ).scalar()
    fts_setting = "INSERT INTO contact_fts(contact_fts, rank) VALUES ('hashsize', ?)"
    connection.exec_driver_sql(f"PRAGMA cache_size = -{_CACHE_KIB}")
    try:
        connection.exec_driver_sql(fts_setting, (_FTS_PENDING,))
        yield
        connection.exec_driver_sql(fts_setting, (stored or _FTS_HASHSIZE,))
        if stored is None:
            connection.exec_driver_sql("DELETE FROM contact_fts_config WHERE k = 'hashsize'")
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {cache}")


def _deferrable_indexes() -> list[Index]:
    """The indexes an import neither reads nor needs while it runs: those on the contact table
    (matching, updates and derived columns find contacts by id), on email addresses (matching
    reads them all once, up front), on tags by tag and on stage changes (nothing reads them).
    A contact's own emails, phones and tags are found through indexes that stay; so do the
    indexes of the few contacts that are centres of influence or were referred (``_FEW``):
    an import adds next to nothing to them, and building one anew reads every contact."""
    address = next(i for i in _table(ContactEmail).indexes if i.name == "ix_contact_email_address")
    others = [i for model in (ContactTag, StageChange) for i in _table(model).indexes]
    contacts = [i for i in _table(Contact).indexes if i.name not in _FEW]
    return [
        *sorted(contacts, key=lambda i: str(i.name)),
        address,
        *sorted(others, key=lambda i: str(i.name)),
    ]


#: Indexes of only some contacts (see ``_deferrable_indexes``): a file seldom marks more than
#: a few as centres of influence, and never says who referred whom.
_FEW = frozenset({"ix_contact_live_centres", "ix_contact_live_referred"})


def worth_deferring_indexes(existing: int, expected_new: int) -> bool:
    """Whether building the indexes anew over every contact costs less than adding the
    expected new contacts to them one by one (true when the import is large for the table)."""
    return expected_new >= max(DEFER_INDEXES_FROM, existing // 2)


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _next_id(session: Session, model: type[Base]) -> int:
    return int(session.scalar(select(func.max(_table(model).c.id))) or 0) + 1


_CONTACT_COLUMNS = (
    "id",
    "name",
    "company",
    "title",
    "street",
    "city",
    "region",
    "postal_code",
    "country",
    "notes",
    "stage_id",
    "stage_entered_at",
    "centre_of_influence",
    "do_not_contact",
    "has_need",
    "has_budget",
    "has_urgency",
    "is_decision_maker",
    "purchase_interval_days",
    "purchase_count",
    "lifetime_value",
    "created_at",
    "updated_at",
)
#: A new contact's row: the columns above, then its derived columns (see ``_Writer.create``).
_NEW_CONTACT_COLUMNS = (*_CONTACT_COLUMNS, *derived.CREATED_COLUMNS)


#: The columns of a new contact's row that are its text (bound as they are); those after them
#: are bound as ``_bindable`` makes them.
_TEXT_COLUMNS = 10


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _contact_insert_sql(columns: Sequence[str]) -> str:
    """A new contact's insert, the values after its text turned back from ``_bindable``."""
    values = ["?"] * _TEXT_COLUMNS + ["nullif(?, '')"] * (len(columns) - _TEXT_COLUMNS)
    return f"INSERT INTO contact ({', '.join(columns)}) VALUES ({', '.join(values)})"


def _bindable(values: Iterable[Any]) -> tuple[Any, ...]:
    """Values the driver binds at C speed: it looks for an adapter for every None and bool
    (about 0.25 µs each, against 0.005 µs for an int or a str), and a new contact's row has a
    dozen. None is sent as "" (``nullif`` makes it NULL again: no column after a contact's
    text has "" as a value), a bool as 0 or 1 (as SQLite stores it anyway)."""
    return tuple("" if v is None else int(v) if isinstance(v, bool) else v for v in values)


_INSERTS: dict[type[Base], str] = {
    Contact: _contact_insert_sql(_NEW_CONTACT_COLUMNS),
    ContactEmail: _insert_sql(
        "contact_email", ("id", "contact_id", "address", "label", "position")
    ),
    ContactPhone: _insert_sql("contact_phone", ("id", "contact_id", "number", "label", "position")),
    ContactTag: _insert_sql("contact_tag", ("contact_id", "tag_id")),
}
#: Each new contact's first step into its stage, numbered on from the highest id there is by
#: the contact's own id (the new contacts' ids run on from the first new one; a contact with
#: no stage leaves its number unused): every contact from the first new id on, once they are
#: all in (``_Writer.finish``). No numbering of its own to work out: half the time.
_STAGE_CHANGES = (
    "INSERT INTO stage_change"
    " (id, contact_id, from_stage_id, to_stage_id, changed_at, automatic, reason)"
    " SELECT ? + id, id, NULL, stage_id, ?, 1, 'Imported'"
    " FROM contact WHERE id >= ? AND stage_id IS NOT NULL ORDER BY id"
)


#: How many ways of writing a stage an import remembers (a file names a few, row after row).
_STAGE_TEXTS = 1000
#: The kinds of new contact (stage, flags, days between purchases) an import asks the rules
#: about, one at a time (``derived.created_values``); a file with more has the derived
#: columns of all its new contacts worked out in one pass at the end instead.
_KINDS = 256
#: A new contact without its derived columns, for ``derived.created_values`` to fill in.
_FIRST_OF_KIND = _contact_insert_sql(_CONTACT_COLUMNS)


class _Writer:
    """Creates contacts in batches of plain inserts (ids assigned here) and updates matches.

    New contacts are written with the driver's ``executemany`` and their search index rows
    built from what is being written (``search.index_row``), which is what makes a 100,000-row
    import take seconds. Their derived columns are written with them: the rules of
    ``db.derived`` give them once for each kind of new contact (``derived.created_values``),
    rather than each rule rewriting every new row afterwards.
    """

    def __init__(self, session: Session, now: datetime, tag: str, region: str) -> None:
        self.session = session
        self.now = now
        # The UTC text form SQLAlchemy stores for a datetime on SQLite (see db.types).
        self.stamp = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        #: The tag every new contact gets ("" for none), added here to the records' tags.
        self.tag = tag
        self.region = region
        model = active_model(session)
        self.stage_id = model.stages[0].id if model is not None and model.stages else None
        #: The active model's stages by label (case and spacing aside), for a row naming one.
        self.stage_ids = (
            {" ".join(s.label.casefold().split()): s.id for s in model.stages}
            if model is not None
            else {}
        )
        self.next_contact = _next_id(session, Contact)
        #: Contacts from this id on are created by this import (and may still be unwritten).
        self.first_new = self.next_contact
        self.next_email = _next_id(session, ContactEmail)
        self.next_phone = _next_id(session, ContactPhone)
        self.next_tag = _next_id(session, Tag)
        self.tag_ids: dict[str, int] = {}
        self.tag_sets: dict[tuple[str, ...], tuple[tuple[int, ...], str]] = {}
        self.rows: dict[type[Base], list[tuple[Any, ...]]] = {model: [] for model in _INSERTS}
        self.index_rows: list[search.IndexRow] = []
        #: The first contact of those created since the last ``flush`` (not yet written).
        self.batch_first = self.next_contact
        #: The stage a row's text names (see ``create``), by the text as it stands.
        self.stage_for: dict[str, int | None] = {}
        self.created = 0
        self.created_ids: list[int] = []
        self.updated_ids: set[int] = set()
        #: The file being read, to guess from how far it is read how many rows it has.
        self.rows_read: _Reading | None = None
        self.existing = int(session.scalar(select(func.count()).select_from(Contact)) or 0)
        self.deferred: list[Index] = []
        #: A new contact's row after its text, its derived columns included (``_bindable``),
        #: by what the rules read of it (its stage, flags and days between purchases); and
        #: the local day they were worked out for.
        self.derived: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.derived_day = local_today()
        #: New contacts of kinds beyond ``_KINDS``, written without their derived columns,
        #: which then come from one pass over every new contact at the end.
        self.later: list[tuple[Any, ...]] = []
        self.derive_at_end = False

    def _tag_id(self, name: str) -> int:
        key = name.casefold()
        found = self.tag_ids.get(key)
        if found is None:
            found = self.session.scalar(select(Tag.id).where(Tag.name == name))
            if found is None:
                found = self.next_tag
                self.next_tag += 1
                self.session.execute(insert(_table(Tag)), [{"id": found, "name": name}])
            self.tag_ids[key] = found
        return found

    def _tag_set(self, names: tuple[str, ...]) -> tuple[tuple[int, ...], str]:
        """The ids of a new contact's tags (each once), made when new: those a row gives and
        the import's own (unless the row gives it too); and their search index text. The
        same few sets of tags come back row after row, so each set is worked out once."""
        found = self.tag_sets.get(names)
        if found is None:
            tags = names
            if self.tag and self.tag.casefold() not in {t.casefold() for t in names}:
                tags = (*names, self.tag)
            ids = [self._tag_id(name) for name in tags]
            found = self.tag_sets[names] = (tuple(dict.fromkeys(ids)), " ".join(tags))
        return found

    def create(self, record: Record) -> None:
        """A new contact, at the stage the row names if the active model has it, else at the
        model's first stage."""
        _line, head, tail, emails, phones, tags, stage, _e, _p, index_text, _extra = record
        assert head is not None
        cid = self.next_contact
        self.next_contact += 1
        stamp = self.stamp
        stage_id = self.stage_for.get(stage, -1)
        if stage_id == -1:
            stage_id = self.stage_ids.get(" ".join(stage.casefold().split()), self.stage_id)
            if len(self.stage_for) < _STAGE_TEXTS:
                self.stage_for[stage] = stage_id
        kind = (stage_id, tail)
        values = self.derived.get(kind)
        if values is not None:
            self.rows[Contact].append((cid, *head, *values))
        else:
            row = (
                cid,
                *head,
                *_bindable(
                    (stage_id, stamp if stage_id is not None else None, *tail, 0, 0, stamp, stamp)
                ),
            )
            if len(self.derived) < _KINDS:
                # The first of its kind is written now, for the rules to fill its derived
                # columns; the others of its kind get the same row after their text.
                self.session.connection().exec_driver_sql(_FIRST_OF_KIND, row)
                found = derived.created_values(self.session, cid)
                self.derived[kind] = row[_TEXT_COLUMNS:] + _bindable(found)
            else:
                # Too many kinds to ask the rules about each: all are worked out at the end.
                self.later.append(row)
                self.derive_at_end = True
        if emails:
            rows = self.rows[ContactEmail]
            first = self.next_email
            for position, (address, label) in enumerate(emails):
                rows.append((first + position, cid, address, label, position))
            self.next_email = first + len(emails)
        if phones:
            rows = self.rows[ContactPhone]
            first = self.next_phone
            for position, (number, label) in enumerate(phones):
                rows.append((first + position, cid, number, label, position))
            self.next_phone = first + len(phones)
        tag_ids, tags_text = self._tag_set(tags)
        if tag_ids:
            rows = self.rows[ContactTag]
            for tag_id in tag_ids:
                rows.append((cid, tag_id))
        name, company, title, emails_text, phones_text, _tags, place = index_text
        self.index_rows.append(
            (cid, name, company, title, emails_text, phones_text, tags_text, place)
        )
        self.created += 1
        if len(self.created_ids) < SHOWN:
            self.created_ids.append(cid)
        if self.next_contact - self.batch_first >= _BATCH:
            self.flush()

    def update(self, contact_id: int, row: ImportRow) -> None:
        """Fill in and replace what the row has, add emails, phones and tags it lacks."""
        data = row.data
        assert data is not None
        if contact_id >= self.batch_first:
            self.flush()  # created from an earlier row of the file, not yet written
        contact = self.session.get(Contact, contact_id)
        if contact is None:  # matched moments ago in this transaction
            raise LookupError(contact_id)
        if row.named:
            contact.name = data.name
        for attr in ("company", "title", "street", "city", "region", "postal_code", "country"):
            value = getattr(data, attr)
            if value:
                setattr(contact, attr, value)
        contact.notes = merge_notes(contact.notes, data.notes.split("\n"))
        for attr, given in row.given:  # the flags and interval the file states
            setattr(contact, attr, given)
        emails = {e.address.casefold() for e in contact.emails}
        for email in data.emails:
            if email.address.casefold() not in emails:
                emails.add(email.address.casefold())
                # Ids from the same counter as the batched inserts, so the two never collide.
                contact.emails.append(
                    ContactEmail(
                        id=self.next_email,
                        address=email.address,
                        label=email.label,
                        position=len(contact.emails),
                    )
                )
                self.next_email += 1
        region = self.region
        numbers = {matching.normalise_phone(p.number, region) or p.number for p in contact.phones}
        for phone in data.phones:
            key = matching.normalise_phone(phone.number, region) or phone.number
            if key not in numbers:
                numbers.add(key)
                contact.phones.append(
                    ContactPhone(
                        id=self.next_phone,
                        number=phone.number,
                        label=phone.label,
                        position=len(contact.phones),
                    )
                )
                self.next_phone += 1
        have = {t.name.casefold() for t in contact.tags}
        for name in data.tags:
            if name.casefold() not in have:
                have.add(name.casefold())
                tag = self.session.get(Tag, self._tag_id(name))
                assert tag is not None
                contact.tags.append(tag)
        contact.updated_at = self.now
        self.updated_ids.add(contact_id)
        if len(self.updated_ids) >= _BATCH:
            self.flush()

    def _expected_new(self) -> int:
        """The contacts this import will create, guessed from how far the file is read."""
        rows = self.rows_read
        if rows is None or rows.size <= 0 or rows.position <= 0:
            return self.created
        return int(self.created * rows.size / min(rows.position, rows.size))

    def defer_indexes(self) -> None:
        """Drop the indexes the import does not read, to build them again, sorted, at the end
        (``finish``). A big import then costs one sorted pass per index instead of a search
        per index for every row. The drop is part of the import's one transaction: if the
        import fails or is cancelled, the rollback brings every index back as it was."""
        connection = self.session.connection()
        inspector = inspect(connection)
        # Only those the database has: the same ones, and no other, are built at the end.
        present = {
            (table, found["name"])
            for table in {str(i.table) for i in _deferrable_indexes()}
            for found in inspector.get_indexes(table)
        }
        self.deferred = [i for i in _deferrable_indexes() if (str(i.table), i.name) in present]
        for index in self.deferred:
            index.drop(connection)

    def finish(self, between: Callable[[], None] = lambda: None) -> None:
        """Write what is left and the new contacts' first stage changes, work out their
        derived columns again if the day changed, and build any deferred index, calling
        ``between`` after each step (it raises to stop)."""
        self.flush()
        connection = self.session.connection()
        if self.created:
            first_change = _next_id(self.session, StageChange)
            connection.exec_driver_sql(
                _STAGE_CHANGES, (first_change - self.first_new, self.stamp, self.first_new)
            )
        between()
        if self.created and (self.derive_at_end or local_today() != self.derived_day):
            # Kinds of contact too many to ask about each, or midnight passed while the rows
            # were written (their statuses are for the new day): every contact from the first
            # new id on is this import's (the transaction holds the write lock), so one pass
            # along the ids.
            derived.refresh_schedule_from(self.session, self.first_new)
            between()
        for index in self.deferred:
            index.create(connection)
            between()
        self.deferred = []

    def flush(self) -> None:
        self.session.flush()
        if not self.deferred and worth_deferring_indexes(self.existing, self._expected_new()):
            self.defer_indexes()
        connection = self.session.connection()
        if self.later:
            connection.exec_driver_sql(_FIRST_OF_KIND, self.later)
            self.later.clear()
        for model, rows in self.rows.items():
            if rows:
                connection.exec_driver_sql(_INSERTS[model], rows)
                rows.clear()
        search.insert_rows(self.session, self.index_rows)
        self.index_rows.clear()
        if self.updated_ids:
            search.reindex(self.session, self.updated_ids)
            # A file may say "do not contact": their follow-ups follow.
            derived.refresh_schedule(self.session, sorted(self.updated_ids))
        self.batch_first = self.next_contact
        if self.updated_ids:
            # Updated contacts are ORM objects: let them go once written.
            self.updated_ids.clear()
            self.session.expunge_all()
