"""The ID-003 side of the cash emulator: answers byte for byte as a JCM ID-003 acceptor.

VEND VALID is repeated until the host ACKs it; operation commands are answered ACK (or
INVALID COMMAND when they make no sense now); setting commands are echoed; a frame with a bad
CRC gets COMMUNICATION ERROR. Settings are taken while the acceptor is idle, disabled,
powering up or initialising.

State after switching on and after RESET (ID-003: the settings live in volatile memory; the
acceptor reports POWER UP ``40`` until the host RESETs it, then INITIALIZE ``1B``, then
DISABLE ``1A``)::

    C0 enable/inhibit denominations  00 00  no denomination inhibited
    C1 security                      00 00
    C2 communication mode            00     polling
    C3 inhibit acceptor              01     inhibited: DISABLE until the host sends C3 00
    C4 direction                     00
    C5 optional functions            00 00

So ``C3 00`` alone enables every denomination, as on a device; ``C0`` narrows it. The status
requests ``80``..``85`` answer the current value of ``C0``..``C5`` (the request byte, then the
setting's data), ``88`` the version text and ``8A`` the currency assignment (escrow code,
country code, digits, exponent per note). Only polling mode is implemented: ``C2 01``
(interrupt mode, where the acceptor would send ENQ ``05`` on every change) is answered
INVALID COMMAND ``4B``, so a host learns at once that it must poll. Any other command this
emulator does not implement is answered ``4B`` too.
"""

from __future__ import annotations

from drivers.cash.bill_table import from_fen
from drivers.cash.id003 import codec
from drivers.cash.id003.codes import (
    COUNTRY_CNY,
    ESCROW_CODES,
    FIRST_ESCROW_CODE,
    INHIBIT_ACCEPT,
    INHIBIT_ALL,
    SETTING_COMMANDS,
    Command,
    RejectReason,
    Status,
    encode_status,
)
from drivers.emulators.cash_front import Decoded, ProtocolFront
from drivers.emulators.cash_mechanics import (
    BillIn,
    Dialect,
    Fault,
    Mechanics,
    Phase,
    RejectCause,
    Snapshot,
)

DIALECT = Dialect(returned_report=False, stacked_info=True)
COMMUNICATION_MODE_POLLING = 0x00
STATUS_REQUEST_OFFSET = 0x40  # 80..85 read back what C0..C5 set
# Each setting's data after switching on and after RESET (see the module docstring).
DEFAULT_SETTINGS: dict[int, bytes] = {
    Command.SET_DENOMINATIONS: b"\x00\x00",
    Command.SET_SECURITY: b"\x00\x00",
    Command.SET_COMMUNICATION_MODE: bytes([COMMUNICATION_MODE_POLLING]),
    Command.SET_INHIBIT: bytes([INHIBIT_ALL]),
    Command.SET_DIRECTION: b"\x00",
    Command.SET_OPTIONAL_FUNCTION: b"\x00\x00",
}

_REJECT = {
    RejectCause.INSERTION: RejectReason.INSERTION,
    RejectCause.INHIBIT: RejectReason.INHIBIT,
    RejectCause.IDENTIFICATION: RejectReason.DENOMINATION,
    RejectCause.VERIFICATION: RejectReason.PHOTO_PATTERN_1,
}
_FAULT = {
    Fault.VALIDATOR_JAM: Status.ACCEPTOR_JAM,
    Fault.CASSETTE_JAM: Status.STACKER_JAM,
    Fault.CASSETTE_OUT: Status.STACKER_OPEN,
    Fault.CASSETTE_FULL: Status.STACKER_FULL,
}
_POWER_UP = {
    None: Status.POWER_UP,
    BillIn.VALIDATOR: Status.POWER_UP_BILL_IN_ACCEPTOR,
    BillIn.STACKER: Status.POWER_UP_BILL_IN_STACKER,
}
_PLAIN = {
    Phase.INITIALIZING: Status.INITIALIZE,
    Phase.ACCEPTING: Status.ACCEPTING,
    Phase.STACKING: Status.STACKING,
    Phase.STACKED: Status.VEND_VALID,
    Phase.STACKED_INFO: Status.STACKED,
    Phase.RETURNING: Status.RETURNING,
    Phase.CHEATED: Status.CHEATED,
}
_TAKES_SETTINGS = frozenset({Phase.SETTLED, Phase.POWER_UP, Phase.INITIALIZING})


def status_bytes(snapshot: Snapshot) -> bytes:  # noqa: PLR0911 - one return per case
    phase = snapshot.phase
    if phase is Phase.POWER_UP:
        return encode_status(_POWER_UP[snapshot.power_up_bill])
    if snapshot.fault is Fault.FAILURE:
        return encode_status(Status.FAILURE, snapshot.failure_code)
    if snapshot.fault is not None:
        return encode_status(_FAULT[snapshot.fault])
    if phase in _PLAIN:
        return encode_status(_PLAIN[phase])
    if phase is Phase.ESCROW and snapshot.bill_index is not None:
        return encode_status(Status.ESCROW, FIRST_ESCROW_CODE + snapshot.bill_index)
    if phase is Phase.REJECTING and snapshot.reject is not None:
        return encode_status(Status.REJECTING, _REJECT[snapshot.reject])
    return encode_status(Status.ENABLE if snapshot.enabled else Status.DISABLE)


class Id003Front(ProtocolFront):
    protocol = "id003"
    dialect = DIALECT

    def __init__(self, mechanics: Mechanics, *, version: str, country_code: int = COUNTRY_CNY):
        super().__init__(mechanics)
        if len(mechanics.table) > ESCROW_CODES:
            raise ValueError(f"ID-003 has {ESCROW_CODES} denominations at most")
        self.version = version
        self.country_code = country_code
        self.settings = dict(DEFAULT_SETTINGS)

    def decode(self, buffer: bytes) -> Decoded:
        result = codec.decode_stream(buffer)
        return Decoded(
            [f.data for f in result.frames], result.leftover, result.bad_crc, result.garbage
        )

    def encode(self, data: bytes) -> bytes:
        return codec.encode(data)

    def answer_damaged(self) -> bytes:
        return bytes([Status.COMMUNICATION_ERROR])

    def power_cycle(self) -> None:
        self.settings = dict(DEFAULT_SETTINGS)
        self._apply()

    def _apply(self) -> None:
        inhibit_bits = self.settings[Command.SET_DENOMINATIONS][0]
        inhibited = self.settings[Command.SET_INHIBIT][0] != INHIBIT_ACCEPT
        enabled = frozenset(i for i in range(ESCROW_CODES) if not inhibit_bits >> i & 1)
        self.mechanics.set_enabled(frozenset() if inhibited else enabled)

    def answer(  # noqa: PLR0911 - one answer per command, as the protocol lists them
        self, data: bytes, now: float
    ) -> bytes | None:
        command, parameters = data[0], data[1:]
        mechanics = self.mechanics
        ack, invalid = bytes([Command.ACK]), bytes([Status.INVALID_COMMAND])
        if command == Command.STATUS_REQUEST:
            self.last_status = status_bytes(mechanics.poll(now))
            return self.last_status
        if command == Command.ACK:
            if mechanics.phase is Phase.STACKED:
                mechanics.acknowledge(now)
            return None
        if command == Command.RESET:
            mechanics.reset(now)
            self.power_cycle()
            return ack
        if command in (Command.STACK_1, Command.STACK_2):
            return ack if mechanics.stack(now) else invalid
        if command == Command.RETURN:
            return ack if mechanics.return_bill(now) else invalid
        if command == Command.HOLD:
            return ack if mechanics.hold(now) else invalid
        if command == Command.WAIT:
            return ack
        if command in SETTING_COMMANDS:
            return self._setting(command, parameters, data)
        if command == Command.GET_VERSION:
            return bytes([Command.GET_VERSION]) + self.version.encode("ascii")
        if command == Command.GET_CURRENCY_ASSIGNMENT:
            return bytes([Command.GET_CURRENCY_ASSIGNMENT]) + self._assignment()
        setting = command + STATUS_REQUEST_OFFSET
        if setting in SETTING_COMMANDS and not parameters:
            return bytes([command]) + self.settings[setting]
        return invalid

    def _setting(self, command: int, parameters: bytes, data: bytes) -> bytes:
        invalid = bytes([Status.INVALID_COMMAND])
        if self.mechanics.phase not in _TAKES_SETTINGS:
            return invalid
        if len(parameters) != len(DEFAULT_SETTINGS[command]):
            return invalid
        if (
            command == Command.SET_COMMUNICATION_MODE
            and parameters[0] != COMMUNICATION_MODE_POLLING
        ):
            return invalid  # interrupt mode (ENQ) is not implemented: the host must poll
        self.settings[command] = bytes(parameters)
        self._apply()
        return data  # settings are echoed

    def _assignment(self) -> bytes:
        entries = bytearray()
        for index, denomination in enumerate(self.mechanics.table):
            digits, exponent = from_fen(denomination)
            entries += bytes([FIRST_ESCROW_CODE + index, self.country_code, digits, exponent])
        return bytes(entries)
