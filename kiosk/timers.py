"""Named one-shot timers for the engine loop (monotonic clock, no threads)."""

from __future__ import annotations

import time
from collections.abc import Callable


class Timers:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._due: dict[str, float] = {}

    def set(self, name: str, seconds: float) -> None:
        self._due[name] = self._clock() + seconds

    def cancel(self, *names: str) -> None:
        for name in names:
            self._due.pop(name, None)

    def remaining(self, name: str) -> float | None:
        due = self._due.get(name)
        return None if due is None else max(0.0, due - self._clock())

    def active(self, name: str) -> bool:
        return name in self._due

    def next_due(self) -> float | None:
        """When the earliest timer falls due, by the clock (None: no timer set)."""
        return min(self._due.values(), default=None)

    def next_wait(self, ceiling: float) -> float:
        if not self._due:
            return ceiling
        return max(0.0, min(ceiling, min(self._due.values()) - self._clock()))

    def pop_due(self) -> list[str]:
        now = self._clock()
        fired = sorted((due, name) for name, due in self._due.items() if due <= now)
        for _, name in fired:
            del self._due[name]
        return [name for _, name in fired]
