"""Text for a Chinese ESC/POS printer: which mode prints a character, and how wide it is.

A Chinese receipt printer has two character modes. In Chinese mode (``FS &``) a byte at or
above 0x80 starts a double-byte GBK (or four-byte GB18030) character, printed from the
24-dot Chinese font, two columns wide. In single-byte mode (``FS .``) such a byte is a
character of the selected code page (``ESC t n``), one column wide. ASCII prints the same in
both modes, so it never forces a switch.

The rule for one character, the same for layout and for encoding so that columns line up:

1. ASCII (space to ``~``): either mode, one column.
2. East Asian wide or full width (CJK, ``￥``, ``，``, ``：``): Chinese mode, two columns.
3. In the single-byte code page (``¥`` ``é`` ``·``): single-byte mode, one column.
4. East Asian ambiguous and double-byte in GBK (``×`` ``—`` ``“``): Chinese mode, two columns,
   because the printer takes its glyph from the Chinese font.
5. Anything else cannot be printed: ``？`` (two columns) for a wide character, ``?`` otherwise.

python-escpos sends Chinese as GB18030 without selecting Chinese mode and turns full-width
symbols in other strings into ``?``; this module is why the driver does not use its text path.
Control characters never reach the printer as such: they would be printer commands.
"""

from __future__ import annotations

import enum
import unicodedata
from functools import lru_cache

from drivers.printer.codes import FS, SELECT_CODEPAGE


class CharMode(enum.Enum):
    """The printer's character mode."""

    SINGLE_BYTE = "single-byte"
    CHINESE = "chinese"


class PrinterEncoding(enum.StrEnum):
    """How the printer's Chinese font is addressed."""

    GBK = "gbk"
    GB18030 = "gb18030"


# The single-byte code page used for Latin text: PC437 is page 0 on every ESC/POS printer.
LATIN_CODEPAGE = "cp437"
LATIN_CODEPAGE_NUMBER = 0

SELECT_CHINESE_MODE = FS + b"&"
CANCEL_CHINESE_MODE = FS + b"."
SELECT_LATIN_CODEPAGE = SELECT_CODEPAGE + bytes([LATIN_CODEPAGE_NUMBER])

WIDE_REPLACEMENT = "？"
NARROW_REPLACEMENT = "?"

_WIDE = frozenset({"W", "F"})
_ASCII_PRINTABLE = range(0x20, 0x7F)


def sanitize(text: str) -> str:
    """NFC-normalise and replace control and format characters (they would be commands)."""
    text = unicodedata.normalize("NFC", text)
    return "".join(
        " " if ch in "\t\r\n" else NARROW_REPLACEMENT if _is_control(ch) else ch for ch in text
    )


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "C"


@lru_cache(maxsize=4096)
def char_cells(ch: str) -> int:
    """Columns one character takes on paper (independent of GBK vs GB18030)."""
    if ord(ch) in _ASCII_PRINTABLE:
        return 1
    if _is_control(ch):
        return 1
    if unicodedata.east_asian_width(ch) in _WIDE:
        return 2
    if _single_byte(ch) is not None:
        return 1
    if unicodedata.east_asian_width(ch) == "A" and _double_byte(ch, PrinterEncoding.GBK):
        return 2
    return 1


def cells(text: str) -> int:
    """Columns a string takes on paper at normal size."""
    return sum(char_cells(ch) for ch in text)


def fit(text: str, width: int) -> str:
    """The longest prefix of text that fits in width columns."""
    used = 0
    for index, ch in enumerate(text):
        used += char_cells(ch)
        if used > width:
            return text[:index]
    return text


def wrap(text: str, width: int) -> list[str]:
    """Break text into lines of at most width columns, at spaces where possible."""
    if width < 2:
        raise ValueError(f"cannot wrap into {width} columns; need at least 2")
    lines: list[str] = []
    rest = text.strip()
    while cells(rest) > width:
        head = fit(rest, width)
        cut = head.rfind(" ")
        # Break at a space unless that leaves a stub; CJK text has no spaces and breaks anywhere.
        if cut > len(head) // 2:
            head = head[:cut]
        lines.append(head.rstrip())
        rest = rest[len(head) :].lstrip()
    if rest or not lines:
        lines.append(rest)
    return lines


@lru_cache(maxsize=4096)
def _single_byte(ch: str) -> bytes | None:
    try:
        data = ch.encode(LATIN_CODEPAGE)
    except UnicodeEncodeError:
        return None
    return data if len(data) == 1 else None


@lru_cache(maxsize=8192)
def _double_byte(ch: str, encoding: PrinterEncoding) -> bytes | None:
    """The character's Chinese-mode bytes: two (GBK) or two/four (GB18030), else None."""
    try:
        data = ch.encode(encoding.value)
    except UnicodeEncodeError:
        return None
    # Python's GBK maps a few characters (the euro sign) to one byte >= 0x80, which a
    # printer in Chinese mode would take as half of a double-byte code.
    return data if len(data) in (2, 4) and data[0] >= 0x81 else None


def glyph(ch: str, encoding: PrinterEncoding) -> tuple[CharMode | None, bytes]:
    """The mode a character needs (None: either) and its bytes in that mode."""
    code = ord(ch)
    if code in _ASCII_PRINTABLE:
        return None, bytes([code])
    if _is_control(ch):
        return None, NARROW_REPLACEMENT.encode("ascii")
    wide = unicodedata.east_asian_width(ch) in _WIDE
    if wide:
        data = _double_byte(ch, encoding)
        if data is None:
            data = _double_byte(WIDE_REPLACEMENT, encoding)
            assert data is not None
        return CharMode.CHINESE, data
    single = _single_byte(ch)
    if single is not None:
        return CharMode.SINGLE_BYTE, single
    if unicodedata.east_asian_width(ch) == "A":
        gbk = _double_byte(ch, PrinterEncoding.GBK)
        if gbk is not None:
            # Same width whatever the encoding; GB18030 agrees with GBK on these.
            return CharMode.CHINESE, _double_byte(ch, encoding) or gbk
    return None, NARROW_REPLACEMENT.encode("ascii")


class TextEncoder:
    """Encodes text for the printer, switching character mode only where needed.

    The mode is unknown after ``ESC @`` (a printer's default can be either), so the first
    non-ASCII character always selects one explicitly; call ``reset()`` after ``ESC @``.
    """

    def __init__(self, encoding: PrinterEncoding | str) -> None:
        self.encoding = PrinterEncoding(encoding)
        self.mode: CharMode | None = None
        self._codepage_selected = False

    def reset(self) -> None:
        self.mode = None
        self._codepage_selected = False

    def encode(self, text: str) -> bytes:
        out = bytearray()
        for ch in text:
            mode, data = glyph(ch, self.encoding)
            if mode is not None and mode is not self.mode:
                out += self._switch_to(mode)
            out += data
        return bytes(out)

    def _switch_to(self, mode: CharMode) -> bytes:
        self.mode = mode
        if mode is CharMode.CHINESE:
            return SELECT_CHINESE_MODE
        if self._codepage_selected:
            return CANCEL_CHINESE_MODE
        self._codepage_selected = True
        return CANCEL_CHINESE_MODE + SELECT_LATIN_CODEPAGE
