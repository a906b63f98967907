"""Denominations on the wire (a digit, a power of ten, a currency) to and from fen.

Both protocols describe a bill as ``digits x 10**exponent`` units of a currency; the exponent
byte has bit 7 set when it is negative (CCNET; ID-003 uses the same form here). One yuan is
100 fen, so ``(5, 1)`` is 50 yuan = 5000 fen and ``(5, -1)`` is 5 jiao = 50 fen.
"""

from __future__ import annotations

FEN_PER_UNIT = 100
NEGATIVE_EXPONENT = 0x80


def to_fen(digits: int, exponent_byte: int) -> int | None:
    """The bill's value in fen, or None when it is not a whole number of fen or is empty."""
    if digits == 0:
        return None
    exponent = -(exponent_byte & 0x7F) if exponent_byte & NEGATIVE_EXPONENT else exponent_byte
    power = exponent + 2  # fen = digits * 10**exponent * 100
    if power >= 0:
        multiplier: int = 10**power
        return digits * multiplier
    divisor: int = 10**-power
    if digits % divisor:
        return None
    return digits // divisor


def from_fen(denomination_fen: int, max_digits: int = 255) -> tuple[int, int]:
    """(digits, exponent byte) for a denomination; raise ValueError if it cannot be sent."""
    if denomination_fen <= 0:
        raise ValueError(f"a denomination must be positive, not {denomination_fen}")
    digits, power = denomination_fen, 0
    while digits % 10 == 0:
        digits //= 10
        power += 1
    if digits > max_digits:
        raise ValueError(f"{denomination_fen} fen needs {digits} as digits; at most {max_digits}")
    exponent = power - 2
    return digits, (-exponent | NEGATIVE_EXPONENT) if exponent < 0 else exponent
