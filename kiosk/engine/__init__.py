"""The engine: single owner of the payment session, the journal's money events and the cash box.

Everything that changes money state arrives as a message on one queue and is applied on the
engine thread, one at a time: customer intents from the UI, events from the bill acceptor, the
printer and the scanner, and results of network calls run in the background. After each
message the engine publishes a snapshot (a JSON-able dict) to its subscribers.

Threading rule: all state changes happen on the engine thread. Other threads only put messages
on the queue (``submit``, ``decide_escrow``, ``acceptor_event``, ``scanner_event``, the
background pools' results) or wait for an answer (``call``). Nothing here takes a lock.

Order of writes for cash (docs/journal.md, with one change noted in ``CashFlow.finish_cash``):
``opened`` before the acceptor is enabled; ``escrow`` with the decision before STACK or RETURN
is answered; ``stacked`` before the host acknowledges the device; ``closed`` and ``queued``
together (one transaction) once the acceptor is disabled and no note is in flight.

Which file holds what (each flow is a class that holds the engine, composition not mixins):

- ``core.py``: ``Engine``: start/stop, the device threads' entry points, dispatch of intents,
  timers and background results, the state machine's ``fire``, and the small public face the
  flows, recovery, maintenance and the runtime use.
- ``loop.py``: ``Loop``: the queue, timers, background pools and snapshot publishing.
- ``model.py``: ``Session``, ``CashSession``, ``Intent``, ``Reply``, ``NotRecorded``.
- ``customer.py``: ``CustomerFlow``: start, account, amount, method, cancel/back/home, idle
  timeouts, scanner events.
- ``cash.py``: ``CashFlow``: a cash payment from enabling the acceptor to ``closed`` +
  ``queued``, and the acceptor's state.
- ``notes.py``: ``NoteEvents``: escrow decisions, stacked and returned reports, suspects.
- ``qr.py``: ``QrFlow``; ``card.py``: ``CardFlow``; ``paycode.py``: ``PaycodeFlow`` (a scanned
  payment code; kiosk/paycode.py classifies and masks the codes).
- ``settlement.py``: ``Settlement``: the result screen, the receipt and its printing.
- ``health.py``: ``HealthChecks``: availability, printer, server, heartbeat, data disk and the
  journal-fault pause.
- ``remote.py``: ``RemoteCommands``: operator commands, credentials, outbox results.
- ``records.py``: ``TxnRecords``: ``opened`` with its txn id, single events, ``posted``.
- ``recovery_steps.py``: ``RecoverySteps``: carries out what kiosk/recovery.py decides.
- ``snapshot.py``: building the snapshot.

Each timer is handled by the flow it belongs to (``Engine._timers``), and each handler checks
that its moment has not passed. ``Engine(loop_type=...)`` takes a loop a test steps by hand
(tests/support/engine_harness.py).
"""

from kiosk.engine.core import Engine
from kiosk.engine.model import CashSession, Intent, NotRecorded, Session

__all__ = ["CashSession", "Engine", "Intent", "NotRecorded", "Session"]
