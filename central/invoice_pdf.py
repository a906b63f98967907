"""The sandbox invoice as a PDF (fpdf2 with a TrueType CJK font): the payment's lines, zh first.

The font is WenQuanYi Micro Hei (Debian's fonts-wqy-microhei, which scripts/bootstrap.sh
installs) or another CJK font found at the usual places; fpdf2 embeds only the glyphs used.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF

from central import ServerError
from central.money import yuan

FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
SELLER = "示范供电有限公司 Demo Power Supply Co., Ltd."
SELLER_TAX_NO = "91350100M000100Y43"


class FontMissing(ServerError):
    """No CJK font to draw the invoice with: install fonts-wqy-microhei."""


@dataclass(frozen=True)
class InvoiceLine:
    name: str  # 电费 2026-01 Electricity, 违约金 Late fee, 预付电费 Prepaid
    amount_fen: int


@dataclass(frozen=True)
class InvoiceDocument:
    invoice_no: str
    issued_at: datetime  # local time
    buyer_title: str
    buyer_tax_no: str | None
    account_no: str  # masked
    txn_id: str
    server_ref: str
    lines: tuple[InvoiceLine, ...]
    total_fen: int


def font_path() -> Path:
    """A CJK font: the usual places first, then whatever fontconfig knows for Chinese."""
    for path in FONTS:
        if path.exists():
            return path
    fc_list = shutil.which("fc-list")
    listed = ""
    if fc_list is not None:
        try:
            listed = subprocess.run(  # noqa: S603 (a fixed command, no user input)
                [fc_list, ":lang=zh", "file"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            listed = ""
    for line in sorted(listed.splitlines()):
        path = Path(line.strip().rstrip(":"))
        if path.suffix.lower() in (".ttf", ".ttc", ".otf") and path.exists():
            return path
    raise FontMissing("no CJK font for invoices: apt-get install fonts-wqy-microhei")


def render(doc: InvoiceDocument) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(f"电子发票 {doc.invoice_no}")
    pdf.set_creator("kiosk-central")
    pdf.add_font("cjk", fname=str(font_path()), collection_font_number=0)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, "电子发票（示范）Electronic invoice (sandbox)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    rows = [
        ("发票号码 Invoice no.", doc.invoice_no),
        ("开票日期 Date", f"{doc.issued_at:%Y-%m-%d %H:%M}"),
        ("购买方 Buyer", doc.buyer_title),
        ("纳税人识别号 Tax no.", doc.buyer_tax_no or "—"),
        ("销售方 Seller", f"{SELLER} ({SELLER_TAX_NO})"),
        ("户号 Account", doc.account_no),
        ("流水号 Txn", f"{doc.txn_id}  入账编号 Ref {doc.server_ref}"),
    ]
    for label, value in rows:
        pdf.cell(45, 7, label)
        pdf.cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("cjk", size=11)
    pdf.cell(120, 8, "项目 Item", border="B")
    pdf.cell(0, 8, "金额 Amount", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    for line in doc.lines:
        pdf.cell(120, 8, line.name)
        pdf.cell(0, 8, yuan(line.amount_fen), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(120, 9, "合计 Total", border="T")
    pdf.cell(0, 9, yuan(doc.total_fen), border="T", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
