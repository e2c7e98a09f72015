"""``normalise`` gives what trimming every field gives, whether the input needed it or not
(an input already as it would be comes back as it is, without being built again)."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from db.contacts import ContactDetail, ContactInput, EmailData, KeyDateData, PhoneData, normalise


def _trimmed(data: ContactInput) -> ContactInput:
    """Every field trimmed, field by field: what ``normalise`` must give."""
    seen: dict[str, str] = {}
    for tag in data.tags:
        cleaned = " ".join(tag.split())
        if cleaned and cleaned.casefold() not in seen:
            seen[cleaned.casefold()] = cleaned
    return ContactInput(
        name=" ".join(data.name.split()),
        company=data.company.strip(),
        title=data.title.strip(),
        emails=tuple(
            EmailData(e.address.strip(), e.label.strip()) for e in data.emails if e.address.strip()
        ),
        phones=tuple(
            PhoneData(p.number.strip(), p.label.strip()) for p in data.phones if p.number.strip()
        ),
        street=data.street.strip(),
        city=data.city.strip(),
        region=data.region.strip(),
        postal_code=data.postal_code.strip(),
        country=data.country.strip(),
        notes=data.notes.strip(),
        tags=tuple(seen.values()),
        stage_id=data.stage_id,
        referred_by_id=data.referred_by_id,
        centre_of_influence=data.centre_of_influence,
        do_not_contact=data.do_not_contact,
        has_need=data.has_need,
        has_budget=data.has_budget,
        has_urgency=data.has_urgency,
        is_decision_maker=data.is_decision_maker,
        purchase_interval_days=data.purchase_interval_days,
        key_dates=tuple(
            KeyDateData(k.kind, k.on, " ".join(k.label.split())) for k in data.key_dates
        ),
        season=data.season,
    )


text = st.text(alphabet=" \tab\n", max_size=4)
inputs = st.builds(
    ContactInput,
    name=text,
    company=text,
    title=text,
    emails=st.lists(st.builds(EmailData, text, text), max_size=2).map(tuple),
    phones=st.lists(st.builds(PhoneData, text, text), max_size=2).map(tuple),
    city=text,
    notes=text,
    tags=st.lists(text, max_size=3).map(tuple),
    key_dates=st.lists(
        st.builds(KeyDateData, st.just("occasion"), st.just(date(2026, 1, 2)), text), max_size=1
    ).map(tuple),
    do_not_contact=st.booleans(),
)


@given(inputs)
def test_normalise_trims_every_field(data: ContactInput) -> None:
    tidy = normalise(data)
    assert tidy == _trimmed(data)
    assert type(tidy) is ContactInput
    assert normalise(tidy) == tidy


def test_an_input_already_trimmed_comes_back_as_it_is() -> None:
    data = ContactInput(
        name="Ann Lee", emails=(EmailData("ann@example.com", "work"),), tags=("Customers",)
    )
    assert normalise(data) is data
    # Lists become tuples, and a detail becomes a plain input, as ever.
    listed = ContactInput(name="Ann Lee", emails=[EmailData("ann@example.com")])  # type: ignore[arg-type]
    assert normalise(listed).emails == (EmailData("ann@example.com"),)
    detail = ContactDetail(name="Ann Lee", id=3)
    assert type(normalise(detail)) is ContactInput
