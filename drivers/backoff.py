"""Capped exponential backoff: how long to wait before the next try, after n failures in a row.

One policy for every retry loop of the kiosk: reopening a serial port (``drivers.transport``),
reconnecting to an acceptor (``drivers.cash.host``), posting the outbox (``kiosk.outbox``) and
the card payment's post (``kiosk.engine.card``). It lives in ``drivers`` because that is the
lowest layer: ``kiosk`` may import ``drivers`` but not the other way round (the import-linter
layers contract in pyproject.toml), and a module of its own keeps it free of any device code. The
central server stands alone and keeps its own (``central/webhooks.py``).

The policy only computes delays; the loop that uses it keeps its own count of attempts and its
deadline (every retry has both), and waits on its own stop event.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass


class Jitter(enum.Enum):
    NONE = "none"  # exactly the capped exponential: a device on one serial line
    EQUAL = "equal"  # half the delay fixed, half random: many kiosks retrying one server


@dataclass(frozen=True)
class Backoff:
    """``initial_s * factor ** failures``, at most ``max_s``; with EQUAL jitter, somewhere in
    the upper half of that."""

    initial_s: float
    max_s: float
    factor: float = 2.0
    jitter: Jitter = Jitter.NONE

    def __post_init__(self) -> None:
        if not 0 < self.initial_s <= self.max_s:
            raise ValueError(f"backoff needs 0 < initial_s <= max_s, not {self}")
        if self.factor < 1:
            raise ValueError(f"a backoff factor below 1 shrinks: {self.factor}")

    def ceiling(self, failures: int) -> float:
        """The delay without jitter: ``initial_s`` before any failure counted (failures=0)."""
        exponent = min(max(failures, 0), 64)  # past 2**64 every sane max_s has been reached
        return float(min(self.max_s, self.initial_s * self.factor**exponent))

    def delay(self, failures: int, rng: random.Random | None = None) -> float:
        """How long to wait after ``failures`` failures (0-based: the first wait is failures=0)."""
        ceiling = self.ceiling(failures)
        if self.jitter is Jitter.NONE:
            return ceiling
        return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)  # spreads, protects nothing
