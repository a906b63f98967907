"""The printer's test page (``TestPage``, ``layout_test_page``): Chinese and Latin, full-width
punctuation, every size and alignment, a QR code and a cut, at the paper's width."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from drivers.printer.commands import TextSize
from drivers.printer.text import fit
from kiosk.receipt_checks import check_aware, check_text
from kiosk.receipt_layout import Align, Layout, LayoutBuilder
from kiosk.receipt_words import printed_time


@dataclass(frozen=True)
class TestPage:
    """Exercises what a receipt needs: Chinese and Latin, sizes, alignment, a QR code, a cut."""

    __test__ = False  # not a pytest test class, despite the name

    kiosk_id: str
    printed_at: datetime
    encoding: str = "gbk"
    qr_data: str | None = None

    def __post_init__(self) -> None:
        check_text(self.kiosk_id, "kiosk_id")
        check_aware(self.printed_at, "printed_at")
        check_text(self.encoding, "encoding")


def layout_test_page(page: TestPage, *, columns: int) -> Layout:
    out = LayoutBuilder(columns)
    out.text("打印测试 TEST", align=Align.CENTER, size=TextSize.DOUBLE)
    out.text(f"{page.kiosk_id}  {printed_time(page.printed_at)}", align=Align.CENTER)
    out.rule("=")
    digits = "1234567890" * (columns // 10 + 1)
    out.text(fit(digits, columns))
    out.field("纸宽 Width: ", f"{columns} 列 columns, {page.encoding.upper()}")
    out.rule()
    out.text("中文：示范供电公司电费缴费凭证")
    out.text("全角：，。：；（）《》【】￥“”")
    out.text("Latin: ABC xyz 0123 ¥ £ é ü ° ±")
    out.text("混排 Mixed: 户号 0100123456 ￥12.50 ¥12.50")
    out.pair("左 Left", "右 Right")
    out.text("粗体 Bold", bold=True)
    out.text("倍宽 Wide", size=TextSize.DOUBLE_WIDTH)
    out.text("倍高 Tall", size=TextSize.DOUBLE_HEIGHT)
    out.text("倍大 Big", size=TextSize.DOUBLE)
    out.text("居中 Center", align=Align.CENTER)
    out.text("右对齐 Right", align=Align.RIGHT)
    out.rule()
    out.text("二维码 QR code", align=Align.CENTER)
    qr = page.qr_data or f"kiosk-test:{page.kiosk_id}:{page.printed_at:%Y%m%dT%H%M%S}"
    out.qr(qr)
    out.text("以下切纸 cut below", align=Align.CENTER)
    return out.layout()
