"""An acceptor host's settings: poll timing, retries and deadlines, which table entries count."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class HostSettings:
    poll_interval_s: float = 0.1
    escrow_decision_timeout_s: float = 2.0
    reply_timeout_s: float = 0.2  # per exchange, plus the wire time of a long answer
    missed_polls_limit: int = 5  # polls without a valid answer before the link counts as lost
    exchange_retries: int = 3  # re-sends (or NAKs) of one command after a bad or lost answer
    connect_attempts: int = 3  # port opens per connection round
    connect_deadline_s: float = 3.0
    reconnect_backoff_initial_s: float = 0.5
    reconnect_backoff_max_s: float = 5.0
    max_reconnect_rounds: int | None = None  # None: until stop(), so a replugged device returns
    start_timeout_s: float = 5.0  # start() returns after Ready, Disconnected or this
    startup_timeout_s: float = 10.0  # RESET to settled, and a left-over bill to its outcome
    # Bill-table identifiers that count as yuan (CCNET "CNY"/"CHN", ID-003 country numbers);
    # None: DEFAULT_TABLE_CODES for the protocol.
    table_codes: tuple[str | int, ...] | None = None
    # ICT only: bill type byte (0x40..) -> fen, since the device cannot be asked.
    bill_types: Mapping[int, int] | None = None

    def __post_init__(self) -> None:
        if not 0.005 <= self.poll_interval_s <= 5:
            raise ValueError(f"poll_interval_s {self.poll_interval_s} is not in 0.005..5")
        if not 0 < self.escrow_decision_timeout_s <= 30:
            timeout = self.escrow_decision_timeout_s
            raise ValueError(f"escrow_decision_timeout_s {timeout} is not in 0..30")
        if self.missed_polls_limit < 1 or self.exchange_retries < 0 or self.connect_attempts < 1:
            raise ValueError("missed_polls_limit and connect_attempts must be >= 1, retries >= 0")
        if not 0 < self.startup_timeout_s <= 120:
            raise ValueError(f"startup_timeout_s {self.startup_timeout_s} is not in 0..120")
