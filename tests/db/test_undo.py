"""Undo and redo of everyday changes: the contacts come back exactly as they were."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pytest import MonkeyPatch
from sqlalchemy import func, select

from db import contacts, followups, stages, touches, undo
from db.domain import Medium
from db.engine import Database
from db.models import Contact, Followup, StageChange, Touch
from db.touches import TouchInput
from tests.conftest import ContactFactory
from tests.db.test_followups_rules import NOW, TODAY, place, stage_id


def _state(database: Database, cid: int) -> tuple[object, ...]:
    with database.reading() as session:
        contact = session.get(Contact, cid)
        assert contact is not None
        open_followups = session.execute(
            select(Followup.due_on, Followup.status, Followup.snoozed_until)
            .where(Followup.contact_id == cid)
            .order_by(Followup.id)
        ).all()
        return (
            contact.stage_id,
            contact.next_followup_on,
            contact.last_touch_at,
            contact.deleted_at,
            tuple(tuple(f) for f in open_followups),
            session.scalar(select(func.count()).where(Touch.contact_id == cid)),
            session.scalar(select(func.count()).where(StageChange.contact_id == cid)),
        )


def _undo_redo(database: Database, ids: list[int], action: object) -> tuple[object, ...]:
    before = undo.take(database, ids)
    state_before = [_state(database, cid) for cid in ids]
    assert callable(action)
    action()
    state_after = [_state(database, cid) for cid in ids]
    assert state_after != state_before
    after = undo.take_after(database, before)
    undo.restore(database, before, since=before.marks)
    assert [_state(database, cid) for cid in ids] == state_before
    undo.restore(database, after, since=before.marks)
    assert [_state(database, cid) for cid in ids] == state_after
    return tuple(state_after)


def test_a_stage_move_and_its_history_are_undone_and_redone(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ada Byron")
    place(database, cid, "prospect", touched=NOW)
    _undo_redo(
        database, [cid], lambda: stages.set_stage(database, [cid], stage_id(database, "customer"))
    )


def test_done_and_snooze_are_undone(database: Database, contact_factory: ContactFactory) -> None:
    cid = contact_factory(name="Ada Byron")
    place(database, cid, touched=NOW - timedelta(days=30))
    followups.add_followup(database, cid, TODAY, "Send the proposal", today=TODAY)
    _undo_redo(
        database,
        [cid],
        lambda: followups.snooze(database, cid, TODAY + timedelta(days=5), today=TODAY),
    )
    _undo_redo(
        database,
        [cid],
        lambda: followups.mark_done(database, cid, through=TODAY + timedelta(days=5)),
    )


def test_a_logged_touch_goes_on_undo_and_comes_back_on_redo(
    database: Database, contact_factory: ContactFactory
) -> None:
    ids = [contact_factory(name=f"Buyer {n}") for n in range(3)]
    for cid in ids:
        place(database, cid, touched=NOW - timedelta(days=30))

    def mailing() -> None:
        for cid in ids:
            touches.log_touch(database, TouchInput(cid, Medium.EMAIL, NOW, summary="Newsletter"))

    _undo_redo(database, ids, mailing)


def test_an_edit_with_new_tags_and_emails_is_undone(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ada Byron", tags=("old",))
    before = undo.take(database, [cid])
    current = contacts.get_contact(database, cid)
    edited = contacts.ContactInput(
        name="Ada King",
        emails=(contacts.EmailData("ada@king.example", "work"),),
        tags=("brand-new",),
        stage_id=current.stage_id,
    )
    contacts.update_contact(database, cid, edited)
    undo.restore(database, before, since=before.marks)
    back = contacts.get_contact(database, cid)
    assert (back.name, back.tags, [e.address for e in back.emails]) == (
        "Ada Byron",
        ("old",),
        [e.address for e in current.emails],
    )
    assert [t.name for t in contacts.tag_counts(database)] == ["old"]
    # The search finds her by her old name again.
    found = contacts.contact_rows(database, contacts.ContactQuery(text="byron"), 0, 5)
    assert [r.id for r in found] == [cid]


def test_trash_is_undone(database: Database, contact_factory: ContactFactory) -> None:
    ids = [contact_factory() for _ in range(4)]
    _undo_redo(database, ids, lambda: contacts.trash_contacts(database, ids))


def test_an_edit_of_key_dates_is_undone(
    database: Database, contact_factory: ContactFactory
) -> None:
    cid = contact_factory(name="Ada Byron")
    first = contacts.get_contact(database, cid)
    birthday = contacts.KeyDateData("birthday", TODAY.replace(year=1990), "")
    contacts.update_contact(
        database,
        cid,
        contacts.ContactInput(name="Ada Byron", stage_id=first.stage_id, key_dates=(birthday,)),
    )
    before = undo.take(database, [cid])
    contacts.update_contact(
        database,
        cid,
        contacts.ContactInput(name="Ada Byron", stage_id=first.stage_id, key_dates=()),
    )
    assert contacts.get_contact(database, cid).key_dates == ()
    after = undo.take_after(database, before)
    undo.restore(database, before, since=before.marks)
    assert [(k.kind, k.on) for k in contacts.get_contact(database, cid).key_dates] == [
        ("birthday", birthday.on)
    ]
    undo.restore(database, after, since=before.marks)
    assert contacts.get_contact(database, cid).key_dates == ()


def test_packed_rows_give_back_every_value_in_order() -> None:
    columns = ("id", "name", "when", "amount", "gone")
    values = tuple(
        (n, f"Contact {n}", NOW + timedelta(minutes=n), Decimal(n) / 100, None if n % 2 else NOW)
        for n in range(1, 1_203)
    )
    rows = undo.Rows(columns, values)
    assert len(rows) == len(values)
    assert rows.values == values
    assert len(list(rows.parts())) == 3  # a part per chunk of 500
    assert rows.column("name") == [v[1] for v in values]
    dicts = [d for part in rows.dicts() for d in part]
    assert dicts[0] == dict(zip(columns, values[0], strict=True))
    assert len(dicts) == len(values)
    assert rows == undo.Rows(columns, values)
    assert rows != undo.Rows(columns, values[:-1])
    assert len(undo.Rows()) == 0
    assert undo.Rows().values == ()
    assert undo.Rows().column("id") == []


def test_a_snapshot_read_in_many_chunks_restores_everything(
    database: Database, contact_factory: ContactFactory, monkeypatch: MonkeyPatch
) -> None:
    # Chunks of 3 contacts: the snapshot is packed in several parts per table.
    monkeypatch.setattr(undo, "_CHUNK", 3)
    ids = [contact_factory(tags=("vip", f"t{n % 2}")) for n in range(8)]
    before = undo.take(database, ids)
    assert len(list(before.contacts.parts())) == 3
    tags_before = {cid: contacts.get_contact(database, cid).tags for cid in ids}
    emails_before = {cid: contacts.get_contact(database, cid).emails for cid in ids}

    def edit() -> None:
        contacts.trash_contacts(database, ids[:5])
        for cid in ids[5:]:
            current = contacts.get_contact(database, cid)
            contacts.update_contact(
                database,
                cid,
                contacts.ContactInput(name="Renamed", stage_id=current.stage_id, tags=("new",)),
            )

    _undo_redo(database, ids, edit)
    undo.restore(database, before, since=before.marks)
    for cid in ids:
        restored = contacts.get_contact(database, cid)
        assert restored.tags == tags_before[cid]
        assert restored.emails == emails_before[cid]
        assert restored.name != "Renamed"
