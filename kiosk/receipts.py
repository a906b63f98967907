"""Receipts, collection slips and test pages: the documents, their layout, and plain text.

A document (``Receipt``, ``CollectionSlip``, ``TestPage``) holds facts, not formatting. One
layout function per document turns it into a ``Layout``: lines already wrapped and padded for
the paper's width, each with its alignment, weight and size, plus QR codes. Two renderers
read the same layout: ``render_text`` here (for the journal and the UI preview) and
``kiosk.receipt_escpos.render_escpos`` (bytes for the printer), so what is printed and what is
journaled cannot drift apart.

Widths are counted in columns of the paper: a Chinese character (and ``￥``, ``，``...) takes
two, see ``drivers.printer.text``. In the plain text a line starts at the column where the
printer starts it; a double-width line's characters are written once each.

Errors: ``ReceiptError`` (a ``KioskError``) when a document's facts are impossible (amounts
that do not add up, a naive datetime, a float for money); the message names the field.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, TypeAlias

from drivers.printer.text import cells, fit, sanitize, wrap
from kiosk import KioskError
from kiosk.money import MoneyError, fen_from_json, format_fen

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
MIN_COLUMNS = 24
MAX_COLUMNS = 80
QR_MODULE_DOTS = 6
QR_MODULE_DOTS_NARROW = 5  # 58 mm paper: keeps a receipt URL's code under 30 mm
NARROW_COLUMNS = 32


class ReceiptError(KioskError, ValueError):
    """A document cannot be printed as given; the message names the field and the fix."""


# --- the layout: what both renderers read ---------------------------------------------------


class Align(enum.Enum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class Size(enum.Enum):
    """Character size as (width, height) multipliers."""

    NORMAL = (1, 1)
    DOUBLE_HEIGHT = (1, 2)
    DOUBLE_WIDTH = (2, 1)
    DOUBLE = (2, 2)

    @property
    def width(self) -> int:
        return self.value[0]


@dataclass(frozen=True)
class TextLine:
    text: str
    align: Align = Align.LEFT
    bold: bool = False
    size: Size = Size.NORMAL


@dataclass(frozen=True)
class QrCode:
    data: str
    module_dots: int = QR_MODULE_DOTS


Block: TypeAlias = TextLine | QrCode


@dataclass(frozen=True)
class Layout:
    columns: int
    blocks: tuple[Block, ...]


def start_column(line: TextLine, columns: int) -> int:
    """Where the printer starts an aligned line, in normal-size columns."""
    width = cells(line.text) * line.size.width
    if line.align is Align.LEFT or width >= columns:
        return 0
    if line.align is Align.CENTER:
        return (columns - width) // 2
    return columns - width


def qr_text(data: str) -> str:
    """How a QR code appears in plain text (and in the printer emulator's transcript)."""
    return f"[QR: {data}]"


def render_layout_text(layout: Layout) -> str:
    lines: list[str] = []
    for block in layout.blocks:
        if isinstance(block, QrCode):
            lines.append(qr_text(block.data))
        else:
            lines.append((" " * start_column(block, layout.columns) + block.text).rstrip())
    return "\n".join(lines) + "\n"


class _Builder:
    """Lines for one document at one paper width."""

    def __init__(self, columns: int) -> None:
        if not MIN_COLUMNS <= columns <= MAX_COLUMNS:
            raise ReceiptError(
                f"columns {columns} is outside {MIN_COLUMNS}..{MAX_COLUMNS}; "
                "use 32 for 58 mm paper or 48 for 80 mm"
            )
        self.columns = columns
        self.blocks: list[Block] = []

    def layout(self) -> Layout:
        return Layout(self.columns, tuple(self.blocks))

    def text(
        self,
        text: str,
        *,
        align: Align = Align.LEFT,
        bold: bool = False,
        size: Size = Size.NORMAL,
    ) -> None:
        for piece in wrap(sanitize(text), self.columns // size.width):
            self.blocks.append(TextLine(piece, align, bold, size))

    def blank(self) -> None:
        self.blocks.append(TextLine(""))

    def rule(self, char: str = "-") -> None:
        self.blocks.append(TextLine(char * (self.columns // cells(char))))

    def pair(self, label: str, value: str, *, bold: bool = False) -> None:
        """Label on the left, value flush right; on two lines when they do not fit on one."""
        label, value = sanitize(label), sanitize(value)
        gap = self.columns - cells(label) - cells(value)
        if gap >= 1:
            self.blocks.append(TextLine(label + " " * gap + value, bold=bold))
            return
        self.text(label, bold=bold)
        self.blocks.append(TextLine(" " * max(0, self.columns - cells(value)) + value, bold=bold))

    def field(self, label: str, value: str) -> None:
        """``label：value``, the value wrapped under itself when long."""
        label, value = sanitize(label), sanitize(value)
        indent = cells(label)
        if indent > self.columns // 3:
            self.text(label + value)
            return
        pieces = wrap(value, self.columns - indent) if value else [""]
        self.blocks.append(TextLine(label + pieces[0]))
        for piece in pieces[1:]:
            self.blocks.append(TextLine(" " * indent + piece))

    def table(self, rows: Sequence[Sequence[str]], *, bold_first: bool = False) -> None:
        """Columns spread over the width: the first left-aligned, the others right-aligned."""
        rows = [[sanitize(cell) for cell in row] for row in rows]
        count = len(rows[0])
        widths = [max(cells(row[i]) for row in rows) for i in range(count)]
        spare = self.columns - sum(widths)
        if spare < count - 1:
            raise ReceiptError(f"a table of {count} columns does not fit in {self.columns}")
        gaps = [
            spare // (count - 1) + (1 if i < spare % (count - 1) else 0) for i in range(1, count)
        ]
        for index, row in enumerate(rows):
            line = row[0] + " " * (widths[0] - cells(row[0]))
            for i in range(1, count):
                line += " " * (gaps[i - 1] + widths[i] - cells(row[i])) + row[i]
            self.blocks.append(TextLine(line, bold=bold_first and index == 0))

    def qr(self, data: str) -> None:
        dots = QR_MODULE_DOTS_NARROW if self.columns <= NARROW_COLUMNS else QR_MODULE_DOTS
        self.blocks.append(QrCode(sanitize(data), dots))


# --- shared checks and formats -------------------------------------------------------------


def _fen(value: object, name: str, *, allow_zero: bool = True) -> int:
    try:
        return fen_from_json(value, field=name, allow_zero=allow_zero)
    except MoneyError as exc:
        raise ReceiptError(str(exc)) from exc


def _text(value: object, name: str, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise ReceiptError(f"{name} must be text, got {type(value).__name__} {value!r}")
    if required and not value.strip():
        raise ReceiptError(f"{name} is empty; it is printed on the document")
    return value


def _aware(value: object, name: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ReceiptError(f"{name} must be a datetime with a time zone, got {value!r}")
    return value


def _language(value: object) -> Language:
    if value not in LANGUAGES:
        raise ReceiptError(f"language {value!r} is not one of {', '.join(LANGUAGES)}")
    return value


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def mask_card(card_no: str) -> str:
    """Only the last four digits of a recharge card appear on paper.

    A number the journal already masked (the engine keeps the first four digits too, as
    ``8800********0001``) is masked again: nothing but the last four is printed.
    """
    card_no = card_no.strip()
    return "*" * max(0, len(card_no) - 4) + card_no[-4:]


@dataclass(frozen=True)
class _Words:
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


_WORDS: Mapping[Language, _Words] = types.MappingProxyType(
    {
        "zh": _Words(
            currency="￥",
            sep="：",
            receipt_title="电费缴费凭证",
            copy_mark="副本",
            copy_note="本凭证为补打副本",
            kiosk="终端号",
            txn="流水号",
            time="时间",
            account="户号",
            holder="户名",
            bills_paid="缴费明细",
            late_fee="违约金",
            principal="电费",
            unallocated="联网后按账单先后入账",
            cash_in="投入现金",
            note=lambda yuan: f"{yuan}元",
            cash_note=lambda yuan, count: f"  {yuan}元 x {count}张",
            cash_total="现金合计",
            card="电费充值卡",
            qr_order="扫码支付订单",
            paycode="付款码支付",
            amount_paid="本次缴费",
            still_owed="仍欠电费",
            owed_by=lambda day: f"请于 {day} 前缴清",
            owed_overdue=lambda day: f"已过缴费截止日 {day}，违约金按日计收，请尽快缴清",
            to_balance="转入预付电费",
            new_balance="账户余额",
            balance_unknown="联网后更新",
            status="状态",
            posted="已入账",
            queued="已记录，恢复联网后入账",
            pending_note=lambda yuan, count: f"  {yuan}元 x {count}张 待核实",
            pending_total="待核实合计",
            pending_status="待核实",
            pending_explain=lambda txn: (
                f"待核实：本机未能确认上列纸币是否已入钱箱。技术人员将核对钱箱，"
                f"如确认收到，将计入您的账户。查询请提供流水号 {txn}。"
            ),
            scan_to_check="扫码查验电子凭证",
            scan_for_invoice="扫码开具电子发票",
            offline_check="本机暂时离线：入账后可凭流水号查询本次缴费。",
            keep="请妥善保管本凭证",
            no_change="本机不找零，多缴金额转入预付电费",
            slip_title="清机单",
            location="位置",
            collection_id="清机单号",
            period_from="起",
            period_to="止",
            collector="收款员",
            table_head=("面额", "账面", "设备", "实点", "差额"),
            not_counted="无",
            journal_total="账面合计",
            device_total="设备合计",
            physical_total="实点合计",
            diff_journal="实点-账面",
            diff_device="实点-设备",
            counts_match="账实相符",
            counts_differ="有差异，请复核并上报",
            signature_collector="收款员签字：",
            signature_checker="复核人签字：",
        ),
        "en": _Words(
            currency="¥",
            sep=": ",
            receipt_title="PAYMENT RECEIPT",
            copy_mark="COPY",
            copy_note="This is a reprinted copy",
            kiosk="Kiosk",
            txn="Txn no.",
            time="Time",
            account="Account",
            holder="Name",
            bills_paid="Bills paid",
            late_fee="late fee",
            principal="electricity",
            unallocated="Applied to the oldest bills first once online",
            cash_in="Cash inserted",
            note=lambda yuan: f"¥{yuan}",
            cash_note=lambda yuan, count: f"  ¥{yuan} x {count}",
            cash_total="Cash total",
            card="Recharge card",
            qr_order="QR payment order",
            paycode="Payment code",
            amount_paid="Amount paid",
            still_owed="Still owed",
            owed_by=lambda day: f"Please pay it by {day}",
            owed_overdue=lambda day: f"Overdue since {day}: a late fee accrues daily",
            to_balance="To prepaid balance",
            new_balance="New balance",
            balance_unknown="updated when online",
            status="Status",
            posted="Posted",
            queued="Recorded, will be credited when the kiosk is back online",
            pending_note=lambda yuan, count: f"  ¥{yuan} x {count} pending verification",
            pending_total="Pending verification",
            pending_status="Pending verification",
            pending_explain=lambda txn: (
                "Pending verification: the kiosk could not confirm that the note(s) above "
                "reached the cash box. A technician will check the cash box; if a note is "
                f"found, your account is credited. Quote txn no. {txn}."
            ),
            scan_to_check="Scan to check this receipt",
            scan_for_invoice="Scan to request an e-invoice",
            offline_check="Kiosk offline: look this payment up by its txn no. once it is posted.",
            keep="Please keep this receipt",
            no_change="No change is given: any surplus goes to your prepaid balance",
            slip_title="CASH COLLECTION",
            location="Location",
            collection_id="Collection",
            period_from="From",
            period_to="To",
            collector="Collector",
            table_head=("Note", "Jrnl", "Dev", "Count", "Diff"),
            not_counted="n/a",
            journal_total="Journal total",
            device_total="Device total",
            physical_total="Counted total",
            diff_journal="Counted - journal",
            diff_device="Counted - device",
            counts_match="Counts match",
            counts_differ="DIFFERENCE: recount and report",
            signature_collector="Collector: ",
            signature_checker="Checked by: ",
        ),
    }
)


def _money(fen: int, words: _Words) -> str:
    return format_fen(fen, symbol=words.currency)


def _signed(fen: int, words: _Words) -> str:
    return ("+" if fen > 0 else "") + _money(fen, words)


def _yuan(fen: int) -> str:
    """A denomination: 10000 -> '100', 50 -> '0.50'."""
    return format_fen(fen, symbol="", bare_whole_yuan=True)


# --- the payment receipt --------------------------------------------------------------------


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
        _text(self.period, "bill period")
        _fen(self.late_fee_fen, "late_fee_fen")
        _fen(self.principal_fen, "principal_fen")

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
            fen = _fen(denomination, "cash denomination", allow_zero=False)
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
        _text(self.card_no, "card_no")


@dataclass(frozen=True)
class QrTender:
    """A mobile QR payment, by the order reference of the payment provider."""

    order_ref: str

    def __post_init__(self) -> None:
        _text(self.order_ref, "order_ref")


@dataclass(frozen=True)
class PaycodeTender:
    """A payment code the customer showed (付款码), printed masked as the journal keeps it."""

    masked_code: str

    def __post_init__(self) -> None:
        _text(self.masked_code, "masked_code")
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
            _text(getattr(self, name), name)
        _text(self.holder_masked, "holder_masked", required=False)
        _aware(self.paid_at, "paid_at")
        _language(self.language)
        if not isinstance(self.status, PaymentStatus):
            raise ReceiptError(f"status must be a PaymentStatus, got {self.status!r}")
        if not isinstance(self.tender, CashTender | CardTender | QrTender | PaycodeTender):
            raise ReceiptError(f"tender must be cash, card or QR, got {self.tender!r}")
        object.__setattr__(self, "bills", tuple(self.bills))
        if not all(isinstance(bill, BillPaid) for bill in self.bills):
            raise ReceiptError("bills must be BillPaid entries")
        pending = {
            _fen(fen, "pending denomination", allow_zero=False): count
            for fen, count in dict(self.pending_notes).items()
        }
        if any(isinstance(c, bool) or not isinstance(c, int) or c < 1 for c in pending.values()):
            raise ReceiptError("pending note counts must be whole numbers >= 1")
        object.__setattr__(
            self, "pending_notes", types.MappingProxyType(dict(sorted(pending.items())[::-1]))
        )
        if pending and not isinstance(self.tender, CashTender):
            raise ReceiptError("only cash can have notes pending verification")
        applied = _fen(self.amount_applied_fen, "amount_applied_fen", allow_zero=bool(pending))
        credited = _fen(self.credited_to_balance_fen, "credited_to_balance_fen")
        if self.new_balance_fen is not None:
            _fen(self.new_balance_fen, "new_balance_fen")
        if self.check_url is not None:
            _text(self.check_url, "check_url")
        if self.still_owed_fen is not None:
            _fen(self.still_owed_fen, "still_owed_fen")
        if self.owed_due_date is not None:
            try:
                date.fromisoformat(_text(self.owed_due_date, "owed_due_date"))
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
    words = _WORDS[receipt.language]
    out = _Builder(columns)
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


def _receipt_head(out: _Builder, receipt: Receipt, words: _Words) -> None:
    out.text(receipt.utility_name, align=Align.CENTER, bold=True)
    out.text(receipt.kiosk_location, align=Align.CENTER)
    out.text(words.receipt_title, align=Align.CENTER, size=Size.DOUBLE)
    if receipt.copy:
        out.text(words.copy_mark, align=Align.CENTER, bold=True, size=Size.DOUBLE)
    out.rule()
    out.field(words.kiosk + words.sep, receipt.kiosk_id)
    out.field(words.txn + words.sep, receipt.txn_id)
    out.field(words.time + words.sep, _when(receipt.paid_at))
    out.field(words.account + words.sep, receipt.account_no)
    if receipt.holder_masked:
        out.field(words.holder + words.sep, receipt.holder_masked)


def _receipt_bills(out: _Builder, receipt: Receipt, words: _Words) -> None:
    out.text(words.bills_paid, bold=True)
    for bill in receipt.bills:
        if bill.late_fee_fen:
            out.pair(f"{bill.period} {words.late_fee}", _money(bill.late_fee_fen, words))
        out.pair(f"{bill.period} {words.principal}", _money(bill.principal_fen, words))
    if not receipt.bills and receipt.status is PaymentStatus.QUEUED:
        out.text(words.unallocated)


def _receipt_tender(out: _Builder, tender: Tender, words: _Words) -> None:
    if isinstance(tender, CashTender):
        out.text(words.cash_in)
        for fen, count in tender.notes.items():
            out.pair(words.cash_note(_yuan(fen), count), _money(fen * count, words))
        out.pair(words.cash_total, _money(tender.total_fen, words))
    elif isinstance(tender, CardTender):
        out.field(words.card + words.sep, mask_card(tender.card_no))
    elif isinstance(tender, PaycodeTender):
        out.field(words.paycode + words.sep, tender.masked_code)
    else:
        out.field(words.qr_order + words.sep, tender.order_ref)


def _receipt_pending(out: _Builder, receipt: Receipt, words: _Words) -> None:
    if not receipt.pending_notes:
        return
    for fen, count in receipt.pending_notes.items():
        out.pair(words.pending_note(_yuan(fen), count), _money(fen * count, words))
    total = pending_total_fen(receipt.pending_notes)
    out.pair(words.pending_total, _money(total, words), bold=True)


def _receipt_outcome(out: _Builder, receipt: Receipt, words: _Words) -> None:
    out.pair(words.amount_paid, _money(receipt.amount_applied_fen, words), bold=True)
    if receipt.still_owed_fen:
        out.pair(words.still_owed, _money(receipt.still_owed_fen, words), bold=True)
        if receipt.owed_due_date:
            due = date.fromisoformat(receipt.owed_due_date)
            late = due < receipt.paid_at.date()
            out.text((words.owed_overdue if late else words.owed_by)(due.isoformat()))
    if receipt.credited_to_balance_fen or receipt.bills:
        out.pair(words.to_balance, _money(receipt.credited_to_balance_fen, words))
    balance = receipt.new_balance_fen
    shown = words.balance_unknown if balance is None else _money(balance, words)
    out.pair(words.new_balance, shown)
    posted = receipt.status is PaymentStatus.POSTED
    if receipt.amount_applied_fen == 0:
        status = words.pending_status  # every note is pending: nothing posted or queued
    else:
        status = words.posted if posted else words.queued
    out.field(words.status + words.sep, status)
    if receipt.pending_notes:
        out.text(words.pending_explain(receipt.txn_id))


def _receipt_foot(out: _Builder, receipt: Receipt, words: _Words) -> None:
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


# --- the collection slip --------------------------------------------------------------------


@dataclass(frozen=True)
class DenominationCount:
    """One denomination at a collection: what the journal, the device and a person counted."""

    denomination_fen: int
    journal_count: int
    device_count: int | None
    physical_count: int

    def __post_init__(self) -> None:
        _fen(self.denomination_fen, "denomination_fen", allow_zero=False)
        for name in ("journal_count", "device_count", "physical_count"):
            value = getattr(self, name)
            if value is None and name == "device_count":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ReceiptError(f"{name} must be a whole number >= 0, got {value!r}")


@dataclass(frozen=True)
class CollectionSlip:
    """Printed when a technician empties the cash box (the maintenance issue)."""

    kiosk_id: str
    kiosk_location: str
    period_from: datetime
    period_to: datetime
    collector: str
    counts: tuple[DenominationCount, ...]
    collection_id: str | None = None
    language: Language = "zh"

    def __post_init__(self) -> None:
        for name in ("kiosk_id", "kiosk_location", "collector"):
            _text(getattr(self, name), name)
        _aware(self.period_from, "period_from")
        _aware(self.period_to, "period_to")
        if self.period_to < self.period_from:
            raise ReceiptError("period_to is before period_from")
        _language(self.language)
        counts = tuple(sorted(self.counts, key=lambda c: c.denomination_fen, reverse=True))
        if not counts or not all(isinstance(c, DenominationCount) for c in counts):
            raise ReceiptError("counts must list at least one DenominationCount")
        if len({c.denomination_fen for c in counts}) != len(counts):
            raise ReceiptError("counts lists a denomination twice")
        object.__setattr__(self, "counts", counts)

    @property
    def journal_total_fen(self) -> int:
        return sum(c.denomination_fen * c.journal_count for c in self.counts)

    @property
    def device_total_fen(self) -> int | None:
        if any(c.device_count is None for c in self.counts):
            return None
        return sum(c.denomination_fen * (c.device_count or 0) for c in self.counts)

    @property
    def physical_total_fen(self) -> int:
        return sum(c.denomination_fen * c.physical_count for c in self.counts)


def layout_collection_slip(slip: CollectionSlip, *, columns: int) -> Layout:
    words = _WORDS[slip.language]
    out = _Builder(columns)
    out.text(words.slip_title, align=Align.CENTER, size=Size.DOUBLE)
    out.rule()
    out.field(words.kiosk + words.sep, slip.kiosk_id)
    out.field(words.location + words.sep, slip.kiosk_location)
    if slip.collection_id:
        out.field(words.collection_id + words.sep, slip.collection_id)
    out.field(words.period_from + words.sep, _when(slip.period_from))
    out.field(words.period_to + words.sep, _when(slip.period_to))
    out.field(words.collector + words.sep, slip.collector)
    out.rule()
    rows: list[list[str]] = [list(words.table_head)]
    for count in slip.counts:
        counted = words.not_counted if count.device_count is None else str(count.device_count)
        difference = count.physical_count - count.journal_count
        rows.append(
            [
                words.note(_yuan(count.denomination_fen)),
                str(count.journal_count),
                counted,
                str(count.physical_count),
                f"{difference:+d}" if difference else "0",
            ]
        )
    out.table(rows, bold_first=True)
    out.rule()
    journal, device, physical = (
        slip.journal_total_fen,
        slip.device_total_fen,
        slip.physical_total_fen,
    )
    out.pair(words.journal_total, _money(journal, words))
    out.pair(words.device_total, words.not_counted if device is None else _money(device, words))
    out.pair(words.physical_total, _money(physical, words), bold=True)
    out.pair(words.diff_journal, _signed(physical - journal, words))
    if device is not None:
        out.pair(words.diff_device, _signed(physical - device, words))
    matches = physical == journal and device in (None, physical)
    out.text(words.counts_match if matches else words.counts_differ, bold=not matches)
    out.blank()
    out.text(words.signature_collector + "_" * (columns // 2))
    out.blank()
    out.text(words.signature_checker + "_" * (columns // 2))
    return out.layout()


# --- the test page --------------------------------------------------------------------------


@dataclass(frozen=True)
class TestPage:
    """Exercises what a receipt needs: Chinese and Latin, sizes, alignment, a QR code, a cut."""

    __test__ = False  # not a pytest test class, despite the name

    kiosk_id: str
    printed_at: datetime
    encoding: str = "gbk"
    qr_data: str | None = None

    def __post_init__(self) -> None:
        _text(self.kiosk_id, "kiosk_id")
        _aware(self.printed_at, "printed_at")
        _text(self.encoding, "encoding")


def layout_test_page(page: TestPage, *, columns: int) -> Layout:
    out = _Builder(columns)
    out.text("打印测试 TEST", align=Align.CENTER, size=Size.DOUBLE)
    out.text(f"{page.kiosk_id}  {_when(page.printed_at)}", align=Align.CENTER)
    out.rule("=")
    digits = "1234567890" * (columns // 10 + 1)
    out.text(fit(digits, columns))
    out.field("纸宽 Width: ", f"{columns} 列 columns, {page.encoding.upper()}")
    out.rule()
    out.text("中文：示范供电公司电费缴费凭证")
    out.text("全角：，。：；（）《》【】￥“”")
    out.text("Latin: ABC xyz 0123 ¥ £ é ü ° ±")
    out.text("混排 Mixed: 户号 0100123456 ￥12.50 ¥12.50")
    out.pair("左 Left", "右 Right")
    out.text("粗体 Bold", bold=True)
    out.text("倍宽 Wide", size=Size.DOUBLE_WIDTH)
    out.text("倍高 Tall", size=Size.DOUBLE_HEIGHT)
    out.text("倍大 Big", size=Size.DOUBLE)
    out.text("居中 Center", align=Align.CENTER)
    out.text("右对齐 Right", align=Align.RIGHT)
    out.rule()
    out.text("二维码 QR code", align=Align.CENTER)
    qr = page.qr_data or f"kiosk-test:{page.kiosk_id}:{page.printed_at:%Y%m%dT%H%M%S}"
    out.qr(qr)
    out.text("以下切纸 cut below", align=Align.CENTER)
    return out.layout()


# --- entry points ---------------------------------------------------------------------------

Document: TypeAlias = Receipt | CollectionSlip | TestPage


def layout(document: Document, *, columns: int) -> Layout:
    """The one layout of a document, read by both renderers."""
    if isinstance(document, Receipt):
        return layout_receipt(document, columns=columns)
    if isinstance(document, CollectionSlip):
        return layout_collection_slip(document, columns=columns)
    if isinstance(document, TestPage):
        return layout_test_page(document, columns=columns)
    raise ReceiptError(f"cannot lay out a {type(document).__name__}")


def render_text(document: Document, *, columns: int) -> str:
    """Plain text of the document as printed: for the journal and the UI preview."""
    return render_layout_text(layout(document, columns=columns))


__all__ = [
    "Align",
    "BillPaid",
    "Block",
    "CardTender",
    "CashTender",
    "CollectionSlip",
    "DenominationCount",
    "Document",
    "Language",
    "Layout",
    "PaycodeTender",
    "PaymentStatus",
    "QrCode",
    "QrTender",
    "Receipt",
    "ReceiptError",
    "Size",
    "Tender",
    "TestPage",
    "TextLine",
    "layout",
    "mask_card",
    "render_text",
]
