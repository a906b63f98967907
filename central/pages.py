"""The two web pages people see: the receipt check page and the demo wallet.

Plain HTML with inline CSS, escaped with html.escape; no scripts, so they work on any phone.
"""

from __future__ import annotations

import html
import json
from datetime import tzinfo
from typing import Any

from central.masking import mask_account_no
from central.money import yuan
from central.qr import WalletView

_STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:0;
background:#f3f5f7;color:#1d2731}
main{max-width:28rem;margin:1.5rem auto;background:#fff;border-radius:12px;padding:1.5rem;
box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.3rem;margin:0 0 1rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem;margin:0}
dt{color:#5b6770}dd{margin:0;font-variant-numeric:tabular-nums}
.amount{font-size:2rem;font-weight:700;margin:.5rem 0 1rem}
.ok{color:#137333}.bad{color:#b3261e}
button{width:100%;font-size:1.2rem;padding:.9rem;border:0;border-radius:8px;background:#1a73e8;
color:#fff}
table{width:100%;border-collapse:collapse;margin-top:1rem}
td,th{text-align:left;padding:.25rem 0;border-bottom:1px solid #e3e6e8}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def receipt_page(payment: Any, account_no: str, holder: str, kiosk_name: str, zone: tzinfo) -> str:
    """A verified payment: what the receipt should say, so a paper receipt can be checked."""
    answer = json.loads(payment.answer)
    paid_at = payment.created_at.astimezone(zone)
    rows = "".join(
        f"<tr><td>{html.escape(a['period'])}</td><td>{yuan(a['principal_fen'])}</td>"
        f"<td>{yuan(a['late_fee_fen'])}</td></tr>"
        for a in answer["allocations"]
    )
    table = (
        "<table><tr><th>账期 Period</th><th>电费 Bill</th><th>违约金 Late fee</th></tr>"
        f"{rows}</table>"
        if rows
        else ""
    )
    body = (
        '<h1 class="ok" id="verdict" data-verified="true">✔ 缴费已入账 Payment verified</h1>'
        f'<div class="amount" id="amount">{yuan(payment.amount_fen)}</div><dl>'
        f'<dt>流水号 Txn</dt><dd id="txn">{html.escape(payment.txn_id)}</dd>'
        f"<dt>入账编号 Ref</dt><dd>{html.escape(answer['server_ref'])}</dd>"
        f"<dt>户号 Account</dt><dd>{html.escape(mask_account_no(account_no))}</dd>"
        f"<dt>户名 Holder</dt><dd>{html.escape(holder)}</dd>"
        f"<dt>方式 Method</dt><dd>{html.escape(payment.method)}</dd>"
        f"<dt>时间 Time</dt><dd>{paid_at:%Y-%m-%d %H:%M:%S}</dd>"
        f"<dt>终端 Kiosk</dt><dd>{html.escape(kiosk_name)}</dd>"
        f"<dt>转入预付 To balance</dt><dd>{yuan(answer['credited_to_balance_fen'])}</dd></dl>"
        f"{table}"
    )
    return _page("缴费凭证核验 Receipt check", body)


def receipt_not_found() -> str:
    body = (
        '<h1 class="bad" id="verdict" data-verified="false">✘ 查无此凭证 No such receipt</h1>'
        "<p>请核对凭证上的二维码或链接。Check the link or QR code printed on the receipt.</p>"
    )
    return _page("缴费凭证核验 Receipt check", body)


_STATUS_TEXT = {
    "pending": "待支付 Waiting for payment",
    "paid": "已支付 Paid",
    "expired": "已过期 Expired",
    "cancelled": "已取消 Cancelled",
}


def wallet_page(view: WalletView) -> str:
    """The demo payment provider: the amount, who is paid, and a Pay button."""
    state = html.escape(view.status)
    parts = [
        "<h1>示范钱包 Demo wallet</h1>",
        f'<div class="amount" id="amount">{yuan(view.amount_fen)}</div><dl>',
        "<dt>收款 Payee</dt><dd>电费缴费 Electricity bill</dd>",
        f"<dt>户号 Account</dt><dd>{html.escape(mask_account_no(view.account_no))}</dd>",
        f"<dt>户名 Holder</dt><dd>{html.escape(view.holder)}</dd>",
        f'<dt>状态 Status</dt><dd id="status" data-status="{state}">'
        f"{html.escape(_STATUS_TEXT.get(view.status, view.status))}</dd>",
    ]
    if view.server_ref:
        parts.append(f'<dt>入账编号 Ref</dt><dd id="ref">{html.escape(view.server_ref)}</dd>')
    parts.append("</dl>")
    if view.status == "pending":
        parts.append(
            f'<form method="post" action="/pay/{html.escape(view.order_id)}"'
            ' style="margin-top:1.5rem">'
            '<button id="pay" type="submit">确认支付 Pay</button></form>'
        )
    return _page("示范钱包 Demo wallet", "".join(parts))


def wallet_not_found() -> str:
    return _page("示范钱包 Demo wallet", '<h1 class="bad">查无此订单 No such order</h1>')
