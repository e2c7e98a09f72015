"""Reading a CSV file a row at a time, whatever its encoding and delimiter.

The encoding is decided in this order: a byte-order mark; strict UTF-8 (the whole file is
checked, streamed); Windows-1252, the encoding of every Excel "CSV" saved on a Western
Windows; and charset-normalizer when the bytes say otherwise (Cyrillic, Japanese, UTF-16
without a mark). The delimiter is whichever of comma, semicolon and tab splits the first rows
into the same, largest number of columns. Both can be overridden by the owner.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import charset_normalizer

from db.importing.errors import ImportProblemError

DELIMITERS = {",": "Comma", ";": "Semicolon", "\t": "Tab"}
#: Encodings offered to the owner, with the names shown.
ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with byte-order mark",
    "cp1252": "Windows-1252 (Western Europe)",
    "latin-1": "ISO 8859-1 (Latin-1)",
    "iso8859-15": "ISO 8859-15 (Latin-9)",
    "mac-roman": "Mac OS Roman",
    "cp1250": "Windows-1250 (Central Europe)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "utf-16": "UTF-16",
    "cp932": "Shift JIS (Japanese)",
    "gb18030": "GB 18030 (Chinese)",
    "big5": "Big5 (Traditional Chinese)",
    "euc-kr": "EUC-KR (Korean)",
}


def encoding_name(encoding: str) -> str:
    """The name to show for a codec ("cp1252" → "Windows-1252 (Western Europe)")."""
    try:
        canonical = codecs.lookup(encoding).name
    except LookupError:
        return encoding
    for name, shown in ENCODINGS.items():
        if codecs.lookup(name).name == canonical:
            return shown
    return encoding


_SAMPLE_BYTES = 256 * 1024
_CHUNK = 1 << 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: The longest cell read (bytes), so a note fits but a runaway quote does not swallow the file.
FIELD_LIMIT = 1 << 20


class CsvFileError(ImportProblemError):
    """The file cannot be read as CSV (the message says why, for the owner)."""


@dataclass(frozen=True)
class CsvDialect:
    encoding: str
    delimiter: str


def detect_encoding(path: Path) -> str:
    """The encoding to read ``path`` with (a Python codec name)."""
    with path.open("rb") as stream:
        head = stream.read(_SAMPLE_BYTES)
        for bom, name in _BOMS:
            if head.startswith(bom):
                return name
        if b"\x00" in head:
            # No text file has NUL bytes, but UTF-16 without a byte-order mark does.
            return _guess(head) or "cp1252"
        stream.seek(0)
        if _decodes(stream, "utf-8"):
            return "utf-8"
        guess = _guess(head)
        stream.seek(0)
        if guess is not None and _decodes(stream, guess):
            return guess
        stream.seek(0)
        return "cp1252" if _decodes(stream, "cp1252") else "latin-1"


def _decodes(stream: BinaryIO, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        while chunk := stream.read(_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _guess(sample: bytes) -> str | None:
    """charset-normalizer's guess, as Windows-1252 when that reads the sample the same way."""
    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        return None
    same_as_western = {"cp1252", "latin_1", "iso8859_15", "ascii"}
    if same_as_western & {best.encoding, *best.could_be_from_charset}:
        return "cp1252"
    return best.encoding


def detect_delimiter(path: Path, encoding: str) -> str:
    """Comma, semicolon or tab: the one that splits the first rows most consistently."""
    with path.open("rb") as raw:
        sample = raw.read(_SAMPLE_BYTES)
    text = sample.decode(encoding, errors="replace")
    if len(sample) == _SAMPLE_BYTES and "\n" in text:
        text = text[: text.rindex("\n")]  # leave out a row cut in half
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [
                len(row)
                for row, _ in zip(_reader(io.StringIO(text), delimiter), range(50), strict=False)
            ]
        except csv.Error:
            continue
        counts = [c for c in counts if c > 0]
        if not counts:
            continue
        width = max(set(counts), key=counts.count)
        if width < 2:
            continue
        score = (counts.count(width) / len(counts), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def detect(path: Path) -> CsvDialect:
    """Encoding and delimiter of a CSV file (raises ``OSError`` if it cannot be read)."""
    encoding = detect_encoding(path)
    return CsvDialect(encoding, detect_delimiter(path, encoding))


def _reader(text: io.TextIOBase | io.StringIO, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True, strict=False)


@dataclass(frozen=True)
class CsvRow:
    #: The line of the file the row starts on (the header is line 1).
    line: int
    cells: list[str]


class CsvReader:
    """The header and then each row of a CSV file, with the line each starts on.

    ``position`` is how far into the file (in bytes) reading has got, for progress.
    """

    def __init__(self, path: Path, dialect: CsvDialect) -> None:
        self.path = path
        self.dialect = dialect
        self._raw = path.open("rb")
        self._text = io.TextIOWrapper(
            self._raw, encoding=dialect.encoding, errors="replace", newline=""
        )
        self._rows = csv.reader(
            self._text, delimiter=dialect.delimiter, quotechar='"', doublequote=True
        )
        # A note can be long, but not a runaway unterminated quote's whole file.
        csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
        self.headers: list[str] = self._next_cells() or []

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @property
    def position(self) -> int:
        return self._raw.tell()

    def _next_cells(self) -> list[str] | None:
        try:
            return next(self._rows, None)
        except csv.Error as exc:
            raise CsvFileError(f"Line {self._rows.line_num}: {exc}.") from exc

    def __iter__(self) -> Iterator[CsvRow]:
        while True:
            start = self._rows.line_num + 1
            cells = self._next_cells()
            if cells is None:
                return
            yield CsvRow(start, cells)

    def close(self) -> None:
        self._text.close()

    def __enter__(self) -> CsvReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def preview_rows(path: Path, dialect: CsvDialect, count: int = 8) -> list[list[str]]:
    """The header and the first few rows as they read with ``dialect`` (for the wizard)."""
    with CsvReader(path, dialect) as reader:
        rows = [reader.headers]
        for row, _ in zip(reader, range(count), strict=False):
            rows.append(row.cells)
    return rows
