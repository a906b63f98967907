"""Receipts, collection slips and test pages: one layout per document, and its plain text.

A document (``Receipt``, ``CollectionSlip``, ``TestPage``) holds facts, not formatting. One
layout function per document turns it into a ``Layout``: lines already wrapped and padded for
the paper's width, each with its alignment, weight and size, plus QR codes. Two renderers
read the same layout: ``render_text`` here (for the journal and the UI preview) and
``kiosk.receipt_escpos.render_escpos`` (bytes for the printer), so what is printed and what is
journaled cannot drift apart.

The modules, one concern each:

- kiosk/receipts.py (here): ``Document``, ``layout`` (the one layout of any document) and
  ``render_text``;
- kiosk/payment_receipt.py: the payment receipt, its tenders and its layout;
- kiosk/collection_slip.py: the cash collection slip and its layout;
- kiosk/printer_test_page.py: the printer's test page and its layout;
- kiosk/receipt_layout.py: ``Layout`` and its lines, QR codes and builder, and the plain text;
- kiosk/receipt_words.py: the fixed texts in each language, amounts and times as printed;
- kiosk/receipt_checks.py: ``ReceiptError`` and the checks of a document's fields;
- kiosk/receipt_escpos.py: the ESC/POS bytes; kiosk/receipt_facts.py: a receipt from the
  journal.

Errors: ``ReceiptError`` (a ``KioskError``) when a document's facts are impossible (amounts
that do not add up, a naive datetime, a float for money); the message names the field.
"""

from __future__ import annotations

from typing import TypeAlias

from kiosk.collection_slip import CollectionSlip, layout_collection_slip
from kiosk.payment_receipt import Receipt, layout_receipt
from kiosk.printer_test_page import TestPage, layout_test_page
from kiosk.receipt_checks import ReceiptError
from kiosk.receipt_layout import Layout, render_layout_text

__all__ = ["Document", "layout", "render_text"]

Document: TypeAlias = Receipt | CollectionSlip | TestPage


def layout(document: Document, *, columns: int) -> Layout:
    """The one layout of a document, read by both renderers."""
    if isinstance(document, Receipt):
        return layout_receipt(document, columns=columns)
    if isinstance(document, CollectionSlip):
        return layout_collection_slip(document, columns=columns)
    if isinstance(document, TestPage):
        return layout_test_page(document, columns=columns)
    raise ReceiptError(f"cannot lay out a {type(document).__name__}")


def render_text(document: Document, *, columns: int) -> str:
    """Plain text of the document as printed: for the journal and the UI preview."""
    return render_layout_text(layout(document, columns=columns))
