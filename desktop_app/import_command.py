"""``touchbase import FILE``: add contacts from a CSV or vCard file, or say why not.

It prints what was created, updated and skipped, and every row that cannot be imported with
its line. Any such row makes it exit 1 with nothing written, unless ``--skip-invalid``.
"""

from __future__ import annotations

import argparse
import codecs
import sys
from pathlib import Path

from db.engine import open_database
from db.importing import service
from db.importing.csvfile import DELIMITERS, CsvDialect, encoding_name
from db.importing.errors import ImportProblemError
from db.importing.service import DuplicateAction, ImportOptions, PreviewRow

_DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t"}


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _source(args: argparse.Namespace, parser: argparse.ArgumentParser) -> service.ImportSource:
    path = Path(args.file).expanduser()
    fmt = service.Format(args.format) if args.format else None
    source = service.open_source(path, fmt)
    if source.format is service.Format.VCARD:
        if args.encoding or args.delimiter:
            parser.exit(2, "touchbase import: --encoding and --delimiter are for CSV files\n")
        return source
    assert source.dialect is not None
    encoding = source.dialect.encoding
    if args.encoding:
        try:
            encoding = codecs.lookup(args.encoding).name
        except LookupError:
            parser.exit(2, f"touchbase import: unknown encoding {args.encoding!r}\n")
    delimiter = _DELIMITERS[args.delimiter] if args.delimiter else source.dialect.delimiter
    dialect = CsvDialect(encoding, delimiter)
    return source if dialect == source.dialect else source.with_dialect(dialect)


def describe(source: service.ImportSource) -> str:
    """ "contacts.csv (Google Contacts; UTF-8, comma)" or "phone.vcf (vCard)"."""
    if source.dialect is None:
        return f"{source.path.name} (vCard)"
    delimiter = DELIMITERS.get(source.dialect.delimiter, repr(source.dialect.delimiter))
    encoding = encoding_name(source.dialect.encoding)
    return f"{source.path.name} ({source.layout}; {encoding}, {delimiter.lower()})"


def _print_invalid(rows: tuple[PreviewRow, ...], total: int) -> None:
    for row in rows:
        what = f" ({row.summary})" if row.summary else ""
        _out(f"  line {row.line}: {row.error}{what}")
    if total > len(rows):
        _out(f"  … and {total - len(rows):,} more")


def run(db_path: Path, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    problem = service.check_tag(args.tag)
    if problem is not None:
        parser.exit(2, f"touchbase import: --tag: {problem}\n")
    try:
        source = _source(args, parser)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        sys.stderr.write(f"touchbase import: cannot read {args.file}: {reason}\n")
        return 1
    except ImportProblemError as exc:
        sys.stderr.write(f"touchbase import: {exc}\n")
        return 1
    on_duplicate = DuplicateAction(args.on_duplicate)

    def report(done: int, total: int) -> bool:
        if sys.stderr.isatty() and total:
            sys.stderr.write(f"\r{done * 100 // total}% of {source.path.name}")
            sys.stderr.flush()
        return True

    with open_database(db_path) as database:
        if args.dry_run:
            # Nothing follows a dry run: the rows it reads need not be kept for an import.
            preview = service.preview(database, source, progress=report, keep=False)
            _end_progress()
            if preview.rows == 0:
                return _nothing(source)
            _out(f"Read {describe(source)}: {preview.rows:,} rows; nothing was written.")
            verb = {"skip": "skipped", "update": "updated", "create": "created as new"}
            _out(f"  would create {preview.new:,} new contacts")
            _out(
                f"  {preview.matched:,} match existing contacts and would be "
                f"{verb[args.on_duplicate]}"
            )
            _out(f"  {preview.invalid:,} cannot be imported")
            _print_invalid(preview.invalid_rows, preview.invalid)
            return 1 if preview.invalid and not args.skip_invalid else 0
        options = ImportOptions(
            on_duplicate=on_duplicate, skip_invalid=args.skip_invalid, tag=args.tag
        )
        try:
            summary = service.run_import(database, source, options, progress=report)
        except service.InvalidRowsError as exc:
            _end_progress()
            rows = "row cannot" if exc.invalid == 1 else "rows cannot"
            _out(f"Read {describe(source)}: {exc.invalid:,} {rows} be imported:")
            _print_invalid(exc.rows, exc.invalid)
            _out("Nothing was written. Fix the file, or add --skip-invalid to leave them out.")
            return 1
    _end_progress()
    if summary.created + summary.updated + summary.skipped + summary.invalid == 0:
        return _nothing(source)
    _out(f"Imported {describe(source)} into {db_path}:")
    _out(f"  created {summary.created:,}" + (f" (tagged “{args.tag}”)" if args.tag else ""))
    _out(f"  updated {summary.updated:,}")
    _out(f"  skipped {summary.skipped:,} (already here)")
    _out(f"  invalid {summary.invalid:,}" + (" (left out)" if summary.invalid else ""))
    _print_invalid(summary.invalid_rows, summary.invalid)
    return 0


def _nothing(source: service.ImportSource) -> int:
    sys.stderr.write(f"touchbase import: {describe(source)} holds no contacts to import\n")
    return 1


def _end_progress() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()
