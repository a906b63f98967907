"""Cash acceptor figures over a real pty, for both protocols.

1. Escrow -> STACK: from the emulated device putting its first escrow report on the wire to
   the STACK command arriving (measured by the emulator on CLOCK_MONOTONIC). The engine's
   decision is instant here, so this is the driver's own delay. Target: within one poll
   interval plus 10 ms. Baseline in the same run: a bare pty round trip (write a frame, the
   other side answers at once), the least any exchange can take.
2. Escrow -> STACK through the real engine (tests.support.kiosk_stack: the engine decides,
   and the ``escrow`` event is fsynced to the journal before STACK goes out), against the
   figure of 1 in the same run. The emulator runs in the kiosk's process here.
3. Idle CPU: the process CPU time of a host polling an enabled, idle device for N seconds
   (target: under 1% of one core). Baseline in the same run: a thread that only wakes at the
   same interval and does nothing.

The emulator runs as its own process (`kiosk emulate cash`), so its work is not counted.

    .venv/bin/python bench/cash_latency.py [--bills 30] [--idle-seconds 30] [--poll-ms 100]
"""

from __future__ import annotations

import argparse
import os
import selectors
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drivers.cash import AcceptorEvent, Decision, Escrow, Ready, Stacked, open_acceptor  # noqa: E402
from drivers.emulators.control import send_command  # noqa: E402
from drivers.emulators.pty_device import PtyDevice  # noqa: E402
from drivers.transport import SerialTransport  # noqa: E402

DENOMINATIONS = frozenset({1000, 2000, 5000, 10000})


def start_emulator(protocol: str) -> tuple[subprocess.Popen[bytes], str, str]:
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "emulate",
            "cash",
            "--protocol",
            protocol,
            "--speed",
            "5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    assert child.stdout is not None
    buffer = b""
    deadline = time.monotonic() + 20
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        while buffer.count(b"\n") < 2:
            if time.monotonic() > deadline or not selector.select(1):
                if time.monotonic() > deadline:
                    raise SystemExit("the emulator did not start")
                continue
            buffer += os.read(child.stdout.fileno(), 4096)
    words = dict(line.split(" ", 1) for line in buffer.decode().splitlines())
    return child, words["DEVICE"], words["CONTROL"]


def stop_emulator(child: subprocess.Popen[bytes]) -> None:
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    if child.stdout is not None:
        child.stdout.close()


class Events:
    def __init__(self) -> None:
        self.ready = threading.Event()
        self.stacked = threading.Semaphore(0)

    def __call__(self, event: AcceptorEvent) -> None:
        if isinstance(event, Ready):
            self.ready.set()
        elif isinstance(event, Stacked):
            self.stacked.release()


def stack(_escrow: Escrow) -> Decision:
    return Decision.STACK


def wait_state(control: str, state: str, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while send_command(control, "status")["state"] != state:
        if time.monotonic() > deadline:
            raise SystemExit(f"the emulator never became {state}")
        time.sleep(0.01)


def escrow_to_stack(protocol: str, bills: int, poll_s: float) -> list[float]:
    child, device, control = start_emulator(protocol)
    events = Events()
    host = open_acceptor(protocol, device, on_event=events, decide=stack, poll_interval_s=poll_s)
    try:
        host.start()
        if not events.ready.wait(10):
            raise SystemExit(f"{protocol}: no Ready")
        host.enable(DENOMINATIONS)
        for number in range(bills):
            wait_state(control, "idle")
            send_command(control, f"insert {sorted(DENOMINATIONS)[number % 4]}")
            if not events.stacked.acquire(timeout=10):
                raise SystemExit(f"{protocol}: bill {number} was not stacked")
        figures: list[float] = send_command(control, "status")["escrow_to_stack_ms"]
        return figures
    finally:
        host.stop()
        stop_emulator(child)


def escrow_to_stack_through_engine(protocol: str, bills: int, poll_ms: int) -> list[float]:
    import tempfile

    from tests.support.central_server import start_central_server
    from tests.support.kiosk_stack import KioskStack

    with tempfile.TemporaryDirectory(prefix="bench-cash-") as tmp:
        work = Path(tmp)
        (work / "kiosk").mkdir()
        server = start_central_server(work / "central")
        kiosk = KioskStack.start(
            work / "kiosk", server, protocol=protocol, cash={"poll_interval_ms": poll_ms}
        )
        try:
            notes = sorted(DENOMINATIONS)
            total = sum(notes[n % 4] for n in range(bills))
            kiosk.to_cash_insert(server.accounts["residential_arrears"], amount_fen=total)
            for number in range(bills):
                kiosk.insert(notes[number % 4])
                kiosk.wait_for("cash.inserted_fen", sum(notes[n % 4] for n in range(number + 1)))
            figures: list[float] = kiosk.cash.status()["escrow_to_stack_ms"]
            return figures
        finally:
            kiosk.stop()
            server.stop()


def idle_cpu(protocol: str, seconds: float, poll_s: float) -> tuple[float, int]:
    child, device, control = start_emulator(protocol)
    events = Events()
    host = open_acceptor(protocol, device, on_event=events, decide=stack, poll_interval_s=poll_s)
    try:
        host.start()
        if not events.ready.wait(10):
            raise SystemExit(f"{protocol}: no Ready")
        host.enable(DENOMINATIONS)
        wait_state(control, "idle")
        polls_before = host.counters.get("polls", 0)
        cpu, wall = time.process_time(), time.monotonic()
        time.sleep(seconds)
        cpu, wall = time.process_time() - cpu, time.monotonic() - wall
        return cpu / wall * 100, host.counters.get("polls", 0) - polls_before
    finally:
        host.stop()
        stop_emulator(child)


def baseline_round_trip(samples: int = 200) -> list[float]:
    """A frame out through the pty and an answer back, with nothing else in between."""
    device = PtyDevice()
    path = device.open()
    stop = threading.Event()

    def echo() -> None:
        while not stop.is_set():
            data = device.read(timeout_s=0.05)
            if data:
                device.write(data)

    thread = threading.Thread(target=echo)
    thread.start()
    times = []
    try:
        with SerialTransport(path, timeout_s=1.0) as transport:
            for _ in range(samples):
                started = time.monotonic()
                transport.write(b"\x02\x03\x06\x33\xda\x81")
                received = b""
                while len(received) < 6:
                    received += transport.read(timeout_s=1.0)
                times.append((time.monotonic() - started) * 1000)
    finally:
        stop.set()
        thread.join()
        device.close()
    return times


def baseline_idle_cpu(seconds: float, poll_s: float) -> float:
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(poll_s):
            pass

    thread = threading.Thread(target=tick)
    cpu, wall = time.process_time(), time.monotonic()
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    return (time.process_time() - cpu) / (time.monotonic() - wall) * 100


def describe(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"n={len(values)} median {statistics.median(values):.2f} ms, p95 {p95:.2f} ms, "
        f"max {max(values):.2f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bills", type=int, default=30)
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--poll-ms", type=int, default=100)
    parser.add_argument("--protocol", choices=["ccnet", "id003"], action="append")
    args = parser.parse_args()
    poll_s = args.poll_ms / 1000
    protocols = args.protocol or ["ccnet", "id003"]
    target_ms = args.poll_ms + 10
    print(f"machine: {os.cpu_count()} cores; poll interval {args.poll_ms} ms")
    print(f"baseline pty round trip (6 bytes out, 6 back): {describe(baseline_round_trip())}")
    for protocol in protocols:
        figures = escrow_to_stack(protocol, args.bills, poll_s)
        verdict = "within" if max(figures) <= target_ms else "OVER"
        print(f"{protocol}: escrow -> STACK {describe(figures)}; target {target_ms} ms: {verdict}")
        engine = escrow_to_stack_through_engine(protocol, args.bills, args.poll_ms)
        ratio = statistics.median(engine) / statistics.median(figures)
        print(
            f"{protocol}: escrow -> STACK through the engine and journal {describe(engine)}; "
            f"{ratio:.2f}x the instant decision"
        )
    baseline = baseline_idle_cpu(args.idle_seconds, poll_s)
    print(f"baseline idle thread waking every {args.poll_ms} ms: {baseline:.3f}% of one core")
    for protocol in protocols:
        percent, polls = idle_cpu(protocol, args.idle_seconds, poll_s)
        verdict = "under" if percent < 1.0 else "OVER"
        print(
            f"{protocol}: idle polling host {percent:.3f}% of one core over "
            f"{args.idle_seconds:.0f} s ({polls} polls); target 1%: {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
