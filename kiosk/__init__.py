"""Electricity-bill payment kiosk: the core (no Qt).

Exception tree of the core (the drivers' own tree is drawn in ``drivers``; the engine
translates a driver's error into its state, it does not let one through)::

    KioskError
    ├── ConfigError              a configuration file is missing, malformed or impossible
    │                            (kiosk/config_error.py)
    ├── MoneyError               an amount is malformed, a float, or out of range (a ValueError)
    ├── JournalError             the journal cannot be opened or written: take no money
    │   └── SchemaTooNew         the file was written by newer software (kiosk/schema.py)
    ├── CentralError             a call to the central server failed (kiosk/central_client.py)
    │   ├── CentralOffline       no connection, or reset before an answer
    │   ├── CentralTimeout       connect or read timeout (the request may have been processed)
    │   ├── CentralRejected      a 4xx answer: .status .code .detail
    │   │   ├── CentralUnauthorized   401: .reason
    │   │   └── CentralRateLimited    429: .retry_after_s
    │   └── CentralServerError   5xx, or an answer that breaks the wire format
    ├── TransitionRefused        an intent the session's state has no transition for
    │                            (kiosk/session.py)
    ├── TechnicianError          a technician cannot be added, found or logged in
    │   ├── WrongPin             .attempts_left
    │   └── LoginLocked          .until
    ├── ActionRefused            a maintenance action is not run: .code .detail
    │   │                        (kiosk/maintenance_actions.py)
    │   ├── UnknownAction        not in the table of actions
    │   ├── BadArguments         missing, extra or mistyped arguments
    │   └── RoleNotAllowed       the technician's role may not run it
    ├── ReceiptError             a document cannot be printed as given (a ValueError)
    │                            (kiosk/receipt_checks.py)
    ├── ScriptError              a headless script step failed (kiosk/headless.py)
    │   └── ScriptInvalid        the script cannot be read; nothing was run
    ├── PairingFailed            the kiosk was not paired (kiosk/pairing.py)
    │   ├── MalformedCode        not the shape of a pairing code: never sent
    │   ├── CodeRefused          the server refused it: wrong, used or expired
    │   ├── ServerUnreachable    no answer from the central server
    │   └── SecretNotWritable    the secret file cannot be written (nothing sent)
    ├── TimeZoneUnusable         kiosk.timezone is unknown or has no system zone data
    │                            (kiosk/local_time.py)
    ├── VoiceError               a voice prompt cannot be rendered or played (kiosk/voice.py)
    ├── UnknownText              an id the one catalogue of words lacks (kiosk/words/)
    └── ControlUnreachable       an emulator's control socket did not answer

``kiosk_demo.DemoError`` (the demo cannot go on) is a KioskError drawn in ``kiosk_demo``,
which the core never imports.

``kiosk.engine.NotRecorded`` is outside the tree on purpose: the engine raises it to the
acceptor host through the drivers' event sink, so it is a
``drivers.cash.api.EventNotRecorded``.
"""

__version__ = "0.1.0"


class KioskError(Exception):
    """Base of every error the kiosk core raises on purpose."""
