"""An import's rows, read and checked in a helper process when the file is large.

Reading and checking rows is Python work, about a third of a large import; writing them is
SQLite's. For a large file a helper process reads and checks the rows and hands them over in
chunks while the import writes the chunks before, so the two run side by side on two cores (a
thread would not do: parsing holds the interpreter lock). The helper only reads the file and
writes nothing, so stopping it at any moment (Cancel, a failure) is safe: the import's one
transaction alone decides what is written. At most ``QUEUED`` chunks wait between the two, so
memory stays bounded however long the file.

Each row crosses over as a ``Record`` (``db.importing.rows``), a plain tuple of tuples and
strings, which pickles at C speed (rebuilding ``ImportRow`` dataclasses would cost the writer
more than parsing saves), with what creating a contact needs already laid out: its columns,
emails, phones and tags, its search index text and its matching keys. ``row_of`` gives back
the ``ImportRow`` for the rarer rows that need it (updates of existing contacts). A small
file is read in the import's own process, into the same records. docs/architecture.md, "A
bulk load: the import", has more.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import queue
import socket
import sys
import tempfile
import threading
import zlib
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from db.importing import vcard
from db.importing.csvfile import CsvDialect, CsvFileError, CsvReader
from db.importing.errors import ImportProblemError
from db.importing.fields import Mapping
from db.importing.rows import Record, RowMapper, to_record

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

log = logging.getLogger(__name__)

#: A file at least this large (about 20,000 rows of a Google export) is read in a helper
#: process; a smaller one is read faster than a process starts.
HELPER_FROM_BYTES = 4 << 20
#: Rows per chunk handed over, and chunks that may wait to be written.
CHUNK = 1000
QUEUED = 8
#: How much may be on its way from the helper to the import (bytes; the send buffer of the
#: helper's end of the connection, a socket pair where ``_widen`` can set it), so that the
#: helper seldom waits to send a chunk, nor the import to receive one: several chunks
#: (a chunk is about 300 KB). The system may give less (Linux: ``net.core.wmem_max``).
_IN_FLIGHT = 2 << 20
#: How often the helper's reading thread offers the interpreter to its sending thread (the
#: interpreter's default is every 5 ms; see ``_helper``).
_HELPER_SWITCH_INTERVAL = 0.0005
#: How long the import waits for a chunk before it checks on the helper and on Cancel.
_WAIT = 0.1
#: The import reads the first rows itself while the helper starts (tests turn it off, to
#: wait on the helper from the first row).
READ_HERE_WHILE_STARTING = True


class HelperFailedError(ImportProblemError):
    """The helper process reading the file failed or ended early (nothing was written)."""


# --- Reading rows -------------------------------------------------------------------------------


class Rows(Protocol):
    size: int

    @property
    def position(self) -> int: ...

    def records(self, tag: str, region: str, after: int = 0) -> Iterator[Record]:
        """The rows as records (``to_record``), those after the first ``after`` (for a
        helper taking over from the import)."""
        ...


class _CsvRows:
    def __init__(self, reader: CsvReader, mapping: Mapping) -> None:
        self.reader = reader
        self.mapper = RowMapper(mapping)
        self.size = reader.size

    @property
    def position(self) -> int:
        return self.reader.position

    def records(self, tag: str, region: str, after: int = 0) -> Iterator[Record]:
        # Each straight from its draft (``Draft.record``), without the ``ImportRow``; the
        # rows skipped are only split into cells: that is quick.
        rows = iter(self.reader)
        for _ in islice(rows, after):
            pass
        draft = self.mapper.draft
        for row in rows:
            yield draft(row.cells).record(row.line, tag, region)


class _CardRows:
    def __init__(self, reader: vcard.VCardReader) -> None:
        self.reader = reader
        self.size = reader.size

    @property
    def position(self) -> int:
        return self.reader.position

    def records(self, tag: str, region: str, after: int = 0) -> Iterator[Record]:
        for row in islice(self.reader, after, None):
            yield to_record(row, tag, region)


@dataclass(frozen=True)
class Reading:
    """What reading a file's rows needs (plain data: it is handed to the helper process)."""

    path: Path
    #: A vCard file (else a CSV one read with ``dialect`` and ``mapping``).
    cards: bool
    dialect: CsvDialect | None
    mapping: Mapping
    #: The tag every new contact gets ("" for none), and the region phone numbers without a
    #: country code belong to (for the matching keys).
    tag: str = ""
    region: str = ""


@contextmanager
def open_rows(reading: Reading) -> Iterator[Rows]:
    """The file's rows, read in this process (``Rows.records``)."""
    if reading.cards:
        with vcard.VCardReader(reading.path) as cards:
            yield _CardRows(cards)
        return
    assert reading.dialect is not None
    with CsvReader(reading.path, reading.dialect) as reader:
        yield _CsvRows(reader, reading.mapping)


# --- The feed of records ------------------------------------------------------------------------


class Feed(Protocol):
    """The records of a file, in file order, with how far it is read (``position`` of
    ``size`` bytes, for progress). ``idle`` is called while waiting on the helper (it may
    raise, to stop: Cancel)."""

    size: int
    idle: Callable[[], None]

    @property
    def position(self) -> int: ...

    def __iter__(self) -> Iterator[Record]: ...


class _InProcess:
    def __init__(self, rows: Rows, reading: Reading) -> None:
        self.rows = rows
        self.reading = reading
        self.size = rows.size
        self.idle = _nothing

    @property
    def position(self) -> int:
        return self.rows.position

    def __iter__(self) -> Iterator[Record]:
        return self.rows.records(self.reading.tag, self.reading.region)


def _nothing() -> None:
    pass


class _FromHelper:
    """Records read here while the helper process starts (a second or so spent importing
    what it needs), then from the helper, which takes over after the rows read here.

    They come through a pipe whose other end only the helper holds: if the helper ends, even
    half-way through a chunk, reading here says so at once. Should the helper end before it
    takes over, the rest of the file is read here."""

    def __init__(self, reading: Reading, size: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.reading = reading
        self.size = size
        self.idle = _nothing
        #: Rows being read here, until the helper takes over.
        self.rows: Rows | None = None
        self._position = 0
        #: The helper sent its last rows.
        self.finished = False
        here, there = context.Pipe()
        _widen(there)
        self.pipe: Connection = here
        self.process: BaseProcess = context.Process(
            target=_helper,
            args=(reading, there),
            name="touchbase-import-reader",
            daemon=True,
        )
        try:
            self.process.start()
        finally:
            there.close()

    @property
    def position(self) -> int:
        return self.rows.position if self.rows is not None else self._position

    def __iter__(self) -> Iterator[Record]:
        handed_over = yield from self._here()
        if handed_over:
            yield from self._from_helper()

    def _here(self) -> Generator[Record, None, bool]:
        """Read rows here until the helper is ready; whether it took over."""
        listening = READ_HERE_WHILE_STARTING
        if not listening and self._hand_over(0):
            return True
        with open_rows(self.reading) as rows:
            self.rows = rows
            count = 0
            try:
                for record in rows.records(self.reading.tag, self.reading.region):
                    yield record
                    count += 1
                    if listening and not count % 256 and self.pipe.poll():
                        if self._hand_over(count):
                            self._position = rows.position
                            return True
                        listening = False
            finally:
                self.rows = None
        self._position = self.size
        return False

    def _hand_over(self, count: int) -> bool:
        """Tell the ready helper to go on after ``count`` rows (False if it ended instead)."""
        try:
            self.pipe.recv()  # ("ready",)
            self.pipe.send(count)
        except (EOFError, OSError):
            log.warning("the import's helper process ended before it started: reading here")
            return False
        return True

    def _next(self) -> tuple[Any, ...]:
        while not self.pipe.poll(_WAIT):
            self.idle()
        try:
            message: tuple[Any, ...] = self.pipe.recv()
        except (EOFError, OSError):
            self.process.join(1.0)
            raise HelperFailedError(
                f"Reading {self.reading.path.name} stopped unexpectedly (the helper process "
                f"reading it ended, code {self.process.exitcode}); nothing was written."
            ) from None
        return message

    def _from_helper(self) -> Iterator[Record]:
        while True:
            message = self._next()
            kind = message[0]
            if kind == "rows":
                _, chunk, position = message
                yield from chunk
                self._position = position
            elif kind == "end":
                self._position = message[1]
                self.finished = True
                return
            else:
                raise _failure(self.reading.path, message)

    def close(self) -> None:
        """Stop the helper unless it has finished (it only reads: nothing is lost)."""
        self.pipe.close()
        if self.finished:
            self.process.join(1.0)
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()


def _failure(path: Path, message: tuple[Any, ...]) -> Exception:
    """The exception the helper's ``("failed", …)`` message stands for, as reading the file
    in this process would have raised it, or a ``HelperFailedError`` that says what failed."""
    _, kind, text, errno, strerror, filename = message
    if kind == "csv":
        return CsvFileError(text)
    if kind == "problem":
        return ImportProblemError(text)
    if kind == "os":
        return OSError(errno, strerror, filename) if errno is not None else OSError(text)
    return HelperFailedError(
        f"Reading {path.name} failed in the helper process ({kind}: {text}); nothing was written."
    )


def _widen(connection: Connection) -> None:
    """Let up to ``_IN_FLIGHT`` bytes wait in the connection, where it is a socket pair
    (Linux, macOS); elsewhere it is left as it is."""
    if sys.platform == "win32":
        return
    try:
        with socket.fromfd(connection.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as end:
            end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _IN_FLIGHT)
    except OSError as exc:
        log.info("the import's connection to its helper keeps its own buffer (%s)", exc)


def _helper(reading: Reading, pipe: Connection) -> None:
    """The helper process's work (``read_in_helper``). Its sending thread waits for its turn
    at the interpreter each time the connection takes more of a chunk, while the import waits
    for the rest: that turn must come soon."""
    sys.setswitchinterval(_HELPER_SWITCH_INTERVAL)
    read_in_helper(reading, pipe)


def read_in_helper(reading: Reading, pipe: Connection) -> None:
    """The helper process: say it is ready, learn how many rows the import read itself, read
    the rest of the file and send their records a chunk at a time, then ``("end", size)``; or
    ``("failed", kind, message, …)``. Chunks are sent by a thread of their own, so that
    reading runs up to ``QUEUED`` chunks ahead of the writer; once the import stops listening
    (Cancel, a failure), reading stops too."""
    # A file that cannot be read fails below, where the failure is sent to the import.
    with suppress(Exception):
        _warm_up(reading)
    try:
        pipe.send(("ready",))
        count: int = pipe.recv()
    except (EOFError, OSError):
        return  # the import read the whole file itself, or stopped
    waiting: queue.Queue[tuple[Any, ...] | None] = queue.Queue(maxsize=QUEUED)
    gone = threading.Event()
    sender = threading.Thread(target=_send, args=(waiting, pipe, gone), daemon=True)
    sender.start()
    try:
        with open_rows(reading) as rows:
            chunk: list[Record] = []
            for record in rows.records(reading.tag, reading.region, after=count):
                chunk.append(record)
                if len(chunk) >= CHUNK:
                    if gone.is_set():
                        break
                    waiting.put(("rows", chunk, rows.position))
                    chunk = []
            else:
                waiting.put(("rows", chunk, rows.position))
                waiting.put(("end", rows.size))
    except Exception as exc:
        waiting.put(_failed(exc))
    waiting.put(None)
    sender.join()


def _warm_up(reading: Reading) -> None:
    """Read the file's first rows, so that what reading loads on first use (the phone number
    metadata, the codecs) is loaded before the import waits on this helper."""
    with open_rows(reading) as rows:
        for _record in islice(rows.records(reading.tag, reading.region), 8):
            pass


def _send(
    waiting: queue.Queue[tuple[Any, ...] | None], out: Connection, gone: threading.Event
) -> None:
    try:
        while (message := waiting.get()) is not None:
            out.send(message)
    except OSError:
        gone.set()
        while waiting.get() is not None:  # let reading see ``gone`` rather than wait
            pass
    finally:
        out.close()


def _failed(exc: Exception) -> tuple[Any, ...]:
    if isinstance(exc, CsvFileError):
        return ("failed", "csv", str(exc), None, None, None)
    if isinstance(exc, ImportProblemError):
        return ("failed", "problem", str(exc), None, None, None)
    if isinstance(exc, OSError):
        filename = None if exc.filename is None else str(exc.filename)
        return ("failed", "os", str(exc), exc.errno, exc.strerror, filename)
    return ("failed", type(exc).__name__, str(exc), None, None, None)


# --- Records kept from a preview -----------------------------------------------------------------


class Spool:
    """A file's records, kept in a temporary file as a preview reads them (a compressed chunk
    of ``CHUNK`` at a time, so memory stays bounded), for the import that follows to read
    instead of the file: reading and checking the rows is then done once, not twice.

    The records are made without a tag (the import adds its own as it writes). The temporary
    file has no name and goes when it is closed, or with the process."""

    def __init__(self) -> None:
        # Kept open for the import to read: ``close`` closes it.
        self.file = tempfile.TemporaryFile(prefix="touchbase-import-")  # noqa: SIM115
        self.chunk: list[Record] = []
        self.size = 0

    def add(self, record: Record) -> None:
        self.chunk.append(record)
        if len(self.chunk) >= CHUNK:
            self._write()

    def _write(self) -> None:
        if self.chunk:
            data = zlib.compress(pickle.dumps(self.chunk, pickle.HIGHEST_PROTOCOL), 1)
            self.file.write(len(data).to_bytes(8, "little"))
            self.file.write(data)
            self.chunk = []

    def finish(self) -> None:
        """Write what is left: every record is in."""
        self._write()
        self.file.flush()
        self.size = self.file.tell()

    def close(self) -> None:
        self.file.close()

    @contextmanager
    def read(self) -> Iterator[Feed]:
        """The records again, from the first."""
        yield _FromSpool(self)


class _FromSpool:
    def __init__(self, spool: Spool) -> None:
        self.spool = spool
        self.size = spool.size
        self.idle = _nothing
        self._position = 0

    @property
    def position(self) -> int:
        return self._position

    def __iter__(self) -> Iterator[Record]:
        file = self.spool.file
        file.seek(0)
        while self._position < self.size:
            length = int.from_bytes(file.read(8), "little")
            chunk: list[Record] = pickle.loads(zlib.decompress(file.read(length)))
            self._position = file.tell()
            yield from chunk


@contextmanager
def records(reading: Reading, *, helper: bool | None = None) -> Iterator[Feed]:
    """The file's records, read by a helper process when the file is at least
    ``HELPER_FROM_BYTES`` long (or as ``helper`` says). The helper is stopped on the way out,
    whether the records were all read or not."""
    size = reading.path.stat().st_size
    if helper is None:
        helper = size >= HELPER_FROM_BYTES
    feed: _FromHelper | None = None
    if helper:
        try:
            feed = _FromHelper(reading, size)
        except (OSError, RuntimeError) as exc:
            log.warning("import helper process unavailable (%s); reading in this one", exc)
    if feed is None:
        with open_rows(reading) as rows:
            yield _InProcess(rows, reading)
        return
    try:
        yield feed
    finally:
        feed.close()
