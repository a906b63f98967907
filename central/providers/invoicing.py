"""Invoice providers: who issues an e-invoice once the customer has given the title.

A real adapter (a tax-control or 全电发票 platform) sends ``InvoiceDraft`` signed, is told the
invoice number at once or later (a notification), and gives a download link or the PDF; the
sandbox renders the PDF itself (central/invoice_pdf.py). Errors are ``ProviderError``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from central.invoice_pdf import InvoiceDocument, render


@dataclass(frozen=True)
class IssuedInvoice:
    invoice_no: str
    pdf: bytes


class InvoiceProvider(Protocol):
    name: str

    def invoice_no(self, txn_id: str) -> str:
        """The number the provider gives this payment's invoice (known before issuing)."""
        ...

    def issue(self, document: InvoiceDocument) -> IssuedInvoice:
        """Issue the invoice; the same document twice gives the same invoice."""
        ...


class SandboxInvoiceProvider:
    name = "sandbox"

    def invoice_no(self, txn_id: str) -> str:
        return "SBX" + str(int(hashlib.sha256(txn_id.encode()).hexdigest()[:15], 16)).zfill(17)

    def issue(self, document: InvoiceDocument) -> IssuedInvoice:
        return IssuedInvoice(invoice_no=document.invoice_no, pdf=render(document))
