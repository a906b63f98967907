"""`kiosk emulate printer`: an ESC/POS receipt printer on a pty, saving what it prints.

Prints ``DEVICE <path>`` and ``CONTROL <socket>``, then one JSON line per receipt saved
(``receipt-0001.txt`` / ``.png`` in ``--out``) until interrupted (Ctrl-C or SIGTERM).
Script it with ``kiosk emulate ctl <socket> paper-out`` (``help`` lists the commands).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from drivers.emulators.printer_emulator import EMULATED_STATES, PrinterEmulator
from drivers.printer.status import PrinterState
from kiosk.cli.emulator_serving import serve

DEFAULT_OUT = Path("var/printer")
COLUMNS = {58: 32, 80: 48}


def register(devices: Any) -> None:
    parser = devices.add_parser(
        "printer",
        help="emulate an ESC/POS receipt printer on a pty",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"folder for receipts (default {DEFAULT_OUT})"
    )
    parser.add_argument("--paper-width", type=int, choices=sorted(COLUMNS), default=80)
    parser.add_argument("--encoding", choices=["gbk", "gb18030"], default="gbk")
    parser.add_argument("--no-cutter", action="store_true", help="a printer without autocutter")
    parser.add_argument(
        "--state",
        choices=[s.value for s in EMULATED_STATES],
        default=PrinterState.READY.value,
        help="the state it starts in",
    )
    parser.add_argument("--silent", action="store_true", help="start not answering at all")
    parser.add_argument("--link", type=Path, help="also make this symlink to the pty")
    parser.add_argument("--control", type=Path, help="control socket path (default: a temp dir)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    emulator = PrinterEmulator(
        args.out,
        state=PrinterState(args.state),
        silent=args.silent,
        columns=COLUMNS[args.paper_width],
        encoding=args.encoding,
        has_cutter=not args.no_cutter,
        link=args.link,
        control_path=args.control,
    )

    def report_receipt() -> None:
        try:
            receipt = emulator.wait_for_receipt(timeout_s=0.2)
        except TimeoutError:
            return
        line = {
            "receipt": receipt.index,
            "txt": str(receipt.txt_path),
            "png": str(receipt.png_path),
            "cut": receipt.cut,
            "problems": receipt.problems,
        }
        print(json.dumps(line, ensure_ascii=False), flush=True)

    return serve(emulator, report_receipt)
