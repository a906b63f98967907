"""Money as the central server writes it for people and for exports: integer fen in, text out.

The server stands alone (it imports nothing of the kiosk), so this is its one formatter, as
kiosk/money.py is the kiosk's: receipt pages, invoices, the console and the CSV exports all
call it, and a negative amount reads the same everywhere.
"""

from __future__ import annotations

FEN_PER_YUAN = 100


def yuan(fen: int) -> str:
    """For people: 123456 -> '¥1,234.56'; -1200 -> '-¥12.00'."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}¥{whole:,}.{cents:02d}"


def yuan_plain(fen: int) -> str:
    """For CSV columns a spreadsheet reads as numbers: 123456 -> '1234.56'; -1200 -> '-12.00'."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{whole}.{cents:02d}"
