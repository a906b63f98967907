"""The CCNET side of the cash emulator: answers byte for byte as a CCNET bill validator.

ACK / NAK rules: a POLL answer reporting "bill stacked" or "bill returned" is repeated until
the host ACKs it; a NAK from the host makes the device send its last answer again; a frame
with a bad CRC gets NAK; an unknown command gets ILLEGAL COMMAND; ACK and NAK get no answer.
"""

from __future__ import annotations

from drivers.cash.bill_table import from_fen
from drivers.cash.ccnet import codec
from drivers.cash.ccnet.codes import (
    ADDRESS_BILL_VALIDATOR,
    BILL_TABLE_ENTRIES,
    BILL_TABLE_ENTRY_SIZE,
    IDENT_ASSET_SIZE,
    IDENT_PART_SIZE,
    IDENT_SERIAL_SIZE,
    Command,
    PollState,
    RejectReason,
    Reply,
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

DIALECT = Dialect(returned_report=True, stacked_info=False)
CURRENCY = b"CNY"
MASK_SIZE = 3

_REJECT = {
    RejectCause.INSERTION: RejectReason.INSERTION,
    RejectCause.INHIBIT: RejectReason.INHIBIT,
    RejectCause.IDENTIFICATION: RejectReason.IDENTIFICATION,
    RejectCause.VERIFICATION: RejectReason.VERIFICATION,
}
_FAULT = {
    Fault.VALIDATOR_JAM: PollState.VALIDATOR_JAMMED,
    Fault.CASSETTE_JAM: PollState.CASSETTE_JAMMED,
    Fault.CASSETTE_OUT: PollState.CASSETTE_OUT,
    Fault.CASSETTE_FULL: PollState.CASSETTE_FULL,
}
_POWER_UP = {
    None: PollState.POWER_UP,
    BillIn.VALIDATOR: PollState.POWER_UP_BILL_IN_VALIDATOR,
    BillIn.STACKER: PollState.POWER_UP_BILL_IN_STACKER,
}
_PLAIN = {
    Phase.INITIALIZING: PollState.INITIALIZE,
    Phase.ACCEPTING: PollState.ACCEPTING,
    Phase.STACKING: PollState.STACKING,
    Phase.RETURNING: PollState.RETURNING,
    Phase.CHEATED: PollState.CHEATED,
}
_WITH_BILL = {
    Phase.ESCROW: PollState.ESCROW,
    Phase.STACKED: PollState.STACKED,
    Phase.RETURNED: PollState.RETURNED,
}


def status_bytes(snapshot: Snapshot) -> bytes:  # noqa: PLR0911 - one return per case
    """The POLL answer for a mechanics snapshot."""
    phase = snapshot.phase
    if phase is Phase.POWER_UP:
        return encode_status(_POWER_UP[snapshot.power_up_bill])
    if snapshot.fault is Fault.FAILURE:
        return encode_status(PollState.FAILURE, snapshot.failure_code)
    if snapshot.fault is not None:
        return encode_status(_FAULT[snapshot.fault])
    if phase in _PLAIN:
        return encode_status(_PLAIN[phase])
    if phase in _WITH_BILL and snapshot.bill_index is not None:
        return encode_status(_WITH_BILL[phase], snapshot.bill_index)
    if phase is Phase.REJECTING and snapshot.reject is not None:
        return encode_status(PollState.REJECTING, _REJECT[snapshot.reject])
    return encode_status(PollState.IDLING if snapshot.enabled else PollState.DISABLED)


class CcnetFront(ProtocolFront):
    protocol = "ccnet"
    dialect = DIALECT

    def __init__(
        self,
        mechanics: Mechanics,
        *,
        part_number: str,
        serial_number: str,
        currency: str = CURRENCY.decode(),
    ) -> None:
        super().__init__(mechanics)
        if len(mechanics.table) > BILL_TABLE_ENTRIES:
            raise ValueError(f"CCNET has {BILL_TABLE_ENTRIES} bill types at most")
        self.part_number = part_number
        self.serial_number = serial_number
        if len(currency) != 3 or not currency.isascii():
            raise ValueError(f"a CCNET table code is 3 ASCII letters, not {currency!r}")
        self.currency = currency.encode("ascii")
        self._last_answer = b""
        self._report_pending = False  # the last POLL answer wants an ACK to move on

    def decode(self, buffer: bytes) -> Decoded:
        result = codec.decode_stream(buffer)
        frames = [f.data for f in result.frames if f.address == ADDRESS_BILL_VALIDATOR]
        return Decoded(frames, result.leftover, result.bad_crc, result.garbage)

    def encode(self, data: bytes) -> bytes:
        return codec.encode(data)

    def answer_damaged(self) -> bytes:
        return bytes([Reply.NAK])

    def power_cycle(self) -> None:
        self._last_answer = b""
        self._report_pending = False

    def answer(self, data: bytes, now: float) -> bytes | None:
        command, parameters = data[0], data[1:]
        if command == Command.ACK:
            if self._report_pending:
                self._report_pending = False
                self.mechanics.acknowledge(now)
            return None
        if command == Command.NAK:
            return self._last_answer or None
        answer = self._answer_command(command, parameters, now)
        self._last_answer = answer
        return answer

    def _answer_command(  # noqa: PLR0911 - one answer per command, as the protocol lists them
        self, command: int, parameters: bytes, now: float
    ) -> bytes:
        mechanics = self.mechanics
        ack, illegal = bytes([Reply.ACK]), bytes([Reply.ILLEGAL_COMMAND])
        if command == Command.POLL:
            snapshot = mechanics.poll(now)
            self._report_pending = snapshot.phase in (Phase.STACKED, Phase.RETURNED)
            self.last_status = status_bytes(snapshot)
            return self.last_status
        self._report_pending = False
        if command == Command.RESET:
            mechanics.reset(now)
            return ack
        if command == Command.ENABLE_BILL_TYPES and len(parameters) == 2 * MASK_SIZE:
            mask = int.from_bytes(parameters[:MASK_SIZE], "big")
            mechanics.set_enabled(frozenset(i for i in range(BILL_TABLE_ENTRIES) if mask >> i & 1))
            return ack
        if command == Command.SET_SECURITY and len(parameters) == MASK_SIZE:
            return ack
        if command == Command.GET_STATUS:
            enabled = sum(1 << i for i in mechanics.enabled).to_bytes(MASK_SIZE, "big")
            return enabled + bytes(MASK_SIZE) + enabled
        if command == Command.STACK:
            return ack if mechanics.stack(now) else illegal
        if command == Command.RETURN:
            return ack if mechanics.return_bill(now) else illegal
        if command == Command.HOLD:
            return ack if mechanics.hold(now) else illegal
        if command == Command.IDENTIFICATION:
            return (
                self.part_number.encode("ascii").ljust(IDENT_PART_SIZE)[:IDENT_PART_SIZE]
                + self.serial_number.encode("ascii").ljust(IDENT_SERIAL_SIZE)[:IDENT_SERIAL_SIZE]
                + bytes(IDENT_ASSET_SIZE)
            )
        if command == Command.GET_BILL_TABLE:
            return self._bill_table()
        return illegal

    def _bill_table(self) -> bytes:
        entries = bytearray()
        for denomination in self.mechanics.table:
            digits, exponent = from_fen(denomination)
            entries += bytes([digits]) + self.currency + bytes([exponent])
        return bytes(entries).ljust(BILL_TABLE_ENTRIES * BILL_TABLE_ENTRY_SIZE, b"\x00")
