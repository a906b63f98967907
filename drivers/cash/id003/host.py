"""The ID-003 host: STATUS REQUEST, ACK after VEND VALID, settings echoed, commands ACKed.

Start-up (drivers/cash/start_up.py): STATUS REQUEST, RESET ``40``, STATUS REQUEST until the device
leaves ``40``-``42`` / ``1B``, version ``88``, currency assignment ``8A``, then ``C0`` (the
inhibit bits) and ``C3`` (accept or inhibit). Polling mode only: the host never sends ``C2``.
"""

from __future__ import annotations

import time

from drivers.cash.api import AcceptorProtocolError, Identity
from drivers.cash.bill_table import TableEntry, to_fen
from drivers.cash.host import AcceptorHost
from drivers.cash.host_core import NoReplyError
from drivers.cash.id003 import codec
from drivers.cash.id003.codes import (
    ESCROW_CODES,
    FIRST_ESCROW_CODE,
    INHIBIT_ACCEPT,
    INHIBIT_ALL,
    Command,
    Status,
    StatusParseError,
    parse_status,
)
from drivers.cash.status import SETTLED_KINDS, DeviceStatus, StatusKind

BYTE_TIME_S = 0.00115  # one byte at 9600 baud 8E1, 11 bits on the wire
ACK_FRAME = codec.encode_command(Command.ACK)
CURRENCY_ENTRY_SIZE = 4


def parse_assignment(data: bytes) -> list[TableEntry]:
    """The currency assignment: entries of (escrow code, country code, digits, exponent)."""
    entries: list[TableEntry] = []
    for offset in range(0, len(data) - CURRENCY_ENTRY_SIZE + 1, CURRENCY_ENTRY_SIZE):
        code, country, digits, exponent = data[offset : offset + CURRENCY_ENTRY_SIZE]
        if digits == 0 or not FIRST_ESCROW_CODE <= code < FIRST_ESCROW_CODE + ESCROW_CODES:
            continue  # an unused slot, or an escrow code the status cannot carry
        entries.append(TableEntry(code, country, to_fen(digits, exponent)))
    return entries


class Id003Host(AcceptorHost):
    protocol = "id003"

    def _exchange(self, data: bytes, *, retry_on_timeout: bool, answer_size: int = 8) -> bytes:
        """Send one frame, return the answer's data; ask again after a damaged answer."""
        request = codec.encode(data)
        timeout = self.settings.reply_timeout_s + answer_size * BYTE_TIME_S
        for _ in range(self.settings.exchange_retries + 1):
            self._transport.flush_input()
            self._transport.write(request)
            answer, damaged = self._read_answer(timeout)
            if answer is not None:
                if answer[0] == Status.COMMUNICATION_ERROR:
                    self._counters["device_comm_errors"] += 1  # our frame arrived damaged
                    continue
                return answer
            if not damaged and not retry_on_timeout:
                break
        raise NoReplyError(f"no valid answer to 0x{data[0]:02X}")

    def _read_answer(self, timeout: float) -> tuple[bytes | None, bool]:
        deadline = time.monotonic() + timeout
        buffer = b""
        while (remaining := deadline - time.monotonic()) > 0:
            chunk = self._transport.read(timeout_s=remaining)
            if not chunk:
                continue
            result = codec.decode_stream(buffer + chunk)
            self._counters["garbage_bytes"] += result.garbage
            self._counters["bad_crc"] += result.bad_crc
            if result.frames:
                return result.frames[0].data, False
            if result.bad_crc:
                return None, True
            buffer = result.leftover
        return None, False

    def _operation(self, command: Command) -> None:
        answer = self._exchange(bytes([command]), retry_on_timeout=True)
        if answer == bytes([Command.ACK]):
            return
        raise AcceptorProtocolError(f"{command.name} answered {answer.hex(' ')}, not ACK")

    def _setting(self, command: Command, value: bytes) -> None:
        sent = bytes([command]) + value
        answer = self._exchange(sent, retry_on_timeout=True)
        if answer != sent:
            raise AcceptorProtocolError(f"{command.name} answered {answer.hex(' ')}, not its echo")

    # ---- hooks ----------------------------------------------------------------------------

    def _identify(self) -> tuple[Identity, list[TableEntry]]:
        version = self._exchange(
            bytes([Command.GET_VERSION]), retry_on_timeout=True, answer_size=64
        )
        if version[0] != Command.GET_VERSION:
            raise AcceptorProtocolError(f"version request answered 0x{version[0]:02X}")
        text = version[1:].decode("ascii", "replace").strip(" \x00")
        assignment = self._exchange(
            bytes([Command.GET_CURRENCY_ASSIGNMENT]), retry_on_timeout=True, answer_size=40
        )
        if assignment[0] != Command.GET_CURRENCY_ASSIGNMENT:
            raise AcceptorProtocolError(f"currency request answered 0x{assignment[0]:02X}")
        model = text.split(" ", 1)[0] if text else ""
        return Identity("id003", model, "", text), parse_assignment(assignment[1:])

    def _poll(self) -> DeviceStatus:
        answer = self._exchange(bytes([Command.STATUS_REQUEST]), retry_on_timeout=False)
        try:
            return parse_status(answer)
        except StatusParseError as exc:
            raise AcceptorProtocolError(f"status: {exc}") from exc

    def _acknowledge(self, status: DeviceStatus) -> None:
        if status.code == Status.VEND_VALID:
            self._transport.write(ACK_FRAME)

    def _settings_allowed(self, kind: StatusKind | None) -> bool:
        return kind in SETTLED_KINDS

    def _stacked_denomination(
        self,
        status: DeviceStatus,  # noqa: ARG002 - VEND VALID has no data
    ) -> tuple[int, int] | None:
        if self._escrow is None:  # VEND VALID carries no denomination
            return None
        return self._escrow.denomination_fen, self._escrow.bill_type

    def _reset(self) -> None:
        self._operation(Command.RESET)

    def _apply_enable(self, bill_types: frozenset[int]) -> None:
        inhibit = 0xFF
        for code in bill_types:
            inhibit &= ~(1 << (code - FIRST_ESCROW_CODE))
        self._setting(Command.SET_DENOMINATIONS, bytes([inhibit, 0x00]))
        self._setting(Command.SET_INHIBIT, bytes([INHIBIT_ACCEPT if bill_types else INHIBIT_ALL]))

    def _send_stack(self) -> None:
        self._operation(Command.STACK_1)

    def _send_return(self) -> None:
        self._operation(Command.RETURN)
