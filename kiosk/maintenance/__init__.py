"""The maintenance side of the engine: technician login, status, tests, collection, suspects.

Runs on the engine thread (the engine forwards ``maintenance`` intents here), so it sees
money state exactly as the engine does and can never race a payment. The customer flow is
paused while the screen is open: it opens only between payments, and closing it returns to
the home screen, never to a half-done payment. Every action is an audit event in the
journal's hash chain: who, what, when, result.

Which actions exist, their arguments and who may run them is one table,
``kiosk.maintenance_actions``; an action not in it, with wrong arguments or by a role not
allowed is refused (told to the technician, audited) and nothing else happens.

``Maintenance`` (screen.py) is the one class the engine uses; its parts, one concern each:

- screen.py: open, close, login, the snapshot, ``handle`` and the table of handlers;
- screen_state.py: what the parts share (engine, technician, view, message, the audit);
- engine_face.py: ``EngineFace``, all the parts may use of the engine;
- status.py: the status page;
- device_tests.py: test page, acceptor test, switching a way to pay off or on;
- cash_collection.py: the collection preview and commit (journal vs physical count, slip);
- suspects.py: suspect notes and parked outbox items, resolved or re-queued;
- journal_lookup.py: journal search, one transaction, receipt reprints;
- pair_action.py: pairing with a one-time code;
- system_actions.py: send the outbox now, restart, reboot, shut down.
"""

from kiosk.maintenance.screen import Maintenance

__all__ = ["Maintenance"]
