"""The texts printed on paper: the payment receipt and the cash-collection slip.

id -> (zh, en); placeholders are str.format names. A term the customer also reads on the
screen is worded as the screen words it (预付余额, 违约金, 流水号, 待核实): the customer
compares the two. Leading spaces indent a line under its heading on the receipt.
"""

from __future__ import annotations

PAPER: dict[str, tuple[str, str]] = {
    # how amounts are written
    "paper.currency": ("￥", "¥"),
    "paper.sep": ("：", ": "),
    "paper.note": ("{yuan}元", "¥{yuan}"),
    # the payment receipt
    "paper.receipt_title": ("电费缴费凭证", "PAYMENT RECEIPT"),
    "paper.copy_mark": ("副本", "COPY"),
    "paper.copy_note": ("本凭证为补打副本", "This is a reprinted copy"),
    "paper.kiosk": ("终端号", "Kiosk"),
    "paper.txn": ("流水号", "Txn no."),
    "paper.time": ("时间", "Time"),
    "paper.account": ("户号", "Account"),
    "paper.holder": ("户名", "Name"),
    "paper.bills_paid": ("缴费明细", "Bills paid"),
    "paper.late_fee": ("违约金", "late fee"),
    "paper.principal": ("电费", "electricity"),
    "paper.unallocated": ("联网后按账单先后入账", "Applied to the oldest bills first once online"),
    "paper.cash_in": ("投入现金", "Cash inserted"),
    "paper.cash_note": ("  {yuan}元 x {count}张", "  ¥{yuan} x {count}"),
    "paper.cash_total": ("现金合计", "Cash total"),
    "paper.card": ("电费充值卡", "Recharge card"),
    "paper.qr_order": ("扫码支付订单", "QR payment order"),
    "paper.paycode": ("付款码支付", "Payment code"),
    "paper.amount_paid": ("本次缴费", "Amount paid"),
    "paper.still_owed": ("仍欠电费", "Still owed"),
    "paper.owed_by": ("请于 {day} 前缴清", "Please pay it by {day}"),
    "paper.owed_overdue": (
        "已过缴费截止日 {day}，违约金按日计收，请尽快缴清",
        "Overdue since {day}: a late fee accrues daily",
    ),
    "paper.to_balance": ("存入预付余额", "To prepaid balance"),
    "paper.new_balance": ("预付余额", "Prepaid balance"),
    "paper.balance_unknown": ("联网后更新", "updated when online"),
    "paper.status": ("状态", "Status"),
    "paper.posted": ("已入账", "Posted"),
    "paper.queued": (
        "已记录，恢复联网后入账",
        "Recorded, will be credited when the kiosk is back online",
    ),
    "paper.pending_note": (
        "  {yuan}元 x {count}张 待核实",
        "  ¥{yuan} x {count} pending verification",
    ),
    "paper.pending_total": ("待核实合计", "Pending verification"),
    "paper.pending_status": ("待核实", "Pending verification"),
    "paper.pending_explain": (
        "待核实：本机未能确认上列纸币是否已入钱箱。技术人员将核对钱箱，"
        "如确认收到，将计入您的账户。查询请提供流水号 {txn}。",
        "Pending verification: the kiosk could not confirm that the note(s) above "
        "reached the cash box. A technician will check the cash box; if a note is "
        "found, your account is credited. Quote txn no. {txn}.",
    ),
    "paper.scan_to_check": ("扫码查验电子凭证", "Scan to check this receipt"),
    "paper.scan_for_invoice": ("扫码开具电子发票", "Scan to request an e-invoice"),
    "paper.offline_check": (
        "本机暂时离线：入账后可凭流水号查询本次缴费。",
        "Kiosk offline: look this payment up by its txn no. once it is posted.",
    ),
    "paper.keep": ("请妥善保管本凭证", "Please keep this receipt"),
    "paper.no_change": (
        "本机不找零，多缴部分存入预付余额",
        "No change is given: any surplus goes to your prepaid balance",
    ),
    # the cash-collection slip
    "paper.slip_title": ("清机单", "CASH COLLECTION"),
    "paper.location": ("位置", "Location"),
    "paper.collection_id": ("清机单号", "Collection"),
    "paper.period_from": ("起", "From"),
    "paper.period_to": ("止", "To"),
    "paper.collector": ("收款员", "Collector"),
    "paper.column.note": ("面额", "Note"),
    "paper.column.journal": ("账面", "Jrnl"),
    "paper.column.device": ("设备", "Dev"),
    "paper.column.counted": ("实点", "Count"),
    "paper.column.diff": ("差额", "Diff"),
    "paper.not_counted": ("无", "n/a"),
    "paper.journal_total": ("账面合计", "Journal total"),
    "paper.device_total": ("设备合计", "Device total"),
    "paper.physical_total": ("实点合计", "Counted total"),
    "paper.diff_journal": ("实点-账面", "Counted - journal"),
    "paper.diff_device": ("实点-设备", "Counted - device"),
    "paper.counts_match": ("账实相符", "Counts match"),
    "paper.counts_differ": ("有差异，请复核并上报", "DIFFERENCE: recount and report"),
    "paper.signature_collector": ("收款员签字：", "Collector: "),
    "paper.signature_checker": ("复核人签字：", "Checked by: "),
}
