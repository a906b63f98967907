from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.money import (
    MAX_FEN,
    MoneyError,
    fen_from_json,
    format_fen,
    format_plain,
    parse_yuan,
    yuan_from_decimal,
)


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12", 1200),
        ("12.5", 1250),
        ("12.05", 1205),
        ("0.01", 1),
        ("1,234.56", 123456),
        ("¥8.00", 800),
        ("￥ 8", 800),
        (" 100 ", 10000),
    ],
)
def test_parse_yuan_accepts_what_people_type(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    "text", ["", "abc", "1.234", "-5", "1e3", "12.", ".5", "1,23", "NaN", "12,34.5", "１２"]
)
def test_parse_yuan_refuses_malformed_text(text: str) -> None:
    with pytest.raises(MoneyError, match=r"not an amount|negative"):
        parse_yuan(text)


def test_parse_yuan_refuses_zero_unless_allowed() -> None:
    with pytest.raises(MoneyError, match="zero"):
        parse_yuan("0.00")
    assert parse_yuan("0", allow_zero=True) == 0


def test_parse_yuan_refuses_absurd_amounts() -> None:
    with pytest.raises(MoneyError, match="absurdly large"):
        parse_yuan("9" * 40)


@pytest.mark.parametrize("value", [1.5, 100.0, True, "100", None, [100]])
def test_fen_from_json_refuses_floats_bools_and_strings(value: object) -> None:
    with pytest.raises(MoneyError, match="whole number of fen"):
        fen_from_json(value, field="amount_fen")


def test_fen_from_json_names_the_field_and_refuses_negatives() -> None:
    with pytest.raises(MoneyError, match="balance_fen is negative"):
        fen_from_json(-1, field="balance_fen")
    assert fen_from_json(250) == 250


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "¥0.00"),
        (5, "¥0.05"),
        (123456, "¥1,234.56"),
        (100000000, "¥1,000,000.00"),
        (-1200, "-¥12.00"),
    ],
)
def test_format_fen(fen: int, text: str) -> None:
    assert format_fen(fen) == text


def test_format_refuses_floats() -> None:
    with pytest.raises(MoneyError):
        format_fen(1.0)  # type: ignore[arg-type]


def test_decimal_amounts_with_more_than_two_decimals_are_refused() -> None:
    assert yuan_from_decimal(Decimal("12.30")) == 1230
    with pytest.raises(MoneyError, match="two decimals"):
        yuan_from_decimal(Decimal("12.305"))


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_format_then_parse_round_trips(fen: int) -> None:
    assert parse_yuan(format_fen(fen), allow_zero=True) == fen
    assert parse_yuan(format_plain(fen), allow_zero=True) == fen


@given(st.text(max_size=20))
def test_parse_never_fails_with_anything_but_money_error(text: str) -> None:
    try:
        fen = parse_yuan(text)
    except MoneyError:
        return
    assert 0 < fen <= MAX_FEN


@pytest.mark.parametrize(
    ("fen", "text"), [(10000, "¥100"), (50, "¥0.50"), (150, "¥1.50"), (0, "¥0"), (-500, "-¥5")]
)
def test_a_note_face_drops_only_zero_fen(fen: int, text: str) -> None:
    assert format_fen(fen, bare_whole_yuan=True) == text
    assert format_fen(fen, symbol="", bare_whole_yuan=True) == text.replace("¥", "")
