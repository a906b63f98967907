"""Message catalogue: Chinese first, English second.

A missing id or a missing language never raises on the customer screen: it falls back to
the other language, then to a generic text, and logs once so translators can fix it.
"""

from __future__ import annotations

import logging
from datetime import date

log = logging.getLogger("ui.i18n")

LANGUAGES = ("zh", "en")

# id: (zh, en). Placeholders use str.format names.
_TEXTS: dict[str, tuple[str, str]] = {
    # home
    "home.title": ("电费自助缴费", "Electricity bill self-service"),
    "home.pay": ("缴纳电费", "Pay electricity bill"),
    "home.card": ("充值卡缴费", "Recharge card"),
    "home.check": ("查询电费", "Check my bill"),
    "home.hint": ("请点击下方按钮开始", "Touch a button below to start"),
    "lang.switch": ("English", "中文"),
    "large_text.on": ("大字模式", "Large text"),
    "large_text.off": ("标准字号", "Normal text"),
    # account entry
    "account.title": ("请输入电费户号", "Enter your account number"),
    "account.hint": (
        "可用下方键盘输入，或将电费单上的条形码对准扫描口",
        "Type it on the keypad, or scan the barcode on your bill",
    ),
    "account.placeholder": ("户号", "Account number"),
    "key.clear": ("清除", "Clear"),
    "key.delete": ("退格", "Delete"),
    "key.ok": ("确定", "OK"),
    "nav.back": ("返回", "Back"),
    "nav.cancel": ("取消", "Cancel"),
    "nav.home": ("返回首页", "Home"),
    # looking up
    "lookup.title": ("正在查询户号 {account_no}", "Looking up account {account_no}"),
    "lookup.hint": ("请稍候……", "Please wait..."),
    # account shown
    "shown.title": ("账户信息", "Your account"),
    "shown.account_no": ("户号", "Account"),
    "shown.holder": ("户名", "Name"),
    "shown.address": ("地址", "Address"),
    "shown.period": ("账期", "Period"),
    "shown.amount": ("电费", "Amount"),
    "shown.late_fee": ("违约金", "Late fee"),
    "shown.due_date": ("缴费截止", "Due date"),
    "shown.total_due": ("应缴合计", "Total due"),
    "shown.balance": ("预付余额", "Prepaid balance"),
    "shown.no_bills": ("暂无欠费", "No unpaid bills"),
    "shown.as_of": ("数据截至 {when}", "As of {when}"),
    "shown.pay_all": ("缴清全部 {amount}", "Pay all due {amount}"),
    "shown.other": ("其他金额", "Other amount"),
    "shown.continue": ("去缴费", "Pay"),
    "shown.done_checking": ("完成", "Done"),
    "amount.title": ("请输入缴费金额（元）", "Enter the amount (yuan)"),
    "amount.limits": (
        "预存或部分缴费，单笔 {min} 至 {max}",
        "Prepay or pay part: {min} to {max} per payment",
    ),
    "amount.bad": ("请输入有效金额，最多两位小数", "Enter a valid amount, at most two decimals"),
    # method
    "method.title": ("请选择支付方式", "Choose how to pay"),
    "method.amount": ("缴费金额 {amount}", "Amount {amount}"),
    "method.cash": ("现金", "Cash"),
    "method.qr": ("扫码支付", "Scan to pay (QR)"),
    "method.card": ("充值卡", "Recharge card"),
    "method.preparing": ("正在准备，请稍候……", "Getting ready, please wait..."),
    # reasons a method is unavailable
    "reason.disabled": ("暂停使用", "not offered here"),
    "reason.cashbox_full": ("钱箱已满", "cash box is full"),
    "reason.offline_count": ("网络中断，暂停收取现金", "offline: cash paused"),
    "reason.offline_total": ("网络中断，暂停收取现金", "offline: cash paused"),
    "reason.offline_age": ("网络中断，暂停收取现金", "offline: cash paused"),
    "reason.server_offline": ("网络中断", "no connection to the utility"),
    "reason.printer": ("打印机无法打印", "printer cannot print"),
    "reason.printer_paper_out": ("打印机缺纸", "printer is out of paper"),
    "reason.acceptor": ("纸币识别器故障", "note acceptor fault"),
    "reason.unknown": ("暂不可用", "not available now"),
    # cash
    "cash.title": ("请放入纸币", "Insert banknotes"),
    "cash.accepts": ("可接收面额", "Accepted notes"),
    "cash.inserted": ("已投入", "Inserted"),
    "cash.still_due": ("还需", "Still due"),
    "cash.surplus": ("多缴部分存入预付余额", "Extra goes to your prepaid balance"),
    "cash.no_change": ("本机不找零", "No change is given"),
    "cash.finish": ("完成缴费", "Finish"),
    "cash.in_escrow": ("正在识别纸币……", "Checking your note..."),
    "cash.cancel_hint": ("放入第一张纸币后不能取消", "No cancelling after the first note"),
    # qr
    "qr.title": ("请用手机扫码支付", "Scan with your phone to pay"),
    "qr.amount": ("支付金额 {amount}", "Amount {amount}"),
    "qr.seconds_left": ("剩余 {seconds} 秒", "{seconds} s left"),
    "qr.waiting": ("正在生成二维码……", "Preparing the QR code..."),
    # card
    "card.title": ("请输入充值卡卡号和密码", "Enter the card number and PIN"),
    "card.number": ("卡号", "Card number"),
    "card.pin": ("密码", "PIN"),
    "card.submit": ("确认缴费", "Pay"),
    "card.attempts_left": ("密码错误，还可尝试 {n} 次", "Wrong PIN: {n} tries left"),
    # processing
    "processing.title": ("正在处理，请勿离开", "Processing, please stay"),
    # done
    "done.posted": ("缴费成功", "Payment complete"),
    "done.queued": ("已记录，联网后自动入账", "Recorded; it will be posted when back online"),
    "done.unconfirmed": (
        "结果待确认，请保留凭条并联系客服",
        "Not yet confirmed: keep your receipt and call us",
    ),
    "done.cancelled": ("已取消，未收取任何费用", "Cancelled; nothing was charged"),
    "done.amount": ("缴费金额 {amount}", "Paid {amount}"),
    "done.credited": ("存入预付余额 {amount}", "Added to prepaid balance {amount}"),
    "done.balance": ("当前余额 {amount}", "Balance now {amount}"),
    "done.txn": ("流水号 {txn}", "Transaction {txn}"),
    "print.pending": ("正在打印凭条……", "Printing your receipt..."),
    "print.printed": ("请取走凭条", "Please take your receipt"),
    "print.failed": (
        "凭条无法打印，请扫描下方二维码查看电子凭条",
        "The receipt could not print: scan the code below for it",
    ),
    "print.skipped": ("请扫描下方二维码查看电子凭条", "Scan the code below for your receipt"),
    # out of service
    "oos.title": ("暂停服务", "Out of service"),
    "oos.hint": ("给您带来不便，敬请谅解", "Sorry for the inconvenience"),
    "oos.still_works": ("仍可使用：{methods}", "Still available: {methods}"),
    "oos.nothing": ("请前往营业厅柜台办理", "Please use the service counter"),
    "maintenance.title": ("维护中", "Under maintenance"),
    "recovering": ("正在恢复上一笔交易，请稍候", "Finishing the previous transaction..."),
    # idle
    "idle.title": ("还需要更多时间吗？", "Need more time?"),
    "idle.seconds": ("{seconds} 秒后返回首页", "Returning home in {seconds} s"),
    "idle.yes": ("需要，继续", "Yes, continue"),
    # errors: what happened, then what to do
    "error.account_format": (
        "户号格式不正确，请核对电费单上的户号后重新输入",
        "That account number is not valid: check it on your bill and try again",
    ),
    "error.account_not_found": (
        "未找到该户号，请核对后重新输入",
        "No account with that number: check it and try again",
    ),
    "error.server_offline": (
        "暂时无法连接供电公司，请稍后再试，或使用现金缴费",
        "Cannot reach the utility now: try again later",
    ),
    "error.server_error": (
        "供电公司系统繁忙，请稍后再试",
        "The utility's system is busy: please try again later",
    ),
    "error.rate_limited": ("操作过于频繁，请稍后再试", "Too many tries: wait a moment"),
    "error.amount_out_of_range": (
        "金额超出范围（{min} 至 {max}），请重新输入",
        "Amount out of range ({min} to {max}): enter another",
    ),
    "error.amount_invalid": ("金额无效，请重新输入", "Invalid amount: enter another"),
    "error.method_unavailable": (
        "该支付方式暂不可用（{reason}），请选择其他方式",
        "That way to pay is unavailable ({reason}): choose another",
    ),
    "error.acceptor_fault": (
        "纸币识别器故障，已收金额将正常入账。如有疑问请联系工作人员",
        "The note acceptor failed; what you inserted is credited. Ask staff if unsure",
    ),
    "error.card_pin_invalid": ("充值卡密码错误，请重新输入", "Wrong card PIN: try again"),
    "error.card_used": ("该充值卡已被使用", "This card has already been used"),
    "error.card_locked": (
        "该充值卡已锁定，请联系客服",
        "This card is locked: please call customer service",
    ),
    "error.card_not_found": ("卡号不存在，请核对", "No such card: check the number"),
    "error.card_number_invalid": (
        "卡号或密码格式不正确，请核对后重新输入",
        "Card number or PIN is not valid: check and type again",
    ),
    "error.qr_expired": ("二维码已过期，请重新选择支付方式", "The QR code expired: choose again"),
    "error.generic": (
        "出现问题（{code}），请重试或联系工作人员",
        "Something went wrong ({code}): try again or ask staff",
    ),
    # notices
    "notice.note_accepted": ("已收到纸币", "Note accepted"),
    "notice.note_returned": ("纸币已退回，请取回", "Note returned: please take it"),
    "notice.returned": ("纸币已退回（{reason}），请取回", "Note returned ({reason}): take it"),
    "notice.rejected": ("无法识别该纸币，请换一张", "Note not recognised: try another"),
    "notice.generic": ("请注意：{code}", "Note: {code}"),
    "maintenance.long_press": ("维护", "Service"),
}


def tr(msg_id: str, language: str, **values: object) -> str:
    """The text for msg_id in language, with {placeholders} filled in."""
    index = 0 if language == "zh" else 1
    pair = _TEXTS.get(msg_id)
    if pair is None:
        log.warning("no text for message id %r", msg_id)
        pair = _TEXTS["error.generic"]
        values = {"code": msg_id}
    text = pair[index] or pair[1 - index]
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        log.warning("text %r lacks values for its placeholders: %r", msg_id, values)
        return text


def has(msg_id: str) -> bool:
    return msg_id in _TEXTS


def all_ids() -> list[str]:
    return sorted(_TEXTS)


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
