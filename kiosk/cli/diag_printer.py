"""`kiosk diag printer`: query a receipt printer's status or print a test page."""

from __future__ import annotations

from typing import Any

from kiosk.cli.pending import not_built


def register(devices: Any) -> None:
    parser = devices.add_parser(
        "printer", help="query a receipt printer's status or print a test page (issue #5)"
    )
    parser.set_defaults(handler=not_built("diag printer", 5))
