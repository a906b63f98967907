"""Chinese mode, GBK, code pages and widths: the bytes a Chinese printer needs."""

import pytest

from drivers.printer.text import (
    CharMode,
    PrinterEncoding,
    TextEncoder,
    cells,
    char_cells,
    fit,
    glyph,
    sanitize,
    wrap,
)

FS_AND = b"\x1c&"  # select Chinese mode
FS_DOT = b"\x1c."  # cancel Chinese mode
ESC_T0 = b"\x1bt\x00"  # code page 0 (PC437)


def encode(text: str, encoding: str = "gbk") -> bytes:
    return TextEncoder(encoding).encode(text)


def test_ascii_needs_no_mode_switch() -> None:
    assert encode("K0001-00000042 Demo 12.50") == b"K0001-00000042 Demo 12.50"


def test_chinese_selects_chinese_mode_and_is_gbk() -> None:
    assert encode("电费") == FS_AND + b"\xb5\xe7\xb7\xd1"


def test_full_width_yen_and_punctuation_are_gbk_not_question_marks() -> None:
    assert encode("￥12，：（）。") == FS_AND + (
        b"\xa3\xa4" + b"12" + b"\xa3\xac\xa3\xba\xa3\xa8\xa3\xa9\xa1\xa3"
    )


def test_latin_after_chinese_cancels_chinese_mode_and_selects_the_code_page_once() -> None:
    encoder = TextEncoder("gbk")
    assert encoder.encode("户号 ¥1") == FS_AND + b"\xbb\xa7\xba\xc5 " + FS_DOT + ESC_T0 + b"\x9d1"
    # later switches: FS . alone, the code page is still selected
    assert encoder.encode("元¥") == FS_AND + b"\xd4\xaa" + FS_DOT + b"\x9d"
    encoder.reset()  # after ESC @ the mode is unknown again
    assert encoder.encode("¥") == FS_DOT + ESC_T0 + b"\x9d"


def test_mode_is_kept_across_calls() -> None:
    encoder = TextEncoder("gbk")
    encoder.encode("电")
    assert encoder.encode("费") == b"\xb7\xd1"
    assert encoder.mode is CharMode.CHINESE


def test_ambiguous_width_symbols_from_gbk_print_from_the_chinese_font() -> None:
    assert encode("×") == FS_AND + b"\xa1\xc1"
    assert char_cells("×") == 2
    # but a Latin letter the code page has stays single-byte and one column
    assert encode("é") == FS_DOT + ESC_T0 + b"\x82"
    assert char_cells("é") == 1


def test_unprintable_characters_keep_their_width() -> None:
    # Ext-B character: not in GBK -> full-width question mark, still two columns
    assert encode("𠮷") == FS_AND + b"\xa3\xbf"
    assert char_cells("𠮷") == 2
    # euro: Python's GBK maps it to one byte 0x80, which a printer would misread
    assert encode("€") == b"?"
    assert char_cells("€") == 1


def test_gb18030_prints_what_gbk_cannot() -> None:
    assert encode("𠮷", "gb18030") == FS_AND + "𠮷".encode("gb18030")
    assert len("𠮷".encode("gb18030")) == 4
    assert encode("电", "gb18030") == FS_AND + b"\xb5\xe7"


def test_control_characters_cannot_become_printer_commands() -> None:
    assert encode("A\x1bd\x05B") == b"A?d?B"
    assert sanitize("王\x1b*明\n") == "王?*明 "
    mode, data = glyph("\x1d", PrinterEncoding.GBK)
    assert (mode, data) == (None, b"?")


def test_sanitize_composes_decomposed_letters() -> None:
    assert sanitize("e\u0301") == "é"


@pytest.mark.parametrize(
    ("text", "width"),
    [("", 0), ("abc", 3), ("电费", 4), ("￥12.50", 7), ("¥12.50", 6), ("户号：123", 9)],
)
def test_cells(text: str, width: int) -> None:
    assert cells(text) == width


def test_fit_never_splits_a_wide_character() -> None:
    assert fit("电费缴费", 5) == "电费"
    assert fit("ab电", 3) == "ab"


def test_wrap_breaks_at_spaces_and_inside_chinese() -> None:
    assert wrap("示范供电公司 Demo Power Supply Co.", 32) == [
        "示范供电公司 Demo Power Supply",
        "Co.",
    ]
    assert wrap("本机暂时离线：入账后可凭流水号查询本次缴费。", 16) == [
        "本机暂时离线：入",
        "账后可凭流水号查",
        "询本次缴费。",
    ]
    assert all(cells(line) <= 16 for line in wrap("x" * 40 + " 电费" * 9, 16))
    assert wrap("", 10) == [""]
    with pytest.raises(ValueError, match="columns"):
        wrap("abc", 1)
