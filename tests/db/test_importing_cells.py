"""Splitting a cell into several emails or phone numbers: the quick answer for a cell with
nothing to split at is the one the full split gives."""

from __future__ import annotations

import re
import sys

from hypothesis import given
from hypothesis import strategies as st

from db.importing import rows
from db.importing.rows import plain, split_emails, split_values


def test_every_character_a_split_treats_as_whitespace_is_unprintable_but_the_space() -> None:
    whitespace = re.compile(r"\s")
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if whitespace.match(ch) and ch != " ":
            assert not ch.isprintable(), hex(code)


cells = st.text(
    alphabet=st.sampled_from(
        [*"ab@.;,:'=-+ \t\n\r", "\u00a0", "\u2028", "\u3000", "\x1c", "\x85", "é"]
    ),
    max_size=12,
)


@given(cells)
def test_emails_split_as_the_full_split_does(cell: str) -> None:
    full = [p for p in rows._EMAIL_MULTI.split(plain(cell.strip())) if p]
    assert split_emails(cell) == full


@given(cells)
def test_values_split_as_the_full_split_does(cell: str) -> None:
    full = [p for p in rows._MULTI.split(plain(cell.strip())) if p]
    assert split_values(cell) == full


def test_common_cells() -> None:
    assert split_emails("ann@example.com") == ["ann@example.com"]
    assert split_emails(" a@x.co ::: b@y.co ") == ["a@x.co", "b@y.co"]
    assert split_emails("a@x.co\u00a0b@y.co") == ["a@x.co", "b@y.co"]
    assert split_values("+1 555 0100") == ["+1 555 0100"]
    assert split_values("+1 555 0100 ::: 020 7946 0958") == ["+1 555 0100", "020 7946 0958"]
    assert split_values("") == split_emails("  ") == []
