"""ESC/POS rendering byte for byte, and printed receipts decoded back equal to the text."""

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.emulators.escpos_decode import EscposDecoder
from drivers.emulators.printer_emulator import PrinterEmulator
from drivers.emulators.printer_paper import Paper, PrintedReceipt
from drivers.printer import ReceiptPrinter
from drivers.printer.commands import TextSize
from kiosk.payment_receipt import CardTender, PaymentStatus
from kiosk.printer_test_page import TestPage
from kiosk.receipt_checks import ReceiptError
from kiosk.receipt_escpos import render_escpos, render_layout_escpos
from kiosk.receipt_layout import Align, Layout, QrCode, TextLine
from kiosk.receipts import render_text
from tests.kiosk.test_receipts import PAID_AT, cash_receipt, slip

INIT = b"\x1b@"
CENTER, LEFT, RIGHT = b"\x1ba\x01", b"\x1ba\x00", b"\x1ba\x02"
BOLD, NOT_BOLD = b"\x1bE\x01", b"\x1bE\x00"
DOUBLE, NORMAL, TALL = b"\x1d!\x11", b"\x1d!\x00", b"\x1d!\x01"
CHINESE, LATIN, CP437 = b"\x1c&", b"\x1c.", b"\x1bt\x00"
CUT = b"\x1bd\x04\x1dV\x00"


def gbk(text: str) -> bytes:
    return text.encode("gbk")


def test_every_kind_of_block_byte_for_byte() -> None:
    page = Layout(
        32,
        (
            TextLine("电费凭证", Align.CENTER, bold=True, size=TextSize.DOUBLE),
            TextLine("户号：0100", Align.LEFT),
            TextLine("Total ¥5.00", Align.RIGHT, size=TextSize.DOUBLE_HEIGHT),
            TextLine(""),
            QrCode("http://h/r/1", 5),
            TextLine("谢谢 Thanks", Align.CENTER),
        ),
    )
    assert render_layout_escpos(page, encoding="gbk", has_cutter=True) == (
        INIT
        + CENTER + BOLD + DOUBLE + CHINESE + gbk("电费凭证") + b"\n"
        + LEFT + NOT_BOLD + NORMAL + gbk("户号：") + b"0100\n"
        + RIGHT + TALL + b"Total " + LATIN + CP437 + b"\x9d5.00\n"
        + LEFT + NORMAL + b"\n"
        + CENTER
        + b"\x1d(k\x04\x001A2\x00\x1d(k\x03\x001C\x05\x1d(k\x03\x001E1"
        + b"\x1d(k\x0f\x001P0http://h/r/1\x1d(k\x03\x001Q0"
        + CHINESE + gbk("谢谢") + b" Thanks\n"
        + CUT
    )  # fmt: skip


def test_no_cutter_no_cut() -> None:
    page = Layout(32, (TextLine("x"),))
    assert render_layout_escpos(page, encoding="gbk", has_cutter=False) == (INIT + b"x\n\x1bd\x04")


def test_an_english_card_receipt_byte_for_byte() -> None:
    receipt = cash_receipt(
        utility_name="Demo Power",
        kiosk_location="Hall 1",
        holder_masked="W*g",
        tender=CardTender("8800123456789012"),
        language="en",
        check_url="http://h/r/K0001-00000042?h=ab",
    )
    assert render_escpos(receipt, columns=32, encoding="gbk", has_cutter=True) == (
        INIT + CENTER + BOLD + b"Demo Power\n"
        + NOT_BOLD + b"Hall 1\n"
        + DOUBLE + b"PAYMENT RECEIPT\n"
        + LEFT + NORMAL + b"-" * 32 + b"\n"
        + b"Kiosk: K0001\n"
        + b"Txn no.: K0001-00000042\n"
        + b"Time: 2026-11-26 18:13:05\n"
        + b"Account: 0100123456\n"
        + b"Name: W*g\n"
        + b"-" * 32 + b"\n"
        + BOLD + b"Bills paid\n"
        + NOT_BOLD + b"2026-09 late fee           " + LATIN + CP437 + b"\x9d1.00\n"
        + b"2026-09 electricity       \x9d86.40\n"
        + b"2026-10 electricity      \x9d120.00\n"
        + b"-" * 32 + b"\n"
        + b"Recharge card: ************9012\n"
        + BOLD + b"Amount paid              \x9d220.00\n"
        + NOT_BOLD + b"To prepaid balance        \x9d12.60\n"
        + b"Prepaid balance           \x9d12.60\n"
        + b"Status: Posted\n"
        + b"-" * 32 + b"\n"
        + CENTER + b"Scan to check this receipt\n"
        + b"\x1d(k\x04\x001A2\x00\x1d(k\x03\x001C\x05\x1d(k\x03\x001E1"
        + b"\x1d(k\x21\x001P0http://h/r/K0001-00000042?h=ab\x1d(k\x03\x001Q0"
        + b"Please keep this receipt\n"
        + CUT
    )  # fmt: skip


def test_a_chinese_receipt_opens_byte_for_byte_and_is_one_job() -> None:
    data = render_escpos(cash_receipt(), columns=48, encoding="gbk", has_cutter=True)
    assert data.startswith(
        INIT + CENTER + BOLD + CHINESE + gbk("示范供电公司") + b" Demo Power Supply Co.\n"
        + NOT_BOLD + gbk("营业厅一号机") + b" Service Hall, Kiosk 1\n"
        + DOUBLE + gbk("电费缴费凭证") + b"\n"
        + LEFT + NORMAL + b"-" * 48 + b"\n"
        + gbk("终端号：") + b"K0001\n"
    )  # fmt: skip
    assert b"\n" + NOT_BOLD + gbk("2026-09 违约金") + b" " * 28 + gbk("￥") + b"1.00\n" in data
    assert data.endswith(
        gbk("本机不找零，多缴部分存入预付余额") + b"\n" + gbk("请妥善保管本凭证") + b"\n" + CUT
    )
    assert data.count(INIT) == 1
    assert data.count(b"\x1dV") == 1
    assert data.count(b"1P0") == 1  # one native QR code, no raster image
    assert b"\x1dv0" not in data
    assert b"?" not in data.replace(b"?h=", b"")  # nothing fell back to a question mark
    assert len(data) < 1500


def test_gb18030_printers_get_the_characters_gbk_lacks() -> None:
    receipt = cash_receipt(holder_masked="𠮷*明")
    gbk_job = render_escpos(receipt, columns=48, encoding="gbk", has_cutter=True)
    gb18030_job = render_escpos(receipt, columns=48, encoding="gb18030", has_cutter=True)
    assert gbk("户名：？*明") in gbk_job
    assert "户名：𠮷*明".encode("gb18030") in gb18030_job


def test_an_unknown_encoding_is_a_clear_error() -> None:
    with pytest.raises(ReceiptError, match="'big5' is not one of gbk, gb18030"):
        render_escpos(cash_receipt(), columns=48, encoding="big5", has_cutter=True)


def decoded(data: bytes, columns: int, encoding: str) -> PrintedReceipt:
    decoder, paper = EscposDecoder(encoding), Paper(columns)
    finished = [paper.apply(op) for op in decoder.feed(data)]
    (receipt,) = [r for r in finished if r is not None]
    return receipt


DOCUMENTS = {
    "zh cash": cash_receipt(),
    "en cash copy": cash_receipt(language="en", copy=True),
    "zh offline": cash_receipt(
        status=PaymentStatus.QUEUED,
        bills=(),
        credited_to_balance_fen=0,
        new_balance_fen=None,
        check_url=None,
    ),
    "zh slip": slip(),
    "en slip": slip(language="en"),
    "test page": TestPage("K0001", PAID_AT),
}


@pytest.mark.parametrize("columns", [32, 48])
@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_the_printer_prints_what_the_journal_says(name: str, encoding: str, columns: int) -> None:
    document = DOCUMENTS[name]
    data = render_escpos(document, columns=columns, encoding=encoding, has_cutter=True)
    receipt = decoded(data, columns, encoding)
    assert receipt.problems == []
    assert receipt.cut
    assert receipt.transcript == render_text(document, columns=columns)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    with PrinterEmulator(tmp_path, control_path=tmp_path / "ctl.sock") as emulator:
        yield emulator


def test_a_chinese_receipt_printed_over_a_pty_reads_back_as_its_text(
    emulator: PrinterEmulator,
) -> None:
    receipt = cash_receipt(copy=True)
    with ReceiptPrinter(
        emulator.path, encoding="gbk", has_cutter=True, status_timeout_s=1.0
    ) as printer:
        data = render_escpos(
            receipt, columns=48, encoding=printer.encoding, has_cutter=printer.has_cutter
        )
        assert printer.print_job(data).can_print
    printed = emulator.wait_for_receipt(timeout_s=10)
    assert printed.cut
    assert printed.problems == []
    assert printed.transcript == render_text(receipt, columns=48)
    assert printed.txt_path is not None
    assert printed.txt_path.read_text(encoding="utf-8") == render_text(receipt, columns=48)
    assert printed.png_path is not None
    assert printed.png_path.stat().st_size > 10_000


def test_documents_are_immutable() -> None:
    receipt = cash_receipt()
    with pytest.raises(dataclasses.FrozenInstanceError):
        receipt.amount_applied_fen = 1  # type: ignore[misc]
    assert isinstance(receipt.tender, type(cash_receipt().tender))
    with pytest.raises(TypeError):
        receipt.tender.notes[10000] = 5  # type: ignore[union-attr,index]
