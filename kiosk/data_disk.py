"""The data directory's disk, as the engine sees it: free space, and why a write failed.

The journal is the only record of the cash in the box, so the engine needs to know two things
about the disk under it: whether there is room for a whole payment before it starts one (the
configured floor), and, when a commit fails, a reason a technician can act on ("data disk
full: 0 bytes free on /var/lib/kiosk") rather than SQLite's wording.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024
FULL_BELOW_BYTES = 64 * 1024  # less than this is full for a WAL commit of a few pages


@dataclass(frozen=True)
class DiskSpace:
    path: Path
    free_bytes: int | None  # None: the directory cannot be examined at all
    read_only: bool

    @property
    def free_mb(self) -> float | None:
        return None if self.free_bytes is None else round(self.free_bytes / MB, 1)

    def below(self, floor_mb: int) -> bool:
        return self.free_bytes is not None and self.free_bytes < floor_mb * MB

    def as_json(self) -> dict[str, object]:
        return {"path": str(self.path), "free_mb": self.free_mb, "read_only": self.read_only}


def examine(data_dir: Path) -> DiskSpace:
    """statvfs of the data directory: quick, and never raises."""
    try:
        stat = os.statvfs(data_dir)
    except OSError:
        return DiskSpace(data_dir, None, read_only=False)
    try:
        free = shutil.disk_usage(data_dir).free
    except OSError:
        free = stat.f_bavail * stat.f_frsize
    return DiskSpace(data_dir, free, read_only=bool(stat.f_flag & os.ST_RDONLY))


def explain_write_failure(error: BaseException, data_dir: Path, journal: Path) -> str:
    """One line for the screen, the maintenance status and the heartbeat."""
    words = str(error).lower()
    disk = examine(data_dir)
    if "i/o error" in words:  # first: the kernel may also have turned the disk read-only
        return f"data disk failing: I/O errors writing {journal}; repair or replace the card"
    if disk.read_only or "readonly" in words or "read-only" in words:
        return f"data disk read-only: {journal} cannot be written"
    if "full" in words or (disk.free_bytes is not None and disk.free_bytes < FULL_BELOW_BYTES):
        return f"data disk full: {disk.free_bytes or 0} bytes free on {data_dir}"
    return f"journal write failed on {journal}: {error}"
