"""Denominations on the wire (a digit, a power of ten, a currency) to and from fen, and which
of a device's bill-table entries the kiosk may accept (``choose``).

Both protocols describe a bill as ``digits x 10**exponent`` units of a currency; the exponent
byte has bit 7 set when it is negative (CCNET; ID-003 uses the same form here). One yuan is
100 fen, so ``(5, 1)`` is 50 yuan = 5000 fen and ``(5, -1)`` is 5 jiao = 50 fen.
"""

from __future__ import annotations

from dataclasses import dataclass

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


# Which bill-table identifiers count as yuan, when the configuration does not say.
# CCNET: the table names a 3-letter "country code" (CCNET description: Russian units say RUS,
# not RUB); Chinese firmware says CHN or CNY. ID-003: the currency assignment's country byte is a
# firmware number; this project's emulator and hosts use 156 (ISO 4217 numeric for CNY) until a
# device's documentation says otherwise. ICT has no table: bill types come from configuration.
DEFAULT_TABLE_CODES: dict[str, tuple[str | int, ...]] = {
    "ccnet": ("CNY", "CHN"),
    "id003": (156,),
    "ict": (),
}


@dataclass(frozen=True)
class TableEntry:
    """One bill type as the device describes it."""

    bill_type: int
    code: str | int  # the currency / country identifier the device gives
    fen: int | None  # the value, or None when it is not a whole number of fen

    def describe(self) -> str:
        """``RUS 10`` (CCNET) or ``country 7: 10`` (ID-003): the code and the face value."""
        label = f"country {self.code}:" if isinstance(self.code, int) else str(self.code)
        if self.fen is None:
            return f"{label} ?"
        units, fen = divmod(self.fen, FEN_PER_UNIT)
        value = str(units) if not fen else f"{self.fen / FEN_PER_UNIT:g}"
        return f"{label} {value}"


@dataclass(frozen=True)
class TableChoice:
    table: dict[int, int]  # bill type -> fen, only notes in an accepted code
    matched: tuple[str, ...]  # the accepted codes that matched, as text
    refusal: str  # why the table cannot be used ("" when it can)


def choose(entries: list[TableEntry], accepted: tuple[str | int, ...]) -> TableChoice:
    """The notes whose code is one of ``accepted``; a refusal naming what the device reported."""
    wanted = {_normal(code): str(code) for code in accepted}
    table: dict[int, int] = {}
    matched: list[str] = []
    for entry in entries:
        code = wanted.get(_normal(entry.code))
        if code is not None and entry.fen is not None:
            table[entry.bill_type] = entry.fen
            if code not in matched:
                matched.append(code)
    refusal = ""
    if not table:
        names = "/".join(str(code) for code in accepted) or "(none configured)"
        seen = ", ".join(entry.describe() for entry in entries) or "no notes at all"
        refusal = f"bill table has no notes in {names}: the device reports {seen}"
    return TableChoice(table, tuple(matched), refusal)


def _normal(code: str | int) -> str:
    return str(code).strip().upper()
