"""The customer screens' texts: id -> (zh, en); placeholders are str.format names."""

from __future__ import annotations

SCREENS: dict[str, tuple[str, str]] = {
    # home
    "home.title": ("电费自助缴费", "Electricity bill self-service"),
    "home.pay": ("缴纳电费", "Pay electricity bill"),
    "home.card": ("充值卡缴费", "Recharge card"),
    "home.check": ("查询电费", "Check my bill"),
    "home.hint": ("请点击下方按钮开始", "Touch a button below to start"),
    # the payment notice (ui/widgets/payment_notice.py)
    "notice.accepted": ("本机现可：{methods}", "This kiosk takes now: {methods}"),
    "notice.accepted_none": ("本机暂时不能收费", "This kiosk cannot take payments now"),
    "notice.cash_here": (
        "本机收纸币、不找零；也可到供电营业厅柜台用现金缴费",
        "Notes taken, no change given; you can also pay cash at a service counter",
    ),
    "notice.cash_elsewhere": (
        "本机暂不收现金：请到就近的供电营业厅柜台用现金缴费",
        "No cash here now: pay cash at the nearest service counter",
    ),
    "notice.phone": ("客服电话 {phone}", "Service phone {phone}"),
    "where.side": ("右侧", "on the right"),
    "where.below": ("下方", "below"),
    "lang.switch": ("English", "中文"),
    "large_text.on": ("大字模式", "Large text"),
    "large_text.off": ("标准字号", "Normal text"),
    # account entry
    "account.title": ("请输入电费户号", "Enter your account number"),
    "account.hint": (
        "可用{where}键盘输入，或将电费单上的条形码对准扫描口",
        "Type it on the keypad {where}, or scan the barcode on your bill",
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
    # the account's usage (ui/screens/usage.py); 度 is how customers say kWh (千瓦时)
    "shown.usage": ("用电情况", "Usage"),
    "usage.title": ("用电情况", "Your electricity use"),
    "usage.meter": ("电表编号 {meter}", "Meter {meter}"),
    "usage.reading": ("{date}抄表 {kwh} 度", "Read {date}: {kwh} kWh"),
    "usage.none": ("暂无", "None on record"),
    "usage.months": ("近12个月用电量", "Electricity used, last 12 months"),
    "usage.kwh": ("度", "kWh"),
    "usage.year": (
        "今年已用电 {kwh} 度\n{tier}，每度 {price} 元",
        "This year: {kwh} kWh\n{tier}: ¥{price}/kWh",
    ),
    "usage.year_only": ("今年已用电 {kwh} 度", "This year: {kwh} kWh"),
    "usage.to_next": ("再用 {kwh} 度进入{tier}", "{kwh} kWh more to {tier}"),
    "usage.top_tier": ("已是最高一档", "This is the highest tier"),
    "usage.no_tiers": ("本户不执行居民阶梯电价", "Tiered household prices do not apply"),
    "usage.tier_up_to": (
        "{tier}：{start}–{to} 度，每度 {price} 元",
        "{tier}: {start}–{to} kWh, ¥{price}/kWh",
    ),
    "usage.tier_above": (
        "{tier}：{above} 度以上，每度 {price} 元",
        "{tier}: above {above} kWh, ¥{price}/kWh",
    ),
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
    "method.paycode": ("付款码支付", "Show payment code"),
    # payment code
    "paycode.title": ("请出示付款码", "Show your payment code"),
    "paycode.how": (
        "打开微信、支付宝、云闪付或网上国网的“付款码”，将手机屏幕对准下方扫码窗口",
        "Open the payment code in WeChat, Alipay, UnionPay or State Grid app and hold the "
        "phone screen to the scanner window below",
    ),
    "paycode.amount": ("支付金额 {amount}", "Amount {amount}"),
    "paycode.posting": ("正在支付，请稍候……", "Paying, please wait..."),
    "paycode.userpaying": (
        "请在手机上确认支付（输入密码）",
        "Confirm the payment on your phone (enter your PIN)",
    ),
    "paycode.cancelling": ("正在撤销支付……", "Cancelling the payment..."),
    "paycode.error.not_digits": (
        "这不是付款码，请出示支付软件中的付款码",
        "That is not a payment code: show the one in your payment app",
    ),
    "paycode.error.unknown_format": (
        "无法识别的付款码，请刷新付款码后重试",
        "Payment code not recognised: refresh it and try again",
    ),
    "paycode.error.empty": ("未读到付款码，请重试", "Nothing was read: try again"),
    "paycode.error.insufficient_funds": (
        "余额不足，请更换支付方式或充值后重试",
        "Insufficient funds: use another payment or top up",
    ),
    "paycode.error.code_expired": (
        "付款码已过期，请刷新后重试",
        "The code expired: refresh it and try again",
    ),
    "paycode.error.code_invalid": (
        "付款码无效，请刷新后重试",
        "The code is not valid: refresh it and try again",
    ),
    "paycode.error.other": (
        "支付未成功（{reason}），请重试或更换支付方式",
        "Not paid ({reason}): try again or pay another way",
    ),
    "reason.scanner_not_ready": ("扫码器未就绪", "scanner not ready"),
    "method.available": ("可以使用", "available"),
    "method.unavailable": ("暂不可用：{reason}", "not available: {reason}"),
    "method.receipt_qr": (
        "{reason}，本次不能打印纸质凭条：缴费后请用手机扫描屏幕上的二维码，获取电子凭条。",
        "{reason}: no paper receipt this time. After paying, scan the code on the screen "
        "with your phone for your e-receipt.",
    ),
    "method.receipt_none": (
        "{reason}，本次不能打印凭条：缴费后请记下屏幕上的流水号。",
        "{reason}: no receipt can be printed. After paying, note the transaction number "
        "shown on the screen.",
    ),
    "method.receipt_qr_short": (
        "{reason}：凭条改为屏幕上的二维码",
        "{reason}: your receipt will be a code on the screen",
    ),
    "method.receipt_none_short": ("{reason}：本次没有凭条", "{reason}: no receipt this time"),
    "method.preparing": ("正在准备，请稍候……", "Getting ready, please wait..."),
    # reasons a method is unavailable
    "reason.disabled": ("暂停使用", "not offered here"),
    "reason.cashbox_full": ("钱箱已满", "cash box is full"),
    "reason.offline_count": ("网络中断，暂停收取现金", "offline: cash paused"),
    "reason.offline_total": ("网络中断，暂停收取现金", "offline: cash paused"),
    "reason.offline_age": ("网络中断，暂停收取现金", "offline: cash paused"),
    "reason.server_offline": ("网络中断", "no connection to the utility"),
    "reason.server_auth": ("终端未获授权，暂停收费", "kiosk not accepted by the utility"),
    "reason.printer": ("打印机无法打印", "printer cannot print"),
    "reason.printer_paper_out": ("打印机缺纸", "printer is out of paper"),
    "reason.acceptor": ("纸币识别器故障", "note acceptor fault"),
    "reason.journal_fault": (
        "本机暂时无法记录交易，暂停收费，请稍后再试或前往营业厅",
        "this kiosk cannot record payments right now: try later or use the service counter",
    ),
    "reason.locked": ("运营人员已暂停本机服务", "taken out of service by the utility"),
    "reason.disk_low": ("本机存储空间不足，暂停收取现金", "kiosk storage is low: cash paused"),
    "reason.recovering": ("正在核对上一笔现金", "checking the previous cash payment"),
    "reason.unpaired": (
        "未配对：请在维护界面输入配对码",
        "Not paired: enter a pairing code on the maintenance screen",
    ),
    "reason.unknown": ("暂不可用", "not available now"),
    # cash
    "cash.title": ("请放入纸币", "Insert banknotes"),
    "cash.accepts": ("可接收面额", "Accepted notes"),
    "cash.accepts_list": ("本机收 {notes} 纸币", "This kiosk takes {notes} notes"),
    "cash.inserted": ("已投入", "Inserted"),
    "cash.still_due": ("还需", "Still due"),
    "cash.surplus": ("多缴部分存入预付余额", "Extra goes to your prepaid balance"),
    "cash.no_change": ("本机不找零", "No change is given"),
    "cash.finish": ("完成缴费", "Finish"),
    "cash.in_escrow": ("正在识别纸币……", "Checking your note..."),
    "cash.paused": (
        "暂停收款：本机正在记录您的纸币，请稍候，请勿再放入纸币",
        "Paused: the kiosk is recording your note. Please wait; insert no more notes",
    ),
    "cash.confirm_owed": (
        "本次缴费 {paid}，仍欠 {owed}，确认结束？",
        "You have paid {paid}; {owed} is still owed. Finish now?",
    ),
    "cash.confirm_short": (
        "本次缴费 {paid}，比您选择的金额少 {short}，确认结束？",
        "You have paid {paid}, {short} less than you chose. Finish now?",
    ),
    "cash.confirm_yes": ("确认结束", "Yes, finish"),
    "cash.confirm_no": ("继续放入纸币", "No, insert more"),
    "owed.amount": ("仍欠电费 {amount}", "Still owed {amount}"),
    "owed.due_by": ("请于 {day}前缴清", "Please pay it by {day}"),
    "owed.overdue": (
        "已过缴费截止日（{day}），违约金按日计收，请尽快缴清",
        "Overdue since {day}: a late fee accrues daily, please pay soon",
    ),
    "done.partial": ("已缴费，仍有欠费", "Paid in part: some is still owed"),
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
    "card.next": ("下一项：密码", "Next: PIN"),
    "card.number_placeholder": ("16 位卡号", "16-digit card number"),
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
    "done.pending_verification": ("纸币待核实", "Your note is pending verification"),
    "done.partly_pending": (
        "缴费已记录，另有纸币待核实",
        "Recorded; one note is pending verification",
    ),
    "done.pending": (
        "待核实 {amount}：本机未能确认该纸币是否已入钱箱。技术人员将核对钱箱，"
        "如确认收到，将计入您的账户。请保留凭条并记下流水号。",
        "Pending verification {amount}: the kiosk could not confirm that this note reached "
        "the cash box. A technician will check the box; if it is found, your account is "
        "credited. Keep your receipt and the transaction number.",
    ),
    "done.invoice_qr": (
        "需要电子发票？请用手机扫描下方二维码填写抬头",
        "Need an e-invoice? Scan the code below with your phone",
    ),
    "done.pending_short": (
        "待核实 {amount}：技术人员核对钱箱后入账，请保留凭条",
        "Pending {amount}: credited once a technician checks the box; keep your receipt",
    ),
    "owed.overdue_short": ("已过截止日 {day}，请尽快缴清", "Overdue since {day}: pay soon"),
    "print.failed_short": (
        "凭条未能打印：请扫描{where}二维码",
        "No paper receipt: scan the code {where}",
    ),
    "print.skipped_short": ("电子凭条：请扫描{where}二维码", "Your receipt: scan the code {where}"),
    "done.late_credited": ("已确认并入账 {amount}", "Confirmed and credited {amount}"),
    "done.amount": ("本次缴费 {amount}", "Amount paid {amount}"),
    "done.credited": ("存入预付余额 {amount}", "Added to prepaid balance {amount}"),
    "done.balance": ("预付余额 {amount}", "Prepaid balance {amount}"),
    "done.txn": ("流水号 {txn}", "Transaction {txn}"),
    "print.pending": ("正在打印凭条……", "Printing your receipt..."),
    "print.printed": ("请取走凭条", "Please take your receipt"),
    "print.failed": (
        "凭条无法打印，请用手机扫描{where}二维码查看电子凭条",
        "The receipt could not print: scan the code {where} with your phone for it",
    ),
    "print.skipped": (
        "请用手机扫描{where}二维码查看电子凭条",
        "Scan the code {where} with your phone for your receipt",
    ),
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
    "idle.seconds_cash": (
        "{seconds} 秒后自动结束缴费：已放入的 {amount} 将计入您的账户，不会丢失",
        "In {seconds} s the payment ends by itself: the {amount} you inserted is credited "
        "to your account, nothing is lost",
    ),
    "done.home_in": ("{seconds} 秒后返回首页", "Back to the start in {seconds} s"),
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
        "暂时查不到户号（连不上供电公司，现金缴费也要先查询）：请过几分钟再试，或到营业厅柜台缴费",
        "Cannot reach the utility to look up your account (cash needs it too): "
        "try again in a few minutes or pay at a service counter",
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
    "error.method_unavailable_none": (
        "暂时无法缴费（{reason}），请稍后再试，或前往供电营业厅柜台缴费",
        "No way to pay works right now ({reason}): try later, or pay at a service counter",
    ),
    "error.method_unavailable": (
        "该支付方式暂不可用（{reason}），请选择其他方式",
        "That way to pay is unavailable ({reason}): choose another",
    ),
    "error.acceptor_fault": (
        "纸币识别器故障，已收金额将正常入账。如有疑问请联系工作人员",
        "The note acceptor failed; what you inserted is credited. Ask staff if unsure",
    ),
    "error.acceptor_fault_short": (
        "识别器故障：已收的钱照常入账",
        "Acceptor failed: your money is credited",
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
