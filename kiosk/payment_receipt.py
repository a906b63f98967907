"""The payment receipt: its facts (``Receipt``, its bills and tender), checked when it is
built, and its layout (``layout_receipt``). Built by kiosk/receipt_facts.py from the journal
and the server's answer; rendered by kiosk/receipts.py and kiosk/receipt_escpos.py.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeAlias

from drivers.printer.commands import TextSize
from kiosk.receipt_checks import (
    ReceiptError,
    check_aware,
    check_fen,
    check_language,
    check_text,
)
from kiosk.receipt_layout import Align, Layout, LayoutBuilder
from kiosk.receipt_words import (
    WORDS,
    Language,
    ReceiptWords,
    money_text,
    printed_time,
    yuan_text,
)


def mask_card(card_no: str) -> str:
    """Only the last four digits of a recharge card appear on paper.

    A number the journal already masked (the engine keeps the first four digits too, as
    ``8800********0001``) is masked again: nothing but the last four is printed.
    """
    card_no = card_no.strip()
    return "*" * max(0, len(card_no) - 4) + card_no[-4:]


class PaymentStatus(enum.Enum):
    POSTED = "posted"  # the central server confirmed it
    QUEUED = "queued"  # journaled; the outbox posts it when the kiosk is online


@dataclass(frozen=True)
class BillPaid:
    """One bill's share of the payment: late fee first, then principal (central/README.md)."""

    period: str
    late_fee_fen: int
    principal_fen: int

    def __post_init__(self) -> None:
        check_text(self.period, "bill period")
        check_fen(self.late_fee_fen, "late_fee_fen")
        check_fen(self.principal_fen, "principal_fen")

    @property
    def total_fen(self) -> int:
        return self.late_fee_fen + self.principal_fen


@dataclass(frozen=True)
class CashTender:
    """Notes taken: denomination in fen -> count (kept sorted, largest first)."""

    notes: Mapping[int, int]

    def __post_init__(self) -> None:
        if not isinstance(self.notes, Mapping):
            raise ReceiptError("cash notes must map each denomination in fen to a count")
        checked = {}
        for denomination, count in self.notes.items():
            fen = check_fen(denomination, "cash denomination", allow_zero=False)
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise ReceiptError(f"count of {fen} fen notes must be a whole number >= 1")
            checked[fen] = count
        ordered = dict(sorted(checked.items(), reverse=True))
        object.__setattr__(self, "notes", types.MappingProxyType(ordered))

    @property
    def total_fen(self) -> int:
        return sum(fen * count for fen, count in self.notes.items())


def pending_total_fen(notes: Mapping[int, int]) -> int:
    return sum(fen * count for fen, count in notes.items())


@dataclass(frozen=True)
class CardTender:
    """A prepaid recharge card; only its last four digits are printed."""

    card_no: str

    def __post_init__(self) -> None:
        check_text(self.card_no, "card_no")


@dataclass(frozen=True)
class QrTender:
    """A mobile QR payment, by the order reference of the payment provider."""

    order_ref: str

    def __post_init__(self) -> None:
        check_text(self.order_ref, "order_ref")


@dataclass(frozen=True)
class PaycodeTender:
    """A payment code the customer showed (付款码), printed masked as the journal keeps it."""

    masked_code: str

    def __post_init__(self) -> None:
        check_text(self.masked_code, "masked_code")
        if any(ch.isdigit() for ch in self.masked_code[2:-4]):
            raise ReceiptError("a payment code is printed masked: only 2 + 4 digits show")


Tender: TypeAlias = CashTender | CardTender | QrTender | PaycodeTender


@dataclass(frozen=True)
class Receipt:
    """A payment receipt, built by the engine from the journal and the server's answer."""

    utility_name: str
    kiosk_location: str
    kiosk_id: str
    txn_id: str
    paid_at: datetime
    account_no: str
    holder_masked: str
    bills: tuple[BillPaid, ...]
    tender: Tender
    amount_applied_fen: int
    credited_to_balance_fen: int
    new_balance_fen: int | None
    status: PaymentStatus
    check_url: str | None
    copy: bool = False
    language: Language = "zh"
    # Cash notes whose outcome is not known yet (denomination in fen -> count): printed as
    # pending verification, never counted in the amount paid.
    pending_notes: Mapping[int, int] = field(default_factory=dict)
    invoice_url: str | None = None  # the e-invoice request page (posted payments)
    # What the account still owes after this payment (None: not known, nothing printed) and
    # the due date that still applies to it (ISO YYYY-MM-DD; the oldest bill not paid off).
    still_owed_fen: int | None = None
    owed_due_date: str | None = None

    def __post_init__(self) -> None:  # noqa: PLR0912 - one check per field, in field order
        for name in ("utility_name", "kiosk_location", "kiosk_id", "txn_id", "account_no"):
            check_text(getattr(self, name), name)
        check_text(self.holder_masked, "holder_masked", required=False)
        check_aware(self.paid_at, "paid_at")
        check_language(self.language)
        if not isinstance(self.status, PaymentStatus):
            raise ReceiptError(f"status must be a PaymentStatus, got {self.status!r}")
        if not isinstance(self.tender, CashTender | CardTender | QrTender | PaycodeTender):
            raise ReceiptError(f"tender must be cash, card or QR, got {self.tender!r}")
        object.__setattr__(self, "bills", tuple(self.bills))
        if not all(isinstance(bill, BillPaid) for bill in self.bills):
            raise ReceiptError("bills must be BillPaid entries")
        pending = {
            check_fen(fen, "pending denomination", allow_zero=False): count
            for fen, count in dict(self.pending_notes).items()
        }
        if any(isinstance(c, bool) or not isinstance(c, int) or c < 1 for c in pending.values()):
            raise ReceiptError("pending note counts must be whole numbers >= 1")
        object.__setattr__(
            self, "pending_notes", types.MappingProxyType(dict(sorted(pending.items())[::-1]))
        )
        if pending and not isinstance(self.tender, CashTender):
            raise ReceiptError("only cash can have notes pending verification")
        applied = check_fen(self.amount_applied_fen, "amount_applied_fen", allow_zero=bool(pending))
        credited = check_fen(self.credited_to_balance_fen, "credited_to_balance_fen")
        if self.new_balance_fen is not None:
            check_fen(self.new_balance_fen, "new_balance_fen")
        if self.check_url is not None:
            check_text(self.check_url, "check_url")
        if self.still_owed_fen is not None:
            check_fen(self.still_owed_fen, "still_owed_fen")
        if self.owed_due_date is not None:
            try:
                date.fromisoformat(check_text(self.owed_due_date, "owed_due_date"))
            except ValueError as exc:
                raise ReceiptError(f"owed_due_date {self.owed_due_date!r} is not a date") from exc
        allocated = sum(bill.total_fen for bill in self.bills) + credited
        if isinstance(self.tender, CashTender) and not self.tender.notes and not pending:
            raise ReceiptError("a cash receipt lists at least one note")
        if (self.bills or self.status is PaymentStatus.POSTED) and allocated != applied:
            raise ReceiptError(
                f"bills ({allocated - credited} fen) plus credited to balance ({credited} fen) "
                f"must equal amount_applied_fen ({applied} fen)"
            )
        if not self.bills and self.status is PaymentStatus.QUEUED and credited:
            raise ReceiptError(
                "a queued payment without bills has no allocation yet: "
                "credited_to_balance_fen must be 0"
            )
        if isinstance(self.tender, CashTender) and self.tender.total_fen != applied:
            raise ReceiptError(
                f"cash notes total {self.tender.total_fen} fen but amount_applied_fen is "
                f"{applied} fen; the kiosk gives no change, so they must be equal"
            )


def layout_receipt(receipt: Receipt, *, columns: int) -> Layout:
    words = WORDS[receipt.language]
    out = LayoutBuilder(columns)
    _receipt_head(out, receipt, words)
    out.rule()
    _receipt_bills(out, receipt, words)
    out.rule()
    _receipt_tender(out, receipt.tender, words)
    _receipt_pending(out, receipt, words)
    _receipt_outcome(out, receipt, words)
    out.rule()
    _receipt_foot(out, receipt, words)
    return out.layout()


def _receipt_head(out: LayoutBuilder, receipt: Receipt, words: ReceiptWords) -> None:
    out.text(receipt.utility_name, align=Align.CENTER, bold=True)
    out.text(receipt.kiosk_location, align=Align.CENTER)
    out.text(words.receipt_title, align=Align.CENTER, size=TextSize.DOUBLE)
    if receipt.copy:
        out.text(words.copy_mark, align=Align.CENTER, bold=True, size=TextSize.DOUBLE)
    out.rule()
    out.field(words.kiosk + words.sep, receipt.kiosk_id)
    out.field(words.txn + words.sep, receipt.txn_id)
    out.field(words.time + words.sep, printed_time(receipt.paid_at))
    out.field(words.account + words.sep, receipt.account_no)
    if receipt.holder_masked:
        out.field(words.holder + words.sep, receipt.holder_masked)


def _receipt_bills(out: LayoutBuilder, receipt: Receipt, words: ReceiptWords) -> None:
    out.text(words.bills_paid, bold=True)
    for bill in receipt.bills:
        if bill.late_fee_fen:
            out.pair(f"{bill.period} {words.late_fee}", money_text(bill.late_fee_fen, words))
        out.pair(f"{bill.period} {words.principal}", money_text(bill.principal_fen, words))
    if not receipt.bills and receipt.status is PaymentStatus.QUEUED:
        out.text(words.unallocated)


def _receipt_tender(out: LayoutBuilder, tender: Tender, words: ReceiptWords) -> None:
    if isinstance(tender, CashTender):
        out.text(words.cash_in)
        for fen, count in tender.notes.items():
            out.pair(words.cash_note(yuan_text(fen), count), money_text(fen * count, words))
        out.pair(words.cash_total, money_text(tender.total_fen, words))
    elif isinstance(tender, CardTender):
        out.field(words.card + words.sep, mask_card(tender.card_no))
    elif isinstance(tender, PaycodeTender):
        out.field(words.paycode + words.sep, tender.masked_code)
    else:
        out.field(words.qr_order + words.sep, tender.order_ref)


def _receipt_pending(out: LayoutBuilder, receipt: Receipt, words: ReceiptWords) -> None:
    if not receipt.pending_notes:
        return
    for fen, count in receipt.pending_notes.items():
        out.pair(words.pending_note(yuan_text(fen), count), money_text(fen * count, words))
    total = pending_total_fen(receipt.pending_notes)
    out.pair(words.pending_total, money_text(total, words), bold=True)


def _receipt_outcome(out: LayoutBuilder, receipt: Receipt, words: ReceiptWords) -> None:
    out.pair(words.amount_paid, money_text(receipt.amount_applied_fen, words), bold=True)
    if receipt.still_owed_fen:
        out.pair(words.still_owed, money_text(receipt.still_owed_fen, words), bold=True)
        if receipt.owed_due_date:
            due = date.fromisoformat(receipt.owed_due_date)
            late = due < receipt.paid_at.date()
            out.text((words.owed_overdue if late else words.owed_by)(due.isoformat()))
    if receipt.credited_to_balance_fen or receipt.bills:
        out.pair(words.to_balance, money_text(receipt.credited_to_balance_fen, words))
    balance = receipt.new_balance_fen
    shown = words.balance_unknown if balance is None else money_text(balance, words)
    out.pair(words.new_balance, shown)
    posted = receipt.status is PaymentStatus.POSTED
    if receipt.amount_applied_fen == 0:
        status = words.pending_status  # every note is pending: nothing posted or queued
    else:
        status = words.posted if posted else words.queued
    out.field(words.status + words.sep, status)
    if receipt.pending_notes:
        out.text(words.pending_explain(receipt.txn_id))


def _receipt_foot(out: LayoutBuilder, receipt: Receipt, words: ReceiptWords) -> None:
    if receipt.check_url:
        out.text(words.scan_to_check, align=Align.CENTER)
        out.qr(receipt.check_url)
    else:
        out.text(words.offline_check)
    if receipt.invoice_url and not receipt.copy:
        out.text(words.scan_for_invoice, align=Align.CENTER)
        out.qr(receipt.invoice_url)
    if isinstance(receipt.tender, CashTender):
        out.text(words.no_change, align=Align.CENTER)
    out.text(words.keep, align=Align.CENTER)
    if receipt.copy:
        out.text(words.copy_note, align=Align.CENTER, bold=True)
