"""One look for every dialog: a primary button, no stray "&", Tab in the order seen."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from db import journeys
from db.engine import Database
from desktop_app.contacts.editor import ContactDialog
from desktop_app.dialogs import Dialog, tab_stops
from desktop_app.export import ExportDialog
from desktop_app.followups.dialog import FollowupDialog, SnoozeDialog
from desktop_app.ops import OpsBus
from desktop_app.sales.dialogs import FeedbackDialog, PurchaseDialog
from desktop_app.settings.dialog import SettingsDialog
from desktop_app.touches.dialog import TouchDialog


def _tab_through(qtbot: QtBot, dialog: QWidget, first: QWidget) -> list[QWidget]:
    """Press Tab from ``first`` until focus comes back round; the widgets visited."""
    first.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first)
    seen = [first]
    for _ in range(80):
        current = QApplication.focusWidget()
        assert current is not None
        qtbot.keyClick(current, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is current:
            continue  # A date field's Tab steps through its day, month and year first.
        if now is first or now in seen:
            break
        assert now is not None
        seen.append(now)
    return seen


def _assert_visual_order(qtbot: QtBot, dialog: Dialog) -> list[QWidget]:
    dialog.show()
    qtbot.waitExposed(dialog)
    expected = tab_stops(dialog)
    visited = _tab_through(qtbot, dialog, expected[0])
    assert visited == expected
    return visited


def _assert_one_look(dialog: Dialog) -> None:
    for buttons in dialog.findChildren(QDialogButtonBox):
        primaries = [b for b in buttons.buttons() if b.objectName() == "primaryButton"]
        assert len(primaries) == 1
        assert all(b.icon().isNull() for b in buttons.buttons())
    for label in dialog.findChildren(QLabel):
        if label.isVisibleTo(dialog) and label.textFormat() != Qt.TextFormat.RichText:
            shown = label.text().replace("&&", "")
            assert "&" not in shown or label.buddy() is not None, label.text()


def test_new_contact_tabs_through_emails_and_phones_before_the_buttons(
    qtbot: QtBot, database: Database
) -> None:
    dialog = ContactDialog(database, [])
    qtbot.addWidget(dialog)
    visited = _assert_visual_order(qtbot, dialog)
    _assert_one_look(dialog)
    order = {id(w): i for i, w in enumerate(visited)}
    email = order[id(dialog.emails.rows[0].value)]
    phone = order[id(dialog.phones.rows[0].value)]
    assert order[id(dialog.name)] < order[id(dialog.company)] < email < phone
    assert phone < order[id(dialog.notes)] < order[id(dialog.save_button)]
    # A row added later takes its place in the order too.
    dialog.emails.add_button.click()
    second = dialog.emails.rows[1].value
    qtbot.waitUntil(lambda: second in tab_stops(dialog))
    visited = _assert_visual_order(qtbot, dialog)
    assert (
        visited.index(dialog.emails.rows[0].value)
        < visited.index(second)
        < visited.index(dialog.phones.rows[0].value)
    )


def test_tab_leaves_notes_and_ctrl_tab_types_a_tab(qtbot: QtBot, database: Database) -> None:
    dialog = ContactDialog(database, [])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    notes: QPlainTextEdit = dialog.notes
    notes.setFocus()
    qtbot.waitUntil(notes.hasFocus)
    qtbot.keyClicks(notes, "a")
    qtbot.keyClick(notes, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(notes, "b")
    assert notes.toPlainText() == "a\tb"
    qtbot.keyClick(notes, Qt.Key.Key_Tab)
    assert not notes.hasFocus()
    assert notes.toPlainText() == "a\tb"


def test_the_form_labels_show_no_ampersands(qtbot: QtBot, database: Database) -> None:
    dialog = ContactDialog(database, [])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    _assert_one_look(dialog)
    names = [label for label in dialog.findChildren(QLabel) if label.buddy() is dialog.name]
    assert names and names[0].text() == "&Name"  # Alt+N, shown underlined, not as "&".


def test_sale_and_feedback_forms_follow_the_visual_order(qtbot: QtBot, database: Database) -> None:
    sale = PurchaseDialog(database, "Ada Byron", None, date(2026, 5, 1))
    qtbot.addWidget(sale)
    _assert_visual_order(qtbot, sale)
    _assert_one_look(sale)
    feedback = FeedbackDialog(
        "Ada Byron", ["How was it?", "Would you recommend us?"], None, date(2026, 5, 1)
    )
    qtbot.addWidget(feedback)
    _assert_visual_order(qtbot, feedback)
    _assert_one_look(feedback)


def test_export_settings_and_follow_up_dialogs_follow_the_visual_order(
    qtbot: QtBot, database: Database, ops: OpsBus, tmp_path: Path
) -> None:
    journeys.choose_initial_model(database, "customer_development")
    for dialog in (
        ExportDialog(date(2026, 5, 1), tmp_path),
        SettingsDialog(ops),
        FollowupDialog("Ada Byron", date(2026, 5, 1)),
        SnoozeDialog(date(2026, 5, 1)),
        TouchDialog(ops),
    ):
        qtbot.addWidget(dialog)
        _assert_visual_order(qtbot, dialog)
        _assert_one_look(dialog)
        dialog.close()


def test_feedback_scores_are_labelled_and_answered_from_the_keyboard(qtbot: QtBot) -> None:
    dialog = FeedbackDialog(
        "Ada Byron", ["How was it?", "Would you recommend us?"], None, date(2026, 5, 1)
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    hints = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "1 = very dissatisfied" in hints and "5 = delighted" in hints
    first = dialog.scores[0].first_button()
    qtbot.waitUntil(first.hasFocus)  # The first score has the keyboard from the start.
    qtbot.keyClick(first, Qt.Key.Key_4)
    assert dialog.scores[0].score() == 4
    assert dialog.scores[0].meaning.text() == "Satisfied"
    second = dialog.scores[1].first_button()
    assert second.hasFocus()
    qtbot.keyClick(second, Qt.Key.Key_5)
    assert dialog.scores[1].score() == 5
    assert dialog.comment.hasFocus()
