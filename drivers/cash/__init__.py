"""Bill acceptors: CashCode CCNET and JCM ID-003 behind one interface (see api.py).

``open_acceptor("ccnet", "/dev/kiosk-cash", on_event=..., decide=...)`` builds a host for the
protocol on a serial transport (8N1 for CCNET, 8E1 for ID-003); nothing is opened before
``start()``.
"""

from __future__ import annotations

from typing import Any

from drivers.cash.api import (
    AcceptorError,
    AcceptorEvent,
    AcceptorNotConnected,
    AcceptorProtocolError,
    BillAcceptor,
    Decision,
    DecisionMaker,
    Disconnected,
    Escrow,
    EventSink,
    Fault,
    FaultCleared,
    FaultKind,
    Identity,
    PowerUp,
    Ready,
    Reconnected,
    Rejected,
    Returned,
    Stacked,
    StackedUnidentified,
)
from drivers.cash.ccnet.host import CcnetHost
from drivers.cash.host import AcceptorHost, HostSettings
from drivers.cash.id003.host import Id003Host
from drivers.transport import Parity, SerialTransport

PROTOCOLS = ("ccnet", "id003")

__all__ = [
    "PROTOCOLS",
    "AcceptorError",
    "AcceptorEvent",
    "AcceptorHost",
    "AcceptorNotConnected",
    "AcceptorProtocolError",
    "BillAcceptor",
    "Decision",
    "DecisionMaker",
    "Disconnected",
    "Escrow",
    "EventSink",
    "Fault",
    "FaultCleared",
    "FaultKind",
    "HostSettings",
    "Identity",
    "PowerUp",
    "Ready",
    "Reconnected",
    "Rejected",
    "Returned",
    "Stacked",
    "StackedUnidentified",
    "open_acceptor",
]


def open_acceptor(
    protocol: str,
    url: str,
    *,
    on_event: EventSink,
    decide: DecisionMaker,
    baudrate: int = 9600,
    poll_interval_s: float = 0.1,
    escrow_decision_timeout_s: float = 2.0,
    **settings: Any,
) -> AcceptorHost:
    """A host for ``protocol`` ("ccnet" or "id003") on ``url``; more ``HostSettings`` by name.

    Raises ValueError naming a wrong protocol or setting.
    """
    try:
        host_settings = HostSettings(
            poll_interval_s=poll_interval_s,
            escrow_decision_timeout_s=escrow_decision_timeout_s,
            **settings,
        )
    except TypeError as exc:
        raise ValueError(f"unknown acceptor setting: {exc}") from exc
    if protocol == "ccnet":
        transport = SerialTransport(url, baudrate=baudrate, parity=Parity.NONE)
        return CcnetHost(transport, on_event=on_event, decide=decide, settings=host_settings)
    if protocol == "id003":
        transport = SerialTransport(url, baudrate=baudrate, parity=Parity.EVEN)
        return Id003Host(transport, on_event=on_event, decide=decide, settings=host_settings)
    raise ValueError(f"unknown bill acceptor protocol {protocol!r}; use one of {PROTOCOLS}")
