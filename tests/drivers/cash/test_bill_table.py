"""Denominations as digits and a power of ten, to and from fen."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.cash.bill_table import TableEntry, choose, from_fen, to_fen


@pytest.mark.parametrize(
    ("digits", "exponent", "fen"),
    [
        (1, 0x00, 100),  # 1 yuan, the CNY example of the CCNET bill table
        (5, 0x00, 500),
        (1, 0x01, 1000),
        (2, 0x01, 2000),
        (5, 0x01, 5000),
        (1, 0x02, 10000),
        (5, 0x81, 50),  # 5 jiao: negative exponent, bit 7 set
        (1, 0x82, 1),
    ],
)
def test_reference_values(digits: int, exponent: int, fen: int) -> None:
    assert to_fen(digits, exponent) == fen
    assert from_fen(fen) == (digits, exponent)


def test_empty_and_fractional_fen_are_not_bills() -> None:
    assert to_fen(0, 0x01) is None
    assert to_fen(5, 0x83) is None  # 0.005 yuan = half a fen


def test_from_fen_refuses_what_cannot_be_sent() -> None:
    with pytest.raises(ValueError, match="positive"):
        from_fen(0)
    with pytest.raises(ValueError, match="digits"):
        from_fen(1234)


@given(st.integers(min_value=1, max_value=255), st.integers(min_value=-2, max_value=6))
def test_round_trip(digits: int, power: int) -> None:
    fen = digits * 10 ** (power + 2)
    assert to_fen(*from_fen(fen)) == fen


def test_choose_keeps_the_notes_in_an_accepted_code_and_says_which_matched() -> None:
    entries = [
        TableEntry(0, "CHN", 100),
        TableEntry(1, "chn", 500),
        TableEntry(2, "RUS", 1000),
        TableEntry(3, "CHN", None),  # not a whole number of fen
    ]
    choice = choose(entries, ("CNY", "CHN"))
    assert choice.table == {0: 100, 1: 500}
    assert choice.matched == ("CHN",)
    assert choice.refusal == ""


def test_choose_refuses_a_table_without_an_accepted_note_naming_what_it_saw() -> None:
    entries = [TableEntry(0, "RUS", 1000), TableEntry(1, "RUS", 5000), TableEntry(2, "RUS", 50)]
    choice = choose(entries, ("CNY", "CHN"))
    assert choice.table == {}
    assert choice.refusal == (
        "bill table has no notes in CNY/CHN: the device reports RUS 10, RUS 50, RUS 0.5"
    )
    numbered = choose([TableEntry(0x61, 7, 1000)], (156,))
    assert numbered.refusal == "bill table has no notes in 156: the device reports country 7: 10"
    assert choose([], (156,)).refusal.endswith("the device reports no notes at all")


def test_numeric_codes_match_their_text_form() -> None:
    assert choose([TableEntry(0x61, 156, 100)], (156,)).table == {0x61: 100}
