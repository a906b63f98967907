"""ESC/POS decoder: the bytes a receipt printer receives, as typed operations.

``EscposDecoder.feed(data)`` takes bytes as they arrive (a command may be split across two
reads) and returns the operations it completed: text with its style, line feeds, feeds,
QR codes, cuts, status requests. It tracks what a printer tracks: alignment, bold, size,
Chinese mode (``FS &`` / ``FS .``), the code page (``ESC t``), a stored QR code.

Text is decoded the way the printer would: in Chinese mode a byte from 0x81 starts a
double-byte GBK character (four bytes in GB18030 when the second is a digit), printed two
columns wide; otherwise a byte is ASCII or a character of the code page, one column wide.
Anything it cannot decode becomes an ``Unknown`` operation naming the bytes, never silence.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from dataclasses import dataclass, field

DLE, EOT, ENQ, DC4 = 0x10, 0x04, 0x05, 0x14
ESC, FS, GS = 0x1B, 0x1C, 0x1D
LF, CR, HT = 0x0A, 0x0D, 0x09

# ESC t n -> Python codec (the common pages of Epson-compatible printers).
CODEPAGES = {
    0: "cp437",
    2: "cp850",
    3: "cp860",
    4: "cp863",
    5: "cp865",
    16: "cp1252",
    17: "cp866",
    18: "cp852",
    19: "cp858",
}

# Commands of a fixed total length (prefix byte, command byte, parameters), by prefix.
_ESC_LENGTHS = {
    ord("@"): 2, ord("2"): 2, ord("3"): 3, ord("a"): 3, ord("E"): 3, ord("G"): 3,
    ord("!"): 3, ord("-"): 3, ord("d"): 3, ord("J"): 3, ord("t"): 3, ord("R"): 3,
    ord("M"): 3, ord("{"): 3, ord("V"): 3, ord("r"): 3, ord("="): 3, ord("$"): 4,
    ord("\\"): 4, ord("p"): 5, ord("B"): 4, ord("c"): 4, ord("S"): 2, ord("L"): 2,
    ord(" "): 3, ord("%"): 3, ord("U"): 3,
}  # fmt: skip
_GS_LENGTHS = {
    ord("!"): 3, ord("B"): 3, ord("b"): 3, ord("H"): 3, ord("h"): 3, ord("w"): 3,
    ord("f"): 3, ord("r"): 3, ord("I"): 3, ord("a"): 3, ord("|"): 3, ord("L"): 4,
    ord("W"): 4,
}  # fmt: skip
_FS_LENGTHS = {
    ord("&"): 2, ord("."): 2, ord("!"): 3, ord("C"): 3, ord("-"): 3, ord("S"): 4,
    ord("W"): 3,
}  # fmt: skip


class Alignment(enum.IntEnum):
    LEFT = 0
    CENTER = 1
    RIGHT = 2


@dataclass(frozen=True)
class Style:
    align: Alignment = Alignment.LEFT
    bold: bool = False
    width: int = 1
    height: int = 1
    underline: bool = False


# --- operations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """Characters printed in one style; ``cells`` are normal-size columns per character."""

    text: str
    cells: tuple[int, ...]
    style: Style

    def describe(self) -> str:
        return f"text {self.text!r} {self.style}"


@dataclass(frozen=True)
class LineFeed:
    def describe(self) -> str:
        return "LF"


@dataclass(frozen=True)
class Tab:
    def describe(self) -> str:
        return "HT"


@dataclass(frozen=True)
class Feed:
    lines: int = 0
    dots: int = 0

    def describe(self) -> str:
        return f"feed {self.lines} lines" if self.lines else f"feed {self.dots} dots"


@dataclass(frozen=True)
class Initialize:
    def describe(self) -> str:
        return "ESC @ initialize"


@dataclass(frozen=True)
class Setting:
    """A mode change kept by the decoder (style, Chinese mode, code page...)."""

    name: str
    value: object

    def describe(self) -> str:
        return f"{self.name} = {self.value}"


@dataclass(frozen=True)
class QrPrint:
    data: str
    module_dots: int
    correction: str
    align: Alignment

    def describe(self) -> str:
        return f"QR {self.data!r} module {self.module_dots} EC {self.correction}"


@dataclass(frozen=True)
class Cut:
    partial: bool
    feed_dots: int = 0

    def describe(self) -> str:
        return "partial cut" if self.partial else "full cut"


@dataclass(frozen=True)
class StatusRequest:
    """``DLE EOT n``: real-time, answered at once whatever the printer is doing."""

    query: int

    def describe(self) -> str:
        return f"DLE EOT {self.query}"


@dataclass(frozen=True)
class TransmitRequest:
    """``GS r n`` / ``GS I n``: answered when the printer reaches it."""

    command: str
    n: int

    def describe(self) -> str:
        return f"GS {self.command} {self.n}"


@dataclass(frozen=True)
class Unknown:
    data: bytes
    reason: str

    def describe(self) -> str:
        return f"UNKNOWN {self.data.hex(' ')}: {self.reason}"


Op = (
    Text
    | LineFeed
    | Tab
    | Feed
    | Initialize
    | Setting
    | QrPrint
    | Cut
    | StatusRequest
    | TransmitRequest
    | Unknown
)


class _IncompleteError(Exception):
    """The buffer ends inside a command; wait for more bytes."""


_QR_CORRECTION = {48: "L", 49: "M", 50: "Q", 51: "H"}


@dataclass
class _State:
    style: Style = field(default_factory=Style)
    chinese: bool = False
    codepage: int = 0
    qr_data: bytes = b""
    qr_module_dots: int = 3
    qr_correction: int = 48


class EscposDecoder:
    """Incremental decoder; ``feed`` returns the operations completed so far."""

    def __init__(self, encoding: str = "gbk") -> None:
        if encoding not in ("gbk", "gb18030"):
            raise ValueError(f"encoding {encoding!r} is not gbk or gb18030")
        self.encoding = encoding
        self._buffer = bytearray()
        self._state = _State()
        self._text: list[str] = []
        self._cells: list[int] = []
        self._prefixes: dict[int, Callable[[bytes, int, list[Op]], int]] = {
            ESC: self._esc,
            GS: self._gs,
            FS: self._fs,
            DLE: self._dle,
        }

    @property
    def pending(self) -> int:
        """Bytes held back because a command is not complete yet."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Op]:
        self._buffer += data
        ops: list[Op] = []
        position = 0
        buffer = bytes(self._buffer)
        while position < len(buffer):
            try:
                used = self._one(buffer, position, ops)
            except _IncompleteError:
                break
            position += used
        self._flush_text(ops)
        del self._buffer[:position]
        return ops

    # --- text ------------------------------------------------------------------------------

    def _char(self, text: str, cells: int) -> None:
        self._text.append(text)
        self._cells.append(cells)

    def _flush_text(self, ops: list[Op]) -> None:
        if self._text:
            ops.append(Text("".join(self._text), tuple(self._cells), self._state.style))
            self._text, self._cells = [], []

    def _emit(self, ops: list[Op], op: Op) -> None:
        self._flush_text(ops)
        ops.append(op)

    def _style(self, ops: list[Op], **changes: object) -> None:
        self._flush_text(ops)
        self._state.style = dataclasses.replace(self._state.style, **changes)  # type: ignore[arg-type]
        for name, value in changes.items():
            ops.append(Setting(name, value))

    def _text_byte(self, buffer: bytes, position: int, ops: list[Op]) -> int:
        byte = buffer[position]
        if byte < 0x80:
            self._char(chr(byte), 1)
            return 1
        if self._state.chinese:
            return self._double_byte(buffer, position, ops)
        codec = CODEPAGES.get(self._state.codepage)
        if codec is None:
            self._emit(ops, Unknown(bytes([byte]), f"code page {self._state.codepage}"))
            self._char("?", 1)
            return 1
        self._char(bytes([byte]).decode(codec), 1)
        return 1

    def _double_byte(self, buffer: bytes, position: int, ops: list[Op]) -> int:
        lead = buffer[position]
        if not 0x81 <= lead <= 0xFE:
            self._emit(ops, Unknown(bytes([lead]), "not a GBK lead byte"))
            self._char("?", 1)
            return 1
        need = position + 2
        if need > len(buffer):
            raise _IncompleteError
        size = 2
        if self.encoding == "gb18030" and 0x30 <= buffer[position + 1] <= 0x39:
            size = 4
            if position + 4 > len(buffer):
                raise _IncompleteError
        raw = buffer[position : position + size]
        try:
            self._char(raw.decode(self.encoding), 2)
        except UnicodeDecodeError:
            self._emit(ops, Unknown(raw, f"not a {self.encoding.upper()} character"))
            self._char("？", 2)
        return size

    # --- commands --------------------------------------------------------------------------

    def _one(self, buffer: bytes, position: int, ops: list[Op]) -> int:
        byte = buffer[position]
        command = self._prefixes.get(byte)
        if command is not None:
            return command(buffer, position, ops)
        if byte == LF:
            self._emit(ops, LineFeed())
        elif byte == HT:
            self._emit(ops, Tab())
        elif byte == CR:
            pass  # the printer feeds on LF; CR is ignored
        elif byte < 0x20 or byte == 0x7F:
            self._emit(ops, Unknown(bytes([byte]), "control byte"))
        else:
            return self._text_byte(buffer, position, ops)
        return 1

    @staticmethod
    def _take(buffer: bytes, position: int, length: int) -> bytes:
        if position + length > len(buffer):
            raise _IncompleteError
        return buffer[position : position + length]

    def _esc(self, buffer: bytes, position: int, ops: list[Op]) -> int:
        command = self._take(buffer, position, 2)[1]
        if command == ord("D"):  # tab stops, NUL-terminated
            end = buffer.find(b"\x00", position + 2)
            if end < 0:
                raise _IncompleteError
            self._emit(ops, Setting("tab stops", list(buffer[position + 2 : end])))
            return end + 1 - position
        length = _ESC_LENGTHS.get(command)
        if length is None:
            self._emit(ops, Unknown(bytes([ESC, command]), "unknown ESC command"))
            return 2
        data = self._take(buffer, position, length)
        n = data[2] if length > 2 else 0
        if command == ord("@"):
            self._state = _State()
            self._emit(ops, Initialize())
        elif command == ord("a"):
            self._style(ops, align=Alignment(min(n - 48 if n >= 48 else n, 2)))
        elif command in (ord("E"), ord("G")):
            self._style(ops, bold=bool(n & 1))
        elif command == ord("!"):
            self._style(
                ops,
                bold=bool(n & 0x08),
                height=2 if n & 0x10 else 1,
                width=2 if n & 0x20 else 1,
                underline=bool(n & 0x80),
            )
        elif command == ord("-"):
            self._style(ops, underline=bool(n % 48))
        elif command == ord("d"):
            self._emit(ops, Feed(lines=n))
        elif command == ord("J"):
            self._emit(ops, Feed(dots=n))
        elif command == ord("t"):
            self._flush_text(ops)
            self._state.codepage = n
            self._emit(ops, Setting("code page", CODEPAGES.get(n, f"unknown {n}")))
        else:
            self._emit(ops, Setting(f"ESC {chr(command)}", data[2:].hex(" ")))
        return length

    def _gs(self, buffer: bytes, position: int, ops: list[Op]) -> int:
        command = self._take(buffer, position, 2)[1]
        if command == ord("V"):
            return self._gs_cut(buffer, position, ops)
        if command == ord("("):
            return self._gs_function(buffer, position, ops)
        if command == ord("v"):
            return self._gs_raster(buffer, position, ops)
        length = _GS_LENGTHS.get(command)
        if length is None:
            self._emit(ops, Unknown(bytes([GS, command]), "unknown GS command"))
            return 2
        data = self._take(buffer, position, length)
        n = data[2]
        if command == ord("!"):
            self._style(ops, width=(n >> 4) + 1, height=(n & 0x0F) + 1)
        elif command in (ord("r"), ord("I")):
            self._emit(ops, TransmitRequest(chr(command), n))
        else:
            self._emit(ops, Setting(f"GS {chr(command)}", data[2:].hex(" ")))
        return length

    def _gs_cut(self, buffer: bytes, position: int, ops: list[Op]) -> int:
        m = self._take(buffer, position, 3)[2]
        if m in (0, 1, 48, 49):
            self._emit(ops, Cut(partial=m in (1, 49)))
            return 3
        if m in (65, 66, 97, 98, 103, 104):
            n = self._take(buffer, position, 4)[3]
            self._emit(ops, Cut(partial=m in (66, 98, 104), feed_dots=n))
            return 4
        self._emit(ops, Unknown(bytes([GS, ord("V"), m]), "unknown cut mode"))
        return 3

    def _gs_function(self, buffer: bytes, position: int, ops: list[Op]) -> int:
        """``GS ( X pL pH data``: QR codes for X = k, other functions recorded."""
        header = self._take(buffer, position, 5)
        length = 5 + int.from_bytes(header[3:5], "little")
        data = self._take(buffer, position, length)
        if header[2] == ord("k"):
            self._qr(data[5:], ops)
        else:
            self._emit(ops, Setting(f"GS ( {chr(header[2])}", data[5:].hex(" ")))
        return length

    def _gs_raster(self, buffer: bytes, position: int, ops: list[Op]) -> int:
        """``GS v 0 m xL xH yL yH data``: skipped whole, reported (receipts send none)."""
        header = self._take(buffer, position, 8)
        width = int.from_bytes(header[4:6], "little")
        height = int.from_bytes(header[6:8], "little")
        self._take(buffer, position, 8 + width * height)
        self._emit(ops, Unknown(header, f"raster image {width * 8}x{height} not rendered"))
        return 8 + width * height

    def _qr(self, payload: bytes, ops: list[Op]) -> None:
        if len(payload) < 2 or payload[0] != 49:
            self._emit(ops, Unknown(b"\x1d(k" + payload[:4], "GS ( k for a symbol other than QR"))
            return
        function, rest = payload[1], payload[2:]
        state = self._state
        if function == 65:
            self._emit(ops, Setting("QR model", rest[:1].decode("latin-1")))
        elif function == 67 and rest:
            state.qr_module_dots = rest[0]
        elif function == 69 and rest:
            state.qr_correction = rest[0]
        elif function == 80:
            state.qr_data = rest[1:]
        elif function == 81:
            try:
                data = state.qr_data.decode("utf-8")
            except UnicodeDecodeError:
                data = state.qr_data.decode("latin-1")
            if not state.qr_data:
                self._emit(ops, Unknown(b"\x1d(k", "QR print with no stored data"))
                return
            self._emit(
                ops,
                QrPrint(
                    data,
                    state.qr_module_dots,
                    _QR_CORRECTION.get(state.qr_correction, "?"),
                    state.style.align,
                ),
            )
        else:
            self._emit(ops, Setting(f"QR function {function}", rest.hex(" ")))

    def _fs(self, buffer: bytes, position: int, ops: list[Op]) -> int:
        command = self._take(buffer, position, 2)[1]
        length = _FS_LENGTHS.get(command)
        if length is None:
            self._emit(ops, Unknown(bytes([FS, command]), "unknown FS command"))
            return 2
        data = self._take(buffer, position, length)
        if command in (ord("&"), ord(".")):
            self._flush_text(ops)
            self._state.chinese = command == ord("&")
            self._emit(ops, Setting("chinese mode", self._state.chinese))
        else:
            self._emit(ops, Setting(f"FS {chr(command)}", data[2:].hex(" ")))
        return length

    def _dle(self, buffer: bytes, position: int, ops: list[Op]) -> int:
        command = self._take(buffer, position, 2)[1]
        if command == EOT:
            n = self._take(buffer, position, 3)[2]
            self._emit(ops, StatusRequest(n))
            return 3
        if command == ENQ:
            self._take(buffer, position, 3)
            return 3
        if command == DC4:
            data = self._take(buffer, position, 3)
            length = 10 if data[2] == 8 else 5
            self._take(buffer, position, length)
            return length
        self._emit(ops, Unknown(bytes([DLE, command]), "unknown DLE command"))
        return 2
