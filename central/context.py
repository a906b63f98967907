"""What every request handler needs: the configuration, the engine and the clock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Engine

from central.config import CentralConfig
from central.crypto import receipt_tag
from central.late_fee import LateFeeRules


@dataclass
class Central:
    config: CentralConfig
    engine: Engine
    rules: LateFeeRules = field(init=False)
    # Per-process housekeeping (expiring nonces and rate windows); the data lives in the DB.
    next_housekeeping_s: float = 0.0
    housekeeping_lock: threading.Lock = field(default_factory=threading.Lock)
    # Unsealed kiosk secrets by (kiosk id, sealed value): a new seal (rotation) misses the cache.
    secrets: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    # The server's clock (tests replace it to move time forward instead of sleeping).
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), repr=False)

    def __post_init__(self) -> None:
        self.rules = LateFeeRules.from_config(self.config.late_fee)

    def now(self) -> datetime:
        return self.clock()

    def local_date(self, instant: datetime) -> date:
        """The calendar day of an instant where the utility is (server.timezone)."""
        return instant.astimezone(self.config.server.zone).date()

    def today(self) -> date:
        return self.local_date(self.now())

    def receipt_url(self, txn_id: str) -> str:
        base = self.config.server.public_url.rstrip("/")
        return f"{base}/r/{txn_id}?h={receipt_tag(self.config.server.receipt_key, txn_id)}"

    def wallet_url(self, order_id: str) -> str:
        return f"{self.config.server.public_url.rstrip('/')}/pay/{order_id}"
