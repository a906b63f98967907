"""The ESC/POS job builder, byte for byte."""

import pytest

from drivers.printer.commands import (
    Align,
    EscposJob,
    QrErrorCorrection,
    TextSize,
    feed_lines,
    native_qr,
)


def test_native_qr_is_five_gs_paren_k_commands() -> None:
    assert native_qr("http://k/r/1", module_dots=6) == (
        b"\x1d(k\x04\x00\x31\x41\x32\x00"  # fn 65: model 2
        b"\x1d(k\x03\x00\x31\x43\x06"  # fn 67: module 6 dots
        b"\x1d(k\x03\x00\x31\x45\x31"  # fn 69: error correction M
        b"\x1d(k\x0f\x00\x31\x50\x30http://k/r/1"  # fn 80: store 12 bytes (+3)
        b"\x1d(k\x03\x00\x31\x51\x30"  # fn 81: print
    )


def test_native_qr_length_is_little_endian_over_255() -> None:
    data = "x" * 300
    stored = native_qr(data, correction=QrErrorCorrection.L)
    assert b"\x1d(k" + (303).to_bytes(2, "little") + b"1P0" + data.encode() in stored
    assert b"\x1d(k\x03\x001E0" in stored


@pytest.mark.parametrize(("data", "dots"), [("", 6), ("x", 0), ("x", 17), ("x" * 2954, 6)])
def test_native_qr_refuses_what_a_printer_cannot_print(data: str, dots: int) -> None:
    with pytest.raises(ValueError, match="QR"):
        native_qr(data, module_dots=dots)


def test_job_sends_styles_only_when_they_change() -> None:
    job = EscposJob("gbk").initialize()
    job.style(align=Align.CENTER, bold=True, size=TextSize.DOUBLE).line("AB")
    job.style(align=Align.CENTER, bold=True, size=TextSize.DOUBLE).line("CD")
    job.style(align=Align.LEFT, bold=False, size=TextSize.NORMAL).line("电")
    assert job.to_bytes() == (
        b"\x1b@\x1ba\x01\x1bE\x01\x1d!\x11AB\nCD\n\x1ba\x00\x1bE\x00\x1d!\x00\x1c&\xb5\xe7\n"
    )


def test_sizes_use_gs_bang_so_chinese_grows_too() -> None:
    assert [size.gs_bang for size in TextSize] == [0x00, 0x01, 0x10, 0x11]


def test_initialize_forgets_the_character_mode() -> None:
    job = EscposJob("gbk").initialize().line("电").initialize().line("电")
    assert job.to_bytes() == b"\x1b@\x1c&\xb5\xe7\n\x1b@\x1c&\xb5\xe7\n"


def test_cut_is_sent_whenever_the_printer_has_a_cutter() -> None:
    assert EscposJob().line("x").finish(has_cutter=True) == b"x\n\x1bd\x04\x1dV\x00"
    without = EscposJob().line("x").finish(has_cutter=False)
    assert without == b"x\n\x1bd\x04"
    assert b"\x1dV" not in without


def test_alignment_and_qr_only_at_the_start_of_a_line() -> None:
    job = EscposJob().text("half a line")
    with pytest.raises(ValueError, match="alignment"):
        job.style(align=Align.RIGHT)
    with pytest.raises(ValueError, match="QR"):
        job.qr("x")
    job.line()
    job.style(align=Align.RIGHT).qr("x")


def test_feed_lines() -> None:
    assert feed_lines(3) == b"\x1bd\x03"
    with pytest.raises(ValueError, match="feed"):
        feed_lines(256)
