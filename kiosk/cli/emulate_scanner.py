"""`kiosk emulate scanner`: a payment-code scanner on a pty until SIGTERM / SIGINT.

Prints ``DEVICE <path>`` and ``CONTROL <socket>`` (flushed) for the kiosk (``[scanner] url``)
and for ``kiosk emulate ctl``: ``scan CODE`` sends a code with the prefix, suffix and
terminator given here; ``unplug``, ``replug``, ``noise HEX``, ``status``, ``help``. Logs go to
stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from drivers.emulators.errors import EmulatorError
from drivers.emulators.scanner import ScannerEmulator
from drivers.scanner import Terminator
from kiosk.cli.emulator_serving import serve

EXIT_USAGE = 2
SENT_TERMINATORS = [t.value for t in Terminator if t is not Terminator.ANY]


def register(devices: Any) -> None:
    parser = devices.add_parser(
        "scanner",
        help="emulate a payment-code scanner (serial mode) on a pty",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--terminator",
        choices=SENT_TERMINATORS,
        default=Terminator.CR.value,
        help="what ends each code (default cr)",
    )
    parser.add_argument("--prefix", default="", help="sent before each code (default none)")
    parser.add_argument("--suffix", default="", help="sent after each code (default none)")
    parser.add_argument("--link", type=Path, help="make the device path this symlink")
    parser.add_argument("--control", type=Path, help="put the control socket here")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        emulator = ScannerEmulator(
            terminator=Terminator(args.terminator),
            prefix=args.prefix,
            suffix=args.suffix,
            link=args.link,
            control_path=args.control,
        )
    except EmulatorError as exc:
        print(f"kiosk emulate scanner: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return serve(emulator)
