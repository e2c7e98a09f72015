"""The ``touchbase`` command line: opens the app, or runs a subcommand on the database.

Errors go to stderr with exit status 1; usage errors exit with 2 (argparse's convention).
Output survives a console that cannot show every character (a Windows code page): such
characters are replaced, and the command carries on.
"""

from __future__ import annotations

import argparse
import errno
import gc
import io
import json
import logging
import math
import sys
from collections.abc import Callable, Sequence
from datetime import date
from importlib import resources
from pathlib import Path

from db import __version__
from desktop_app import paths
from desktop_app.error_log import log_unexpected

log = logging.getLogger(__name__)

MAX_CONTACTS = 1_000_000
MAX_TOUCHES_PER_CONTACT = 100.0


class _Parser(argparse.ArgumentParser):
    """An argument parser whose help can end with a list worked out only when asked for."""

    epilog_factory: Callable[[], str] | None = None

    def format_help(self) -> str:
        if self.epilog_factory is not None:
            self.epilog = self.epilog_factory()
        return super().format_help()


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low:,}")
        if value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:,}")
        return value

    return parse


def _touches_per_contact(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_TOUCHES_PER_CONTACT:
        raise argparse.ArgumentTypeError(
            f"must be a number from 0 to {MAX_TOUCHES_PER_CONTACT:g}, not {text!r}"
        )
    return value


def _report_list() -> str:
    from db.export import load_reports  # noqa: PLC0415 - only when help is asked for

    reports = load_reports()
    width = max(len(name) for name in reports) + 2
    lines = [f"  {name:<{width}}{kind.description}" for name, kind in reports.items()]
    return (
        "reports:\n"
        + "\n".join(lines)
        + ("\n\nfollowups can also be written as a calendar: --output FILE.ics")
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    demo = commands.add_parser(
        "demo",
        help="fill the database with realistic sample data",
        description="Add made-up contacts with two years of touches, stages, purchases and "
        "feedback, to try Touchbase out. Creates the database if there is none at --db.",
    )
    demo.add_argument(
        "--contacts",
        type=_whole_number(1, MAX_CONTACTS),
        default=250,
        metavar="N",
        help=f"how many contacts, 1 to {MAX_CONTACTS:,} (250)",
    )
    demo.add_argument(
        "--seed", type=_whole_number(0, 2**31), default=0, metavar="S", help="random seed (0)"
    )
    demo.add_argument(
        "--touches-per-contact",
        type=_touches_per_contact,
        default=10.0,
        metavar="T",
        help=f"average touches per contact, 0 to {MAX_TOUCHES_PER_CONTACT:g} (10)",
    )
    profiles = _sample_profiles()
    demo.add_argument(
        "--profile",
        choices=profiles,
        default=profiles[0],
        metavar="NAME",
        help=f"the business the sample is about: {', '.join(profiles)} ({profiles[0]})",
    )
    demo.add_argument(
        "--model",
        metavar="KEY",
        help="the journey model to use (customer_development, customers_for_life, "
        "customer_experience, customer_lifecycle); only on a database without contacts",
    )
    demo.add_argument(
        "--add-to-existing",
        action="store_true",
        help="add sample data to a database that already has contacts (File > Remove "
        "sample data takes it away again)",
    )
    export = commands.add_parser(
        "export",
        help="write a report as CSV (opens cleanly in Excel and LibreOffice)",
        description="Write one of Touchbase's reports to a CSV file; contacts also as vCard "
        "(FILE.vcf) and follow-ups as a calendar (FILE.ics). Only reads the database, so it "
        "works while the app is open.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    assert isinstance(export, _Parser)
    export.epilog_factory = _report_list
    export.add_argument("report", metavar="REPORT", help="which report (see the list below)")
    export.add_argument(
        "--output", "-o", required=True, metavar="FILE", help="the CSV (or .vcf, .ics) file"
    )
    export.add_argument("--since", type=_date, metavar="DATE", help="from this day (YYYY-MM-DD)")
    export.add_argument("--until", type=_date, metavar="DATE", help="to this day (YYYY-MM-DD)")
    chart = commands.add_parser(
        "chart",
        help="draw a chart of Reports, or the whole dashboard, as PNG, SVG or PDF",
        description="Draw one of the Reports charts (funnel, touches, mediums, followups, "
        "plan, lifecycle, satisfaction, sales, top-customers) to a PNG, SVG or PDF file, or "
        "every chart on one PDF page with 'dashboard'. Without --since/--until the charts "
        "cover all time.",
    )
    chart.add_argument("chart", metavar="NAME", help="which chart, or 'dashboard'")
    chart.add_argument(
        "--output", "-o", required=True, metavar="FILE", help="FILE.png, FILE.svg or FILE.pdf"
    )
    chart.add_argument("--since", type=_date, metavar="DATE", help="from this day (YYYY-MM-DD)")
    chart.add_argument("--until", type=_date, metavar="DATE", help="to this day (YYYY-MM-DD)")
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
    due = commands.add_parser(
        "followups",
        help="print due and overdue follow-ups, oldest first",
        description="Print the follow-ups due by a day (today unless --due-by), oldest "
        "first, one a line. Only reads the database, so it works while the app is open.",
    )
    due.add_argument("--due-by", type=_date, metavar="DATE", help="due by this day (YYYY-MM-DD)")
    commands.add_parser(
        "check",
        help="check the database for damage",
        description="Read the whole database and check that it is sound (SQLite's integrity "
        "and foreign key checks). Exits 0 when it is healthy, 1 with the problems listed.",
    )
    backup = commands.add_parser(
        "backup",
        help="back up the database now",
        description="Copy the database, consistently even while the app is open, into its "
        "backups folder (or to --to FILE). Old backups in the folder are thinned.",
    )
    backup.add_argument("--to", metavar="FILE", help="write the backup to this new file")
    restore = commands.add_parser(
        "restore",
        help="replace the database with a backup",
        description="Put a backup in place of the database. The database as it was is "
        "backed up first. A file that is not a Touchbase backup is refused. Close the app "
        "first.",
    )
    restore.add_argument("file", metavar="FILE", help="the backup to restore")
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def _export(db_path: Path, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from db import vcard  # noqa: PLC0415
    from db.engine import open_database  # noqa: PLC0415 - the GUI path never loads it
    from db.export import ExportOptions, build, load_reports, write_csv  # noqa: PLC0415

    reports = load_reports()
    if args.report not in reports:
        parser.exit(
            2,
            f"touchbase export: unknown report {args.report!r}; choose one of:\n"
            + _report_list().removeprefix("reports:\n").split("\n\n")[0]
            + "\n",
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
    if vcard.is_vcard_path(output):
        if args.report not in ("contacts", "contact-list"):
            parser.exit(
                2,
                f"touchbase export: only contacts can be written as vCard ({output.name}); "
                "give a .csv file for this report\n",
            )
        with open_database(db_path, readonly=True) as database:
            count = vcard.write_vcards(database, output, database_path=database.path)
        sys.stdout.write(f"Wrote {count:,} contacts to {output}\n")
        return 0
    with open_database(db_path, readonly=True) as database:
        count = write_csv(build(kind, database, options), output, database_path=database.path)
    sys.stdout.write(f"Wrote {count:,} rows to {output}\n")
    return 0


def _sample_profiles() -> list[str]:
    """The sample-data profiles, read from their data file (cheap: no db import)."""
    text = resources.files("resources.sample").joinpath("profiles.json").read_text("utf-8")
    return list(json.loads(text))


def _chart(db_path: Path, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    # The plotting library loads only for this command.
    from desktop_app.reports import commands  # noqa: PLC0415

    output = Path(args.output).expanduser()
    problem = commands.usage_problem(args.chart, output, args.since, args.until)
    if problem is not None:
        parser.exit(2, f"touchbase chart: {problem}\n")
    return commands.write_chart(db_path, args.chart, output, args.since, args.until)


def _demo(db_path: Path, args: argparse.Namespace) -> int:
    from db import demo  # noqa: PLC0415
    from db.engine import open_database  # noqa: PLC0415 - the GUI path never loads it

    def report(done: int, total: int) -> bool:
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{done:,} of {total:,} contacts")
            sys.stderr.flush()
        return True

    if db_path == paths.database_path(None) and not db_path.parent.exists():
        paths.data_dir().mkdir(parents=True, exist_ok=True)
    with open_database(db_path) as database:
        try:
            summary = demo.generate(
                database,
                contacts=args.contacts,
                seed=args.seed,
                touches_per_contact=args.touches_per_contact,
                progress=report,
                profile=args.profile,
                model=args.model,
                add_to_existing=args.add_to_existing,
            )
        except demo.SampleDataRefusedError as exc:
            if not args.add_to_existing:
                sys.stderr.write(
                    f"touchbase: {exc} Run again with --add-to-existing to add it anyway.\n"
                )
            else:
                sys.stderr.write(f"touchbase: {exc}\n")
            return 1
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    sys.stdout.write(
        f"Added {summary.contacts:,} contacts, {summary.touches:,} touches, "
        f"{summary.purchases:,} purchases and {summary.feedback:,} feedback forms "
        f"to {db_path}\n"
    )
    return 0


def _check(db_path: Path) -> int:
    from db.checks import check_file  # noqa: PLC0415
    from db.engine import open_database  # noqa: PLC0415 - the GUI path never loads it

    # Opened read-only without the quick check: a damaged file is exactly what to look at.
    with open_database(db_path, readonly=True, check=False) as database:
        report = check_file(database.path)
    if report.healthy:
        sys.stdout.write(f"{database.path} is healthy.\n")
        return 0
    sys.stdout.write(f"{database.path} has problems:\n")
    for problem in report.problems:
        sys.stdout.write(f"{problem}\n")
    return 1


def _backup(db_path: Path, args: argparse.Namespace) -> int:
    from db import backups  # noqa: PLC0415
    from db.backups import BackupError  # noqa: PLC0415
    from db.engine import open_database  # noqa: PLC0415 - the GUI path never loads it

    with open_database(db_path, readonly=True) as database:
        if args.to:
            target = Path(args.to).expanduser()
            if target.exists():
                raise BackupError(f"{target} already exists; choose a new file name.")
            if not target.parent.is_dir():
                raise BackupError(f"The folder {target.parent} does not exist.")
            backups.backup_to(database, target)
        else:
            target = backups.take_backup(database, backups.BY_HAND)
    sys.stdout.write(f"Backed up {database.path} to {target}\n")
    return 0


def _restore(db_path: Path, args: argparse.Namespace) -> int:
    from db import backups  # noqa: PLC0415

    source = Path(args.file).expanduser()
    info = backups.inspect_backup(source)
    before = backups.restore(db_path, source)
    sys.stdout.write(
        f"Restored {db_path} from {source} ({info.contacts:,} contact"
        f"{'s' if info.contacts != 1 else ''}).\n"
    )
    if before is not None:
        sys.stdout.write(f"The database as it was is kept in {before}\n")
    return 0


def _tolerant_console() -> None:
    """Replace what the console's encoding cannot show instead of stopping half-way with a
    UnicodeEncodeError (a Windows code page cannot show most names outside Western Europe)."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


def plain_start(argv: Sequence[str]) -> tuple[str | None, bool] | None:
    """``--db`` and ``--verbose`` of a start with no command and no other option, read
    without building the parser (the app's own start); None for anything else, which the
    parser reads. Only spellings the parser reads the same way are taken: ``--db PATH``
    (a path not starting with "-"), ``--db=PATH``, ``-v``, ``--verbose``; the last ``--db``
    counts."""
    db: str | None = None
    verbose = False
    words = iter(argv)
    for word in words:
        if word in ("-v", "--verbose"):
            verbose = True
        elif word.startswith("--db="):
            db = word.removeprefix("--db=")
        elif word == "--db":
            value = next(words, None)
            if value is None or value.startswith("-"):
                return None
            db = value
        else:
            return None
    return db, verbose


def main(argv: Sequence[str] | None = None) -> int:
    if getattr(sys, "frozen", False):
        # A packaged Touchbase is also the Reports helper process it starts.
        import multiprocessing  # noqa: PLC0415 - only in a packaged build

        multiprocessing.freeze_support()
    _tolerant_console()
    plain = plain_start(sys.argv[1:] if argv is None else argv)
    if plain is not None:
        db, verbose = plain
        _log_to_console(verbose)
        return _start_gui(db)
    parser = build_parser()
    args = parser.parse_args(argv)
    _log_to_console(args.verbose)
    if args.command is None:
        return _start_gui(args.db)
    return _command(paths.database_path(args.db), args, parser)


def _log_to_console(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def _start_gui(db: str | None) -> int:
    # The window paints before SQLAlchemy loads (desktop_app.startup): nothing of the
    # storage layer is imported on this path, and the window reports its own errors.
    # Python's automatic cycle collection stays off: start-up makes some 90,000 objects that
    # live as long as the app and hardly any garbage, and walking them over and over took a
    # tenth of a start. Once the window is built, the GUI thread collects from a timer, and
    # only it (desktop_app.collector; docs/architecture.md, "Start-up" and "Pauses").
    gc.disable()
    from desktop_app.app import run_gui  # noqa: PLC0415 - Qt only when the GUI starts

    path = paths.database_path(db)
    return run_gui(path, explicit=bool(db or paths.database_from_environment()))


def _command(db_path: Path, args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    # The storage loads only for a command (see main: the GUI path skips it).
    from db.backups import BackupError  # noqa: PLC0415
    from db.engine import DatabaseError  # noqa: PLC0415
    from db.errors import describe  # noqa: PLC0415

    try:
        if args.command == "demo":
            return _demo(db_path, args)
        if args.command == "export":
            return _export(db_path, args, parser)
        if args.command == "chart":
            return _chart(db_path, args, parser)
        if args.command == "import":
            from desktop_app import import_command  # noqa: PLC0415 - it loads the storage

            return import_command.run(db_path, args, parser)
        if args.command == "followups":
            from desktop_app.followups import commands  # noqa: PLC0415

            return commands.print_due(db_path, args.due_by)
        if args.command == "check":
            return _check(db_path)
        if args.command == "backup":
            return _backup(db_path, args)
        return _restore(db_path, args)
    except (DatabaseError, BackupError) as exc:
        sys.stderr.write(f"touchbase: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("touchbase: stopped.\n")
        return 130
    except OSError as exc:
        # A file the command was told to write: its own words ("No such file or directory:
        # out/x.csv"), or plain ones for a full or read-only disk.
        full_or_readonly = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS)
        plain = describe(exc) if full_or_readonly else exc.strerror or str(exc)
        where = f" ({exc.filename})" if exc.filename else ""
        sys.stderr.write(f"touchbase: {plain}{where}\n")
        return 1
    except Exception as exc:
        plain = describe(exc)
        if plain is not None:
            sys.stderr.write(f"touchbase: {plain}\n")
            return 1
        if isinstance(exc, ValueError):
            sys.stderr.write(f"touchbase: {exc}\n")
            return 1
        logged = log_unexpected(exc)
        where = f" The details are in {logged}." if logged else ""
        sys.stderr.write(
            f"touchbase: something went wrong that Touchbase did not expect "
            f"({type(exc).__name__}: {exc}).{where}\n"
        )
        return 1


def gui_main() -> int:
    return main()


if __name__ == "__main__":
    raise SystemExit(main())
