"""Device emulators: real serial devices on pseudo-terminals, scriptable through a control socket.

Each emulator holds the master end of a pty (``pty_device.PtyDevice``) and speaks its protocol
byte for byte; the host under test opens the slave path like any serial port. A Unix control
socket (``control.ControlServer``) takes one text command per line and answers one JSON line.

Bill acceptors: ``cash.CashEmulator`` (CCNET or ID-003) = ``cash_mechanics`` (the mechanism,
protocol-free) + ``cash_ccnet`` / ``cash_id003`` (the bytes on the wire) + ``cash_state`` (the
cassette on disk).

Exception tree (under ``drivers.errors.DriverError``)::

    EmulatorError
    ├── CommandError   a control command is unknown or has bad arguments (answered, not raised
    │                  to the client)
    └── PtyClosedError      the pty was closed (unplugged) while reading or writing
"""

from drivers.emulators.errors import CommandError, EmulatorError, PtyClosedError

__all__ = ["CommandError", "EmulatorError", "PtyClosedError"]
