"""The `kiosk` command: one entry for technicians, tests and demos (README.md, "Command line").

Each subcommand lives in its own module with a ``register(subparsers)`` function that adds
its parser and sets ``handler``. Installed packages add more through the ``kiosk.commands``
entry point group, each a ``register`` function (``kiosk demo`` comes from ``kiosk_demo``,
which the core never imports). Output meant for programs is JSON lines on stdout; logs go
to stderr. Exit codes: 0 success (also a run stopped by SIGTERM, as systemd expects), 1 the
command ran and found a problem, 2 bad usage, a bad configuration or a file the command cannot
use (one line on stderr names it and says what to do), 3 not built yet, 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

from kiosk import KioskError, __version__, logs
from kiosk.cli import (
    check_config,
    diag_cash,
    diag_printer,
    emulate_cash,
    emulate_ctl,
    emulate_printer,
    emulate_scanner,
    journal,
    pair,
    run,
    technicians,
    voice,
)
from kiosk.config import ConfigError
from kiosk.journal import JournalError

EXIT_PROBLEM = 1
EXIT_USAGE = 2

log = logging.getLogger("kiosk.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Electricity-bill payment kiosk: run it, emulate and diagnose its devices, "
        "check its configuration and journal.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    run.register(commands)
    for plugin in sorted(entry_points(group="kiosk.commands"), key=lambda e: e.name):
        plugin.load()(commands)  # `kiosk demo` (kiosk_demo.cli)
    emulate = commands.add_parser("emulate", help="run a device emulator on a pseudo-terminal")
    emulate_kinds = emulate.add_subparsers(dest="device", metavar="DEVICE", required=True)
    emulate_cash.register(emulate_kinds)
    emulate_printer.register(emulate_kinds)
    emulate_scanner.register(emulate_kinds)
    emulate_ctl.register(emulate_kinds)
    diag = commands.add_parser("diag", help="talk to a real or emulated device and report")
    diag_kinds = diag.add_subparsers(dest="device", metavar="DEVICE", required=True)
    diag_cash.register(diag_kinds)
    diag_printer.register(diag_kinds)
    check_config.register(commands)
    journal.register(commands)
    technicians.register(commands)
    pair.register(commands)
    voice.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.configure(args.log_level)
    try:
        code: int = args.handler(args)
    except ConfigError as exc:
        print(f"kiosk: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except JournalError as exc:  # the journal cannot be opened or written: a setup problem
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KioskError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
