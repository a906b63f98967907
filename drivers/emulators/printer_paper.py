"""The emulated printer's paper: decoded operations laid out into lines, a transcript, a PNG.

``Paper.apply(op)`` places text the way a printer does: alignment is taken at the start of a
line, a line too long for the paper wraps, a double-width character takes twice its columns.
A cut ends the receipt. The transcript writes each line from the column where the printer
starts it (trailing spaces dropped, QR codes as ``[QR: data]``), which is the plain-text
form the kiosk journals, so the two can be compared.

The picture is drawn at the printer's resolution (12 x 24 dots per column, 24 dots per
Chinese character, 30-dot lines), with a CJK font, and QR codes drawn as real QR codes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont

from drivers.emulators.escpos_decode import (
    Alignment,
    Cut,
    Feed,
    Initialize,
    LineFeed,
    Op,
    QrPrint,
    Style,
    Tab,
    Text,
    Unknown,
)

log = logging.getLogger("drivers.emulators.printer")

DOTS_PER_COLUMN = 12  # font A is 12 x 24 dots; a Chinese character 24 x 24
CHAR_HEIGHT_DOTS = 24
LINE_DOTS = 30  # the default line spacing (ESC 2)
TAB_COLUMNS = 8
MARGIN_DOTS = 32
FONT_PATHS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
MONO_FONT_PATHS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf"),
)
MONO_FONT_SIZE = 20  # 0.6 em advance: 12 dots, one column
_QR_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


@dataclass(frozen=True)
class Glyph:
    char: str
    cells: int
    style: Style


@dataclass
class PrintedLine:
    align: Alignment
    glyphs: list[Glyph] = field(default_factory=list)

    @property
    def columns(self) -> int:
        return sum(g.cells * g.style.width for g in self.glyphs)

    @property
    def height(self) -> int:
        return max((g.style.height for g in self.glyphs), default=1)

    def start_column(self, paper_columns: int) -> int:
        used = self.columns
        if self.align is Alignment.LEFT or used >= paper_columns:
            return 0
        if self.align is Alignment.CENTER:
            return (paper_columns - used) // 2
        return paper_columns - used


@dataclass(frozen=True)
class PrintedQr:
    data: str
    module_dots: int
    correction: str
    align: Alignment


@dataclass(frozen=True)
class FedDots:
    dots: int


Item = PrintedLine | PrintedQr | FedDots


@dataclass
class PrintedReceipt:
    """One receipt as it came out of the printer (``cut`` False: torn off or cut short)."""

    index: int
    columns: int
    items: list[Item]
    cut: bool
    problems: list[str]
    raw_size: int = 0
    txt_path: Path | None = None
    png_path: Path | None = None

    @property
    def transcript(self) -> str:
        return transcript(self.items, self.columns)


class Paper:
    """Accumulates one receipt at a time; ``apply`` returns a receipt when one is finished."""

    def __init__(self, columns: int) -> None:
        if not 16 <= columns <= 96:
            raise ValueError(f"paper of {columns} columns is outside 16..96")
        self.columns = columns
        self._items: list[Item] = []
        self._line: PrintedLine | None = None
        self._problems: list[str] = []
        self._count = 0

    @property
    def has_content(self) -> bool:
        return bool(self._items) or self._line is not None

    def apply(self, op: Op, *, has_cutter: bool = True) -> PrintedReceipt | None:
        if isinstance(op, Text):
            self._print_text(op)
        elif isinstance(op, LineFeed):
            self._end_line(force_blank=True)
        elif isinstance(op, Tab):
            self._tab()
        elif isinstance(op, Feed):
            self._end_line()
            self._feed(op)
        elif isinstance(op, QrPrint):
            self._end_line()
            self._items.append(PrintedQr(op.data, op.module_dots, op.correction, op.align))
        elif isinstance(op, Cut):
            if has_cutter:
                return self.finish(cut=True)
            self._problems.append("cut command sent to a printer without a cutter (ignored)")
        elif isinstance(op, Initialize):
            if self.has_content:
                self._problems.append("ESC @ before the receipt was cut: it ends here uncut")
                return self.finish(cut=False)
        elif isinstance(op, Unknown):
            self._problems.append(op.describe())
        return None

    def finish(self, *, cut: bool) -> PrintedReceipt | None:
        """End the current receipt (cut, torn off, or the paper ran out)."""
        self._end_line()
        if not self._items and not self._problems:
            return None
        self._count += 1
        receipt = PrintedReceipt(self._count, self.columns, self._items, cut, self._problems)
        self._items, self._problems = [], []
        return receipt

    def _feed(self, op: Feed) -> None:
        dots = op.lines * LINE_DOTS + op.dots
        if dots:
            self._items.append(FedDots(dots))

    def _print_text(self, op: Text) -> None:
        for char, cells in zip(op.text, op.cells, strict=True):
            line = self._line
            if line is None:
                line = self._line = PrintedLine(op.style.align)
            width = cells * op.style.width
            if line.glyphs and line.columns + width > self.columns:
                self._end_line()  # the printer wraps a line that does not fit
                line = self._line = PrintedLine(op.style.align)
            line.glyphs.append(Glyph(char, cells, op.style))

    def _tab(self) -> None:
        line = self._line or PrintedLine(Alignment.LEFT)
        self._line = line
        spaces = TAB_COLUMNS - line.columns % TAB_COLUMNS
        style = line.glyphs[-1].style if line.glyphs else Style()
        line.glyphs.extend(Glyph(" ", 1, style) for _ in range(spaces))

    def _end_line(self, *, force_blank: bool = False) -> None:
        if self._line is not None:
            self._items.append(self._line)
            self._line = None
        elif force_blank:
            self._items.append(PrintedLine(Alignment.LEFT))


def qr_text(data: str) -> str:
    return f"[QR: {data}]"


def transcript(items: list[Item], columns: int) -> str:
    """Each printed line from the column where it starts; feeds as blank lines."""
    lines: list[str] = []
    for item in items:
        if isinstance(item, PrintedQr):
            lines.append(qr_text(item.data))
        elif isinstance(item, FedDots):
            lines.extend([""] * (item.dots // LINE_DOTS))
        else:
            text = "".join(g.char for g in item.glyphs)
            lines.append((" " * item.start_column(columns) + text).rstrip())
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


# --- the picture ---------------------------------------------------------------------------


@lru_cache(maxsize=2)
def _font(cells: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A monospaced font for one-column characters, a CJK font for two-column ones."""
    candidates = (*MONO_FONT_PATHS, *FONT_PATHS) if cells == 1 else FONT_PATHS
    for path in candidates:
        if path.exists():
            size = MONO_FONT_SIZE if path in MONO_FONT_PATHS else CHAR_HEIGHT_DOTS - 2
            return ImageFont.truetype(str(path), size)
    log.warning("no CJK font found (%s); Chinese will not show in PNGs", FONT_PATHS[0])
    return ImageFont.load_default()


@lru_cache(maxsize=8192)
def _glyph_image(char: str, cells: int, bold: bool) -> Image.Image:
    """One character at normal size on its baseline, centred in its cell(s)."""
    width = cells * DOTS_PER_COLUMN
    image = Image.new("L", (width, CHAR_HEIGHT_DOTS), 255)
    if not char.strip():
        return image
    font = _font(cells)
    if isinstance(font, ImageFont.FreeTypeFont):
        ascent, descent = font.getmetrics()
        baseline = (CHAR_HEIGHT_DOTS - ascent - descent) / 2 + ascent
        advance = font.getlength(char)
    else:
        baseline, advance = CHAR_HEIGHT_DOTS * 0.8, float(width)
    # A glyph wider than its cell is drawn wider, then squeezed, as a printer font would be.
    canvas_width = max(width, int(advance) + 2)
    canvas = Image.new("L", (canvas_width, CHAR_HEIGHT_DOTS), 255)
    draw = ImageDraw.Draw(canvas)
    for offset in (0, 1) if bold else (0,):  # emphasised: each dot column struck twice
        draw.text((canvas_width / 2 + offset, baseline), char, font=font, fill=0, anchor="ms")
    if canvas_width != width:
        canvas = canvas.resize((width, CHAR_HEIGHT_DOTS), Image.Resampling.LANCZOS)
    image.paste(canvas, (0, 0))
    return image


def _line_image(line: PrintedLine, columns: int) -> Image.Image:
    height = line.height * CHAR_HEIGHT_DOTS
    image = Image.new("L", (columns * DOTS_PER_COLUMN, max(height, LINE_DOTS)), 255)
    x = line.start_column(columns) * DOTS_PER_COLUMN
    for glyph in line.glyphs:
        cell = _glyph_image(glyph.char, glyph.cells, glyph.style.bold)
        width, tall = glyph.style.width, glyph.style.height
        if (width, tall) != (1, 1):
            # the printer doubles dots: nearest-neighbour scaling looks the same
            cell = cell.resize((cell.width * width, cell.height * tall), Image.Resampling.NEAREST)
        image.paste(cell, (x, height - cell.height))
        if glyph.style.underline:
            ImageDraw.Draw(image).line((x, height - 1, x + cell.width, height - 1), fill=0, width=2)
        x += cell.width
    return image


def _qr_image(item: PrintedQr) -> Image.Image:
    code = qrcode.QRCode(
        error_correction=_QR_LEVELS.get(item.correction, qrcode.constants.ERROR_CORRECT_M),
        box_size=max(1, item.module_dots),
        border=0,
    )
    code.add_data(item.data.encode("utf-8"))
    code.make(fit=True)
    picture = code.make_image(fill_color="black", back_color="white")
    image: Image.Image = picture.get_image().convert("L")
    return image


def _aligned_x(width: int, paper_width: int, align: Alignment) -> int:
    if align is Alignment.CENTER:
        return max(0, (paper_width - width) // 2)
    if align is Alignment.RIGHT:
        return max(0, paper_width - width)
    return 0


def _pieces(receipt: PrintedReceipt) -> list[tuple[Image.Image | None, int, int]]:
    """Each item as (picture or None for blank paper, x, dots of paper it takes)."""
    paper_width = receipt.columns * DOTS_PER_COLUMN
    spacing = LINE_DOTS - CHAR_HEIGHT_DOTS
    pieces: list[tuple[Image.Image | None, int, int]] = []
    for item in receipt.items:
        if isinstance(item, FedDots):
            pieces.append((None, 0, item.dots))
        elif isinstance(item, PrintedQr):
            image = _qr_image(item)
            x = _aligned_x(image.width, paper_width, item.align)
            pieces.append((image, x, image.height + spacing))
        else:
            image = _line_image(item, receipt.columns)
            pieces.append((image, 0, image.height + (spacing if item.height > 1 else 0)))
    return pieces


def render_png(receipt: PrintedReceipt, path: Path) -> Path:
    """Draw the receipt as the printer would print it, with a margin and a cut edge."""
    pieces = _pieces(receipt)
    body = sum(height for _, _, height in pieces)
    total_width = receipt.columns * DOTS_PER_COLUMN + 2 * MARGIN_DOTS
    canvas = Image.new("L", (total_width, body + 2 * MARGIN_DOTS), 255)
    y = MARGIN_DOTS
    for image, x, height in pieces:
        if image is not None:
            canvas.paste(image, (MARGIN_DOTS + x, y))
        y += height
    draw = ImageDraw.Draw(canvas)
    bottom = canvas.height - 1
    if receipt.cut:
        for x in range(0, total_width, 16):  # a cut edge: dashes
            draw.line((x, bottom, x + 8, bottom), fill=0, width=2)
    else:
        for x in range(0, total_width, 12):  # a torn edge: zigzag
            draw.line((x, bottom, x + 6, bottom - 6, x + 12, bottom), fill=128, width=1)
    draw.rectangle((0, 0, total_width - 1, canvas.height - 1), outline=200)
    canvas.save(path, format="PNG", optimize=True)
    return path
