"""The e-invoice page's three routes (mounted by central/app.py), each a plain function.

``GET /invoice/{txn_id}?h=tag``: the form, or the request already made; ``POST`` the form
(urlencoded): 400 with the form and its errors, else 303 back to the page; ``GET
/invoice/{txn_id}/pdf?h=tag``: the issued invoice. A wrong tag or an unknown payment is the
same 404 page, as for receipts.
"""

from __future__ import annotations

from urllib.parse import parse_qs, quote

from fastapi.responses import HTMLResponse, RedirectResponse, Response

from central import invoice_pages, invoices, receipts
from central.context import Central
from central.receipts import Receipt
from central.schema_invoice import InvoiceState

FIELDS = ("kind", "title", "tax_no", "email", "phone")


def _links(receipt: Receipt, tag: str) -> tuple[str, str]:
    txn = quote(receipt.payment.txn_id)
    return f"/invoice/{txn}?h={tag}", f"/invoice/{txn}/pdf?h={tag}"


def _not_found() -> HTMLResponse:
    return HTMLResponse(invoice_pages.not_found_page(), status_code=404)


def show(central: Central, txn_id: str, tag: str | None) -> Response:
    receipt = receipts.find(central, txn_id, tag)
    if receipt is None or tag is None:
        return _not_found()
    page, pdf = _links(receipt, tag)
    row = invoices.existing(central, receipt.payment.id)
    if row is not None:
        return HTMLResponse(invoice_pages.status_page(receipt, row, pdf, repeated=False))
    if invoices.reversed_payment(central, receipt.payment.id):
        return HTMLResponse(invoice_pages.reversed_page(receipt), status_code=409)
    return HTMLResponse(invoice_pages.form_page(receipt, page, {}, {}))


def submit(central: Central, txn_id: str, tag: str | None, body: bytes) -> Response:
    receipt = receipts.find(central, txn_id, tag)
    if receipt is None or tag is None:
        return _not_found()
    page, pdf = _links(receipt, tag)
    row = invoices.existing(central, receipt.payment.id)
    if row is not None:  # once per payment: show the first request
        return HTMLResponse(invoice_pages.status_page(receipt, row, pdf, repeated=True))
    if invoices.reversed_payment(central, receipt.payment.id):
        return HTMLResponse(invoice_pages.reversed_page(receipt), status_code=409)
    parsed = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=20)
    values = {name: parsed.get(name, [""])[0] for name in FIELDS}
    title, errors = invoices.validate(values)
    if title is None:
        page_html = invoice_pages.form_page(receipt, page, values, errors)
        return HTMLResponse(page_html, status_code=400)
    row, created = invoices.request(central, receipt, title)
    if not created:  # a concurrent request won
        return HTMLResponse(invoice_pages.status_page(receipt, row, pdf, repeated=True))
    return RedirectResponse(page, status_code=303)


def pdf(central: Central, txn_id: str, tag: str | None) -> Response:
    receipt = receipts.find(central, txn_id, tag)
    if receipt is None:
        return _not_found()
    row = invoices.existing(central, receipt.payment.id)
    if row is None or row.state != InvoiceState.ISSUED.value or row.pdf is None:
        return _not_found()
    return Response(
        bytes(row.pdf),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="invoice-{row.invoice_no}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )
