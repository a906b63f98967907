"""The engine thread: one queue, named timers, the background pools, and the snapshot
published to subscribers after each message. It knows the engine only to hand it each
message (``Engine.dispatch``) and each timer that fires (``Engine.timer_fired``).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kiosk.background import Done, Runner
from kiosk.journal import JournalError
from kiosk.session import TransitionRefused
from kiosk.timers import Timers

if TYPE_CHECKING:
    from kiosk.engine.core import Engine

log = logging.getLogger("kiosk.engine")


class Loop:
    def __init__(self, engine: Engine, clock: Callable[[], float]) -> None:
        self.engine = engine
        self.clock = clock
        self.timers = Timers(clock)
        self._queue: queue.Queue[Any] = queue.Queue()
        self._net = Runner("net", workers=2)
        self._printer = Runner("printer", workers=1)
        self._subscribers: list[Callable[[dict[str, Any]], None]] = []
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._snapshot_seq = 0
        self._last_published = ""
        self.last_beat = clock()  # the watchdog's sign of life (kiosk/runtime.py)

    # ------------------------------------------------------------ any thread
    def put(self, message: Any) -> None:
        self._queue.put(message)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def subscribe(self, callback: Callable[[dict[str, Any]], None]) -> None:
        self._subscribers.append(callback)

    def call(self, fn: Callable[[], Any], timeout: float) -> Any:
        box: dict[str, Any] = {}
        done = threading.Event()

        def job() -> None:
            try:
                box["value"] = fn()
            except Exception as exc:  # noqa: BLE001 - handed back to the caller as is
                box["error"] = exc
            finally:
                done.set()

        self._queue.put(job)
        if not done.wait(timeout):
            raise TimeoutError("the engine did not answer in time")
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def run_net(self, tag: str, token: int, fn: Callable[[], Any]) -> None:
        self._net.run(tag, token, fn, self._queue.put)

    def run_printer(self, tag: str, token: int, fn: Callable[[], Any]) -> None:
        self._printer.run(tag, token, fn, self._queue.put)

    def run_background(
        self, fn: Callable[[], Any], then: Callable[[Done[Any]], None], *, pool: str
    ) -> None:
        runner = self._printer if pool == "printer" else self._net
        runner.run("callback", 0, fn, lambda done: self._queue.put(lambda: then(done)))

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="engine", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread; the pools stay up until ``shutdown`` (the engine stops its
        devices in between)."""
        self._stopping.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def shutdown(self) -> None:
        self._net.shutdown()
        self._printer.shutdown()

    # ------------------------------------------------------------ the engine thread
    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                message = self._queue.get(timeout=self.timers.next_wait(1.0))
            except queue.Empty:
                message = None
            self.last_beat = self.clock()
            if message is not None:
                self.handle(message)
            self.fire_due()
            self.publish()

    # One turn of the loop, in three steps that tests/support/engine_harness.py also runs
    # in-process (no thread): a message, the timers that are due, the snapshot.
    def handle(self, message: Any) -> None:
        engine = self.engine
        try:
            engine.dispatch(message)
        except TransitionRefused as exc:
            log.warning("refused: %s", exc)
            engine.refused.append(str(exc))
            del engine.refused[:-20]
        except JournalError as exc:
            engine.checks.journal_failed(exc)
        except Exception:
            log.exception("engine failed handling %r", type(message).__name__)

    def fire_due(self) -> None:
        engine = self.engine
        for name in self.timers.pop_due():
            try:
                engine.timer_fired(name)
            except TransitionRefused as exc:
                log.warning("refused: %s", exc)
            except JournalError as exc:
                engine.checks.journal_failed(exc)
            except Exception:
                log.exception("engine failed on timer %s", name)

    def publish(self) -> None:
        try:
            self._publish()
        except Exception:
            log.exception("engine could not publish a snapshot")

    def _publish(self) -> None:
        snap = self.engine.snapshot()
        text = json.dumps(snap, sort_keys=True, default=str)
        if text == self._last_published:
            return
        self._last_published = text
        self.engine.session.notice = None  # a notice shows in one snapshot only
        self._snapshot_seq += 1
        snap["seq"] = self._snapshot_seq
        for callback in list(self._subscribers):
            try:
                callback(snap)
            except Exception:
                log.exception("snapshot subscriber failed")
