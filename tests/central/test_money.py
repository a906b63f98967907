"""The central server's one money formatter (central/money.py)."""

import pytest

from central.money import yuan, yuan_plain


@pytest.mark.parametrize(
    ("fen", "shown", "plain"),
    [
        (0, "¥0.00", "0.00"),
        (5, "¥0.05", "0.05"),
        (123456, "¥1,234.56", "1234.56"),
        (100_000_000, "¥1,000,000.00", "1000000.00"),
        (-1200, "-¥12.00", "-12.00"),
        (-5, "-¥0.05", "-0.05"),  # divmod of a negative would say -¥1.95
    ],
)
def test_amounts_read_the_same_everywhere(fen: int, shown: str, plain: str) -> None:
    assert yuan(fen) == shown
    assert yuan_plain(fen) == plain
