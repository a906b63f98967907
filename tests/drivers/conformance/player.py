"""Play one side of a transcript over a pty: the device (for a host) or the host (for a device)."""

from __future__ import annotations

import os
import threading
import time
import tty
from collections.abc import Callable
from typing import Any

from tests.drivers.conformance.transcripts import Step
from tests.drivers.conformance.wire import WIRES

READ_SLICE_S = 0.02
REPOLL_S = 0.3  # a poll unanswered this long is sent again (a device busy starting)


class DevicePlayer:
    """A device that says what the transcript says, to a host that must say its part.

    Host messages are matched in order. A poll that is not the next expected message is
    answered with the device's current state (its last answer to a poll), as a device answers
    every poll; a repeated acknowledgement passes. Anything else is recorded in ``unexpected``.
    """

    def __init__(self, protocol: str, steps: list[Step]) -> None:
        self.wire = WIRES[protocol]
        self.steps = steps
        self.position = 0
        self.unexpected: list[bytes] = []
        self.finished = threading.Event()
        self._current: bytes | None = None
        self._stop = threading.Event()
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)
        self._thread = threading.Thread(target=self._run, name=f"player-{protocol}")

    def start(self) -> str:
        self._thread.start()
        return self.path

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        os.close(self._master)
        os.close(self._slave)

    def _read(self) -> bytes:
        try:
            return os.read(self._master, 4096)
        except BlockingIOError:
            return b""

    def _send(self, data: bytes) -> None:
        os.write(self._master, self.wire.frame(data))

    def _play_device_steps(self) -> None:
        while self.position < len(self.steps) and self.steps[self.position].who != "host":
            step = self.steps[self.position]
            if step.who == "device":
                before = self.steps[self.position - 1] if self.position else None
                if before is not None and before.who == "host" and before.data == self.wire.poll:
                    self._current = step.data
                self._send(step.data)
            self.position += 1
        if self.position >= len(self.steps):
            self.finished.set()

    def _run(self) -> None:
        buffer = b""
        started = self.steps[0].who == "host"  # a device that speaks first waits for a listener
        while not self._stop.is_set():
            if started:
                self._play_device_steps()
            chunk = self._read()
            if not chunk:
                self._stop.wait(READ_SLICE_S)
                continue
            messages, buffer = self.wire.split(buffer + chunk, from_device=False)
            for message in messages:
                self._hear(message)
            started = True

    def _hear(self, message: bytes) -> None:
        if self.position < len(self.steps):
            expected = self.steps[self.position]
            if expected.who == "host" and message == expected.data:
                self.position += 1
                self._play_device_steps()
                return
        if message == self.wire.poll:
            if self._current is not None:
                self._send(self._current)
        elif message not in self.wire.host_ignorable:
            self.unexpected.append(message)

    def describe(self) -> str:
        if self.position >= len(self.steps):
            return "finished"
        step = self.steps[self.position]
        return f"waiting at step {self.position}: {step.who} {step.data.hex(' ')}"


class HostPlayer:
    """The host's part against a device (the emulator): sends, reads and compares.

    A poll whose answer is not the expected one yet is sent again (the device moves through
    states at its own pace), within ``settle_s``; the CCNET answers passed over are ACKed, as
    a host must.
    """

    def __init__(
        self, protocol: str, path: str, act: Callable[[tuple[str, ...]], Any], settle_s: float = 5.0
    ) -> None:
        self.wire = WIRES[protocol]
        self.protocol = protocol
        self.act = act
        self.settle_s = settle_s
        self._fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self._fd)
        self._buffer = b""
        self._messages: list[bytes] = []
        self.log: list[str] = []

    def close(self) -> None:
        os.close(self._fd)

    def _send(self, data: bytes) -> None:
        self.log.append(f"H {data.hex(' ')}")
        os.write(self._fd, self.wire.frame(data))

    def _next(self, timeout_s: float) -> bytes | None:
        deadline = time.monotonic() + timeout_s
        while not self._messages:
            try:
                chunk = os.read(self._fd, 4096)
            except BlockingIOError:
                chunk = b""
            if chunk:
                found, self._buffer = self.wire.split(self._buffer + chunk, from_device=True)
                self._messages.extend(found)
                continue
            if time.monotonic() >= deadline:
                return None
            time.sleep(READ_SLICE_S / 2)
        message = self._messages.pop(0)
        self.log.append(f"D {message.hex(' ')}")
        return message

    def play(self, steps: list[Step]) -> None:
        last_host: bytes | None = None
        for index, step in enumerate(steps):
            if step.who == "act":
                self.act(step.act)
            elif step.who == "host":
                self._send(step.data)
                last_host = step.data
            else:
                self._expect(index, step, last_host)

    def _expect(self, index: int, step: Step, last_host: bytes | None) -> None:
        deadline = time.monotonic() + self.settle_s
        polling = last_host == self.wire.poll
        while True:
            remaining = max(0.0, deadline - time.monotonic())
            answer = self._next(min(remaining, REPOLL_S) if polling else remaining)
            if answer is not None and (step.any or answer == step.data):
                return
            if not polling or time.monotonic() >= deadline:
                got = "nothing" if answer is None else answer.hex(" ")
                raise AssertionError(
                    f"step {index}: expected {step.data.hex(' ')}, got {got}; "
                    f"wire so far: {self.log[-12:]}"
                )
            if answer is not None and self.protocol == "ccnet":
                self._send(b"\x00")  # ACK the state passed over
            time.sleep(READ_SLICE_S)
            self._send(self.wire.poll)
