"""One way to run blocking work off the engine thread and get the result back as an event.

Network calls and device I/O run on small named thread pools; their outcome (value or
exception) is delivered to a callback, which the engine uses to put a ``Done`` message on
its own queue. No other module starts ad-hoc threads for this.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

log = logging.getLogger("kiosk.background")

T = TypeVar("T")


@dataclass(frozen=True)
class Done(Generic[T]):
    """The outcome of background work: ``value`` or ``error`` (exactly one is set)."""

    tag: str
    token: int
    value: T | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def get(self) -> T:
        """The value of work that succeeded (raises its error otherwise)."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]  # None is a legitimate T here


class Runner:
    """A named pool; ``run(tag, token, fn, deliver)`` calls ``deliver(Done)`` when fn ends."""

    def __init__(self, name: str, workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._name = name

    def run(
        self, tag: str, token: int, fn: Callable[[], Any], deliver: Callable[[Done[Any]], None]
    ) -> None:
        def finished(future: Future[Any]) -> None:
            error = future.exception()
            if error is not None and not isinstance(error, Exception):
                log.error("%s: %s ended by %r", self._name, tag, error)
            deliver(Done(tag, token, None if error else future.result(), error))

        try:
            self._pool.submit(fn).add_done_callback(finished)
        except RuntimeError as exc:  # pool shut down: the engine is stopping
            deliver(Done(tag, token, None, exc))

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
