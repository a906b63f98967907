"""The ICT side of the cash emulator: single bytes, spoken unasked as an ICT104 / LV77 unit does.

State after switching on and after RESET ``30``: the device sends ``80 8F`` and waits 2 s for
the host's ``02``. Answered in time, it initialises and enables itself (``3E``: every bill type
of its table); not answered, it inhibits itself and answers polls ``26`` (communication error:
the power-up went unanswered) until the host resets it or enables it with ``3E``. Polls ``0C``
during the wait are answered ``80 8F`` again; polls while it initialises get no answer.

Bills: a bill in escrow is announced once with ``81 TT`` (``TT`` = ``40`` + its place in the
table); the host answers ``02`` stack, ``0F`` return or ``18`` hold. The device then sends
``10`` when the bill is in the cassette or ``11`` when it was handed back, once each: ICT has
no acknowledgement. Polls are answered ``3E`` / ``5E``, or while a bill is refused ``29``, or
with the fault's code (``22`` jam, ``24`` stacker open, ``27`` bill fish, ``28`` stacker
problem, ``20`` or the given code for a failure), and once with ``2F`` when a fault clears.
Enable ``3E`` and disable ``5E`` are not answered; unknown bytes are ignored.
"""

from __future__ import annotations

from drivers.cash.ict import codec
from drivers.cash.ict.codes import (
    FIRST_BILL_TYPE,
    LAST_BILL_TYPE,
    POWER_UP_ANSWER_S,
    POWER_UP_MESSAGE,
    DeviceByte,
    HostCommand,
)
from drivers.emulators.cash_front import Decoded, ProtocolFront
from drivers.emulators.cash_mechanics import Dialect, Fault, Mechanics, Phase

DIALECT = Dialect(returned_report=True, stacked_info=False)

_FAULT = {
    Fault.VALIDATOR_JAM: DeviceByte.BILL_JAM,
    Fault.CASSETTE_JAM: DeviceByte.STACKER_PROBLEM,
    Fault.CASSETTE_OUT: DeviceByte.STACKER_OPEN,
    Fault.CASSETTE_FULL: DeviceByte.STACKER_PROBLEM,
}
_FAILURE_CODES = frozenset(
    {DeviceByte.MOTOR_FAILURE, DeviceByte.CHECKSUM_ERROR, DeviceByte.SENSOR_PROBLEM}
)
# Bytes that mean something to a host: line noise must not contain them.
MEANINGFUL = frozenset(
    {int(b) for b in DeviceByte} | set(range(FIRST_BILL_TYPE, LAST_BILL_TYPE + 1))
)


class IctFront(ProtocolFront):
    protocol = "ict"
    dialect = DIALECT

    def __init__(self, mechanics: Mechanics) -> None:
        super().__init__(mechanics)
        if len(mechanics.table) > LAST_BILL_TYPE - FIRST_BILL_TYPE + 1:
            raise ValueError("ICT has bill types 40..48 at most")
        self._waiting_since: float | None = None  # sent 80 8F at this time, no 02 yet
        self._announced_escrow = False
        self._had_fault = False
        self._unanswered = False  # the power-up went unanswered: 26 until reset or enabled

    def decode(self, buffer: bytes) -> Decoded:
        result = codec.decode_host(buffer)
        return Decoded(result.messages, result.leftover, 0, result.garbage)

    def encode(self, data: bytes) -> bytes:
        return data  # no framing

    def answer_damaged(self) -> bytes | None:
        return None  # there is no checksum to find damage with

    def noise_safe(self, byte: int) -> bool:
        return byte not in MEANINGFUL

    def power_cycle(self) -> None:
        self._waiting_since = None
        self._announced_escrow = False
        self._unanswered = False

    def unsolicited(self, now: float) -> bytes | None:  # noqa: PLR0911 - one return per report
        """What the device says unasked now: power-up, escrow, stacked, returned."""
        mechanics = self.mechanics
        mechanics.polls_in_phase = max(1, mechanics.polls_in_phase)  # it reports, not polled
        phase = mechanics.phase
        if phase is Phase.POWER_UP:
            if self._waiting_since is None:
                self._waiting_since = now
                return POWER_UP_MESSAGE
            if now - self._waiting_since >= POWER_UP_ANSWER_S:
                self._start(now, enable=False)  # nobody answered: inhibit itself
                self._unanswered = True
            return None
        if phase is Phase.ESCROW and mechanics.bill_index is not None:
            if not self._announced_escrow:
                self._announced_escrow = True
                return bytes([DeviceByte.ESCROW, FIRST_BILL_TYPE + mechanics.bill_index])
            return None
        self._announced_escrow = False
        if phase is Phase.STACKED:
            mechanics.acknowledge(now)
            return bytes([DeviceByte.STACKED])
        if phase is Phase.RETURNED:
            mechanics.acknowledge(now)
            return bytes([DeviceByte.REJECTED])
        return None

    def _start(self, now: float, *, enable: bool) -> None:
        self._waiting_since = None
        self.mechanics.reset(now)
        if enable:
            self.mechanics.set_enabled(frozenset(range(len(self.mechanics.table))))

    def answer(self, data: bytes, now: float) -> bytes | None:
        command = data[0]
        mechanics = self.mechanics
        if mechanics.phase is Phase.POWER_UP:
            if command == HostCommand.ACCEPT and self._waiting_since is not None:
                self._start(now, enable=True)
                return None
            if command == HostCommand.POLL:
                self._waiting_since = self._waiting_since or now
                return POWER_UP_MESSAGE
            return None
        if command == HostCommand.POLL:
            phase = mechanics.poll(now).phase
            if phase is Phase.INITIALIZING:
                return None  # busy starting: it answers once it is up
            self.last_status = self._status(phase)
            return self.last_status
        if command == HostCommand.ACCEPT:
            mechanics.stack(now)
        elif command == HostCommand.REJECT:
            mechanics.return_bill(now)
        elif command == HostCommand.HOLD:
            mechanics.hold(now)
        elif command == HostCommand.ENABLE:
            self._unanswered = False
            mechanics.set_enabled(frozenset(range(len(mechanics.table))))
        elif command == HostCommand.DISABLE:
            mechanics.set_enabled(frozenset())
        elif command == HostCommand.RESET:
            mechanics.power_cycle(now, bill_in_stacker=mechanics.phase is Phase.STACKING)
            self.power_cycle()
        return None

    def _status(self, phase: Phase) -> bytes:  # noqa: PLR0911 - one return per status
        snapshot = self.mechanics.snapshot()
        if snapshot.fault is not None:
            self._had_fault = True
            if snapshot.fault is Fault.FAILURE:
                code = snapshot.failure_code
                return bytes([code if code in _FAILURE_CODES else DeviceByte.MOTOR_FAILURE])
            return bytes([_FAULT[snapshot.fault]])
        if self._had_fault:
            self._had_fault = False
            return bytes([DeviceByte.ERROR_CLEARED])
        if self._unanswered:
            return bytes([DeviceByte.POWER_UP_UNANSWERED])
        if phase is Phase.CHEATED:
            return bytes([DeviceByte.BILL_FISH])
        if phase is Phase.REJECTING:
            return bytes([DeviceByte.BILL_REJECT])
        return bytes([DeviceByte.ENABLED if snapshot.enabled else DeviceByte.INHIBITED])
