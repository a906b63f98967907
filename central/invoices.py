"""E-invoices (电子发票) for posted payments: the link on every posted payment's answer.

The page ``/invoice/{txn_id}?h=tag`` carries the same short tag as the receipt check page
(``central.crypto.receipt_tag``): whoever holds the receipt may ask for its invoice.
"""

from __future__ import annotations

from central.context import Central
from central.crypto import receipt_tag


def invoice_url(central: Central, txn_id: str) -> str:
    base = central.config.server.public_url.rstrip("/")
    return f"{base}/invoice/{txn_id}?h={receipt_tag(central.config.server.receipt_key, txn_id)}"
