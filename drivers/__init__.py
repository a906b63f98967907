"""Device drivers: transports, protocol codecs, hosts and emulators.

Reusable on their own: nothing here imports the kiosk core, the UI or the central server.

Exception tree (every error a driver raises on purpose; each subtree is drawn again beside
its code)::

    DriverError                     drivers/errors.py
    ├── TransportError              drivers/transport.py: the serial port
    │   ├── PortUnavailableError    the port cannot be opened
    │   └── PortLostError           the port was open and stopped working
    ├── AcceptorError               drivers/cash/api.py: a bill acceptor
    │   ├── AcceptorNotConnected    the device does not answer
    │   │   └── NoReplyError        no valid answer to one exchange (drivers/cash/host_core.py)
    │   ├── AcceptorProtocolError   the device answered out of protocol
    │   └── EventNotRecorded        the event sink could not record a money event
    ├── StatusParseError            bytes that are not a status (also a ValueError); one per
    │                               codec: drivers/cash/{ccnet,id003,ict}/codes.py
    ├── ScannerError                drivers/scanner/errors.py: a payment-code scanner
    │   ├── ScannerSettingError     an impossible setting (also a ValueError)
    │   └── ScannerStateError       start() twice, or after stop()
    ├── PrinterError                drivers/printer/errors.py
    │   ├── PrinterUnavailableError the port cannot be opened or failed in use
    │   ├── JobTooLargeError        a job over MAX_JOB_BYTES
    │   └── PrintJobError           a job was not printed or may be incomplete (``.status``)
    │       ├── PrinterNotReadyError
    │       └── PrintIncompleteError
    └── EmulatorError               drivers/emulators/errors.py
        ├── CommandError            a control command is unknown or has bad arguments
        └── PtyClosedError          the pty was closed (unplugged)
"""
