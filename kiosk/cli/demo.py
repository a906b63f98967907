"""`kiosk demo`: the whole product on one machine (central server, emulators, kiosk).

Until the payment engine and the UI land, the demo runs what exists end to end and says
plainly what it did and what is still to come.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from kiosk import config, money


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "demo",
        help="start the central server, the device emulators and the kiosk on this machine",
    )
    parser.add_argument("--config", default=None, help="kiosk config (default: the demo's)")
    parser.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    loaded = config.load(args.config or config.DEFAULT_CONFIG)
    steps = [
        f"checked {loaded.source}: kiosk {loaded.kiosk.id}, cash {loaded.cash.protocol}",
        "accepted notes: "
        + ", ".join(money.format_fen(d) for d in sorted(loaded.cash.denominations_fen)),
        f"single payment limit: {money.format_fen(loaded.limits.max_payment_fen)}",
    ]
    for step in steps:
        print(json.dumps({"demo": step}, ensure_ascii=False))
    print(
        json.dumps(
            {"demo": "the server, emulators and kiosk window arrive with issues #3 to #7"},
            ensure_ascii=False,
        )
    )
    return 0
