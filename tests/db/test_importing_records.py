"""A CSV row becomes a record straight from its draft (``Draft.record``), trimmed and checked
field by field: it must say of every row what the contact form's own rules say
(``contacts.normalise`` and ``contacts.validate`` on a ``ContactInput``), the same contact or
the same reasons, word for word."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from db import contacts
from db.contacts import ContactInput, EmailData, PhoneData
from db.importing.fields import FLAGS, Field
from db.importing.rows import Draft, ImportRow, row_of, summarise, to_record


def _as_the_form_sees_it(draft: Draft, line: int) -> ImportRow:
    """The row through the form's rules: a ``ContactInput`` normalised, then validated."""
    if draft.is_blank():
        return ImportRow(line, None)
    given, problems = draft._given()
    data = contacts.normalise(
        ContactInput(
            name=draft.contact_name(),
            company=draft.company,
            title=draft.title,
            emails=tuple(draft.emails),
            phones=tuple(draft.phones),
            street=draft.street,
            city=draft.city,
            region=draft.region,
            postal_code=draft.postal_code,
            country=draft.country,
            notes="\n".join(n for n in draft.notes if n.strip()),
            tags=tuple(draft.tags),
            **given,  # type: ignore[arg-type]
        )
    )
    if not data.name:
        return ImportRow(line, None, "It has no name, company, email or phone.", summarise(data))
    errors = [*problems, *contacts.validate(data).values()]
    if errors:
        return ImportRow(line, None, " ".join(dict.fromkeys(errors)), summarise(data))
    return ImportRow(
        line, data, named=draft.has_name(), stage=draft.stage, given=tuple(given.items())
    )


# Short texts from characters that matter to the rules: spaces to trim, commas in tags,
# "@" and dots in emails, digits and phone punctuation, a letter that folds case.
words = st.text(alphabet=st.sampled_from([*"aAé @.,+(-)0189 \t\n", "\u00a0"]), max_size=8)
flags = st.sampled_from(["", "yes", "No", " x ", "maybe"])
intervals = st.sampled_from(["", "30", " 7 ", "0", "4000", "soon"])


@st.composite
def drafts(draw: st.DrawFn) -> Draft:
    draft = Draft(
        name=draw(words),
        prefix=draw(words),
        first=draw(words),
        last=draw(words),
        company=draw(words),
        title=draw(words),
        emails=[
            EmailData(a, label) for a, label in draw(st.lists(st.tuples(words, words), max_size=3))
        ],
        phones=[
            PhoneData(n, label) for n, label in draw(st.lists(st.tuples(words, words), max_size=3))
        ],
        street=draw(words),
        city=draw(words),
        region=draw(words),
        postal_code=draw(words),
        country=draw(words),
        notes=draw(st.lists(words, max_size=2)),
        tags=draw(st.lists(st.one_of(words, st.just("x" * 81)), max_size=3)),
        stage=draw(st.sampled_from(["", "Customer", " lead "])),
    )
    if draw(st.booleans()):
        for flag in FLAGS:
            draft.settings[flag.value] = draw(flags)
        draft.settings[Field.PURCHASE_INTERVAL.value] = draw(intervals)
    return draft


@settings(max_examples=400)
@given(drafts())
def test_a_rows_record_says_what_the_contact_form_says(draft: Draft) -> None:
    expected = _as_the_form_sees_it(draft, 7)
    record = draft.record(7, "fair", "US")
    assert row_of(record) == expected
    assert draft.finish(7) == expected
    assert record == to_record(expected, "fair", "US")


def test_each_kind_of_row_is_told_apart() -> None:
    valid = Draft(first="Ann", last="Lee", emails=[EmailData(" ann@example.com ", "work ")])
    record = valid.record(3, "fair", "US")
    assert record[1] is not None and record[1][0] == "Ann Lee"
    assert record[3] == (("ann@example.com", "work"),)
    assert record[5] == ("fair",)
    assert record[7] == ("ann@example.com",)
    invalid = Draft(name="Bo", emails=[EmailData("not-an-email", "")], tags=["a,b"])
    line, head, *_rest, extra = invalid.record(4)
    assert (line, head) == (4, None)
    assert extra == (
        "“not-an-email” does not look like an email address. A tag cannot contain a comma.",
        "Bo · not-an-email",
    )
    assert Draft().record(5)[1:] == Draft().record(6)[1:]
    assert Draft().record(5)[10] == ("", "")
