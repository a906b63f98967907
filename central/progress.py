"""A progress bar on stderr for long admin work (imports, card generation).

On a terminal it redraws one line; otherwise (logs, CI) it prints a line every 10%.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30
REDRAW_S = 0.1


class Progress:
    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self._drawn_at = 0.0
        self._last_tenth = -1

    def advance(self, count: int = 1) -> None:
        self.done = min(self.total, self.done + count)
        self._draw(final=False)

    def finish(self) -> None:
        self.done = self.total
        self._draw(final=True)

    def _draw(self, *, final: bool) -> None:
        fraction = self.done / self.total
        if self.tty:
            now = time.monotonic()
            if not final and now - self._drawn_at < REDRAW_S:
                return
            self._drawn_at = now
            filled = int(WIDTH * fraction)
            bar = "#" * filled + "." * (WIDTH - filled)
            end = "\n" if final else ""
            self.stream.write(
                f"\r{self.label} [{bar}] {fraction:4.0%} {self.done:,}/{self.total:,}"
                f" {now - self.started:5.1f}s{end}"
            )
        else:
            tenth = int(fraction * 10)
            if tenth == self._last_tenth and not final:
                return
            if final and self._last_tenth == 10:
                return
            self._last_tenth = tenth
            elapsed = time.monotonic() - self.started
            self.stream.write(
                f"{self.label}: {fraction:4.0%} {self.done:,}/{self.total:,} rows, {elapsed:.1f}s\n"
            )
        self.stream.flush()
