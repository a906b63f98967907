"""The fixed texts of the receipts and slips in each language, and how amounts, notes and
times are written on paper (``WORDS[language]``, ``money_text``, ``yuan_text``, ...).

The words themselves live in the kiosk's one catalogue (kiosk/words/paper.py), beside the
screens' and the voice's; this module gives the printing code them as typed fields."""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from kiosk.money import format_fen
from kiosk.words import text

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")


@dataclass(frozen=True)
class ReceiptWords:
    """The fixed texts of the documents in one language."""

    currency: str
    sep: str
    receipt_title: str
    copy_mark: str
    copy_note: str
    kiosk: str
    txn: str
    time: str
    account: str
    holder: str
    bills_paid: str
    late_fee: str
    principal: str
    unallocated: str
    cash_in: str
    note: Callable[[str], str]
    cash_note: Callable[[str, int], str]
    cash_total: str
    card: str
    qr_order: str
    paycode: str
    amount_paid: str
    still_owed: str
    owed_by: Callable[[str], str]
    owed_overdue: Callable[[str], str]
    to_balance: str
    new_balance: str
    balance_unknown: str
    status: str
    posted: str
    queued: str
    pending_note: Callable[[str, int], str]
    pending_total: str
    pending_status: str
    pending_explain: Callable[[str], str]
    scan_to_check: str
    scan_for_invoice: str
    offline_check: str
    keep: str
    no_change: str
    slip_title: str
    location: str
    collection_id: str
    period_from: str
    period_to: str
    collector: str
    table_head: tuple[str, str, str, str, str]
    not_counted: str
    journal_total: str
    device_total: str
    physical_total: str
    diff_journal: str
    diff_device: str
    counts_match: str
    counts_differ: str
    signature_collector: str
    signature_checker: str


# The words that take values, and the names of those values in order.
_TEMPLATES: Mapping[str, tuple[str, ...]] = {
    "note": ("yuan",),
    "cash_note": ("yuan", "count"),
    "owed_by": ("day",),
    "owed_overdue": ("day",),
    "pending_note": ("yuan", "count"),
    "pending_explain": ("txn",),
}
_COLUMNS = ("note", "journal", "device", "counted", "diff")


def _template(msg_id: str, language: Language, names: tuple[str, ...]) -> Callable[..., str]:
    text(msg_id, language, **dict.fromkeys(names, ""))  # an id or placeholder missing fails now

    def fill(*values: object) -> str:
        return text(msg_id, language, **dict(zip(names, values, strict=True)))

    return fill


def _words(language: Language) -> ReceiptWords:
    """The language's receipt words, read from the catalogue (kiosk/words/paper.py)."""
    values: dict[str, object] = {}
    for field in dataclasses.fields(ReceiptWords):
        msg_id = f"paper.{field.name}"
        if field.name == "table_head":
            values[field.name] = tuple(text(f"paper.column.{c}", language) for c in _COLUMNS)
        elif field.name in _TEMPLATES:
            values[field.name] = _template(msg_id, language, _TEMPLATES[field.name])
        else:
            values[field.name] = text(msg_id, language)
    return ReceiptWords(**values)  # type: ignore[arg-type]


WORDS: Mapping[Language, ReceiptWords] = types.MappingProxyType(
    {language: _words(language) for language in LANGUAGES}
)


def money_text(fen: int, words: ReceiptWords) -> str:
    return format_fen(fen, symbol=words.currency)


def signed_money_text(fen: int, words: ReceiptWords) -> str:
    return ("+" if fen > 0 else "") + money_text(fen, words)


def yuan_text(fen: int) -> str:
    """A denomination: 10000 -> '100', 50 -> '0.50'."""
    return format_fen(fen, symbol="", bare_whole_yuan=True)


def printed_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")
