"""`kiosk journal`: verify or export the payment journal."""

from __future__ import annotations

from typing import Any

from kiosk.cli.pending import not_built


def register(commands: Any) -> None:
    parser = commands.add_parser("journal", help="verify or export the payment journal (issue #6)")
    parser.set_defaults(handler=not_built("journal", 6))
