"""What the engine holds and receives: the customer's session, intents, and device replies."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from drivers.cash.api import AcceptorEvent, Decision, EventNotRecorded
from kiosk.central_answers import Account


class NotRecorded(EventNotRecorded):
    """A money event could not be journaled: the device must not be acknowledged."""


@dataclass(frozen=True)
class Intent:
    """Something the customer (or a technician, or a script) asked for."""

    name: str
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Reply:
    """A question from a device thread that waits for the engine's answer."""

    event: AcceptorEvent
    answered: threading.Event = field(default_factory=threading.Event)
    decision: Decision = Decision.RETURN
    error: BaseException | None = None  # set when the event was not recorded


@dataclass
class CashSession:
    notes: dict[int, int] = field(default_factory=dict)
    inserted_fen: int = 0
    in_escrow_fen: int = 0  # stack decided, outcome not reported yet
    unsettled_fen: int = 0  # handed to recovery unreported: pending verification
    finishing: bool = False
    last_note: str | None = None


@dataclass
class Session:
    token: int
    mode: str = "pay"
    account: Account | None = None
    amount_fen: int | None = None
    method: str | None = None
    txn_id: str | None = None
    cash: CashSession = field(default_factory=CashSession)
    qr: dict[str, Any] = field(default_factory=dict)
    card: dict[str, Any] = field(default_factory=dict)
    paycode: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    notice: str | None = None
    idle_prompt: bool = False
    lookup_token: int = 0
    looking_up: str | None = None
    close_reason: str = "customer_finished"
