"""The fixed texts of the receipts and slips in each language, and how amounts, notes and
times are written on paper (``WORDS[language]``, ``money_text``, ``yuan_text``, ...)."""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from kiosk.money import format_fen

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


WORDS: Mapping[Language, ReceiptWords] = types.MappingProxyType(
    {
        "zh": ReceiptWords(
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
        "en": ReceiptWords(
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


def money_text(fen: int, words: ReceiptWords) -> str:
    return format_fen(fen, symbol=words.currency)


def signed_money_text(fen: int, words: ReceiptWords) -> str:
    return ("+" if fen > 0 else "") + money_text(fen, words)


def yuan_text(fen: int) -> str:
    """A denomination: 10000 -> '100', 50 -> '0.50'."""
    return format_fen(fen, symbol="", bare_whole_yuan=True)


def printed_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")
