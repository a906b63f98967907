"""Fault injection for the journal's reliability tests, off unless an environment variable
names the fault: a power cut after a commit (``KIOSK_FAILPOINT``) or a full disk at one
(``KIOSK_DISKFULL_AT``). ``kiosk.journal.Journal`` reads both once, when it opens.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Sequence
from pathlib import Path


class Failpoint:
    """Crash testing: ``KIOSK_FAILPOINT=<kind>:<n>`` kills this process with SIGKILL right
    after the n-th committed event of that kind (``*`` for any kind), as a power cut would.

    Read once at start; without the variable it does nothing. The crash-point suite in
    tests/reliability uses it to stop a real kiosk after every write of a cash payment.
    """

    def __init__(self, kind: str, count: int) -> None:
        self.kind, self.count, self._seen = kind, count, 0

    @classmethod
    def from_environment(cls) -> Failpoint | None:
        spec = os.environ.get("KIOSK_FAILPOINT", "")
        if not spec:
            return None
        kind, _, count = spec.partition(":")
        return cls(kind, int(count or "1"))

    def after_commit(self, kinds: Sequence[str]) -> None:
        for kind in kinds:
            if self.kind in ("*", kind):
                self._seen += 1
                if self._seen >= self.count:
                    os.kill(os.getpid(), signal.SIGKILL)


class DiskFullFailpoint:
    """Fault testing: ``KIOSK_DISKFULL_AT=<kind>:<n>:<ms>`` fills the journal's file system
    just before the n-th event of that kind is committed and empties it again ``ms`` later,
    so that commit (and any other in that window) fails with the disk's real ENOSPC.

    Meant for a small tmpfs under the data directory (tests/reliability/test_disk_faults.py);
    it gives up rather than fill more than ``MAX_BALLAST`` bytes of a real disk.
    """

    MAX_BALLAST = 256 * 1024 * 1024

    def __init__(self, directory: Path, kind: str, count: int, hold_ms: int) -> None:
        self.directory, self.kind, self.count, self.hold_s = directory, kind, count, hold_ms / 1000
        self._seen = 0

    @classmethod
    def from_environment(cls, directory: Path) -> DiskFullFailpoint | None:
        spec = os.environ.get("KIOSK_DISKFULL_AT", "")
        if not spec:
            return None
        kind, count, hold_ms = [*spec.split(":"), "1", "500"][:3]
        return cls(directory, kind, int(count), int(hold_ms))

    def before_commit(self, kinds: Sequence[str]) -> None:
        hit = False
        for kind in kinds:
            if self.kind in ("*", kind):
                self._seen += 1
                hit = hit or self._seen == self.count
        if not hit:
            return
        ballast = self.directory / "diskfull-failpoint.bin"
        written = 0
        with ballast.open("ab", buffering=0) as out:
            for size in (1 << 20, 1 << 12, 1):
                block = b"\0" * size
                while written < self.MAX_BALLAST:
                    try:
                        written += out.write(block) or 0
                    except OSError:
                        break
        timer = threading.Timer(self.hold_s, lambda: ballast.unlink(missing_ok=True))
        timer.daemon = True
        timer.start()
