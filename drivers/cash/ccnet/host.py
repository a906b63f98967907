"""The CCNET host: POLL, ACK every data answer, NAK a damaged one, commands with bounded retries.

Start-up (drivers/cash/start_up.py): POLL, RESET, POLL until the device leaves ``10``-``13``,
IDENTIFICATION ``37``, GET BILL TABLE ``41``, ENABLE BILL TYPES ``34``.
"""

from __future__ import annotations

import time

from drivers.cash.api import AcceptorProtocolError, Identity
from drivers.cash.bill_table import TableEntry, to_fen
from drivers.cash.ccnet import codec
from drivers.cash.ccnet.codes import (
    ADDRESS_BILL_VALIDATOR,
    BILL_TABLE_ENTRIES,
    BILL_TABLE_ENTRY_SIZE,
    IDENT_ASSET_SIZE,
    IDENT_PART_SIZE,
    IDENT_SERIAL_SIZE,
    Command,
    Reply,
    StatusParseError,
    parse_status,
)
from drivers.cash.host import AcceptorHost
from drivers.cash.host_core import NoReplyError
from drivers.cash.status import DeviceStatus

BYTE_TIME_S = 0.00105  # one byte at 9600 baud, 10 bits on the wire


def parse_table(data: bytes) -> list[TableEntry]:
    """GET BILL TABLE's answer: 24 entries of (digits, 3-letter code, exponent); empty skipped."""
    entries: list[TableEntry] = []
    size = BILL_TABLE_ENTRY_SIZE
    for bill_type in range(len(data) // size):
        entry = data[bill_type * size : (bill_type + 1) * size]
        digits, country, exponent = entry[0], entry[1:4], entry[4]
        if digits == 0:
            continue
        code = country.decode("ascii", "replace").strip(" \x00")
        entries.append(TableEntry(bill_type, code, to_fen(digits, exponent)))
    return entries


class CcnetHost(AcceptorHost):
    protocol = "ccnet"

    # ---- exchanges ----------------------------------------------------------------------

    def _exchange(self, data: bytes, *, retry_on_timeout: bool, answer_size: int = 8) -> bytes:
        """Send one frame and return the answer's data; NAK damaged answers, bounded."""
        request = codec.encode(data)
        timeout = self.settings.reply_timeout_s + answer_size * BYTE_TIME_S
        resend = True
        for _ in range(self.settings.exchange_retries + 1):
            if resend:
                self._transport.flush_input()
                self._transport.write(request)
            else:
                self._transport.write(codec.NAK_FRAME)  # the device sends its answer again
                self._counters["naks_sent"] += 1
            answer, damaged = self._read_answer(timeout)
            if answer is not None:
                if answer == bytes([Reply.NAK]):
                    self._counters["device_naks"] += 1  # our frame arrived damaged
                    resend = True
                    continue
                return answer
            if damaged:
                resend = False
                continue
            if not retry_on_timeout:
                break
            resend = True
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
            for frame in result.frames:
                if frame.address == ADDRESS_BILL_VALIDATOR:
                    return frame.data, False
            if result.bad_crc:
                return None, True
            buffer = result.leftover
        return None, False

    def _command(self, command: Command, parameters: bytes = b"") -> None:
        answer = self._exchange(bytes([command]) + parameters, retry_on_timeout=True)
        if answer == bytes([Reply.ACK]):
            return
        if answer == bytes([Reply.ILLEGAL_COMMAND]):
            raise AcceptorProtocolError(f"{command.name} refused: illegal command now")
        raise AcceptorProtocolError(f"{command.name} answered {answer.hex(' ')}")

    def _request(self, command: Command, answer_size: int) -> bytes:
        answer = self._exchange(bytes([command]), retry_on_timeout=True, answer_size=answer_size)
        if answer in (bytes([Reply.ILLEGAL_COMMAND]), bytes([Reply.ACK])):
            raise AcceptorProtocolError(f"{command.name} answered 0x{answer[0]:02X}, no data")
        self._transport.write(codec.ACK_FRAME)
        return answer

    # ---- hooks ----------------------------------------------------------------------------

    def _identify(self) -> tuple[Identity, list[TableEntry]]:
        ident = self._request(Command.IDENTIFICATION, answer_size=40)

        def text(start: int, size: int) -> str:
            return ident[start : start + size].decode("ascii", "replace").strip(" \x00")

        part = text(0, IDENT_PART_SIZE)
        serial = text(IDENT_PART_SIZE, IDENT_SERIAL_SIZE)
        asset = ident[IDENT_PART_SIZE + IDENT_SERIAL_SIZE :][:IDENT_ASSET_SIZE]
        table_bytes = self._request(
            Command.GET_BILL_TABLE, answer_size=BILL_TABLE_ENTRIES * BILL_TABLE_ENTRY_SIZE + 6
        )
        identity = Identity(
            "ccnet", part, serial, "", asset_number=asset.hex() if any(asset) else ""
        )
        return identity, parse_table(table_bytes)

    def _poll(self) -> DeviceStatus:
        answer = self._exchange(bytes([Command.POLL]), retry_on_timeout=False)
        try:
            return parse_status(answer)
        except StatusParseError as exc:
            self._transport.write(codec.ACK_FRAME)  # well-formed frame, unknown meaning
            raise AcceptorProtocolError(f"poll: {exc}") from exc

    def _acknowledge(self, status: DeviceStatus) -> None:  # noqa: ARG002 - every answer
        self._transport.write(codec.ACK_FRAME)

    def _reset(self) -> None:
        self._command(Command.RESET)

    def _apply_enable(self, bill_types: frozenset[int]) -> None:
        mask = 0
        for bill_type in bill_types:
            mask |= 1 << bill_type
        enable = mask.to_bytes(3, "big")
        self._command(Command.ENABLE_BILL_TYPES, enable + enable)  # escrow on for each

    def _send_stack(self) -> None:
        self._command(Command.STACK)

    def _send_return(self) -> None:
        self._command(Command.RETURN)
