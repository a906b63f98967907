"""Talk to a device emulator's control socket, with one clear line when that cannot be done.

Used by `kiosk emulate ctl`, the ``ctl`` step of headless scripts and the test suites.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from drivers.emulators.control import send_command
from kiosk import KioskError


class ControlUnreachable(KioskError):
    """An emulator's control socket is missing, not a socket, or did not answer."""

    def __init__(self, message: str, *, bad_path: bool) -> None:
        super().__init__(message)
        self.bad_path = bad_path  # the path names no socket at all (a usage error)


def control(socket_path: str | Path, command: str, timeout: float = 5.0) -> dict[str, Any]:
    """Send one command line to an emulator's control socket; return its JSON answer.

    Raises ControlUnreachable with one line that names the socket and says what to do.
    """
    where = str(socket_path)
    started = "start the emulator (`kiosk emulate cash|printer` prints CONTROL <socket>)"
    try:
        mode = os.stat(where).st_mode
    except FileNotFoundError:
        raise ControlUnreachable(
            f"{where}: no control socket there; {started} and pass that path", bad_path=True
        ) from None
    except OSError as exc:
        raise ControlUnreachable(f"{where}: {exc.strerror}", bad_path=True) from exc
    if not stat.S_ISSOCK(mode):
        raise ControlUnreachable(
            f"{where}: not a socket; pass the CONTROL <socket> path the emulator printed",
            bad_path=True,
        )
    try:
        return send_command(where, command, timeout_s=timeout)
    except ConnectionRefusedError as exc:
        raise ControlUnreachable(
            f"{where}: nothing listens there (the emulator has stopped); {started} again",
            bad_path=False,
        ) from exc
    except TimeoutError as exc:
        raise ControlUnreachable(
            f"{where}: the emulator did not answer {command!r} within {timeout:g} s",
            bad_path=False,
        ) from exc
    except (OSError, ValueError) as exc:
        raise ControlUnreachable(
            f"{where}: no answer to {command!r} ({exc}); is this an emulator's control socket?",
            bad_path=False,
        ) from exc
