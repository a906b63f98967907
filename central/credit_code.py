"""Unified social credit codes (统一社会信用代码, GB 32100-2015): the tax number on a company title.

18 characters from ``ALPHABET``; the last is a check character: the weights are 3**i mod 31
(1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28) over the first 17 characters'
values, and the check is (31 - sum mod 31) mod 31 as an index into the same alphabet. Verified
against the published code 91350100M000100Y43 (check character 3).
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18


def normalized(text: str) -> str:
    """Upper case, without the spaces people type between groups."""
    return "".join(text.split()).upper()


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """None for a valid code, else what is wrong (English; the page adds the Chinese)."""
    if len(code) != LENGTH:
        return f"has {len(code)} characters; a unified social credit code has 18"
    wrong = sorted({ch for ch in code if ch not in ALPHABET})
    if wrong:
        return f"holds {''.join(wrong)!r}, which no credit code uses (no I, O, S, V, Z)"
    if check_character(code[:17]) != code[17]:
        return "its check character does not match: a character is mistyped"
    return None
