"""ESC/POS bytes for a receipt, slip or test page, from the same layout as the plain text.

One job: ``ESC @``, then each line with its alignment, weight and size (sent only when they
change), QR codes native and centred, then the cut (or a tear-off feed without a cutter).
"""

from __future__ import annotations

from drivers.printer.commands import Align as EscposAlign
from drivers.printer.commands import EscposJob, TextSize
from drivers.printer.text import PrinterEncoding
from kiosk.receipt_checks import ReceiptError
from kiosk.receipt_layout import Align, Layout, QrCode
from kiosk.receipts import Document, layout

_ALIGN = {
    Align.LEFT: EscposAlign.LEFT,
    Align.CENTER: EscposAlign.CENTER,
    Align.RIGHT: EscposAlign.RIGHT,
}


def render_layout_escpos(page: Layout, *, encoding: str, has_cutter: bool) -> bytes:
    try:
        job = EscposJob(PrinterEncoding(encoding)).initialize()
    except ValueError as exc:
        raise ReceiptError(
            f"printer encoding {encoding!r} is not one of "
            f"{', '.join(e.value for e in PrinterEncoding)}"
        ) from exc
    for block in page.blocks:
        if isinstance(block, QrCode):
            job.style(align=EscposAlign.CENTER, bold=False, size=TextSize.NORMAL)
            job.qr(block.data, module_dots=block.module_dots)
        else:
            job.style(align=_ALIGN[block.align], bold=block.bold, size=block.size)
            job.line(block.text)
    return job.finish(has_cutter=has_cutter)


def render_escpos(document: Document, *, columns: int, encoding: str, has_cutter: bool) -> bytes:
    """The whole print job for a document: send it in one write."""
    return render_layout_escpos(
        layout(document, columns=columns), encoding=encoding, has_cutter=has_cutter
    )
