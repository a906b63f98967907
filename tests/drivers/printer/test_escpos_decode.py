"""The emulator's ESC/POS decoder and paper, from byte fixtures."""

import pytest

from drivers.emulators.escpos_decode import (
    Alignment,
    Cut,
    EscposDecoder,
    Feed,
    Initialize,
    LineFeed,
    QrPrint,
    StatusRequest,
    Text,
    Unknown,
)
from drivers.emulators.printer_paper import Paper, PrintedReceipt
from drivers.printer.commands import Align, EscposJob, TextSize


def decode(data: bytes, encoding: str = "gbk") -> list:
    return EscposDecoder(encoding).feed(data)


def print_out(data: bytes, *, columns: int = 32, chunk: int | None = None) -> list[PrintedReceipt]:
    decoder, paper = EscposDecoder("gbk"), Paper(columns)
    receipts = []
    step = chunk or len(data) or 1
    for start in range(0, len(data), step):
        for op in decoder.feed(data[start : start + step]):
            finished = paper.apply(op)
            if finished is not None:
                receipts.append(finished)
    return receipts


def texts(ops: list) -> list[tuple[str, tuple[int, ...]]]:
    return [(op.text, op.cells) for op in ops if isinstance(op, Text)]


def test_chinese_mode_gbk_is_two_columns_a_character() -> None:
    ops = decode(b"\x1c&\xb5\xe7\xb7\xd1 \xa3\xa41")
    assert texts(ops) == [("电费 ￥1", (2, 2, 1, 2, 1))]


def test_single_byte_mode_uses_the_code_page() -> None:
    ops = decode(b"\x1c.\x1bt\x00\x9d12 \x82")
    assert texts(ops) == [("¥12 é", (1, 1, 1, 1, 1))]


def test_gb18030_four_byte_characters() -> None:
    data = b"\x1c&" + "𠮷".encode("gb18030")
    assert texts(decode(data, "gb18030")) == [("𠮷", (2,))]
    # the same bytes are not GBK: reported, printed as a full-width question mark
    ops = decode(data, "gbk")
    assert any(isinstance(op, Unknown) for op in ops)


def test_a_command_split_across_reads_waits_for_the_rest() -> None:
    decoder = EscposDecoder("gbk")
    assert decoder.feed(b"\x1d(k\x0f\x00") == []
    assert decoder.pending == 5
    ops = decoder.feed(b"1P0http://k/r/1\x1d(k\x03\x001Q0")
    assert ops == [QrPrint("http://k/r/1", 3, "L", Alignment.LEFT)]
    assert decoder.pending == 0


def test_half_a_chinese_character_waits_for_its_second_byte() -> None:
    decoder = EscposDecoder("gbk")
    assert texts(decoder.feed(b"\x1c&\xb5")) == []
    assert texts(decoder.feed(b"\xe7\n")) == [("电", (2,))]


def test_dle_eot_is_a_status_request_but_not_inside_qr_data() -> None:
    ops = decode(b"AB\x10\x04\x02CD")
    assert ops[1] == StatusRequest(2)
    qr = decode(b"\x1d(k\x06\x001P0\x10\x04\x01\x1d(k\x03\x001Q0")
    assert not any(isinstance(op, StatusRequest) for op in qr)
    assert isinstance(qr[-1], QrPrint)
    assert qr[-1].data == "\x10\x04\x01"


@pytest.mark.parametrize(
    ("command", "width", "height", "bold"),
    [
        (b"\x1d!\x11", 2, 2, False),
        (b"\x1d!\x01", 1, 2, False),
        (b"\x1d!\x10", 2, 1, False),
        (b"\x1b!\x38", 2, 2, True),
        (b"\x1b!\x10", 1, 2, False),
    ],
)
def test_character_sizes(command: bytes, width: int, height: int, bold: bool) -> None:
    (text,) = [op for op in decode(command + b"x") if isinstance(op, Text)]
    assert (text.style.width, text.style.height, text.style.bold) == (width, height, bold)


@pytest.mark.parametrize(
    ("n", "align"), [(0, "LEFT"), (1, "CENTER"), (50, "RIGHT"), (49, "CENTER")]
)
def test_alignment_values(n: int, align: str) -> None:
    (text,) = [op for op in decode(b"\x1ba" + bytes([n]) + b"x") if isinstance(op, Text)]
    assert text.style.align is Alignment[align]


def test_feeds_cuts_and_initialize() -> None:
    ops = decode(b"\x1b@x\n\x1bd\x03\x1bJ\x1e\x1dV\x00\x1dVB\x00\x1dV\x01")
    assert [op for op in ops if not isinstance(op, Text)] == [
        Initialize(),
        LineFeed(),
        Feed(lines=3),
        Feed(dots=30),
        Cut(partial=False),
        Cut(partial=True, feed_dots=0),
        Cut(partial=True),
    ]


def test_unknown_bytes_are_reported_not_dropped() -> None:
    ops = decode(b"\x1b\x7fA\x01\x1b\x74\x63\x80")
    unknown = [op for op in ops if isinstance(op, Unknown)]
    assert [u.reason for u in unknown] == ["unknown ESC command", "control byte", "code page 99"]


def test_a_raster_image_is_skipped_whole_and_reported() -> None:
    ops = decode(b"\x1dv0\x00\x02\x00\x02\x00" + b"\xff\x10\x04\x01" + b"ok")
    assert [op.reason for op in ops if isinstance(op, Unknown)] == [
        "raster image 16x2 not rendered"
    ]
    assert texts(ops) == [("ok", (1, 1))]


def test_transcript_follows_alignment_and_double_width() -> None:
    job = EscposJob("gbk").initialize()
    job.style(align=Align.CENTER, size=TextSize.DOUBLE).line("凭证")
    job.style(size=TextSize.NORMAL).line("中")
    job.style(align=Align.RIGHT).line("R")
    job.style(align=Align.LEFT).line().line("L")
    (receipt,) = print_out(job.finish(has_cutter=True))
    # double width: 2 characters x 2 columns x 2 = 8 columns, centred in 32 -> start at 12
    assert receipt.transcript == " " * 12 + "凭证\n" + " " * 15 + "中\n" + " " * 31 + "R\n\nL\n"
    assert receipt.cut


def test_a_line_longer_than_the_paper_wraps() -> None:
    (receipt,) = print_out(EscposJob().line("电" * 20).finish(has_cutter=True))
    assert receipt.transcript == "电" * 16 + "\n" + "电" * 4 + "\n"


def test_split_reads_print_the_same_receipt() -> None:
    job = EscposJob("gbk").initialize()
    job.style(align=Align.CENTER, bold=True).line("示范 Demo ¥1 ￥2 ×")
    job.qr("http://k/r/K0001-00000001")
    job.style(align=Align.LEFT, bold=False, size=TextSize.DOUBLE_HEIGHT).line("高 tall")
    data = job.finish(has_cutter=True)
    (whole,) = print_out(data)
    for chunk in (1, 2, 3, 5):
        (split,) = print_out(data, chunk=chunk)
        assert split.transcript == whole.transcript
        assert split.items == whole.items


def test_initialize_before_a_cut_ends_the_receipt_uncut() -> None:
    first, second = print_out(b"\x1b@one\n\x1b@two\n\x1bd\x04\x1dV\x00")
    assert (first.transcript, first.cut) == ("one\n", False)
    assert "ESC @ before the receipt was cut" in first.problems[0]
    assert (second.transcript, second.cut, second.problems) == ("two\n", True, [])


def test_a_printer_without_cutter_ignores_the_cut() -> None:
    paper = Paper(32)
    for op in decode(b"x\n\x1dV\x00"):
        assert paper.apply(op, has_cutter=False) is None
    receipt = paper.finish(cut=False)
    assert receipt is not None
    assert receipt.problems == ["cut command sent to a printer without a cutter (ignored)"]


def test_tab_moves_to_the_next_multiple_of_eight() -> None:
    (receipt,) = print_out(b"ab\tc\n\x1dV\x00")
    assert receipt.transcript == "ab      c\n"
