"""`kiosk check-config FILE`: load a config file exactly as the kiosk would, and report."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from kiosk import config


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "check-config",
        help="check a kiosk config file without starting anything (exit 0 when good)",
        description="Load FILE as the kiosk would (with KIOSK_SECRET / KIOSK_DATA_DIR applied). "
        "Exit 0 and print a summary when it is usable; exit 2 naming the key when not.",
    )
    parser.add_argument("file", type=Path)
    parser.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    loaded = config.load(args.file)
    summary = {
        "ok": True,
        "file": str(loaded.source),
        "kiosk_id": loaded.kiosk.id,
        "central": loaded.central.url,
        "cash": f"{loaded.cash.protocol} at {loaded.cash.url}" if loaded.cash.enabled else "off",
        "printer": loaded.printer.url if loaded.printer.enabled else "off",
        "data_dir": str(loaded.kiosk.data_dir),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0
