"""The collection slip, printed when a technician empties the cash box: per denomination what
the journal, the device and a person counted (``CollectionSlip``), and its layout
(``layout_collection_slip``) with the totals, the differences and two signature lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from drivers.printer.commands import TextSize
from kiosk.receipt_checks import (
    ReceiptError,
    check_aware,
    check_fen,
    check_language,
    check_text,
)
from kiosk.receipt_layout import Align, Layout, LayoutBuilder
from kiosk.receipt_words import (
    WORDS,
    Language,
    money_text,
    printed_time,
    signed_money_text,
    yuan_text,
)


@dataclass(frozen=True)
class DenominationCount:
    """One denomination at a collection: what the journal, the device and a person counted."""

    denomination_fen: int
    journal_count: int
    device_count: int | None
    physical_count: int

    def __post_init__(self) -> None:
        check_fen(self.denomination_fen, "denomination_fen", allow_zero=False)
        for name in ("journal_count", "device_count", "physical_count"):
            value = getattr(self, name)
            if value is None and name == "device_count":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ReceiptError(f"{name} must be a whole number >= 0, got {value!r}")


@dataclass(frozen=True)
class CollectionSlip:
    """Printed when a technician empties the cash box (the maintenance issue)."""

    kiosk_id: str
    kiosk_location: str
    period_from: datetime
    period_to: datetime
    collector: str
    counts: tuple[DenominationCount, ...]
    collection_id: str | None = None
    language: Language = "zh"

    def __post_init__(self) -> None:
        for name in ("kiosk_id", "kiosk_location", "collector"):
            check_text(getattr(self, name), name)
        check_aware(self.period_from, "period_from")
        check_aware(self.period_to, "period_to")
        if self.period_to < self.period_from:
            raise ReceiptError("period_to is before period_from")
        check_language(self.language)
        counts = tuple(sorted(self.counts, key=lambda c: c.denomination_fen, reverse=True))
        if not counts or not all(isinstance(c, DenominationCount) for c in counts):
            raise ReceiptError("counts must list at least one DenominationCount")
        if len({c.denomination_fen for c in counts}) != len(counts):
            raise ReceiptError("counts lists a denomination twice")
        object.__setattr__(self, "counts", counts)

    @property
    def journal_total_fen(self) -> int:
        return sum(c.denomination_fen * c.journal_count for c in self.counts)

    @property
    def device_total_fen(self) -> int | None:
        if any(c.device_count is None for c in self.counts):
            return None
        return sum(c.denomination_fen * (c.device_count or 0) for c in self.counts)

    @property
    def physical_total_fen(self) -> int:
        return sum(c.denomination_fen * c.physical_count for c in self.counts)


def layout_collection_slip(slip: CollectionSlip, *, columns: int) -> Layout:
    words = WORDS[slip.language]
    out = LayoutBuilder(columns)
    out.text(words.slip_title, align=Align.CENTER, size=TextSize.DOUBLE)
    out.rule()
    out.field(words.kiosk + words.sep, slip.kiosk_id)
    out.field(words.location + words.sep, slip.kiosk_location)
    if slip.collection_id:
        out.field(words.collection_id + words.sep, slip.collection_id)
    out.field(words.period_from + words.sep, printed_time(slip.period_from))
    out.field(words.period_to + words.sep, printed_time(slip.period_to))
    out.field(words.collector + words.sep, slip.collector)
    out.rule()
    rows: list[list[str]] = [list(words.table_head)]
    for count in slip.counts:
        counted = words.not_counted if count.device_count is None else str(count.device_count)
        difference = count.physical_count - count.journal_count
        rows.append(
            [
                words.note(yuan_text(count.denomination_fen)),
                str(count.journal_count),
                counted,
                str(count.physical_count),
                f"{difference:+d}" if difference else "0",
            ]
        )
    out.table(rows, bold_first=True)
    out.rule()
    journal, device, physical = (
        slip.journal_total_fen,
        slip.device_total_fen,
        slip.physical_total_fen,
    )
    out.pair(words.journal_total, money_text(journal, words))
    out.pair(words.device_total, words.not_counted if device is None else money_text(device, words))
    out.pair(words.physical_total, money_text(physical, words), bold=True)
    out.pair(words.diff_journal, signed_money_text(physical - journal, words))
    if device is not None:
        out.pair(words.diff_device, signed_money_text(physical - device, words))
    matches = physical == journal and device in (None, physical)
    out.text(words.counts_match if matches else words.counts_differ, bold=not matches)
    out.blank()
    out.text(words.signature_collector + "_" * (columns // 2))
    out.blank()
    out.text(words.signature_checker + "_" * (columns // 2))
    return out.layout()
