"""`kiosk check-config FILE`: load a config file exactly as the kiosk would, and report.

Beyond what every command checks when it loads the file (``kiosk.config``), this one looks
for the serial devices: an enabled acceptor or printer whose ``url`` is a path (not a
pyserial URL such as ``emulator://``, ``socket://``, ``loop://``) must exist and be a
character device. A missing one is an error here, because a technician who runs this wants
to hear about a mistyped path. The kiosk itself starts without the device (out of service)
and uses it once it appears, so the systemd unit runs this with ``--allow-missing-devices``,
which reports the same line as a warning and exits 0: a USB adapter that enumerates late, or
is replugged, must not keep the screen dark.

A kiosk not paired yet (no secret anywhere: kiosk.secret_source's docstring has the order) passes:
it starts out of service so that a technician can pair it on the maintenance screen. The
summary says ``"paired": false`` and stderr says what to do. A secret file that others may
read is a warning.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk import config
from kiosk.secret_source import SecretSource, secret_file_is_private

EXIT_BAD = 2


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "check-config",
        help="check a kiosk config file without starting anything (exit 0 when good)",
        description="Load FILE as the kiosk would (with KIOSK_SECRET / KIOSK_DATA_DIR applied) "
        "and check that its serial device paths exist. Exit 0 and print a summary when it is "
        "usable; exit 2 with one line per problem, naming the file and key, when not.",
    )
    parser.add_argument("file", type=Path)
    parser.add_argument(
        "--allow-missing-devices",
        action="store_true",
        help="a device path that does not exist (yet) is a warning, not an error "
        "(the systemd unit: the kiosk waits for a late USB adapter)",
    )
    parser.set_defaults(handler=_check)


@dataclass(frozen=True)
class DeviceProblem:
    line: str  # names the file, the key and the path, and what to do
    missing: bool  # the path does not exist (yet): a warning with --allow-missing-devices


LATE_DEVICE_NOTE = (
    "; the kiosk starts without it and uses it once it appears, so "
    "--allow-missing-devices (the systemd unit's ExecStartPre) reports this as a warning"
)


def device_problems(loaded: config.KioskConfig) -> list[DeviceProblem]:
    """The enabled devices whose path is missing or not a serial device."""
    problems = []
    for key, enabled, url in (
        ("cash.url", loaded.cash.enabled, loaded.cash.url),
        ("printer.url", loaded.printer.enabled, loaded.printer.url),
    ):
        if not enabled or "://" in url:
            continue  # a pyserial URL (emulator://, socket://, loop://, rfc2217://...)
        where = f"{loaded.source}: {key}: {url}"
        try:
            mode = os.stat(url).st_mode
        except FileNotFoundError:
            line = (
                f"{where} does not exist; connect the device or correct the path "
                "(pyserial URLs such as emulator://, socket://, loop:// are not checked)"
            )
            problems.append(DeviceProblem(line, missing=True))
            continue
        except OSError as exc:
            line = f"{where} cannot be examined ({exc.strerror}); check its permissions"
            problems.append(DeviceProblem(line, missing=False))
            continue
        if not stat.S_ISCHR(mode):
            line = (
                f"{where} is not a serial device (a character device such as /dev/ttyUSB0); "
                "correct the path"
            )
            problems.append(DeviceProblem(line, missing=False))
    return problems


def _check(args: argparse.Namespace) -> int:
    loaded = config.load(args.file)
    problems = device_problems(loaded)
    warn_only = args.allow_missing_devices and all(p.missing for p in problems)
    if problems and not warn_only:
        for problem in problems:
            note = LATE_DEVICE_NOTE if problem.missing else ""
            print(f"kiosk check-config: {problem.line}{note}", file=sys.stderr)
        return EXIT_BAD
    for problem in problems:
        print(f"kiosk check-config: warning: {problem.line}", file=sys.stderr)
    warnings = [p.line for p in problems]
    if loaded.secret_source is SecretSource.FILE and not secret_file_is_private(
        loaded.central.secret_file
    ):
        line = (
            f"{loaded.central.secret_file} may be read by other users than its owner; "
            "chmod 600 it (pairing writes it so)"
        )
        print(f"kiosk check-config: warning: {line}", file=sys.stderr)
        warnings.append(line)
    if not loaded.paired:
        print(
            f"kiosk check-config: {loaded.kiosk.id} is not paired yet: it starts out of "
            "service; pair it on the maintenance screen (配对中心服务器 / Pair with the server) "
            f"or with `kiosk pair URL CODE`, which writes {loaded.central.secret_file}",
            file=sys.stderr,
        )
    summary = {
        "ok": True,
        "file": str(loaded.source),
        "kiosk_id": loaded.kiosk.id,
        "central": loaded.central.url,
        "cash": f"{loaded.cash.protocol} at {loaded.cash.url}" if loaded.cash.enabled else "off",
        "printer": loaded.printer.url if loaded.printer.enabled else "off",
        "data_dir": str(loaded.kiosk.data_dir),
        "paired": loaded.paired,
        "secret": loaded.secret_origin,  # where it came from, never the secret
        "warnings": warnings,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0
