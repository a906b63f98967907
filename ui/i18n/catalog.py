"""The screens' words: the kiosk's one catalogue (kiosk/words/), read from the UI.

Screens, receipts and voice share that catalogue so a term reads the same on each; this
module adds what only a screen needs (dates in the customer's language).
"""

from __future__ import annotations

from datetime import date

from kiosk.words import LANGUAGES, all_ids, has, tr

__all__ = ["LANGUAGES", "all_ids", "format_date", "has", "tr"]

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(iso: str | None, language: str) -> str:
    """'2026-10-15' -> '2026年10月15日' / '15 Oct 2026'; '2026-10' -> '2026年10月' / 'Oct 2026'."""
    if not iso:
        return ""
    text = iso[:10]
    try:
        if len(text) == 7:
            year, month = int(text[:4]), int(text[5:7])
            if not 1 <= month <= 12:
                return iso
            return f"{year}年{month}月" if language == "zh" else f"{_MONTHS_EN[month - 1]} {year}"
        day = date.fromisoformat(text)
    except ValueError:
        return iso
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
