"""Subcommands that are registered (so --help lists them) but not built yet."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

EXIT_NOT_BUILT = 3


def not_built(command: str, issue: int) -> Callable[[argparse.Namespace], int]:
    def handler(_args: argparse.Namespace) -> int:
        print(
            f"kiosk {command}: not built yet; it is delivered by issue #{issue}.",
            file=sys.stderr,
        )
        return EXIT_NOT_BUILT

    return handler
