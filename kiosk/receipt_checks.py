"""``ReceiptError`` and the checks of a document's facts that raise it.

Every document (kiosk/payment_receipt.py, kiosk/collection_slip.py, kiosk/printer_test_page.py)
checks its fields when it is built; the layout (kiosk/receipt_layout.py) and the ESC/POS
renderer raise the same error. ``ReceiptError`` is a ``KioskError`` and a ``ValueError``: a
document's facts are impossible (amounts that do not add up, a naive datetime, a float for
money) or it cannot be printed as given; the message names the field.
"""

from __future__ import annotations

from datetime import datetime

from kiosk import KioskError
from kiosk.money import MoneyError, fen_from_json
from kiosk.receipt_words import LANGUAGES, Language


class ReceiptError(KioskError, ValueError):
    """A document cannot be printed as given; the message names the field and the fix."""


def check_fen(value: object, name: str, *, allow_zero: bool = True) -> int:
    try:
        return fen_from_json(value, field=name, allow_zero=allow_zero)
    except MoneyError as exc:
        raise ReceiptError(str(exc)) from exc


def check_text(value: object, name: str, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise ReceiptError(f"{name} must be text, got {type(value).__name__} {value!r}")
    if required and not value.strip():
        raise ReceiptError(f"{name} is empty; it is printed on the document")
    return value


def check_aware(value: object, name: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ReceiptError(f"{name} must be a datetime with a time zone, got {value!r}")
    return value


def check_language(value: object) -> Language:
    if value not in LANGUAGES:
        raise ReceiptError(f"language {value!r} is not one of {', '.join(LANGUAGES)}")
    return value
