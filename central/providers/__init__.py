"""Payment-code providers: one interface for WeChat Pay, Alipay, UnionPay and the sandbox.

The server speaks to a provider only through ``PaycodeProvider``; each call is keyed by our
``out_trade_no`` (the kiosk's txn id), which real providers also treat as the idempotency key
of a trade. What a real adapter adds behind the same methods: request signing and answer
verification (WeChat Pay v3 RSA/HMAC, Alipay RSA2, UnionPay certificates), mapping of its
trade states onto ``TradeStatus``, optional asynchronous notifications fed to ``query``'s
result, and its statement file (对账单) parsed into ``StatementLine``s.

Errors (drawn once)::

    ProviderError              the provider refused or failed; ``retryable`` says whether to retry
    └── ProviderTimeout        no answer in time: the trade's outcome is unknown, query before
                               answering anyone
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from central import ServerError


class TradeStatus(enum.StrEnum):
    USERPAYING = "userpaying"  # WeChat USERPAYING, Alipay WAIT_BUYER_PAY
    PAID = "paid"  # WeChat SUCCESS, Alipay TRADE_SUCCESS
    FAILED = "failed"  # refused; nothing was taken from the customer
    REVERSED = "reversed"  # cancelled/reversed (撤销/冲正); any money returned
    NOT_FOUND = "not_found"  # the provider has no trade under this out_trade_no


class FailReason(enum.StrEnum):
    """Why a code was refused, in words the kiosk can show the customer."""

    INSUFFICIENT_FUNDS = "insufficient_funds"  # pay another way or top up the wallet
    CODE_EXPIRED = "code_expired"  # refresh the code on the phone and scan again
    CODE_INVALID = "code_invalid"  # not a live code: scan again
    DECLINED = "declined"  # refused by the provider for another reason


@dataclass(frozen=True)
class Trade:
    """The provider's view of one trade."""

    out_trade_no: str
    status: TradeStatus
    amount_fen: int = 0
    provider_ref: str | None = None  # the provider's own trade number
    reason: FailReason | None = None
    paid_at: datetime | None = None


@dataclass(frozen=True)
class Reversal:
    """A reversal's answer: ``confirmed`` once the provider says the trade is reversed;
    ``retry`` when it asks to be called again (WeChat's recall=Y)."""

    confirmed: bool
    retry: bool


@dataclass(frozen=True)
class StatementLine:
    """One trade in the provider's statement of a day."""

    out_trade_no: str
    provider_ref: str
    amount_fen: int
    status: TradeStatus  # PAID, or REVERSED when it was paid and then reversed
    paid_at: datetime


class ProviderError(ServerError):
    """The provider refused the call or failed; ``retryable`` when calling again may work."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class ProviderTimeout(ProviderError):
    """No answer in time: the outcome is unknown (the trade may have been made)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


class PaycodeProvider(Protocol):
    """What the server needs from a payment-code provider. ``code`` is never stored or logged."""

    name: str

    def pay(self, out_trade_no: str, code: str, amount_fen: int, subject: str) -> Trade:
        """Charge the code (micropay); the same out_trade_no twice makes one trade."""
        ...

    def query(self, out_trade_no: str) -> Trade:
        """The trade's state as the provider knows it (the truth for userpaying and timeouts)."""
        ...

    def reverse(self, out_trade_no: str) -> Reversal:
        """Cancel the trade, returning any money taken (WeChat reverse, Alipay trade.cancel)."""
        ...

    def statement(self, day: date) -> list[StatementLine]:
        """Every trade paid on ``day`` (the provider's day), with its final state."""
        ...
