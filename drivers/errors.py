"""The root of every error the drivers raise on purpose (the tree is drawn in ``drivers``)."""

from __future__ import annotations


class DriverError(Exception):
    """Base of the errors of the transports, acceptors, printer and emulators.

    Catch a subtree (``AcceptorError``, ``PrinterError``, ...) where one device is handled;
    catch ``DriverError`` only where any device's failure is handled alike.
    """
