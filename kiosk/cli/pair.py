"""`kiosk pair URL KIOSK_ID CODE`: fetch this kiosk's secret with a one-time pairing code.

The operator prints the code with `kiosk-central pair-code KIOSK_ID` (valid 15 minutes, one
use). The kiosk sends it unsigned to `POST /v1/pair` and receives its secret once; the secret is
written where systemd's credential reads it (`/etc/kiosk/secret`, mode 0600, replaced
atomically) and is never printed. Restart the kiosk afterwards (`systemctl restart kiosk`).
The work is kiosk/pairing.py's, shared with the maintenance screen's `pair` action.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from kiosk import pairing
from kiosk.pairing import DEFAULT_SECRET_FILE, PairingFailed

__all__ = ["DEFAULT_SECRET_FILE", "PairingFailed", "register"]


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "pair", help="fetch this kiosk's secret with a one-time pairing code"
    )
    parser.add_argument("url", help="the central server, e.g. https://pay.example-utility.cn")
    parser.add_argument("kiosk_id")
    parser.add_argument("code", help="from `kiosk-central pair-code KIOSK_ID` (dashes optional)")
    parser.add_argument(
        "--secret-file",
        type=Path,
        default=DEFAULT_SECRET_FILE,
        help=f"where to store the secret (default {DEFAULT_SECRET_FILE}, systemd's credential)",
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    pairing.pair(args.url, args.kiosk_id, args.code, args.secret_file)
    print(
        json.dumps(
            {
                "paired": args.kiosk_id,
                "secret_file": str(args.secret_file),
                "next": "restart the kiosk (systemctl restart kiosk) to sign with the new secret",
            }
        )
    )
    return 0
