"""Privacy: what of a holder's name, address and account number an answer may show."""

from __future__ import annotations

MASK = "*"
_ADDRESS_KEEP_MAX = 6


def mask_name(name: str) -> str:
    """王小明 -> 王*明, 李华 -> 李*, 欧阳小明 -> 欧**明, "John Smith" -> "J*** S****"."""
    name = name.strip()
    words = name.split()
    if len(words) > 1:
        return " ".join(w[0] + MASK * (len(w) - 1) for w in words)
    if len(name) <= 1:
        return MASK
    if len(name) == 2:
        return name[0] + MASK
    return name[0] + MASK * (len(name) - 2) + name[-1]


def mask_address(address: str) -> str:
    """Keep the first third (at most 6 characters: province, city, district), hide the rest."""
    address = address.strip()
    if not address:
        return ""
    keep = min(_ADDRESS_KEEP_MAX, len(address) // 3)
    return address[:keep] + MASK * 4


def mask_account_no(account_no: str) -> str:
    """For pages anyone holding a receipt can open: only the last four digits."""
    return MASK * max(0, len(account_no) - 4) + account_no[-4:]
