"""The sandbox payment-code provider (``demo_wallet = true``): real books, scripted customers.

It keeps its own trades in ``sandbox_trades`` (in its own transactions, as a provider's books
are apart from ours), so daily reconciliation has a statement to compare with the ledger.
The code's last four digits choose what the customer does:

====== ==============================================================================
0000   paid at once (and any ending not listed here)
1111   userpaying: the customer confirms on the phone 5 s later (by the server's clock)
2222   userpaying and never confirmed; the first reversal asks to be retried (recall)
3333   failed: insufficient funds
4444   the first pay call times out after the trade was made (paid): query to learn it
5555   failed: the code has expired
6666   failed: the code is not a live code
====== ==============================================================================
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Engine, Row, select, update

from central import db
from central.paycode_format import mask_code
from central.providers import (
    FailReason,
    ProviderTimeout,
    Reversal,
    StatementLine,
    Trade,
    TradeStatus,
)
from central.schema_paycode import TradeState, sandbox_trades

CONFIRM_AFTER = timedelta(seconds=5)
_FAILS = {
    "3333": FailReason.INSUFFICIENT_FUNDS,
    "5555": FailReason.CODE_EXPIRED,
    "6666": FailReason.CODE_INVALID,
}


class SandboxProvider:
    name = "sandbox"

    def __init__(self, engine: Engine, clock: Callable[[], datetime], zone: tzinfo) -> None:
        self.engine = engine
        self.clock = clock
        self.zone = zone

    def pay(self, out_trade_no: str, code: str, amount_fen: int, subject: str) -> Trade:  # noqa: ARG002
        ending = code[-4:]
        now = self.clock()
        with db.write(self.engine) as conn:
            row = self._row(conn, out_trade_no, lock=True)
            if row is None:
                state, reason, paid_at = _outcome(ending, now)
                conn.execute(
                    sandbox_trades.insert().values(
                        out_trade_no=out_trade_no,
                        trade_no=_trade_no(out_trade_no),
                        code_masked=mask_code(code),
                        amount_fen=amount_fen,
                        state=state.value,
                        reason=reason,
                        created_at=now,
                        paid_at=paid_at,
                        pay_calls=1,
                        reverse_calls=0,
                    )
                )
                first = True
            else:
                conn.execute(
                    update(sandbox_trades)
                    .where(sandbox_trades.c.out_trade_no == out_trade_no)
                    .values(pay_calls=row.pay_calls + 1)
                )
                first = False
            row = self._existing(conn, out_trade_no)
        if first and ending == "4444":
            raise ProviderTimeout(f"sandbox: no answer to pay {out_trade_no}")
        return self._trade(row)

    def query(self, out_trade_no: str) -> Trade:
        with db.write(self.engine) as conn:
            row = self._row(conn, out_trade_no, lock=True)
            if row is None:
                return Trade(out_trade_no, TradeStatus.NOT_FOUND)
            confirms_at = row.created_at + CONFIRM_AFTER
            if (
                row.state == TradeState.USERPAYING.value
                and row.code_masked.endswith("1111")
                and self.clock() >= confirms_at
            ):
                conn.execute(
                    update(sandbox_trades)
                    .where(sandbox_trades.c.out_trade_no == out_trade_no)
                    .values(state=TradeState.PAID.value, paid_at=confirms_at)
                )
                row = self._existing(conn, out_trade_no)
        return self._trade(row)

    def reverse(self, out_trade_no: str) -> Reversal:
        with db.write(self.engine) as conn:
            row = self._row(conn, out_trade_no, lock=True)
            if row is None:
                return Reversal(confirmed=True, retry=False)  # nothing was ever taken
            calls = row.reverse_calls + 1
            values: dict[str, Any] = {"reverse_calls": calls}
            recall = row.code_masked.endswith("2222") and calls == 1
            if not recall and row.state != TradeState.REVERSED.value:
                values.update(state=TradeState.REVERSED.value, reversed_at=self.clock())
            conn.execute(
                update(sandbox_trades)
                .where(sandbox_trades.c.out_trade_no == out_trade_no)
                .values(**values)
            )
        return Reversal(confirmed=not recall, retry=recall)

    def statement(self, day: date) -> list[StatementLine]:
        start = datetime(day.year, day.month, day.day, tzinfo=self.zone)
        end = start + timedelta(days=1)
        with db.read(self.engine) as conn:
            rows = conn.execute(
                select(sandbox_trades)
                .where(sandbox_trades.c.paid_at >= start, sandbox_trades.c.paid_at < end)
                .order_by(sandbox_trades.c.paid_at, sandbox_trades.c.out_trade_no)
            ).all()
        return [
            StatementLine(
                out_trade_no=row.out_trade_no,
                provider_ref=row.trade_no,
                amount_fen=row.amount_fen,
                status=TradeStatus(row.state),
                paid_at=row.paid_at,
            )
            for row in rows
        ]

    def _row(self, conn: Any, out_trade_no: str, *, lock: bool = False) -> Row[Any] | None:
        query = select(sandbox_trades).where(sandbox_trades.c.out_trade_no == out_trade_no)
        if lock:
            query = query.with_for_update()
        row: Row[Any] | None = conn.execute(query).first()
        return row

    def _existing(self, conn: Any, out_trade_no: str) -> Row[Any]:
        row = self._row(conn, out_trade_no)
        assert row is not None, "read back in the transaction that wrote it"
        return row

    def _trade(self, row: Row[Any]) -> Trade:
        return Trade(
            out_trade_no=row.out_trade_no,
            status=TradeStatus(row.state),
            amount_fen=row.amount_fen,
            provider_ref=row.trade_no,
            reason=FailReason(row.reason) if row.reason else None,
            paid_at=row.paid_at,
        )


def _outcome(ending: str, now: datetime) -> tuple[TradeState, str | None, datetime | None]:
    """What the scripted customer does on the first pay call: state, reason, paid at."""
    if ending in ("1111", "2222"):
        return TradeState.USERPAYING, None, None
    if ending in _FAILS:
        return TradeState.FAILED, _FAILS[ending].value, None
    return TradeState.PAID, None, now


def _trade_no(out_trade_no: str) -> str:
    return "SBX" + hashlib.sha256(out_trade_no.encode()).hexdigest()[:24].upper()
