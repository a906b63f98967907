"""Bill acceptors: CashCode CCNET, JCM ID-003 and ICT behind one interface (see api.py).

``open_acceptor("ccnet", "/dev/kiosk-cash", on_event=..., decide=...)`` builds a host for the
protocol on a serial transport (8N1 for CCNET, 8E1 for ID-003 and ICT); nothing is opened
before ``start()``. ``table_codes=("CNY", "CHN")`` says which bill-table identifiers count as
yuan (default: ``bill_table.DEFAULT_TABLE_CODES``); ICT takes ``bill_types={0x40: 100, ...}``
(type byte -> fen) instead, since its devices cannot be asked. The URL is any pyserial URL;
``emulator://ccnet`` (optionally ``?state=FILE&bills=1000,2000``) is an emulated device, plugged
in while the port is open (``drivers.emulators.urlhandler``): what config/kiosk.toml's demo uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from drivers.cash.host import AcceptorHost
from drivers.cash.host_settings import HostSettings
from drivers.cash.ict.host import IctHost
from drivers.cash.id003.host import Id003Host
from drivers.transport import Parity, SerialTransport

PROTOCOLS = ("ccnet", "id003", "ict")

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
    """A host for ``protocol`` (one of PROTOCOLS) on ``url``; more ``HostSettings`` by name.

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
    host: AcceptorHost
    if protocol == "ccnet":
        transport = SerialTransport(url, baudrate=baudrate, parity=Parity.NONE)
        host = CcnetHost(transport, on_event=on_event, decide=decide, settings=host_settings)
    elif protocol == "id003":
        transport = SerialTransport(url, baudrate=baudrate, parity=Parity.EVEN)
        host = Id003Host(transport, on_event=on_event, decide=decide, settings=host_settings)
    elif protocol == "ict":
        transport = SerialTransport(url, baudrate=baudrate, parity=Parity.EVEN)
        host = IctHost(transport, on_event=on_event, decide=decide, settings=host_settings)
    else:
        raise ValueError(f"unknown bill acceptor protocol {protocol!r}; use one of {PROTOCOLS}")
    return host


if TYPE_CHECKING:  # mypy proves that every host is a BillAcceptor

    def _is_a_bill_acceptor(host: AcceptorHost) -> BillAcceptor:
        return host
