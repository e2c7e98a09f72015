"""Data safety in the app: failed writes said plainly with the form kept, restoring, damaged
and read-only databases, the Database settings page, Tools → Check database, and the app's
handling of unexpected errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import event, func, select

from db import backups, contacts, errors, feedback, purchases, settings
from db.checks import CheckReport
from db.contacts import ContactInput, EmailData
from db.domain import Medium
from db.engine import Database, open_database
from db.feedback import FeedbackInput, Level
from db.models import Touch
from db.purchases import PurchaseInput
from desktop_app import app as app_module
from desktop_app import database_files, dialogs, paths, startup
from desktop_app.app import UnexpectedErrorBox, handle_exception
from desktop_app.contacts.editor import ContactDialog
from desktop_app.contacts.page import ContactsPage
from desktop_app.database_files import DamagedDialog, ReadOnlyNotice, RestoreDialog
from desktop_app.dialogs import Confirm
from desktop_app.first_run import WelcomeDialog
from desktop_app.launcher import Launcher
from desktop_app.main_window import CheckResultBox, MainWindow
from desktop_app.ops import Changes, OpsBus, WriteFailedError
from desktop_app.sales.dialogs import FeedbackDialog, PurchaseDialog
from desktop_app.settings.database_page import ChooseBackupFolder, DatabasePage
from desktop_app.tasks import ImmediateRunner
from desktop_app.touches.dialog import TouchDialog
from tests.conftest import ContactFactory
from tests.db.test_backups import damage_a_page
from tests.desktop_app.test_sales import _show as show_sales


@pytest.fixture
def errors_shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        dialogs.ErrorBox,
        "show",
        classmethod(lambda cls, _p, title, text: shown.append((title, text))),
    )
    return shown


def _on_every_write_connection(database: Database, pragma: str) -> None:
    """Give each new writing connection ``pragma`` (after the ones Touchbase sets)."""
    database.write_engine.dispose()

    @event.listens_for(database.write_engine, "connect")
    def _apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if pragma == "full":
            pages = cursor.execute("PRAGMA page_count").fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count={pages}")
        else:
            cursor.execute(pragma)
        cursor.close()


def fill_the_disk(database: Database) -> None:
    """From now on the file cannot grow: SQLite answers SQLITE_FULL, as on a full disk."""
    _on_every_write_connection(database, "full")


def _integrity(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute("PRAGMA integrity_check")]


# --- failed writes -----------------------------------------------------------------------------


def test_a_full_disk_while_adding_a_contact_says_so_and_gives_the_form_back(
    page: ContactsPage,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    errors_shown: list[tuple[str, str]],
) -> None:
    data = ContactInput(
        name="Mara Lindqvist",
        emails=(EmailData("mara@nordicknits.se", "work"),),
        notes="A long note that needs a page of its own. " * 200,
    )
    drafts: list[object] = []

    def ask(cls: object, *_args: object, draft: ContactInput | None = None) -> object:
        drafts.append(draft)
        return data if draft is None else None  # the owner cancels the second time

    monkeypatch.setattr(ContactDialog, "ask", classmethod(ask))
    fill_the_disk(database)

    assert page.new_contact() is None

    assert errors_shown == [("The contact was not saved", errors.DISK_FULL)]
    assert drafts == [None, data], "the form came back with what was typed"
    assert contacts.count_contacts(database, contacts.ContactQuery()) == 0
    assert _integrity(database.path) == ["ok"]


def test_a_read_only_file_while_editing_keeps_the_edit_and_the_contact(
    page: ContactsPage,
    database: Database,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
    errors_shown: list[tuple[str, str]],
) -> None:
    contact_id = contact_factory(name="Anna Berg")
    edited = ContactInput(name="Anna Berg-Lund")
    answers = iter([edited, edited, None])
    drafts: list[object] = []

    def ask(cls: object, *_args: object, draft: ContactInput | None = None) -> object:
        drafts.append(draft)
        return next(answers)

    monkeypatch.setattr(ContactDialog, "ask", classmethod(ask))
    # SQLite refuses writes as it does for a read-only file.
    _on_every_write_connection(database, "PRAGMA query_only=ON")

    page.edit_contact(contact_id)

    assert [title for title, _ in errors_shown] == ["The changes were not saved"] * 2
    assert errors_shown[0][1] == errors.READ_ONLY
    assert drafts == [None, edited, edited]
    assert contacts.get_contact(database, contact_id).name == "Anna Berg"


def test_a_busy_database_is_said_plainly(ops: OpsBus, database: Database) -> None:
    _on_every_write_connection(database, "PRAGMA busy_timeout=50")
    with closing(sqlite3.connect(database.path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(WriteFailedError) as failed:
            ops.run(
                lambda db: contacts.create_contact(db, ContactInput(name="Waits")),
                Changes(contacts=True),
            )
        other.execute("ROLLBACK")
    assert str(failed.value) == errors.LOCKED


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (sqlite3.OperationalError("database or disk is full"), errors.DISK_FULL),
        (sqlite3.OperationalError("attempt to write a readonly database"), errors.READ_ONLY),
        (sqlite3.OperationalError("database is locked"), errors.LOCKED),
        (sqlite3.OperationalError("disk I/O error"), errors.GONE),
        (sqlite3.OperationalError("unable to open database file"), errors.GONE),
        (sqlite3.DatabaseError("database disk image is malformed"), errors.DAMAGED),
        (OSError(28, "No space left on device"), errors.DISK_FULL),
        (OSError(30, "Read-only file system"), errors.READ_ONLY),
        (ValueError("a bug"), None),
    ],
)
def test_storage_failures_in_plain_words(error: BaseException, expected: str | None) -> None:
    assert errors.describe(error) == expected


def test_a_failed_write_reaching_the_app_is_said_plainly(
    qtbot: QtBot, errors_shown: list[tuple[str, str]]
) -> None:
    failure = WriteFailedError(errors.DISK_FULL)
    handle_exception(WriteFailedError, failure, None)
    assert errors_shown == [("The change was not saved", errors.DISK_FULL)]
    assert not paths.error_log().exists()


def test_an_unexpected_error_shows_where_its_details_are(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, Path | None]] = []
    monkeypatch.setattr(
        UnexpectedErrorBox,
        "show",
        classmethod(lambda cls, _p, summary, log: shown.append((summary, log))),
    )
    try:
        raise KeyError("no such row")
    except KeyError as exc:
        handle_exception(KeyError, exc, exc.__traceback__)
    assert shown == [("KeyError: 'no such row'", paths.error_log())]
    assert "Traceback" in paths.error_log().read_text()


# --- backups from the window ---------------------------------------------------------------------


def test_emptying_the_trash_takes_a_backup_first(
    page: ContactsPage,
    database: Database,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gone = contact_factory(name="Old Supplier")
    contacts.trash_contacts(database, [gone])
    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, *a: True))
    page.set_trash(True)

    page.empty_trash()

    [saved] = backups.list_backups(database.path, backups.folder_for(database))
    assert saved.reason == "before emptying the trash"
    with closing(sqlite3.connect(saved.path)) as conn:
        assert conn.execute("SELECT name FROM contact").fetchall() == [("Old Supplier",)]
    assert contacts.count_contacts(database, contacts.ContactQuery(trash=True)) == 0


def test_tools_check_database_says_it_is_healthy(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports: list[CheckReport] = []
    monkeypatch.setattr(CheckResultBox, "show", classmethod(lambda cls, _p, r: reports.append(r)))
    window.check_action.trigger()
    assert [r.healthy for r in reports] == [True]


def test_back_up_now_from_the_file_menu(window: MainWindow, database: Database) -> None:
    window.backup_action.trigger()
    [saved] = backups.list_backups(database.path, backups.folder_for(database))
    assert saved.reason == "by hand"
    assert str(saved.path) in window.statusBar().currentMessage()


# --- the Database settings page -------------------------------------------------------------


def test_the_database_page_shows_the_file_its_size_contacts_and_backups(
    qtbot: QtBot, ops: OpsBus, contact_factory: ContactFactory
) -> None:
    contact_factory()
    contact_factory()
    page = DatabasePage(ops)
    qtbot.addWidget(page)
    assert page.location.text() == str(ops.database.path)
    assert page.contact_count.text() == "2"
    assert page.size_label.text().endswith("KB")
    assert page.last_backup.text() == "None yet"
    texts = " ".join(w.text() for w in page.findChildren(type(page.location)))
    assert "Schema" not in texts and "touchbase.ini" not in texts

    page.backup_now.click()

    assert "(by hand)" in page.last_backup.text()


def test_the_backups_folder_can_be_moved_to_a_synced_drive(
    qtbot: QtBot, ops: OpsBus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced = tmp_path / "Dropbox"
    synced.mkdir()
    monkeypatch.setattr(ChooseBackupFolder, "ask", classmethod(lambda cls, *a: synced))
    page = DatabasePage(ops)
    qtbot.addWidget(page)
    page._choose_folder()
    assert page.validate() is None
    page.apply()
    with ops.database.reading() as session:
        assert settings.get(session, settings.BACKUP_FOLDER) == str(synced)
    assert backups.take_backup(ops.database, backups.BY_HAND).parent == synced


def test_a_backups_folder_that_cannot_be_written_is_refused(
    qtbot: QtBot, ops: OpsBus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    monkeypatch.setattr(ChooseBackupFolder, "ask", classmethod(lambda cls, *a: blocker / "b"))
    page = DatabasePage(ops)
    qtbot.addWidget(page)
    page._choose_folder()
    assert page.validate() is not None
    assert page.folder_error.isVisible() or page.folder_error.text()


# --- restoring and switching databases ------------------------------------------------------


@pytest.fixture
def launcher(qtbot: QtBot) -> Iterator[Launcher]:
    launcher = Launcher(ImmediateRunner())
    yield launcher
    launcher._close_current()


def _names(database: Database) -> list[str]:
    return [r.name for r in contacts.contact_rows(database, contacts.ContactQuery(), 0, 99)]


def _welcomed(path: Path, *names: str) -> None:
    with open_database(path) as database:
        with database.write_session.begin() as session:
            settings.put(session, settings.SAMPLE_DATA_OFFERED, True)
        for name in names:
            contacts.create_contact(database, ContactInput(name=name))


def test_the_restore_dialog_lists_backups_with_date_and_contacts(
    qtbot: QtBot,
    database: Database,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    contact_factory()
    first = backups.take_backup(database, backups.BY_HAND)
    contact_factory()
    backups.take_backup(database, backups.BEFORE_EMPTYING_TRASH)
    dialog = RestoreDialog(database.path, backups.folder_for(database))
    qtbot.addWidget(dialog)
    rows = [
        [dialog.table.item(r, c).text() for c in range(3)]  # type: ignore[union-attr]
        for r in range(dialog.table.rowCount())
    ]
    assert [row[1:] for row in rows] == [["Before emptying the trash", "2"], ["By hand", "1"]]
    assert all(row[0] for row in rows)
    monkeypatch.setattr(Confirm, "ask", classmethod(lambda cls, *a: True))
    dialog.table.selectRow(1)
    dialog.restore_button.click()
    assert dialog.chosen == first


def test_the_restore_dialog_refuses_a_file_that_is_not_a_backup(
    qtbot: QtBot, database: Database, tmp_path: Path, errors_shown: list[tuple[str, str]]
) -> None:
    impostor = tmp_path / "list.sqlite"
    impostor.write_text("name\nAnna\n")
    dialog = RestoreDialog(database.path, backups.folder_for(database))
    qtbot.addWidget(dialog)
    dialog.choose(impostor)
    assert dialog.chosen is None
    assert errors_shown and "not a Touchbase backup" in errors_shown[0][1]


def test_restoring_from_the_window_reopens_it_on_the_backup(
    launcher: Launcher, tmp_path: Path
) -> None:
    path = tmp_path / "shop.sqlite"
    _welcomed(path, "Kept")
    assert launcher.start(path, explicit=True)
    assert launcher.database is not None and launcher.window is not None
    saved = backups.take_backup(launcher.database, backups.BY_HAND)
    contacts.create_contact(launcher.database, ContactInput(name="Added later"))
    first_window = launcher.window

    first_window.restore_requested.emit(saved)

    assert launcher.window is not first_window
    assert _names(launcher.database) == ["Kept"]
    assert "Restored the backup" in launcher.window.statusBar().currentMessage()
    reasons = [b.reason for b in backups.list_backups(path, backups.default_folder(path))]
    assert "before restoring a backup" in reasons


def test_open_and_new_database_switch_the_window_and_remember_it(
    qtbot: QtBot,
    launcher: Launcher,
    tmp_path: Path,
    errors_shown: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    welcomed: list[Path] = []
    monkeypatch.setattr(
        WelcomeDialog, "ask", classmethod(lambda cls, db, _p: welcomed.append(db.path))
    )
    first, second = tmp_path / "first.sqlite", tmp_path / "second.sqlite"
    _welcomed(first, "In the first")
    _welcomed(second, "In the second")
    assert launcher.start(first, explicit=True)
    assert launcher.window is not None
    launcher.window.open_requested.emit(second)
    assert launcher.database is not None and _names(launcher.database) == ["In the second"]
    assert database_files.recent_databases()[:2] == [second.resolve(), first.resolve()]

    fresh = tmp_path / "fresh.sqlite"
    assert launcher.window is not None
    launcher.window.new_requested.emit(fresh)
    assert launcher.database.path == fresh.resolve()
    assert _names(launcher.database) == []
    qtbot.waitUntil(lambda: welcomed == [fresh.resolve()])

    # A file that cannot be opened leaves the current one open.
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    current = launcher.window
    current.open_requested.emit(notes)
    assert launcher.window is current
    assert errors_shown and "not a Touchbase database" in errors_shown[-1][1]
    # New database over an existing file is refused.
    launcher.window.new_requested.emit(first)
    assert launcher.database.path == fresh.resolve()
    assert "already exists" in errors_shown[-1][1]


def test_a_damaged_database_offers_the_latest_good_backup(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "shop.sqlite"
    with open_database(path) as database:
        for n in range(300):
            contacts.create_contact(database, ContactInput(name=f"Person {n}", notes="x" * 400))
        backups.take_backup(database, backups.AUTOMATIC)
    damage_a_page(path, page=40)
    offered: list[object] = []

    def ask(cls: object, _parent: object, _path: Path, latest: object) -> str:
        offered.append(latest)
        return DamagedDialog.RESTORE

    monkeypatch.setattr(DamagedDialog, "ask", classmethod(ask))

    opened = database_files.open_for_window(path, None, create=False)

    assert opened is not None
    database = opened
    try:
        assert offered and offered[0] is not None
        assert contacts.count_contacts(database, contacts.ContactQuery()) == 300
        assert _integrity(path) == ["ok"]
    finally:
        database.close()


def test_a_damaged_database_can_be_opened_read_only_and_is_never_written(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "shop.sqlite"
    with open_database(path) as database:
        for n in range(300):
            contacts.create_contact(database, ContactInput(name=f"Person {n}", notes="x" * 400))
    damage_a_page(path, page=40)
    before = path.read_bytes()
    monkeypatch.setattr(DamagedDialog, "ask", classmethod(lambda cls, *a: DamagedDialog.READ_ONLY))
    opened = database_files.open_for_window(path, None, create=False)
    assert opened is not None and opened.readonly
    database = opened
    try:
        with pytest.raises(WriteFailedError):
            OpsBus(database).run(
                lambda db: contacts.create_contact(db, ContactInput(name="Never")),
                Changes(contacts=True),
            )
    finally:
        database.close()
    assert path.read_bytes() == before


def test_a_database_on_read_only_media_opens_read_only_to_look_and_export(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "usb" / "shop.sqlite"
    path.parent.mkdir()
    _welcomed(path, "On the stick")
    before = sorted(p.name for p in path.parent.iterdir())
    import os  # noqa: PLC0415

    real_access = os.access

    def no_writing(target: Any, mode: int, **kwargs: Any) -> bool:
        if mode & os.W_OK and str(target).startswith(str(path.parent)):
            return False
        return real_access(target, mode, **kwargs)

    monkeypatch.setattr(os, "access", no_writing)
    notices: list[Path] = []
    monkeypatch.setattr(ReadOnlyNotice, "show", classmethod(lambda cls, _p, p: notices.append(p)))

    database = database_files.open_for_window(path, None, create=False)

    assert database is not None and database.readonly
    try:
        assert notices == [path]
        assert _names(database) == ["On the stick"]
        window = MainWindow(database, ImmediateRunner())
        qtbot.addWidget(window)
        assert window.windowTitle().endswith("(read-only)")
    finally:
        database.close()
    assert sorted(p.name for p in path.parent.iterdir()) == before, "nothing written beside it"


def test_the_app_asks_before_creating_a_database_at_a_path_that_does_not_exist(
    launcher: Launcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[Path] = []
    monkeypatch.setattr(
        database_files.CreateDatabase,
        "ask",
        classmethod(lambda cls, _p, path: bool(asked.append(path))),  # type: ignore[func-returns-value]
    )
    missing = tmp_path / "typo.sqlite"
    assert launcher.start(missing, explicit=True) is False
    assert asked == [missing]
    assert not missing.exists()
    assert not Path(str(missing) + ".lock").exists()


def test_start_path_prefers_the_last_database_unless_one_is_named(tmp_path: Path) -> None:
    last = tmp_path / "last.sqlite"
    _welcomed(last)
    database_files.remember(last)
    default = tmp_path / "default.sqlite"
    assert app_module.start_path(default, explicit=False) == last
    assert app_module.start_path(default, explicit=True) == default


def test_a_big_database_is_checked_once_the_window_is_up(
    launcher: Launcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.sqlite"
    _welcomed(path)
    with open_database(path) as database:
        for n in range(300):
            contacts.create_contact(database, ContactInput(name=f"Person {n}", notes="x" * 400))
    damage_a_page(path, page=40)
    monkeypatch.setattr(startup, "CHECK_BEFORE_OPENING", 0)  # every file is "big"
    monkeypatch.setattr(DamagedDialog, "ask", classmethod(lambda cls, *a: DamagedDialog.READ_ONLY))
    assert launcher.start(path, explicit=True)
    first = launcher.database
    assert first is not None and not first.readonly
    before = path.read_bytes()

    launcher._after_start(first)  # what the window does a second after start

    reopened: Database | None = launcher.database
    assert reopened is not None and reopened is not first and reopened.readonly
    assert launcher.window is not None
    assert launcher.window.windowTitle().endswith("(read-only)")
    assert path.read_bytes() == before


def test_a_touch_that_cannot_be_saved_keeps_its_form_open(
    qtbot: QtBot,
    ops: OpsBus,
    database: Database,
    contact_factory: ContactFactory,
    errors_shown: list[tuple[str, str]],
) -> None:
    contact_id = contact_factory(name="Ada")
    dialog = TouchDialog(ops, None, contact_id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.mediums.buttons[Medium.PHONE].click()
    dialog.summary.setText("Called about the spring order")
    _on_every_write_connection(database, "PRAGMA query_only=ON")

    dialog.save()

    assert errors_shown == [("The touch was not saved", errors.READ_ONLY)]
    assert dialog.isVisible()
    assert dialog.summary.text() == "Called about the spring order"
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Touch)) == 0


def _refused(
    monkeypatch: pytest.MonkeyPatch,
    database: Database,
    form: type,
    filled: object,
    record: Callable[[], None],
) -> list[object]:
    """The owner fills ``form`` with ``filled`` and the database refuses the write; returns
    the drafts the form was opened with each time (None the first)."""
    drafts: list[object] = []

    def ask(cls: object, *_args: object, draft: object = None) -> object:
        drafts.append(draft)
        return filled if draft is None else None

    monkeypatch.setattr(form, "ask", classmethod(ask))
    _on_every_write_connection(database, "PRAGMA query_only=ON")
    record()
    return drafts


def test_a_sale_that_cannot_be_saved_comes_back_as_typed(
    window: MainWindow,
    database: Database,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
    errors_shown: list[tuple[str, str]],
) -> None:
    contact_id = contact_factory(name="Ada")
    section = show_sales(window, contact_id)
    sale = PurchaseInput(section._today(), "Wedding cake", "250.00")

    drafts = _refused(monkeypatch, database, PurchaseDialog, sale, section.record_sale)

    assert errors_shown == [("The sale was not recorded", errors.READ_ONLY)]
    assert drafts == [None, sale]
    assert purchases.purchases_of(database, contact_id) == []


def test_the_purchase_form_refills_from_a_draft(qtbot: QtBot, database: Database) -> None:
    draft = PurchaseInput(date(2026, 3, 1), "Rye loaf", "4.50", note="Order 12")
    dialog = PurchaseDialog(database, "Ada", None, date(2026, 3, 5), draft=draft)
    qtbot.addWidget(dialog)
    assert dialog.form_input() == draft


def test_feedback_that_cannot_be_saved_comes_back_as_filled_in(
    window: MainWindow,
    database: Database,
    contact_factory: ContactFactory,
    monkeypatch: pytest.MonkeyPatch,
    errors_shown: list[tuple[str, str]],
) -> None:
    contact_id = contact_factory(name="Ada")
    section = show_sales(window, contact_id)
    questions = feedback.questions(database)
    form = FeedbackInput(
        section._today(),
        answers=tuple((q, 4) for q in questions),
        comment="Loved the cake",
    )

    drafts = _refused(monkeypatch, database, FeedbackDialog, form, section.record_feedback)

    assert errors_shown == [("The feedback was not recorded", errors.READ_ONLY)]
    assert drafts == [None, form]
    assert feedback.history(database, contact_id) == []


def test_the_feedback_form_refills_from_a_draft(qtbot: QtBot, database: Database) -> None:
    questions = ["Was it good?", "Would you come back?"]
    draft = FeedbackInput(
        date(2026, 3, 1),
        answers=(("Was it good?", 2), ("Would you come back?", None)),
        comment="Too sweet",
        level=Level.DISSATISFIED,
    )
    dialog = FeedbackDialog("Ada", questions, None, date(2026, 3, 5), draft=draft)
    qtbot.addWidget(dialog)
    assert dialog.form_input() == draft
