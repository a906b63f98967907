"""An ESC/POS job builder: the command set from python-escpos, text and modes done right.

It plays the part of python-escpos's ``Dummy`` printer (append commands to a buffer, take the
bytes) without instantiating python-escpos's ``Escpos`` class: importing that class creates a
temporary directory per process and calls ``logging.basicConfig()``, and its profiles decide
whether ``cut()`` sends anything. The command bytes come from ``escpos.constants``.

Choices a real Chinese receipt printer needs, each different from python-escpos's defaults:
- text goes through :class:`~drivers.printer.text.TextEncoder` (``FS &`` + GBK, ``FS .`` +
  ``ESC t 0`` for Latin);
- sizes use ``GS !``, which enlarges Chinese characters too (``ESC !`` enlarges only
  single-byte characters on many Chinese printers);
- the cut is sent whenever the job is built for a printer with a cutter;
- QR codes are native (``GS ( k``): the printer draws them from a few dozen bytes.
"""

from __future__ import annotations

import enum

from drivers.printer.codes import (
    ALIGN_CENTER,
    ALIGN_LEFT,
    ALIGN_RIGHT,
    BOLD_OFF,
    BOLD_ON,
    CHARACTER_SIZE,
    ESC,
    FULL_CUT,
    GS,
    INITIALIZE,
    LF,
)
from drivers.printer.text import PrinterEncoding, TextEncoder


class Align(enum.IntEnum):
    LEFT = 0
    CENTER = 1
    RIGHT = 2


class TextSize(enum.Enum):
    """Character size as (width, height) multipliers."""

    NORMAL = (1, 1)
    DOUBLE_HEIGHT = (1, 2)
    DOUBLE_WIDTH = (2, 1)
    DOUBLE = (2, 2)

    @property
    def width(self) -> int:
        return self.value[0]

    @property
    def height(self) -> int:
        return self.value[1]

    @property
    def gs_bang(self) -> int:
        """The ``n`` of ``GS ! n``: width - 1 in the high nibble, height - 1 in the low."""
        return (self.width - 1) << 4 | (self.height - 1)


class QrErrorCorrection(enum.IntEnum):
    """The ``n`` of ``GS ( k`` function 169 (ASCII '0'..'3')."""

    L = 48
    M = 49
    Q = 50
    H = 51


class QrFunction(enum.IntEnum):
    """``fn`` of ``GS ( k`` for QR codes (``cn`` = 49)."""

    SELECT_MODEL = 65
    MODULE_SIZE = 67
    ERROR_CORRECTION = 69
    STORE = 80
    PRINT = 81


QR_SYMBOL = 49  # cn: QR code
QR_MODEL_2 = 50
QR_MAX_DATA = 2953  # model 2, version 40, level L, byte mode
# Lines fed before the cut so that the last printed line clears the cutter blade.
CUTTER_FEED_LINES = 4
ALIGN_COMMANDS = {Align.LEFT: ALIGN_LEFT, Align.CENTER: ALIGN_CENTER, Align.RIGHT: ALIGN_RIGHT}


def feed_lines(count: int) -> bytes:
    """``ESC d n``: print the buffer and feed n lines."""
    if not 0 <= count <= 255:
        raise ValueError(f"feed of {count} lines is outside 0..255")
    return ESC + b"d" + bytes([count])


def qr_function(function: QrFunction, payload: bytes) -> bytes:
    """``GS ( k pL pH cn fn payload``."""
    length = len(payload) + 2
    if length > 0xFFFF:
        raise ValueError("QR data too long for one GS ( k command")
    return GS + b"(k" + length.to_bytes(2, "little") + bytes([QR_SYMBOL, function]) + payload


def native_qr(
    data: str, *, module_dots: int = 6, correction: QrErrorCorrection = QrErrorCorrection.M
) -> bytes:
    """The five ``GS ( k`` commands that store and print a QR code (model 2)."""
    if not 1 <= module_dots <= 16:
        raise ValueError(f"QR module size {module_dots} is outside 1..16 dots")
    encoded = data.encode("utf-8")
    if not encoded or len(encoded) > QR_MAX_DATA:
        raise ValueError(f"QR data must be 1..{QR_MAX_DATA} bytes, got {len(encoded)}")
    return b"".join(
        (
            qr_function(QrFunction.SELECT_MODEL, bytes([QR_MODEL_2, 0])),
            qr_function(QrFunction.MODULE_SIZE, bytes([module_dots])),
            qr_function(QrFunction.ERROR_CORRECTION, bytes([correction])),
            qr_function(QrFunction.STORE, b"0" + encoded),
            qr_function(QrFunction.PRINT, b"0"),
        )
    )


class EscposJob:
    """Builds one print job; style commands are sent only when the style changes."""

    def __init__(self, encoding: PrinterEncoding | str = PrinterEncoding.GBK) -> None:
        self._out = bytearray()
        self._text = TextEncoder(encoding)
        self._align = Align.LEFT
        self._bold = False
        self._size = TextSize.NORMAL
        self._at_line_start = True

    def initialize(self) -> EscposJob:
        """``ESC @``: clear the printer's buffer and modes."""
        self._out += INITIALIZE
        self._text.reset()
        self._align, self._bold, self._size = Align.LEFT, False, TextSize.NORMAL
        self._at_line_start = True
        return self

    def style(
        self,
        *,
        align: Align | None = None,
        bold: bool | None = None,
        size: TextSize | None = None,
    ) -> EscposJob:
        if align is not None and align is not self._align:
            # ESC a only takes effect at the start of a line.
            if not self._at_line_start:
                raise ValueError("alignment can change only at the start of a line")
            self._out += ALIGN_COMMANDS[align]
            self._align = align
        if bold is not None and bold is not self._bold:
            self._out += BOLD_ON if bold else BOLD_OFF
            self._bold = bold
        if size is not None and size is not self._size:
            self._out += CHARACTER_SIZE + bytes([size.gs_bang])
            self._size = size
        return self

    def text(self, text: str) -> EscposJob:
        if text:
            self._out += self._text.encode(text)
            self._at_line_start = False
        return self

    def line(self, text: str = "") -> EscposJob:
        """Text then LF (print and feed one line)."""
        self.text(text)
        self._out += LF
        self._at_line_start = True
        return self

    def feed(self, count: int) -> EscposJob:
        self._out += feed_lines(count)
        self._at_line_start = True
        return self

    def qr(
        self,
        data: str,
        *,
        module_dots: int = 6,
        correction: QrErrorCorrection = QrErrorCorrection.M,
    ) -> EscposJob:
        if not self._at_line_start:
            raise ValueError("a QR code must start on a new line")
        self._out += native_qr(data, module_dots=module_dots, correction=correction)
        return self

    def cut(self) -> EscposJob:
        """Feed past the blade, then ``GS V 0`` (full cut), whatever any profile says."""
        self._out += feed_lines(CUTTER_FEED_LINES) + FULL_CUT
        self._at_line_start = True
        return self

    def tear_off(self) -> EscposJob:
        """No cutter: feed the last line past the tear bar."""
        self._out += feed_lines(CUTTER_FEED_LINES)
        self._at_line_start = True
        return self

    def finish(self, *, has_cutter: bool) -> bytes:
        return (self.cut() if has_cutter else self.tear_off()).to_bytes()

    def to_bytes(self) -> bytes:
        return bytes(self._out)

    def __len__(self) -> int:
        return len(self._out)
