"""Denominations as digits and a power of ten, to and from fen."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.cash.bill_table import from_fen, to_fen


@pytest.mark.parametrize(
    ("digits", "exponent", "fen"),
    [
        (1, 0x00, 100),  # 1 yuan, the CNY example in REFERENCE.md
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
