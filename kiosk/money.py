"""Money as integer fen (1 yuan = 100 fen), parsed and formatted only at the edges.

A float never becomes money: floats cannot represent 0.1 yuan exactly, so any float
reaching these functions is refused rather than rounded.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from kiosk import KioskError

FEN_PER_YUAN = 100
# Far above any electricity bill; bounds parsing so that "9" * 10_000 cannot become money.
MAX_FEN = 10**13


class MoneyError(KioskError, ValueError):
    """An amount is malformed, a float, negative where it may not be, or absurdly large."""


_YUAN_TEXT = re.compile(r"^(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d{1,2}))?$", re.ASCII)


def parse_yuan(text: str, *, allow_zero: bool = False) -> int:
    """Parse what a person typed ("12", "12.5", "1,234.56", "¥8.00") into fen."""
    if not isinstance(text, str):
        raise MoneyError(f"an amount must be text, got {type(text).__name__}")
    cleaned = text.strip().removeprefix("¥").removeprefix("￥").strip()
    match = _YUAN_TEXT.match(cleaned)
    if match is None:
        raise MoneyError(
            f"{text!r} is not an amount in yuan: use digits with at most two decimals, "
            "for example 12.50"
        )
    yuan = int(match["int"].replace(",", ""))
    frac = (match["frac"] or "").ljust(2, "0")
    fen = yuan * FEN_PER_YUAN + int(frac or "0")
    return _checked(fen, allow_zero=allow_zero, what=repr(text))


def fen_from_json(value: object, *, field: str = "amount_fen", allow_zero: bool = True) -> int:
    """Accept a JSON amount in fen: an integer, never a float, a bool or a string."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise MoneyError(
            f"{field} must be a whole number of fen (an integer), got {type(value).__name__} "
            f"{value!r}"
        )
    return _checked(value, allow_zero=allow_zero, what=field)


def yuan_from_decimal(value: Decimal) -> int:
    """Convert an exact Decimal yuan amount (from CSV imports, say) into fen."""
    if not isinstance(value, Decimal):
        raise MoneyError(f"expected a Decimal, got {type(value).__name__}")
    try:
        fen = value * FEN_PER_YUAN
    except InvalidOperation as exc:
        raise MoneyError(f"{value} is not an amount") from exc
    if not fen.is_finite() or fen != fen.to_integral_value():
        raise MoneyError(f"{value} yuan has more than two decimals")
    return _checked(int(fen), allow_zero=True, what=str(value))


def format_fen(fen: int, *, symbol: str = "¥", bare_whole_yuan: bool = False) -> str:
    """Format fen for people: 123456 -> '¥1,234.56'; negatives as '-¥12.00'.

    The one money formatter of the kiosk and its UI. ``bare_whole_yuan`` writes a note's face:
    10000 -> '¥100', 50 -> '¥0.50' (the '.00' dropped only when there are no fen).
    """
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise MoneyError(f"format_fen takes integer fen, got {type(fen).__name__} {fen!r}")
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    if bare_whole_yuan and cents == 0:
        return f"{sign}{symbol}{yuan:,}"
    return f"{sign}{symbol}{yuan:,}.{cents:02d}"


def format_plain(fen: int) -> str:
    """Format fen without symbol or grouping, for receipts' narrow columns: '1234.56'."""
    return format_fen(fen, symbol="").replace(",", "")


def _checked(fen: int, *, allow_zero: bool, what: str) -> int:
    if fen < 0:
        raise MoneyError(f"{what} is negative; amounts here are never negative")
    if fen == 0 and not allow_zero:
        raise MoneyError(f"{what} is zero; enter an amount above ¥0.00")
    if fen > MAX_FEN:
        raise MoneyError(f"{what} is absurdly large (over {format_fen(MAX_FEN)})")
    return fen
