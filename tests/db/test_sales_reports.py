"""The contacts, purchases and satisfaction exports against data whose figures are known."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import update

from db import settings
from db.contacts import EmailData, PhoneData, trash_contacts
from db.engine import Database
from db.export import ExportOptions, load_reports, write_csv
from db.feedback import FeedbackInput, record_feedback
from db.models import Contact
from db.purchases import PurchaseInput, record_purchase
from tests.conftest import ContactFactory

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
TODAY = date(2026, 6, 30)


def export(
    database: Database, name: str, tmp_path: Path, **options: object
) -> list[dict[str, str]]:
    builder = load_reports()[name].build
    path = tmp_path / f"{name}.csv"
    write_csv(builder(database, ExportOptions(today=TODAY, **options)), path)  # type: ignore[arg-type]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def buy(database: Database, cid: int, on: date, product: str, amount: str) -> None:
    record_purchase(
        database, cid, PurchaseInput(on, product, amount, "paid cash"), now=NOW, today=TODAY
    )


def ask(database: Database, cid: int, on: date, *scores: int, comment: str = "") -> None:
    answers = tuple((f"Question {i}", s) for i, s in enumerate(scores))
    record_feedback(database, cid, FeedbackInput(on, answers, comment), now=NOW, today=TODAY)


def known_data(database: Database, contact_factory: ContactFactory) -> tuple[int, int, int]:
    with database.write_session.begin() as session:
        settings.put(session, settings.CURRENCY, "EUR")
        settings.put(session, settings.MARGIN_PERCENT, "50")
    ada = contact_factory(
        name="Ada Baker",
        company="Harbour Bakery",
        emails=(EmailData("ada@harbour.test"), EmailData("orders@harbour.test")),
        phones=(PhoneData("+44 20 7946 0000"),),
        tags=("vip", "bread"),
        has_need=True,
        has_budget=True,
        has_urgency=True,
        is_decision_maker=True,
    )
    ben = contact_factory(name="Ben Cole", company="", emails=(), phones=(), referred_by_id=ada)
    gone = contact_factory(name="Zed Gone")
    # Ada: two purchases in a year, 2 a year; average 150 x 2 x 3 years x 50 % = 450.
    buy(database, ada, date(2025, 6, 30), "Bread", "100.00")
    buy(database, ada, date(2026, 6, 30), "Cake", "200.00")
    buy(database, gone, date(2026, 6, 1), "Bread", "999")
    trash_contacts(database, [gone])
    with database.write_session.begin() as session:
        session.execute(
            update(Contact)
            .where(Contact.id == ada)
            .values(last_touch_at=datetime(2026, 6, 29, 9, 30, tzinfo=UTC))
        )
    ask(database, ada, date(2026, 1, 10), 2, 2, comment="Late")
    ask(database, ada, date(2026, 6, 1), 5, 4, comment="Much better")
    return ada, ben, gone


def test_contacts_export(
    database: Database, contact_factory: ContactFactory, tmp_path: Path
) -> None:
    ada, ben, _gone = known_data(database, contact_factory)
    rows = export(database, "contacts", tmp_path)
    assert [r["Name"] for r in rows] == ["Ada Baker", "Ben Cole"]
    a, b = rows
    assert a["ID"] == str(ada)
    assert {
        k: a[k]
        for k in (
            "Email 1",
            "Email 2",
            "Phone 1",
            "Tags",
            "Stage",
            "Qualification",
        )
    } == {
        "Email 1": "ada@harbour.test",
        "Email 2": "orders@harbour.test",
        "Phone 1": "'+44 20 7946 0000",  # a leading + would start a formula in a spreadsheet
        "Tags": "bread, vip",
        # Two purchases a year apart are not regular buying.
        "Stage": "Customer",
        "Qualification": "Qualified prospect",
    }
    assert {
        k: a[k]
        for k in (
            "Lifecycle",
            "Satisfaction",
            "Purchases",
            "Historic value",
            "Predicted value",
            "Currency",
            "Referred by",
        )
    } == {
        "Lifecycle": "Repeat",
        "Satisfaction": "Highly satisfied",
        "Purchases": "2",
        "Historic value": "300.00",
        "Predicted value": "450.00",
        "Currency": "EUR",
        "Referred by": "",
    }
    assert "Phone 2" not in a, "as many phone columns as the contact with most phones needs"
    assert a["Last touch"].startswith("2026-06-")
    # The first purchase, a year back, started the 100-day plan with every step already
    # skipped; the next follow-up is the stage's cadence.
    assert a["Next follow-up"] == "2026-07-12"
    assert a["Value at stake"] == "0.00"
    assert b["ID"] == str(ben)
    assert (b["Lifecycle"], b["Purchases"], b["Historic value"], b["Predicted value"]) == (
        "Prospective",
        "0",
        "0.00",
        "0.00",
    )
    assert (b["Referred by"], b["Referred by ID"], b["Satisfaction"], b["Email 1"]) == (
        "Ada Baker",
        str(ada),
        "",
        "",
    )
    assert b["Last touch"] == ""


def test_purchases_export(
    database: Database, contact_factory: ContactFactory, tmp_path: Path
) -> None:
    ada, _ben, _gone = known_data(database, contact_factory)
    rows = export(database, "purchases", tmp_path)
    assert [(r["Date"], r["Contact"], r["Product"], r["Amount"], r["Currency"]) for r in rows] == [
        ("2025-06-30", "Ada Baker", "Bread", "100.00", "EUR"),
        ("2026-06-30", "Ada Baker", "Cake", "200.00", "EUR"),
    ]
    assert rows[0]["Contact ID"] == str(ada) and rows[0]["Note"] == "paid cash"
    since = export(database, "purchases", tmp_path, since=date(2026, 1, 1))
    assert [r["Product"] for r in since] == ["Cake"]
    until = export(database, "purchases", tmp_path, until=date(2026, 1, 1))
    assert [r["Product"] for r in until] == ["Bread"]


def test_satisfaction_exports(
    database: Database, contact_factory: ContactFactory, tmp_path: Path
) -> None:
    known_data(database, contact_factory)
    rows = export(database, "satisfaction", tmp_path)
    assert [
        (r["Date"], r["Level"], r["Previous level"], r["Change"], r["Average score"], r["Scores"])
        for r in rows
    ] == [
        ("2026-01-10", "Dissatisfied", "", "", "2.00", "2 2"),
        ("2026-06-01", "Highly satisfied", "Dissatisfied", "up", "4.50", "5 4"),
    ]
    assert rows[1]["Comment"] == "Much better"
    later = export(database, "satisfaction", tmp_path, since=date(2026, 2, 1))
    assert [(r["Level"], r["Previous level"]) for r in later] == [
        ("Highly satisfied", "Dissatisfied")
    ]
    months = export(database, "satisfaction-by-month", tmp_path)
    assert [tuple(r.values()) for r in months] == [
        ("2026-01", "1", "0", "0", "1", "0", "0"),
        ("2026-06", "1", "1", "0", "0", "1", "0"),
    ]
