"""`kiosk emulate printer`: emulate an ESC/POS receipt printer on a pty."""

from __future__ import annotations

from typing import Any

from kiosk.cli.pending import not_built


def register(devices: Any) -> None:
    parser = devices.add_parser(
        "printer", help="emulate an ESC/POS receipt printer on a pty (issue #5)"
    )
    parser.set_defaults(handler=not_built("emulate printer", 5))
