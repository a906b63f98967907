"""The layout both renderers read, and the builder that makes one.

A ``Layout`` is lines already wrapped and padded for the paper's width, each with its
alignment, weight and size (``TextLine``), plus QR codes (``QrCode``). ``LayoutBuilder`` is
what a document's layout function writes into: text, fields, label/value pairs, tables,
rules, QR codes. ``render_layout_text`` is the plain text of a layout;
kiosk/receipt_escpos.py makes the printer's bytes from the same one.

Widths are counted in columns of the paper: a Chinese character (and ``￥``, ``，``...) takes
two, see ``drivers.printer.text``. In the plain text a line starts at the column where the
printer starts it; a double-width line's characters are written once each.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

from drivers.printer.commands import TextSize
from drivers.printer.text import cells, sanitize, wrap
from kiosk.receipt_checks import ReceiptError

MIN_COLUMNS = 24
MAX_COLUMNS = 80
QR_MODULE_DOTS = 6
QR_MODULE_DOTS_NARROW = 5  # 58 mm paper: keeps a receipt URL's code under 30 mm
NARROW_COLUMNS = 32


class Align(enum.Enum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class TextLine:
    text: str
    align: Align = Align.LEFT
    bold: bool = False
    size: TextSize = TextSize.NORMAL


@dataclass(frozen=True)
class QrCode:
    data: str
    module_dots: int = QR_MODULE_DOTS


Block: TypeAlias = TextLine | QrCode


@dataclass(frozen=True)
class Layout:
    columns: int
    blocks: tuple[Block, ...]


def start_column(line: TextLine, columns: int) -> int:
    """Where the printer starts an aligned line, in normal-size columns."""
    width = cells(line.text) * line.size.width
    if line.align is Align.LEFT or width >= columns:
        return 0
    if line.align is Align.CENTER:
        return (columns - width) // 2
    return columns - width


def qr_text(data: str) -> str:
    """How a QR code appears in plain text (and in the printer emulator's transcript)."""
    return f"[QR: {data}]"


def render_layout_text(layout: Layout) -> str:
    lines: list[str] = []
    for block in layout.blocks:
        if isinstance(block, QrCode):
            lines.append(qr_text(block.data))
        else:
            lines.append((" " * start_column(block, layout.columns) + block.text).rstrip())
    return "\n".join(lines) + "\n"


class LayoutBuilder:
    """Lines for one document at one paper width."""

    def __init__(self, columns: int) -> None:
        if not MIN_COLUMNS <= columns <= MAX_COLUMNS:
            raise ReceiptError(
                f"columns {columns} is outside {MIN_COLUMNS}..{MAX_COLUMNS}; "
                "use 32 for 58 mm paper or 48 for 80 mm"
            )
        self.columns = columns
        self.blocks: list[Block] = []

    def layout(self) -> Layout:
        return Layout(self.columns, tuple(self.blocks))

    def text(
        self,
        text: str,
        *,
        align: Align = Align.LEFT,
        bold: bool = False,
        size: TextSize = TextSize.NORMAL,
    ) -> None:
        for piece in wrap(sanitize(text), self.columns // size.width):
            self.blocks.append(TextLine(piece, align, bold, size))

    def blank(self) -> None:
        self.blocks.append(TextLine(""))

    def rule(self, char: str = "-") -> None:
        self.blocks.append(TextLine(char * (self.columns // cells(char))))

    def pair(self, label: str, value: str, *, bold: bool = False) -> None:
        """Label on the left, value flush right; on two lines when they do not fit on one."""
        label, value = sanitize(label), sanitize(value)
        gap = self.columns - cells(label) - cells(value)
        if gap >= 1:
            self.blocks.append(TextLine(label + " " * gap + value, bold=bold))
            return
        self.text(label, bold=bold)
        self.blocks.append(TextLine(" " * max(0, self.columns - cells(value)) + value, bold=bold))

    def field(self, label: str, value: str) -> None:
        """``label：value``, the value wrapped under itself when long."""
        label, value = sanitize(label), sanitize(value)
        indent = cells(label)
        if indent > self.columns // 3:
            self.text(label + value)
            return
        pieces = wrap(value, self.columns - indent) if value else [""]
        self.blocks.append(TextLine(label + pieces[0]))
        for piece in pieces[1:]:
            self.blocks.append(TextLine(" " * indent + piece))

    def table(self, rows: Sequence[Sequence[str]], *, bold_first: bool = False) -> None:
        """Columns spread over the width: the first left-aligned, the others right-aligned."""
        rows = [[sanitize(cell) for cell in row] for row in rows]
        count = len(rows[0])
        widths = [max(cells(row[i]) for row in rows) for i in range(count)]
        spare = self.columns - sum(widths)
        if spare < count - 1:
            raise ReceiptError(f"a table of {count} columns does not fit in {self.columns}")
        gaps = [
            spare // (count - 1) + (1 if i < spare % (count - 1) else 0) for i in range(1, count)
        ]
        for index, row in enumerate(rows):
            line = row[0] + " " * (widths[0] - cells(row[0]))
            for i in range(1, count):
                line += " " * (gaps[i - 1] + widths[i] - cells(row[i])) + row[i]
            self.blocks.append(TextLine(line, bold=bold_first and index == 0))

    def qr(self, data: str) -> None:
        dots = QR_MODULE_DOTS_NARROW if self.columns <= NARROW_COLUMNS else QR_MODULE_DOTS
        self.blocks.append(QrCode(sanitize(data), dots))
