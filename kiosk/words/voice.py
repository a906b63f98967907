"""The spoken prompts (kiosk/voice.py renders them with espeak-ng): id -> (zh, en).

``{yuan}`` is an amount in words espeak reads well ("50 元", "50 yuan"). Short and plain:
they are heard once, often by someone who reads the screen with difficulty.
"""

from __future__ import annotations

VOICE: dict[str, tuple[str, str]] = {
    "voice.account_entry": (
        "请输入电费户号，或扫描电费单上的条形码",
        "Enter your account number, or scan your bill",
    ),
    "voice.account_shown": ("请核对户名，选择缴费金额", "Check the name, then choose the amount"),
    "voice.method": ("请选择支付方式", "Choose how to pay"),
    "voice.cash_insert": ("请放入纸币，本机不找零", "Insert banknotes. No change is given"),
    "voice.qr_wait": ("请用手机扫描屏幕上的二维码", "Scan the code on the screen with your phone"),
    "voice.card_entry": ("请输入充值卡卡号和密码", "Enter the card number and PIN"),
    "voice.paycode_scan": ("请出示付款码", "Show your payment code"),
    "voice.processing": ("正在处理，请稍候", "Processing, please wait"),
    "voice.partial_confirm": ("还有欠费，确认结束缴费吗", "Some is still owed. Finish now?"),
    "voice.done": ("缴费完成", "Payment complete"),
    "voice.take_receipt": ("请取走凭条", "Please take your receipt"),
    "voice.receipt_qr": (
        "请用手机扫描屏幕上的二维码获取凭条",
        "Scan the code on the screen for your receipt",
    ),
    "voice.cancelled": ("已取消，未收取任何费用", "Cancelled. Nothing was charged"),
    "voice.idle": ("还需要更多时间吗", "Do you need more time?"),
    "voice.out_of_service": (
        "本机暂停服务，请到营业厅柜台缴费",
        "Out of service. Please use a service counter",
    ),
    "voice.note_accepted": ("已收到 {yuan}", "Received {yuan}"),
    "voice.still_owed": ("仍欠 {yuan}", "Still owed {yuan}"),
    "voice.still_due": ("还需 {yuan}", "Still due {yuan}"),
}
