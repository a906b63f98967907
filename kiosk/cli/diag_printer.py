"""`kiosk diag printer <url>`: a receipt printer's status as JSON, or a test page.

``--status`` (the default) prints one JSON line and exits 0 only when the printer is ready
(1 otherwise, paper near end included: it needs attention). ``--test-page`` prints a page
with Chinese and Latin text, double sizes, a native QR code and a cut, then the status.
Settings come from ``--config`` (its ``[printer]`` section) or the flags; flags win.
"""

from __future__ import annotations

import argparse
import json
import socket
from datetime import datetime
from pathlib import Path
from typing import Any

from drivers.printer import (
    PrinterError,
    PrinterState,
    PrinterStatus,
    PrintJobError,
    ReceiptPrinter,
    wire_time_s,
)
from kiosk import config as kiosk_config
from kiosk.printer_test_page import TestPage
from kiosk.receipt_escpos import render_escpos

EXIT_READY = 0
EXIT_NOT_READY = 1
COLUMNS = {58: 32, 80: 48}


def register(devices: Any) -> None:
    parser = devices.add_parser(
        "printer",
        help="query a receipt printer's status or print a test page",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("url", help="serial URL: /dev/ttyUSB0, a pty path, socket://host:port")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--status", action="store_true", help="print the status (default)")
    action.add_argument("--test-page", action="store_true", help="print a test page")
    parser.add_argument("--config", type=Path, help="take the printer settings from this file")
    parser.add_argument("--baudrate", type=int)
    parser.add_argument("--paper-width", type=int, choices=sorted(COLUMNS))
    parser.add_argument("--encoding", choices=["gbk", "gb18030"])
    parser.add_argument("--no-cutter", action="store_true", default=None)
    parser.add_argument("--timeout-ms", type=int, help="per status query (default 300)")
    parser.set_defaults(handler=run)


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "baudrate": 9600,
        "paper_width": 80,
        "encoding": "gbk",
        "has_cutter": True,
        "timeout_ms": 300,
        "kiosk_id": socket.gethostname(),
    }
    if args.config is not None:
        loaded = kiosk_config.load(args.config)
        printer = loaded.printer
        settings.update(
            baudrate=printer.baudrate,
            paper_width=printer.paper_width_mm,
            encoding=printer.encoding,
            has_cutter=printer.has_cutter,
            timeout_ms=printer.status_timeout_ms,
            kiosk_id=loaded.kiosk.id,
        )
    overrides = {
        "baudrate": args.baudrate,
        "paper_width": args.paper_width,
        "encoding": args.encoding,
        "has_cutter": False if args.no_cutter else None,
        "timeout_ms": args.timeout_ms,
    }
    settings.update({k: v for k, v in overrides.items() if v is not None})
    return settings


def _emit(line: dict[str, Any]) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


def _status_line(url: str, status: PrinterStatus) -> dict[str, Any]:
    return {"device": url, **status.as_json()}


def run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    printer = ReceiptPrinter(
        args.url,
        baudrate=settings["baudrate"],
        encoding=settings["encoding"],
        has_cutter=settings["has_cutter"],
        status_timeout_s=settings["timeout_ms"] / 1000,
    )
    try:
        printer.open()
    except PrinterError as exc:
        _emit({"device": args.url, "state": PrinterState.NOT_ANSWERING.value, "error": str(exc)})
        return EXIT_NOT_READY
    with printer:
        if not args.test_page:
            status = printer.status()
            _emit(_status_line(args.url, status))
            return EXIT_READY if status.state is PrinterState.READY else EXIT_NOT_READY
        page = TestPage(
            kiosk_id=settings["kiosk_id"],
            printed_at=datetime.now().astimezone(),
            encoding=settings["encoding"],
        )
        job = render_escpos(
            page,
            columns=COLUMNS[settings["paper_width"]],
            encoding=settings["encoding"],
            has_cutter=settings["has_cutter"],
        )
        try:
            status = printer.print_job(job)
        except PrintJobError as exc:
            _emit({**_status_line(args.url, exc.status), "printed": False, "error": str(exc)})
            return EXIT_NOT_READY
        except PrinterError as exc:
            _emit({"device": args.url, "printed": False, "error": str(exc)})
            return EXIT_NOT_READY
        _emit(
            {
                **_status_line(args.url, status),
                "printed": "test_page",
                "bytes": len(job),
                "wire_time_s": round(wire_time_s(len(job), settings["baudrate"]), 3),
            }
        )
        return EXIT_READY if status.state is PrinterState.READY else EXIT_NOT_READY
