"""E-invoices (电子发票) for posted payments: the request page's rules and the issuing.

The page ``/invoice/{txn_id}?h=tag`` carries the same short tag as the receipt check page
(``central.crypto.receipt_tag``): whoever holds the receipt may ask for its invoice. The
customer gives the title (个人, or a company with its unified social credit code, checked by
central/credit_code.py) and an e-mail or a mobile number. One request per payment (a unique
key on the payment): a second request shows the first. The invoice provider issues it; with
``demo_wallet = true`` the sandbox renders the PDF at once, which the page then offers. A
payment whose payment code was reversed gets no invoice.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Row, select, update

from central import credit_code, db
from central.context import Central
from central.crypto import receipt_tag
from central.invoice_pdf import FontMissing, InvoiceDocument, InvoiceLine
from central.masking import mask_account_no
from central.providers import ProviderError
from central.providers.invoicing import InvoiceProvider, SandboxInvoiceProvider
from central.receipts import Receipt
from central.schema_invoice import InvoiceState, TitleKind, invoice_requests
from central.schema_paycode import PaycodeState, paycode_payments

log = logging.getLogger("central.invoices")

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
PHONE = re.compile(r"^1[3-9][0-9]{9}$")  # a mainland mobile number
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
TITLE_MAX = 100
PERSONAL_TITLE = "个人"


def invoice_url(central: Central, txn_id: str) -> str:
    base = central.config.server.public_url.rstrip("/")
    return f"{base}/invoice/{txn_id}?h={receipt_tag(central.config.server.receipt_key, txn_id)}"


@dataclass(frozen=True)
class Title:
    kind: TitleKind
    title: str
    tax_no: str | None
    email: str | None
    phone: str | None


def validate(form: Mapping[str, str]) -> tuple[Title | None, dict[str, str]]:
    """The title the form gives, or the problems by field (messages in both languages)."""
    errors: dict[str, str] = {}
    kind_text = form.get("kind", "")
    kind = TitleKind(kind_text) if kind_text in set(TitleKind) else None
    if kind is None:
        errors["kind"] = "请选择个人或单位 Choose personal or company"
    title = " ".join(form.get("title", "").split())
    tax_no = credit_code.normalized(form.get("tax_no", ""))
    if len(title) > TITLE_MAX or CONTROL.search(title):
        errors["title"] = f"抬头最多{TITLE_MAX}字 The title is at most {TITLE_MAX} characters"
    if kind is TitleKind.COMPANY:
        if len(title) < 2:
            errors["title"] = "请填写单位名称 Enter the company's name"
        problem = credit_code.problem(tax_no) if tax_no else "is required"
        if problem:
            errors["tax_no"] = (
                "统一社会信用代码有误 The unified social credit code " + problem
                if tax_no
                else "请填写统一社会信用代码 Enter the unified social credit code"
            )
    email = form.get("email", "").strip() or None
    phone = "".join(form.get("phone", "").split()) or None
    if email is not None and (len(email) > 200 or not EMAIL.match(email)):
        errors["email"] = "邮箱格式不对 This is not an e-mail address"
    if phone is not None and not PHONE.match(phone):
        errors["phone"] = "请填写11位手机号 Enter an 11-digit mobile number"
    if email is None and phone is None:
        errors["contact"] = "请填写邮箱或手机号 Enter an e-mail address or a mobile number"
    if errors or kind is None:
        return None, errors
    return (
        Title(
            kind=kind,
            title=(title or PERSONAL_TITLE) if kind is TitleKind.PERSONAL else title,
            tax_no=tax_no if kind is TitleKind.COMPANY else None,
            email=email,
            phone=phone,
        ),
        {},
    )


def provider_for(central: Central) -> InvoiceProvider | None:
    """The sandbox with ``demo_wallet = true``; None: requests wait for a real provider."""
    return SandboxInvoiceProvider() if central.config.server.demo_wallet else None


def existing(central: Central, payment_id: int) -> Row[Any] | None:
    with db.read(central.engine) as conn:
        return conn.execute(
            select(invoice_requests).where(invoice_requests.c.payment_id == payment_id)
        ).first()


def reversed_payment(central: Central, payment_id: int) -> bool:
    with db.read(central.engine) as conn:
        state = conn.execute(
            select(paycode_payments.c.state).where(paycode_payments.c.payment_id == payment_id)
        ).scalar()
    return state in (PaycodeState.REVERSING.value, PaycodeState.REVERSED.value)


def request(central: Central, receipt: Receipt, title: Title) -> tuple[Row[Any], bool]:
    """Record the request (once per payment) and have it issued; (the request, created)."""
    payment = receipt.payment
    with db.write(central.engine) as conn:
        created = conn.execute(
            db.insert_ignoring_conflict(
                conn,
                invoice_requests,
                {
                    "payment_id": payment.id,
                    "txn_id": payment.txn_id,
                    "title_kind": title.kind.value,
                    "title": title.title,
                    "tax_no": title.tax_no,
                    "email": title.email,
                    "phone": title.phone,
                    "state": InvoiceState.REQUESTED.value,
                    "requested_at": central.now(),
                },
                ["payment_id"],
            ).returning(invoice_requests.c.id)
        ).scalar_one_or_none()
    row = existing(central, payment.id)
    assert row is not None
    if created is not None:
        log.info("invoice requested for %s (%s)", payment.txn_id, title.kind.value)
        row = issue(central, receipt, row)
    return row, created is not None


def issue(central: Central, receipt: Receipt, row: Row[Any]) -> Row[Any]:
    provider = provider_for(central)
    if provider is None or row.state == InvoiceState.ISSUED.value:
        return row
    document = _document(central, receipt, row, provider.invoice_no(row.txn_id))
    values: dict[str, Any]
    try:
        issued = provider.issue(document)
    except (ProviderError, FontMissing) as exc:
        log.error("invoice for %s not issued: %s", row.txn_id, exc)
        values = {"state": InvoiceState.FAILED.value, "error": str(exc)}
    else:
        values = {
            "state": InvoiceState.ISSUED.value,
            "provider": provider.name,
            "invoice_no": issued.invoice_no,
            "pdf": issued.pdf,
            "issued_at": central.now(),
            "error": None,
        }
    with db.write(central.engine) as conn:
        conn.execute(
            update(invoice_requests).where(invoice_requests.c.id == row.id).values(**values)
        )
        return conn.execute(select(invoice_requests).where(invoice_requests.c.id == row.id)).one()


def _document(central: Central, receipt: Receipt, row: Row[Any], number: str) -> InvoiceDocument:
    answer = json.loads(receipt.payment.answer)
    lines: list[InvoiceLine] = []
    for share in answer["allocations"]:
        if share["principal_fen"]:
            lines.append(InvoiceLine(f"电费 {share['period']} Electricity", share["principal_fen"]))
        if share["late_fee_fen"]:
            lines.append(InvoiceLine(f"违约金 {share['period']} Late fee", share["late_fee_fen"]))
    if answer["credited_to_balance_fen"]:
        lines.append(InvoiceLine("预付电费 Prepaid electricity", answer["credited_to_balance_fen"]))
    return InvoiceDocument(
        invoice_no=number,
        issued_at=central.now().astimezone(central.config.server.zone),
        buyer_title=row.title,
        buyer_tax_no=row.tax_no,
        account_no=mask_account_no(receipt.account_no),
        txn_id=row.txn_id,
        server_ref=answer["server_ref"],
        lines=tuple(lines),
        total_fen=receipt.payment.amount_fen,
    )


def listing(engine: Engine, state: InvoiceState | None = None) -> Iterator[dict[str, Any]]:
    """Requests oldest first, for `kiosk-central invoices`; contacts masked."""
    query = select(invoice_requests).order_by(invoice_requests.c.id)
    if state is not None:
        query = query.where(invoice_requests.c.state == state.value)
    with db.read(engine) as conn:
        rows = conn.execute(query).all()
    for row in rows:
        yield {
            "txn_id": row.txn_id,
            "state": row.state,
            "title_kind": row.title_kind,
            "title": row.title,
            "tax_no": row.tax_no,
            "email": mask_email(row.email),
            "phone": mask_phone(row.phone),
            "invoice_no": row.invoice_no,
            "requested_at": row.requested_at.isoformat(),
            "issued_at": row.issued_at.isoformat() if row.issued_at else None,
            "error": row.error,
        }


def mask_email(email: str | None) -> str | None:
    if email is None:
        return None
    name, _, domain = email.partition("@")
    return f"{name[:1]}***@{domain}"


def mask_phone(phone: str | None) -> str | None:
    return None if phone is None else f"{phone[:3]}****{phone[-4:]}"
