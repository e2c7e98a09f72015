"""`touchbase export touches` and `touchbase export mediums` against hand-computed figures."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import contacts, stages, touches
from db.domain import Direction, Medium
from db.engine import open_database
from db.journeys import active_stages
from db.models import Contact, JourneyModel, Stage, Touch
from db.touches import TouchInput
from desktop_app import cli

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    """Ann (Suspect, then Customer) and Bob (Suspect); Cleo's touch is in the trash."""
    path = tmp_path / "touches.sqlite"
    with open_database(path) as database:
        with database.reading() as session:
            suspect, _prospect, customer, _loyal = active_stages(session)
        ann = contacts.create_contact(database, contacts.ContactInput(name="Ann Aalto"))
        bob = contacts.create_contact(database, contacts.ContactInput(name="Bob, Jr."))
        cleo = contacts.create_contact(database, contacts.ContactInput(name="Cleo"))

        def log(
            cid: int,
            medium: Medium,
            day: int,
            summary: str = "",
            direction: Direction = Direction.OUTBOUND,
        ) -> None:
            at = datetime(2026, 3, day, 10, 0, tzinfo=UTC)
            data = TouchInput(cid, medium, at, direction=direction, summary=summary)
            touches.log_touch(database, data, now=NOW)

        log(ann, Medium.EMAIL, 1, "Intro")
        log(ann, Medium.PHONE, 2, 'Call, "quick"')
        log(bob, Medium.PHONE, 3, "Voicemail", direction=Direction.INBOUND)
        stages.set_stage(database, [ann], customer.id)
        log(ann, Medium.IN_PERSON, 4, "Signed")
        log(ann, Medium.GIFT, 5)
        log(cleo, Medium.VIDEO, 5)
        contacts.trash_contacts(database, [cleo])
        assert suspect.label == "Suspect" and customer.label == "Customer"
    return path


def export(db_file: Path, tmp_path: Path, *args: str) -> list[list[str]]:
    out = tmp_path / "out.csv"
    assert cli.main(["--db", str(db_file), "export", *args, "--output", str(out)]) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_touch_log_lists_each_touch_in_order(
    db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = export(db_file, tmp_path, "touches")
    assert "Wrote 5 rows" in capsys.readouterr().out

    def local(day: int) -> str:
        return datetime(2026, 3, day, 10, 0, tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")

    assert rows[0] == [
        "Contact ID",
        "Contact",
        "Medium",
        "Direction",
        "When",
        "Stage at the time",
        "Summary",
        "Notes",
        "Outcome",
    ]
    assert [r[1:7] for r in rows[1:]] == [
        ["Ann Aalto", "Email", "outbound", local(1), "Suspect", "Intro"],
        ["Ann Aalto", "Phone", "outbound", local(2), "Suspect", 'Call, "quick"'],
        ["Bob, Jr.", "Phone", "inbound", local(3), "Suspect", "Voicemail"],
        ["Ann Aalto", "In person", "outbound", local(4), "Customer", "Signed"],
        ["Ann Aalto", "Gift", "outbound", local(5), "Customer", ""],
    ]
    assert rows[1][0] == rows[2][0] != rows[3][0]


def test_touch_log_honours_since_and_until(db_file: Path, tmp_path: Path) -> None:
    rows = export(db_file, tmp_path, "touches", "--since", "2026-03-02", "--until", "2026-03-04")
    assert [r[6] for r in rows[1:]] == ['Call, "quick"', "Voicemail", "Signed"]


def test_medium_mix_per_stage_with_shares(db_file: Path, tmp_path: Path) -> None:
    rows = export(db_file, tmp_path, "mediums")
    assert rows[0] == ["Stage", "Medium", "Touches", "Share of stage %", "Share of all %"]
    table = {(r[0], r[1]): r[2:] for r in rows[1:]}
    # 5 touches counted: Suspect has Email 1, Phone 2; Customer has In person 1, Gift 1.
    assert table[("Suspect", "Phone")] == ["2", "66.7", "40.0"]
    assert table[("Suspect", "Email")] == ["1", "33.3", "20.0"]
    assert table[("Suspect", "Video")] == ["0", "0.0", "0.0"]
    assert table[("Customer", "In person")] == ["1", "50.0", "20.0"]
    assert table[("Prospect", "Phone")] == ["0", "", "0.0"]
    assert len(rows) == 1 + 4 * 6  # four stages, six mediums each, and no totals among them
    assert [r[0] for r in rows[1::6]] == ["Suspect", "Prospect", "Customer", "Loyal customer"]
    assert sum(int(r[2]) for r in rows[1:]) == 5  # every touch once


def test_medium_mix_sums_to_every_touch_of_the_period(db_file: Path, tmp_path: Path) -> None:
    """Touches at a stage of another journey model, and touches with no stage, are counted in
    rows of their own, so the touches column adds up to the real number of touches."""
    with open_database(db_file) as database:
        with database.write_session.begin() as session:
            # Ann's email and phone touches: one loses its stage, one keeps a stage that is
            # no longer in the active model.
            other = Stage(model_id=_other_model(session), key="x", label="Old stage", position=0)
            session.add(other)
            session.flush()
            first, second = session.scalars(
                select(Touch)
                .where(Touch.summary.in_(["Intro", 'Call, "quick"']))
                .order_by(Touch.id)
            )
            first.stage_id = None
            second.stage_id = other.id
        with database.reading() as session:
            live = session.scalar(
                select(func.count(Touch.id))
                .join(Contact, Contact.id == Touch.contact_id)
                .where(Contact.deleted_at.is_(None))
            )
    rows = export(db_file, tmp_path, "mediums")
    assert live == 5
    assert sum(int(r[2]) for r in rows[1:]) == live
    table = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert table[("Other stages", "Phone")] == ["1", "100.0", "20.0"]
    assert table[("No stage recorded", "Email")] == ["1", "100.0", "20.0"]
    assert not any(r[0] == "All stages" for r in rows)
    # Share of all % adds up to 100 across the rows (up to rounding).
    assert abs(sum(float(r[4]) for r in rows[1:]) - 100.0) < 0.5


def _other_model(session: Session) -> int:
    model = JourneyModel(key="retired", name="Retired model")
    session.add(model)
    session.flush()
    return model.id
