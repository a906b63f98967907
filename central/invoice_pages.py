"""The e-invoice request page (``/invoice/{txn_id}?h=tag``): the form, and the request's state.

Plain HTML like the receipt page (central/pages.py): no scripts, zh first, then English.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from central.invoices import mask_email, mask_phone
from central.masking import mask_account_no
from central.money import yuan
from central.pages import _page
from central.receipts import Receipt
from central.schema_invoice import InvoiceState, TitleKind

TITLE = "电子发票 E-invoice"
_FORM_STYLE = """<style>
label{display:block;margin:.8rem 0 .2rem;color:#5b6770}
input[type=text],input[type=email],input[type=tel]{width:100%;box-sizing:border-box;
font-size:1.1rem;padding:.6rem;border:1px solid #c4cbd1;border-radius:6px}
fieldset{border:0;padding:0;margin:0}.kind label{display:inline;margin-right:1.2rem;color:#1d2731}
.err{color:#b3261e;margin:.2rem 0 0;font-size:.95rem}.hint{color:#5b6770;font-size:.9rem}
a.button{display:block;text-align:center;font-size:1.2rem;padding:.9rem;border-radius:8px;
background:#1a73e8;color:#fff;text-decoration:none;margin-top:1.5rem}
</style>"""
_STATE_TEXT = {
    InvoiceState.REQUESTED.value: "已受理，开具后发送 Requested: sent once issued",
    InvoiceState.ISSUED.value: "已开具 Issued",
    InvoiceState.FAILED.value: "开具失败，请联系客服 Not issued: please call customer service",
}


def _summary(receipt: Receipt) -> str:
    payment = receipt.payment
    return (
        f'<div class="amount" id="amount">{yuan(payment.amount_fen)}</div><dl>'
        f'<dt>流水号 Txn</dt><dd id="txn">{html.escape(payment.txn_id)}</dd>'
        f"<dt>户号 Account</dt><dd>{html.escape(mask_account_no(receipt.account_no))}</dd>"
        f"<dt>方式 Method</dt><dd>{html.escape(payment.method)}</dd></dl>"
    )


def form_page(
    receipt: Receipt, action: str, values: Mapping[str, str], errors: Mapping[str, str]
) -> str:
    def value(name: str) -> str:
        return html.escape(values.get(name, ""), quote=True)

    def error(name: str) -> str:
        if name not in errors:
            return ""
        return f'<p class="err" id="error-{name}">{html.escape(errors[name])}</p>'

    kind = values.get("kind", TitleKind.PERSONAL.value)
    checked = {k.value: (" checked" if kind == k.value else "") for k in TitleKind}
    body = (
        f"{_FORM_STYLE}<h1>申请电子发票 Request an e-invoice</h1>{_summary(receipt)}"
        f'<form method="post" action="{html.escape(action, quote=True)}" id="invoice-form">'
        '<fieldset class="kind"><label style="display:block">抬头类型 Title</label>'
        '<label><input type="radio" name="kind" value="personal" id="kind-personal"'
        f"{checked['personal']}> 个人 Personal</label>"
        '<label><input type="radio" name="kind" value="company" id="kind-company"'
        f"{checked['company']}> 单位 Company</label></fieldset>{error('kind')}"
        '<label for="title">抬头名称 Title (个人可不填 optional for a person)</label>'
        f'<input type="text" name="title" id="title" maxlength="100" value="{value("title")}">'
        f"{error('title')}"
        '<label for="tax_no">统一社会信用代码 Unified social credit code (单位必填 company)</label>'
        f'<input type="text" name="tax_no" id="tax_no" maxlength="24" value="{value("tax_no")}"'
        ' autocapitalize="characters">'
        f"{error('tax_no')}"
        '<label for="email">邮箱 E-mail</label>'
        f'<input type="email" name="email" id="email" maxlength="200" value="{value("email")}">'
        f"{error('email')}"
        '<label for="phone">手机号 Mobile</label>'
        f'<input type="tel" name="phone" id="phone" maxlength="20" value="{value("phone")}">'
        f"{error('phone')}{error('contact')}"
        '<p class="hint">邮箱或手机号至少填一项 An e-mail or a mobile number, or both.</p>'
        '<button id="submit" type="submit" style="margin-top:1rem">提交 Submit</button></form>'
    )
    return _page(TITLE, body)


def status_page(receipt: Receipt, row: Any, pdf_url: str, *, repeated: bool) -> str:
    state = html.escape(row.state)
    kind = "单位 Company" if row.title_kind == TitleKind.COMPANY.value else "个人 Personal"
    contact = " / ".join(c for c in (mask_email(row.email), mask_phone(row.phone)) if c)
    parts = [f"{_FORM_STYLE}<h1>电子发票 E-invoice</h1>"]
    if repeated:
        parts.append(
            '<p class="err" id="note">本笔缴费已申请过发票，以下为首次申请。'
            "An invoice was already requested for this payment; this is that request.</p>"
        )
    parts += [
        _summary(receipt),
        "<dl>",
        f'<dt>状态 State</dt><dd id="state" data-state="{state}">'
        f"{html.escape(_STATE_TEXT.get(row.state, row.state))}</dd>",
        f"<dt>抬头类型 Title</dt><dd>{kind}</dd>",
        f'<dt>抬头 Name</dt><dd id="title-shown">{html.escape(row.title)}</dd>',
    ]
    if row.tax_no:
        parts.append(f'<dt>税号 Tax no.</dt><dd id="tax-shown">{html.escape(row.tax_no)}</dd>')
    parts.append(f"<dt>发送至 Send to</dt><dd>{html.escape(contact)}</dd>")
    if row.invoice_no:
        parts.append(
            f'<dt>发票号码 Invoice no.</dt><dd id="invoice-no">{html.escape(row.invoice_no)}</dd>'
        )
    parts.append("</dl>")
    if row.state == InvoiceState.ISSUED.value:
        parts.append(
            f'<a class="button" id="download" href="{html.escape(pdf_url, quote=True)}" download>'
            "下载发票 PDF Download the invoice</a>"
        )
    return _page(TITLE, "".join(parts))


def reversed_page(receipt: Receipt) -> str:
    body = (
        '<h1 class="bad" id="verdict">此笔缴费已撤销，不能开票 This payment was reversed: '
        f"no invoice</h1>{_summary(receipt)}"
    )
    return _page(TITLE, body)


def not_found_page() -> str:
    body = (
        '<h1 class="bad" id="verdict">查无此缴费 No such payment</h1>'
        "<p>请核对凭证上的链接。Check the link printed on the receipt.</p>"
    )
    return _page(TITLE, body)
