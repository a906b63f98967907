"""The payment-code classifier at every boundary of the published formats, and the mask."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.paycode import CodeProblem, Provider, classify, mask

WECHAT, ALIPAY, UNIONPAY = Provider.WECHAT, Provider.ALIPAY, Provider.UNIONPAY
UNKNOWN = CodeProblem.UNKNOWN_FORMAT


def digits(prefix: str, length: int) -> str:
    """``prefix`` padded with 3s to ``length`` digits (3 starts no provider's prefix)."""
    return (prefix + "3" * length)[:length]


@pytest.mark.parametrize(
    ("prefix", "length", "expected"),
    [
        # WeChat Pay: exactly 18 digits, 10..15
        ("10", 18, WECHAT),
        ("13", 18, WECHAT),
        ("15", 18, WECHAT),
        ("10", 17, UNKNOWN),
        ("10", 19, UNKNOWN),
        ("15", 17, UNKNOWN),
        ("15", 19, UNKNOWN),
        ("09", 18, UNKNOWN),
        ("16", 18, UNKNOWN),
        ("01", 18, UNKNOWN),
        # Alipay: 16..24 digits, 25..30
        ("25", 16, ALIPAY),
        ("25", 24, ALIPAY),
        ("28", 18, ALIPAY),
        ("30", 16, ALIPAY),
        ("30", 24, ALIPAY),
        ("25", 15, UNKNOWN),
        ("25", 25, UNKNOWN),
        ("30", 15, UNKNOWN),
        ("30", 25, UNKNOWN),
        ("24", 18, UNKNOWN),
        ("31", 18, UNKNOWN),
        # UnionPay QuickPass: exactly 19 digits, 62
        ("62", 19, UNIONPAY),
        ("62", 18, UNKNOWN),
        ("62", 20, UNKNOWN),
        ("61", 19, UNKNOWN),
        ("63", 19, UNKNOWN),
        ("6", 19, UNKNOWN),
        # a card number-like length without a known prefix
        ("40", 16, UNKNOWN),
    ],
)
def test_each_format_at_its_boundaries(prefix: str, length: int, expected: object) -> None:
    result = classify(digits(prefix, length))
    if isinstance(expected, Provider):
        assert result.ok
        assert result.provider is expected
        assert result.problem is None
    else:
        assert not result.ok
        assert result.provider is None
        assert result.problem is expected


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("", CodeProblem.EMPTY),
        ("13456789012345678a", CodeProblem.NOT_DIGITS),
        (" 134567890123456789", CodeProblem.NOT_DIGITS),
        ("1345678901234567 8", CodeProblem.NOT_DIGITS),
        ("-13456789012345678", CodeProblem.NOT_DIGITS),
        ("https://qr.example/134567890123456789", CodeProblem.NOT_DIGITS),
        ("１３４５６７８９０１２３４５６７８９", CodeProblem.NOT_DIGITS),  # full-width digits
        ("13456789012345678\u00b2", CodeProblem.NOT_DIGITS),  # str.isdigit() is true for ²
        ("1", UNKNOWN),
    ],
)
def test_what_is_not_digits_or_empty_is_named(code: str, problem: CodeProblem) -> None:
    assert classify(code).problem is problem


def test_the_problems_have_the_names_the_screen_words() -> None:
    assert {p.value for p in CodeProblem} == {"empty", "not_digits", "unknown_format"}
    assert {p.value for p in Provider} == {"wechat", "alipay", "unionpay"}


@pytest.mark.parametrize(
    ("code", "masked"),
    [
        ("134567890123456789", "13************6789"),
        ("6212345678901234567", "62*************4567"),
        ("251234567890123456789012", "25******************9012"),
        ("123456789012", "12******9012"),  # 12 characters: 6 of them hidden
        ("12345678901", "***********"),  # shorter: nothing shown
        ("123456", "******"),
        ("", ""),
    ],
)
def test_mask_keeps_the_first_two_and_last_four(code: str, masked: str) -> None:
    assert mask(code) == masked


@given(st.text(alphabet="0123456789", min_size=12, max_size=40))
def test_mask_hides_all_but_six_and_keeps_the_length(code: str) -> None:
    masked = mask(code)
    assert len(masked) == len(code)
    assert masked[:2] == code[:2]
    assert masked[-4:] == code[-4:]
    assert set(masked[2:-4]) <= {"*"}


@given(st.text(max_size=30))
def test_classify_is_total_and_sets_exactly_one(code: str) -> None:
    result = classify(code)
    assert (result.provider is None) != (result.problem is None)
