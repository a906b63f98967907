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
import importlib
import logging
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

from kiosk import KioskError, __version__, logs
from kiosk.config_error import ConfigError
from kiosk.journal import JournalError

EXIT_PROBLEM = 1
EXIT_USAGE = 2

log = logging.getLogger("kiosk.cli")


# Top-level command -> the kiosk.cli modules that register it. A command line names one, and
# only its modules are imported: `kiosk run` on a kiosk's cold start does not pay for the
# emulators' and diagnostics' imports. A group ("emulate", "diag") holds sub-commands.
COMMANDS: dict[str, tuple[str, ...]] = {
    "run": ("run",),
    "emulate": ("emulate_cash", "emulate_printer", "emulate_scanner", "emulate_ctl"),
    "diag": ("diag_cash", "diag_printer"),
    "check-config": ("check_config",),
    "journal": ("journal",),
    "technicians": ("technicians",),
    "pair": ("pair",),
    "voice": ("voice",),
}
GROUPS = {
    "emulate": "run a device emulator on a pseudo-terminal",
    "diag": "talk to a real or emulated device and report",
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser, or with ``argv`` only the command it names (help lists them all)."""
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Electricity-bill payment kiosk: run it, emulate and diagnose its devices, "
        "check its configuration and journal.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    named = _command_named(argv)
    for command, modules in COMMANDS.items():
        if named is not None and command != named:
            continue
        target = commands
        if command in GROUPS:
            group = commands.add_parser(command, help=GROUPS[command])
            target = group.add_subparsers(dest="device", metavar="DEVICE", required=True)
        for module in modules:
            importlib.import_module(f"kiosk.cli.{module}").register(target)
    if named is None or named not in COMMANDS:
        for plugin in sorted(entry_points(group="kiosk.commands"), key=lambda e: e.name):
            plugin.load()(commands)  # `kiosk demo` (kiosk_demo.cli)
    return parser


def _command_named(argv: Sequence[str] | None) -> str | None:
    """The command a command line names, or None when it names none we know (help, typos,
    a plugin's command): then every command is registered, so argparse can list them."""
    if argv is None:
        return None
    words = list(argv)
    while words and words[0].startswith("-"):
        option = words.pop(0)
        if option == "--log-level" and words:
            words.pop(0)
        elif option in ("-h", "--help", "--version"):
            return None
    return words[0] if words and words[0] in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
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
