"""Receipt size and time on the wire; rendering and printing time against baselines.

Run: .venv/bin/python bench/receipt.py [--rounds N]

Figures (not a pass/fail test): bytes of each document's print job (a typical receipt with
its QR code should stay under 1.5 KB), the same QR code as a native GS ( k command vs a
raster image, the wire time at 9600 and 115200 baud (8N1, 10 bits a byte), then timings
measured in this run against a baseline from the same run: rendering ESC/POS vs the plain
text of the same layout, and a whole print_job over a pty to the emulator vs one status
reading (a pty has no baud rate, so this is the software's own cost).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import qrcode

from drivers.emulators.printer_emulator import PrinterEmulator
from drivers.printer import ReceiptPrinter, wire_time_s
from drivers.printer.commands import native_qr
from kiosk.collection_slip import CollectionSlip, DenominationCount
from kiosk.payment_receipt import BillPaid, CashTender, PaymentStatus, Receipt
from kiosk.printer_test_page import TestPage
from kiosk.receipt_escpos import render_escpos
from kiosk.receipts import Document, render_text

TARGET_BYTES = 1536
BEIJING = timezone(timedelta(hours=8))
URL = "http://127.0.0.1:8470/r/K0001-00000042?h=3f9a2b1c8d7e4a10"


def typical_receipt(language: str = "zh") -> Receipt:
    return Receipt(
        utility_name="示范供电公司 Demo Power Supply Co.",
        kiosk_location="营业厅一号机 Service Hall, Kiosk 1",
        kiosk_id="K0001",
        txn_id="K0001-00000042",
        paid_at=datetime(2026, 11, 26, 18, 13, 5, tzinfo=BEIJING),
        account_no="0100123456",
        holder_masked="王*明",
        bills=(BillPaid("2026-09", 100, 8640), BillPaid("2026-10", 0, 12000)),
        tender=CashTender({10000: 2, 2000: 1}),
        amount_applied_fen=22000,
        credited_to_balance_fen=1260,
        new_balance_fen=1260,
        status=PaymentStatus.POSTED,
        check_url=URL,
        language=language,  # type: ignore[arg-type]
    )


def documents() -> dict[str, Document]:
    at = datetime(2026, 11, 26, 18, tzinfo=BEIJING)
    return {
        "receipt zh (cash, 2 bills, QR)": typical_receipt("zh"),
        "receipt en (cash, 2 bills, QR)": typical_receipt("en"),
        "collection slip zh": CollectionSlip(
            "K0001",
            "营业厅一号机",
            at - timedelta(days=7),
            at,
            "张三",
            tuple(DenominationCount(d, 10, 10, 10) for d in (1000, 2000, 5000, 10000)),
        ),
        "test page": TestPage("K0001", at),
    }


def raster_qr_bytes(data: str, module_dots: int) -> int:
    """What the same QR code costs as a GS v 0 raster image (1 bit a dot, 4-module margin)."""
    code = qrcode.QRCode(box_size=module_dots, border=4)
    code.add_data(data)
    code.make(fit=True)
    side = code.modules_count * module_dots + 8 * module_dots
    return 8 + (side + 7) // 8 * side


def median_s(action: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds

    print("== print job size and wire time (8N1) ==")
    print(f"{'document':34} {'paper':>5} {'bytes':>6} {'9600 baud':>10} {'115200':>8}")
    for name, document in documents().items():
        for mm, columns in ((80, 48), (58, 32)):
            size = len(render_escpos(document, columns=columns, encoding="gbk", has_cutter=True))
            flag = "" if size < TARGET_BYTES or "receipt" not in name else "  OVER 1.5 KB"
            print(
                f"{name:34} {mm:>3}mm {size:>6} {wire_time_s(size, 9600):>9.3f}s "
                f"{wire_time_s(size, 115200):>7.3f}s{flag}"
            )

    native = len(native_qr(URL, module_dots=6))
    raster = raster_qr_bytes(URL, 6)
    print("\n== the receipt's QR code ==")
    print(f"native GS ( k: {native} bytes ({wire_time_s(native, 9600):.3f} s at 9600)")
    print(f"raster GS v 0: {raster} bytes ({wire_time_s(raster, 9600):.3f} s at 9600), "
          f"{raster / native:.0f}x more")  # fmt: skip

    receipt = typical_receipt()
    escpos_s = median_s(
        lambda: render_escpos(receipt, columns=48, encoding="gbk", has_cutter=True), rounds
    )
    text_s = median_s(lambda: render_text(receipt, columns=48), rounds)
    print(f"\n== rendering the typical receipt (median of {rounds}) ==")
    print(f"baseline render_text:  {text_s * 1e3:.3f} ms")
    print(f"render_escpos:         {escpos_s * 1e3:.3f} ms ({escpos_s / text_s:.2f}x baseline)")

    job = render_escpos(receipt, columns=48, encoding="gbk", has_cutter=True)
    with tempfile.TemporaryDirectory() as folder:
        with PrinterEmulator(Path(folder)) as emulator, ReceiptPrinter(emulator.path) as printer:
            printer.print_job(job)
            emulator.wait_for_receipt(30)
            jobs = max(5, rounds // 20)
            status_s = median_s(printer.status, jobs)
            print_s = median_s(lambda: printer.print_job(job), jobs)
            for _ in range(jobs):
                emulator.wait_for_receipt(60)
        print(f"\n== over a pty to the emulator (median of {jobs}) ==")
        print(f"baseline status() (4 x DLE EOT): {status_s * 1e3:.2f} ms")
        print(
            f"print_job ({len(job)} bytes + 2 status readings): {print_s * 1e3:.2f} ms "
            f"({print_s / status_s:.1f}x baseline)"
        )
        print(f"on a real 9600-baud line add {wire_time_s(len(job), 9600):.2f} s of wire time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
