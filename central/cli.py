"""`kiosk-central`: serve the reference central server and administer its database."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from central import __version__

EXIT_NOT_BUILT = 3

_COMMANDS = {
    "serve": "serve the HTTP API (--host H --port P)",
    "init-db": "create or migrate the database schema",
    "add-kiosk": "register a kiosk and print its new secret once",
    "import-accounts": "import accounts from CSV (bad rows reported by line)",
    "import-bills": "import bills from CSV (bad rows reported by line)",
    "cards": "generate recharge cards and list them",
    "seed-demo": "create demo accounts, bills and a demo kiosk; print the account numbers",
    "report": "per kiosk and period: payments by method, cash by denomination, collections",
}


def _not_built(command: str) -> Callable[[argparse.Namespace], int]:
    def handler(_args: argparse.Namespace) -> int:
        print(f"kiosk-central {command}: not built yet; delivered by issue #3.", file=sys.stderr)
        return EXIT_NOT_BUILT

    return handler


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-central", description="Reference central server for payment kiosks."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in _COMMANDS.items():
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--db", help="database URL (default: from config/central.toml)")
        sub.set_defaults(handler=_not_built(name))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
