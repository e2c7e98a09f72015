"""The iCalendar writer, checked by parsing its output back with the icalendar package."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import icalendar

from db import ics

STAMP = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_events_parse_back_with_escaping_and_all_day_dates(tmp_path: Path) -> None:
    events = [
        ics.Event(
            "followup-1@touchbase",
            date(2026, 3, 5),
            "Follow up: Smith, Jones; Partners",
            "Send the proposal\nback\\slash",
            ("Touchbase", "manual"),
        ),
        ics.Event("cadence-2-20260306@touchbase", date(2026, 3, 6), "Follow up: Zoë Ørsted"),
    ]
    path = tmp_path / "f.ics"

    assert ics.write_ics(events, path, stamp=STAMP) == 2

    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    parsed = list(calendar.walk("VEVENT"))
    assert [str(e["UID"]) for e in parsed] == [e.uid for e in events]
    first = parsed[0]
    assert str(first["SUMMARY"]) == "Follow up: Smith, Jones; Partners"
    assert str(first["DESCRIPTION"]) == "Send the proposal\nback\\slash"
    assert first.decoded("DTSTART") == date(2026, 3, 5)
    assert first.decoded("DTEND") == date(2026, 3, 6)
    assert first.decoded("DTSTAMP") == STAMP
    assert str(parsed[1]["SUMMARY"]) == "Follow up: Zoë Ørsted"
    assert calendar["PRODID"] == ics.PRODID


def test_lines_end_in_crlf_and_fold_at_75_octets_without_splitting_characters() -> None:
    summary = "Ø" * 100  # two octets each
    text = ics.render([ics.Event("x@touchbase", date(2026, 3, 5), summary)], stamp=STAMP)
    raw = text.encode("utf-8")
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # no character was cut in two
    unfolded = text.replace("\r\n ", "")
    assert f"SUMMARY:{summary}\r\n" in unfolded
