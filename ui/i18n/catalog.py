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
    "done.amount": ("缴费金额 {amount}", "Paid {amount}"),
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
    # maintenance (technicians and collectors)
    "mt.key.space": ("空格", "Space"),
    "mt.close": ("关闭维护界面", "Close maintenance"),
    "mt.refresh": ("刷新", "Refresh"),
    "mt.yes": ("是", "yes"),
    "mt.no": ("否", "no"),
    "mt.on": ("已启用", "on"),
    "mt.off": ("已停用", "off"),
    "mt.empty": ("空", "empty"),
    "mt.loading": ("正在读取……", "Loading..."),
    "mt.bar.title": ("维护模式", "Maintenance"),
    "mt.bar.user": ("维护人员：{name}（{id}）", "Signed in: {name} ({id})"),
    "mt.bar.menu": ("菜单", "Menu"),
    "mt.bar.logout": ("退出登录", "Log out"),
    "mt.login.title": ("维护人员登录", "Staff sign-in"),
    "mt.login.id": ("工号", "Staff id"),
    "mt.login.pin": ("密码", "PIN"),
    "mt.login.submit": ("登录", "Sign in"),
    "mt.login.fill_both": ("请输入工号和密码", "Enter your staff id and PIN"),
    "mt.login.locked": (
        "密码错误次数过多，{until} 前暂停登录",
        "Too many wrong PINs: sign-in is locked until {until}",
    ),
    "mt.msg.locked": (
        "密码错误次数过多，{until} 前暂停登录",
        "Too many wrong PINs: sign-in is locked until {until}",
    ),
    "mt.msg.login_failed": ("工号或密码错误，请重新输入", "Wrong staff id or PIN: try again"),
    "mt.msg.login_failed_left": (
        "工号或密码错误，再错 {n} 次将暂停登录",
        "Wrong staff id or PIN: {n} more tries before sign-in locks",
    ),
    "mt.msg.login_required": ("请先登录", "Please sign in first"),
    "mt.msg.not_allowed": ("您的角色无权执行此操作", "Your role may not do that"),
    "mt.msg.unknown_action": (
        "未知操作（{detail}）：请更新本机软件，或报告维护主管",
        "Unknown action ({detail}): update the kiosk software, or report it",
    ),
    "mt.msg.bad_arguments": (
        "操作未执行，请求有误（{detail}）：请返回菜单重试，仍出错请报告维护主管",
        "Not done, the request was malformed ({detail}): go back to the menu and try again; "
        "report it if it happens again",
    ),
    "mt.msg.collection_not_allowed": (
        "您的角色不能提交清点：请由收款员登录提交",
        "Your role may not commit a collection: a cash collector must sign in to commit it",
    ),
    "mt.msg.action_failed": ("操作未完成：{detail}", "Not done: {detail}"),
    "mt.msg.power_actions_disabled": (
        "本机配置不允许从屏幕重启或关机",
        "This kiosk's configuration does not allow reboot or shutdown from the screen",
    ),
    "mt.menu.title": ("维护菜单", "Maintenance menu"),
    "mt.menu.who": ("{name}（工号 {id}），{role}", "{name} ({id}), {role}"),
    "mt.role.technician": ("技术员", "technician"),
    "mt.role.collector": ("收款员", "cash collector"),
    "mt.page.status": ("设备状态", "Status"),
    "mt.page.tests": ("设备测试", "Device tests"),
    "mt.page.collection": ("清点钱箱", "Cash collection"),
    "mt.page.suspects": ("可疑与待处理交易", "Suspect transactions"),
    "mt.page.journal": ("交易查询", "Journal"),
    "mt.page.system": ("系统", "System"),
    "mt.page.pair": ("配对中心服务器", "Pair with the server"),
    "mt.status.section.acceptor": ("纸币识别器", "Note acceptor"),
    "mt.status.section.printer": ("凭条打印机", "Receipt printer"),
    "mt.status.section.server": ("中心服务器", "Central server"),
    "mt.status.section.outbox": ("待上传交易", "Outbox"),
    "mt.status.section.limits": ("离线限额", "Offline limits"),
    "mt.status.section.cashbox": ("钱箱", "Cash box"),
    "mt.status.section.methods": ("支付方式", "Ways to pay"),
    "mt.status.section.software": ("软件", "Software"),
    "mt.status.section.disk": ("数据盘", "Data disk"),
    "mt.status.disk_free": ("可用空间", "Free space"),
    "mt.status.disk_free_value": ("{free} MB（下限 {floor} MB）", "{free} MB (floor {floor} MB)"),
    "mt.status.disk_low": (
        "低于下限，暂停收取现金：请清理 {path}",
        "below the floor, cash paused: free space on {path}",
    ),
    "mt.status.disk_state": ("状态", "State"),
    "mt.status.journal": ("交易记录", "Payment journal"),
    "mt.journal.full": (
        "数据盘已满，暂停收费；请清理空间（{detail}）",
        "Data disk full, payments paused; free some space ({detail})",
    ),
    "mt.journal.read_only": (
        "数据盘只读，暂停收费；请检查存储（{detail}）",
        "Data disk read-only, payments paused; check the storage ({detail})",
    ),
    "mt.journal.failing": (
        "数据盘读写出错（存储卡可能损坏），暂停收费；请修复或更换存储卡后重启（{detail}）",
        "Data disk failing (I/O errors), payments paused; repair or replace the card, then "
        "restart ({detail})",
    ),
    "mt.journal.failed": (
        "交易记录写入失败，暂停收费（{detail}）",
        "Journal writes fail, payments paused ({detail})",
    ),
    "mt.status.journal_ok": ("可写入", "writable"),
    "mt.status.state": ("状态", "State"),
    "mt.status.model": ("型号", "Model"),
    "mt.status.serial": ("序列号", "Serial"),
    "mt.status.firmware": ("固件", "Firmware"),
    "mt.status.bill_table": ("币种表", "Bill table"),
    "mt.status.last_error": ("最近错误", "Last error"),
    "mt.status.paper": ("纸张", "Paper"),
    "mt.status.detail": ("详情", "Detail"),
    "mt.printer.advice.ready": ("正常", "working"),
    "mt.printer.advice.paper_out": ("请装入新纸卷", "load a new roll"),
    "mt.printer.advice.paper_near_end": ("请尽快更换纸卷", "replace the roll soon"),
    "mt.printer.advice.cover_open": ("请合上机盖", "close the cover"),
    "mt.printer.advice.cutter_error": ("请清理切刀", "clear the cutter"),
    "mt.printer.advice.unrecoverable_error": (
        "请关闭打印机电源再开启",
        "switch the printer off and on again",
    ),
    "mt.printer.advice.offline": (
        "打印机离线：检查打印头是否过热",
        "the printer is offline: check whether the print head is too hot",
    ),
    "mt.status.reachable": ("可连接", "Reachable"),
    "mt.status.latency": ("延迟", "Latency"),
    "mt.status.clock": ("时钟偏差", "Clock offset"),
    "mt.status.clock_value": ("本机 − 服务器 = {offset} 秒", "kiosk − server = {offset} s"),
    "mt.status.clock_warn": (
        "本机 − 服务器 = {offset} 秒，超过 {limit} 秒：已按服务器时间签名和记账，"
        "请检查时间同步（chrony 或 systemd-timesyncd）",
        "kiosk − server = {offset} s, over {limit} s: signing and stamps use the "
        "server's time; check time sync (chrony or systemd-timesyncd)",
    ),
    "mt.status.clock_unknown": (
        "未知（服务器尚未应答）",
        "unknown (no answer from the server yet)",
    ),
    "mt.status.auth": ("终端认证", "Credentials"),
    "mt.status.auth_ok": ("正常", "accepted"),
    "mt.status.parked": ("上传暂停", "Posting parked"),
    "mt.status.parked_value": (
        "已暂停（见“终端认证”），交易均已保留，修复后重启即上传",
        "yes (see Credentials): items kept, posted once fixed and restarted",
    ),
    "mt.auth.bad_signature": (
        "服务器拒绝本机签名：请核对 central.secret 后重启",
        "the server refuses this kiosk's signature: check central.secret, then restart",
    ),
    "mt.auth.kiosk_disabled": (
        "本终端已在服务器上停用：请联系中心启用",
        "this kiosk is disabled on the server: ask the centre to enable it",
    ),
    "mt.auth.other": ("服务器拒绝本机请求（{reason}）", "the server refuses this kiosk ({reason})"),
    "mt.status.pending": ("待上传", "Waiting"),
    "mt.status.oldest": ("最早未上传", "Oldest unposted"),
    "mt.status.needs_attention": ("需人工处理", "Needs attention"),
    "mt.status.limit_count": ("笔数", "Count"),
    "mt.status.limit_total_fen": ("金额", "Amount"),
    "mt.status.limit_age_s": ("最长时间", "Oldest age"),
    "mt.status.notes": ("面额张数", "Notes"),
    "mt.status.total": ("合计", "Total"),
    "mt.status.fill": ("装填", "Fill level"),
    "mt.status.fill_value": (
        "{used} / {capacity} 张（{percent}%）",
        "{used} / {capacity} notes ({percent}%)",
    ),
    "mt.status.method_cash": ("现金", "Cash"),
    "mt.status.method_qr": ("扫码支付", "QR"),
    "mt.status.method_card": ("充值卡", "Recharge card"),
    "mt.status.version": ("版本", "Version"),
    "mt.status.kiosk_id": ("终端编号", "Kiosk id"),
    "mt.status.uptime": ("运行时间", "Uptime"),
    "mt.status.count_amount": ("{n} 笔，{amount}", "{n}, {amount}"),
    "mt.status.used_of": (
        "已用 {used}，上限 {limit}（{percent}%）",
        "{used} of {limit} ({percent}%)",
    ),
    "mt.status.works": ("可用", "available"),
    "mt.state.ready": ("正常", "ready"),
    "mt.state.starting": ("正在启动", "starting"),
    "mt.state.fault": ("故障", "fault"),
    "mt.state.disconnected": ("未连接", "disconnected"),
    "mt.state.not_started": ("未启动", "not started"),
    "mt.state.not_checked": ("未检测", "not checked"),
    "mt.state.not_answering": ("无应答", "not answering"),
    "mt.state.paper_out": ("缺纸", "out of paper"),
    "mt.state.paper_near_end": ("纸将用完", "paper nearly out"),
    "mt.state.cover_open": ("机盖打开", "cover open"),
    "mt.state.offline": ("离线", "offline"),
    "mt.state.cutter_error": ("切刀故障", "cutter error"),
    "mt.state.unrecoverable_error": ("严重故障", "unrecoverable error"),
    "mt.state.disabled": ("未启用", "disabled"),
    "mt.state.validator_jam": ("识别器卡币", "validator jammed"),
    "mt.state.cassette_jam": ("钱箱卡币", "cassette jammed"),
    "mt.state.cassette_full": ("钱箱已满", "cassette full"),
    "mt.state.cassette_removed": ("钱箱已取出", "cassette removed"),
    "mt.state.cheated": ("疑似作弊", "cheat attempt"),
    "mt.state.pause": ("暂停", "paused"),
    "mt.state.failure": ("硬件故障", "hardware failure"),
    "mt.state.unknown": ("未知", "unknown"),
    "mt.paper.ok": ("正常", "OK"),
    "mt.paper.near_end": ("将用完", "nearly out"),
    "mt.paper.out": ("缺纸", "out"),
    "mt.paper.unknown": ("未知", "unknown"),
    "mt.tests.print": ("打印测试页", "Print a test page"),
    "mt.tests.acceptor": ("纸币识别测试", "Note acceptor test"),
    "mt.tests.acceptor_on": ("开始识别测试", "Start the acceptor test"),
    "mt.tests.acceptor_off": ("结束识别测试", "End the acceptor test"),
    "mt.tests.acceptor_hint": (
        "测试模式下放入的纸币只识别、随即退回，不计入任何账户",
        "In test mode notes are recognised, then returned; nothing is credited",
    ),
    "mt.tests.recognised": (
        "测试中：已识别 {n} 张（均已退回）",
        "Testing: {n} notes recognised (all returned)",
    ),
    "mt.tests.methods": ("支付方式开关", "Ways to pay"),
    "mt.tests.method_state": ("{method}状态：{state}", "{method}: {state}"),
    "mt.tests.disable": ("停用{method}", "Turn {method} off"),
    "mt.tests.enable": ("启用{method}", "Turn {method} on"),
    "mt.system.outbox": (
        "待上传 {n} 笔，{amount}；最早 {oldest}",
        "Waiting: {n}, {amount}; oldest {oldest}",
    ),
    "mt.system.outbox_retry": ("立即重试上传", "Retry the outbox now"),
    "mt.system.restart_app": ("重启缴费程序", "Restart the kiosk application"),
    "mt.system.reboot": ("重启终端", "Reboot the kiosk"),
    "mt.system.shutdown": ("关机", "Shut down"),
    "mt.system.confirm": ("再按一次确认", "Tap again to confirm"),
    "mt.system.confirm_hint": (
        "重启和关机需连按两次确认",
        "Restart, reboot and shut down need a second tap",
    ),
    "mt.system.power_disabled": (
        "本机配置不允许从屏幕重启终端或关机",
        "Reboot and shut down are not allowed by this kiosk's configuration",
    ),
    "mt.pair.intro": (
        "本机编号 {kiosk_id}，中心服务器 {url}。请在中心服务器运行 kiosk-central pair-code"
        " {kiosk_id} 取得配对码（15 分钟内有效，只能用一次），在下面输入，横线可不输。",
        "Kiosk {kiosk_id}, central server {url}. On the server run kiosk-central pair-code "
        "{kiosk_id} for a pairing code (valid 15 minutes, one use) and type it below; dashes "
        "are optional.",
    ),
    "mt.pair.code": ("配对码", "Pairing code"),
    "mt.pair.submit": ("配对", "Pair"),
    "mt.pair.busy": ("正在连接中心服务器，请稍候……", "Contacting the central server, please wait…"),
    "mt.pair.paired": (
        "配对成功：新密钥已保存并立即启用，无需重启。",
        "Paired: the new secret is saved and in use now; no restart needed.",
    ),
    "mt.pair.source.environment": (
        "环境变量 KIOSK_SECRET",
        "the environment variable KIOSK_SECRET",
    ),
    "mt.pair.source.credential": (
        "systemd 凭据 kiosk-secret",
        "the systemd credential kiosk-secret",
    ),
    "mt.pair.overridden": (
        "本机密钥来自 {detail}，重启后仍以它为准，配对码未发送。请先移除该设置（见部署文档），"
        "或在该处更新密钥。",
        "This kiosk's secret comes from {detail}, which wins again at the next start, so the "
        "code was not sent. Remove that setting first (see the deployment guide), or update "
        "the secret there.",
    ),
    "mt.pair.malformed": (
        "配对码应为 12 位字母和数字，如 H7QK-2MXP-9TRD（不含 0、O、1、I、L）。请核对后重新输入。",
        "A pairing code is 12 letters and digits, e.g. H7QK-2MXP-9TRD (never 0, O, 1, I or L). "
        "Check it and type it again.",
    ),
    "mt.pair.refused": (
        "配对码错误、已使用或已过期，本机未配对。请在中心服务器运行"
        " kiosk-central pair-code {kiosk_id} 取得新的配对码。",
        "The code is wrong, used or expired: not paired. Print a new one on the central server "
        "with kiosk-central pair-code {kiosk_id}.",
    ),
    "mt.pair.unreachable": (
        "无法连接中心服务器 {url}，本机未配对。请检查网络和配置项 central.url 后重试；"
        "若配对码被拒绝，请重新取得。",
        "Cannot reach the central server {url}: not paired. Check the network and central.url "
        "in the configuration, then try again; print a new code if it is refused.",
    ),
    "mt.pair.not_writable": (
        "无法保存密钥文件 {path}，配对码未发送，仍可使用。请检查数据目录的权限和配置项"
        " central.secret_file，或以 root 身份运行 kiosk pair。",
        "Cannot write the secret file {path}; the code was not sent and is still good. Check "
        "the data directory's permissions and central.secret_file, or run kiosk pair as root.",
    ),
    "mt.pair.failed": ("配对未完成：{detail}", "Not paired: {detail}"),
    "mt.collection.face": ("面额", "Note"),
    "mt.collection.journal": ("记录张数", "Journal"),
    "mt.collection.device": ("设备计数", "Device"),
    "mt.collection.physical": ("实点张数", "Counted"),
    "mt.collection.diff": ("差额", "Difference"),
    "mt.collection.since": ("自 {since} 上次清点以来", "Since the last collection, {since}"),
    "mt.collection.journal_total": ("记录合计 {total}", "Journal total {total}"),
    "mt.collection.type_all": (
        "请逐项输入实点张数（没有请输入 0）",
        "Type the counted notes for each row (0 if none)",
    ),
    "mt.collection.no_difference": (
        "实点 {physical}，与记录 {journal} 一致",
        "Counted {physical}, matches the journal {journal}",
    ),
    "mt.collection.difference": (
        "实点 {physical}，记录 {journal}，差额 {diff}；提交后将如实记录",
        "Counted {physical}, journal {journal}, difference {diff}: it will be recorded",
    ),
    "mt.collection.commit": ("提交并打印清点单", "Commit and print the slip"),
    "mt.collection.done": ("清点已记录：{id}", "Collection recorded: {id}"),
    "mt.collection.recorded_even": ("无差额，清点单已打印", "No difference; the slip is printing"),
    "mt.collection.recorded_difference": (
        "差额 {diff} 已记录并上报，清点单已打印",
        "Difference {diff} recorded and reported; the slip is printing",
    ),
    "mt.collection.again": ("查看当前钱箱", "Show the cash box now"),
    "mt.suspects.none": ("没有待处理的交易", "Nothing waiting for a decision"),
    "mt.suspects.row_suspect": (
        "可疑：{txn}  {amount}  {when}",
        "Suspect: {txn}  {amount}  {when}",
    ),
    "mt.suspects.row_parked": (
        "待处理：{item}（{endpoint}）{amount}",
        "Needs attention: {item} ({endpoint}) {amount}",
    ),
    "mt.suspects.detail_suspect": (
        "流水号 {txn}\n户号 {account}\n金额 {amount}\n原因 {why}\n时间 {when}",
        "Transaction {txn}\nAccount {account}\nAmount {amount}\nWhy {why}\nWhen {when}",
    ),
    "mt.suspects.detail_parked": (
        "编号 {item}\n接口 {endpoint}\n金额 {amount}\n服务器答复 {why}",
        "Item {item}\nCall {endpoint}\nAmount {amount}\nServer said {why}",
    ),
    "mt.suspects.outcome": ("处理结果", "Outcome"),
    "mt.suspects.outcome.credited": ("已收到，入账", "Received: credit the account"),
    "mt.suspects.outcome.not_received": ("未收到", "Not received"),
    "mt.suspects.reason": ("处理原因（必填）", "Reason (required)"),
    "mt.suspects.reason_placeholder": ("选择常用原因或输入", "Pick a reason or type one"),
    "mt.suspects.reason_required": (
        "请填写原因（至少 {n} 个字符）",
        "A reason is required (at least {n} characters)",
    ),
    "mt.suspects.preset.counted": ("清点钱箱核实", "Confirmed by counting the cash box"),
    "mt.suspects.preset.cctv": ("监控录像核实", "Confirmed on the camera recording"),
    "mt.suspects.preset.customer_receipt": ("客户凭证核实", "Confirmed by the customer's proof"),
    "mt.suspects.preset.device_log": ("设备记录核实", "Confirmed by the device's log"),
    "mt.suspects.preset.server_fixed": (
        "服务器端已修正，重新上传",
        "Fixed on the server side: send again",
    ),
    "mt.suspects.submit": ("提交处理结果", "Record the decision"),
    "mt.suspects.retry": ("重新上传", "Send again"),
    "mt.journal.query": ("流水号或户号", "Txn id or account"),
    "mt.journal.query_hint": ("留空显示最近交易", "Empty: the latest"),
    "mt.journal.day": ("日期", "Day"),
    "mt.journal.bad_day": (
        "日期格式应为 年-月-日，例如 2026-11-02",
        "A day is written YYYY-MM-DD, e.g. 2026-11-02",
    ),
    "mt.journal.search": ("查询", "Search"),
    "mt.journal.count": ("共 {n} 笔（最多显示 50 笔）", "{n} found (at most 50 shown)"),
    "mt.journal.row": (
        "{txn}  户号 {account}  {method}  {state}  {amount}  {when}",
        "{txn}  acct {account}  {method}  {state}  {amount}  {when}",
    ),
    "mt.journal.detail": ("交易 {txn} 的记录", "Events of {txn}"),
    "mt.journal.reprint": ("补打凭条（副本）", "Reprint the receipt (copy)"),
    # technicians: internal reasons, events and confirmations in words (ui/maintenance/words.py)
    "mt.why.no_report_after_stack": (
        "已发出入钞指令，但识别器没有报告纸币入箱或退回",
        "the acceptor was told to stack the note but reported neither stacked nor returned",
    ),
    "mt.why.read_timeout": ("中心服务器应答超时", "the central server did not answer in time"),
    "mt.why.connect_timeout": ("连接中心服务器超时", "connecting to the central server timed out"),
    "mt.why.connect_error": ("无法连接中心服务器", "could not connect to the central server"),
    "mt.why.timeout": ("等待超时", "timed out"),
    "mt.why.invalid_request": (
        "中心服务器拒收：请求内容不符合要求",
        "the central server refused the request as invalid",
    ),
    "mt.why.no_printer": ("本机未配置打印机", "no printer is configured"),
    "mt.why.power_cut": ("交易中断电", "power was cut during the transaction"),
    "mt.why.none": ("未说明原因", "no reason given"),
    "mt.why.other": ("其他原因（原文：{raw}）", "another reason (as reported: {raw})"),
    "mt.field.method": ("方式", "method"),
    "mt.field.account_no": ("户号", "account"),
    "mt.field.denomination_fen": ("面额", "note"),
    "mt.field.decision": ("处理", "decision"),
    "mt.field.cash_fen": ("现金", "cash"),
    "mt.field.amount_fen": ("金额", "amount"),
    "mt.field.server_ref": ("中心流水", "server ref"),
    "mt.field.reason": ("原因", "reason"),
    "mt.field.outcome": ("结果", "outcome"),
    "mt.decision.stack": ("收入", "stack"),
    "mt.decision.return": ("退回", "return"),
    "mt.event.opened": ("开始交易", "opened"),
    "mt.event.escrow": ("纸币暂存", "note in escrow"),
    "mt.event.stacked": ("纸币入箱", "note stacked"),
    "mt.event.returned": ("纸币退回", "note returned"),
    "mt.event.closed": ("结束收款", "closed"),
    "mt.event.cancelled": ("已取消", "cancelled"),
    "mt.event.suspect": ("可疑纸币", "suspect note"),
    "mt.event.queued": ("待上传", "queued"),
    "mt.event.posted": ("已入账", "posted"),
    "mt.event.needs_attention": ("需人工处理", "needs attention"),
    "mt.event.receipt_printed": ("凭条已打印", "receipt printed"),
    "mt.event.receipt_failed": ("凭条未打印", "receipt not printed"),
    "mt.event.qr_order": ("生成扫码订单", "QR order"),
    "mt.event.qr_closed": ("扫码订单关闭", "QR order closed"),
    "mt.event.card_rejected": ("充值卡被拒", "card rejected"),
    "mt.event.resolved": ("已人工处理", "resolved"),
    "mt.txn_state.open": ("进行中", "open"),
    "mt.txn_state.closed": ("已完成", "closed"),
    "mt.txn_state.cancelled": ("已取消", "cancelled"),
    "mt.txn_state.rejected": ("被拒", "rejected"),
    "mt.status.method_paycode": ("付款码", "Payment code"),
    "mt.ack.reprint": (
        "已发送补打（副本）到打印机，请查看出纸口",
        "Reprint (copy) sent to the printer: check the slot",
    ),
    "mt.ack.print_test_page": (
        "已发送测试页到打印机，请查看出纸口",
        "Test page sent to the printer: check the slot",
    ),
    "mt.ack.outbox_retry": ("已开始重新上传", "Upload retry started"),
    "mt.ack.set_method": ("支付方式开关已更改", "Ways to pay changed"),
    "mt.ack.resolve_suspect": ("处理结果已记录", "Decision recorded"),
    "mt.ack.retry_item": ("已重新上传", "Sent again"),
    "mt.ack.collection_commit": ("清点已提交", "Collection committed"),
    "mt.ack.acceptor_test": ("识别测试状态已更改", "Acceptor test switched"),
    "mt.ack.done": ("已执行", "Done"),
    "mt.endpoint.payments": ("缴费", "payment"),
    "mt.endpoint.resolutions": ("可疑处理", "resolution"),
    "mt.endpoint.collections": ("清点", "collection"),
    "mt.journal.back": ("返回查询结果", "Back to the results"),
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
