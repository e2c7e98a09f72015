"""The ``touchbase`` command line: opens the app, or runs a subcommand on the database.

Errors go to stderr with exit status 1; usage errors exit with 2 (argparse's convention).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from db import __version__
from db.engine import DatabaseError, open_database
from desktop_app import import_command, paths

log = logging.getLogger(__name__)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="touchbase",
        description="Touchbase: an offline contact manager for small businesses. "
        "With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"touchbase {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="the database file (default: $TOUCHBASE_DB, else touchbase.sqlite in your "
        "user data folder)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="fill the database with realistic sample data",
        description="Add made-up contacts with two years of touches, stages, purchases and "
        "feedback, to try Touchbase out.",
    )
    demo.add_argument("--contacts", type=_positive, default=250, metavar="N", help="(250)")
    demo.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (0)")
    demo.add_argument(
        "--touches-per-contact",
        type=float,
        default=10.0,
        metavar="T",
        help="average touches per contact (10)",
    )
    export = commands.add_parser(
        "export",
        help="write a report as CSV (opens cleanly in Excel and LibreOffice)",
        description="Write one of Touchbase's reports to a CSV file.",
    )
    export.add_argument("report", metavar="REPORT", help="which report (see the list below)")
    export.add_argument("--output", "-o", required=True, metavar="FILE", help="the CSV file")
    export.add_argument("--since", type=_date, metavar="DATE", help="from this day (YYYY-MM-DD)")
    export.add_argument("--until", type=_date, metavar="DATE", help="to this day (YYYY-MM-DD)")
    imp = commands.add_parser(
        "import",
        help="add contacts from a CSV or vCard file",
        description="Add the contacts in a CSV file (Google Contacts, Outlook or any "
        "spreadsheet) or a vCard file. Nothing is written if any row cannot be imported, "
        "unless --skip-invalid is given.",
    )
    imp.add_argument("file", metavar="FILE", help="the .csv or .vcf file")
    imp.add_argument(
        "--format", choices=("csv", "vcard"), help="the file's format (default: from the file)"
    )
    imp.add_argument("--dry-run", action="store_true", help="say what would happen, write nothing")
    imp.add_argument(
        "--on-duplicate",
        choices=("skip", "update", "create"),
        default="skip",
        help="a row matching an existing contact (same email, else same phone number) is "
        "skipped, updates that contact, or creates another (skip)",
    )
    imp.add_argument(
        "--skip-invalid", action="store_true", help="leave out rows that cannot be imported"
    )
    imp.add_argument("--tag", default="", metavar="TAG", help="tag every contact created")
    imp.add_argument(
        "--encoding", metavar="NAME", help="the CSV file's encoding (default: detected)"
    )
    imp.add_argument(
        "--delimiter",
        choices=("comma", "semicolon", "tab"),
        help="the CSV file's delimiter (default: detected)",
    )
    due = commands.add_parser("followups", help="print due and overdue follow-ups, oldest first")
    due.add_argument("--due-by", type=_date, metavar="DATE", help="due by this day (YYYY-MM-DD)")
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def _export(db_path: Path, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from db.export import ExportOptions, build, load_reports, write_csv  # noqa: PLC0415

    reports = load_reports()
    if args.report not in reports:
        width = max(len(name) for name in reports) + 2
        known = "\n".join(f"  {n:<{width}}{kind.description}" for n, kind in reports.items())
        parser.exit(
            2, f"touchbase export: unknown report {args.report!r}; choose one of:\n{known}\n"
        )
    if args.since and args.until and args.since > args.until:
        parser.exit(2, "touchbase export: --since is after --until\n")
    kind = reports[args.report]
    if kind.period is None and (args.since or args.until):
        parser.exit(
            2,
            f"touchbase export: the {kind.name} report shows things as they stand today; "
            "--since and --until do not apply to it\n",
        )
    output = Path(args.output).expanduser()
    options = ExportOptions(since=args.since, until=args.until)
    if args.report == "followups" and output.suffix.lower() == ".ics":
        from desktop_app.followups import commands  # noqa: PLC0415

        return commands.export_calendar(db_path, output, args.since, args.until)
    with open_database(db_path) as database:
        count = write_csv(build(kind, database, options), output)
    sys.stdout.write(f"Wrote {count:,} rows to {output}\n")
    return 0


def _demo(db_path: Path, args: argparse.Namespace) -> int:
    from db import demo  # noqa: PLC0415

    def report(done: int, total: int) -> bool:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{done:,} of {total:,} contacts")
            sys.stderr.flush()
        return True

    with open_database(db_path) as database:
        summary = demo.generate(
            database,
            contacts=args.contacts,
            seed=args.seed,
            touches_per_contact=args.touches_per_contact,
            progress=report,
        )
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    sys.stdout.write(
        f"Added {summary.contacts:,} contacts, {summary.touches:,} touches, "
        f"{summary.purchases:,} purchases and {summary.feedback:,} feedback forms "
        f"to {db_path}\n"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    db_path = paths.database_path(args.db)
    try:
        if args.command == "demo":
            return _demo(db_path, args)
        if args.command == "export":
            return _export(db_path, args, parser)
        if args.command == "import":
            return import_command.run(db_path, args, parser)
        if args.command == "followups":
            from desktop_app.followups import commands  # noqa: PLC0415

            return commands.print_due(db_path, args.due_by)
        from desktop_app.app import run_gui  # noqa: PLC0415

        return run_gui(db_path)
    except DatabaseError as exc:
        sys.stderr.write(f"touchbase: {exc}\n")
        return 1
    except (ValueError, OSError) as exc:
        sys.stderr.write(f"touchbase: {exc}\n")
        return 1


def gui_main() -> int:
    return main()


if __name__ == "__main__":
    raise SystemExit(main())
