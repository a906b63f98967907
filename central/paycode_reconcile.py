"""Daily reconciliation of payment-code payments against the provider's statement (对账).

A payment seen by one side only (单边账) is what this catches. Each difference is one dict:

- ``paid_at_provider_not_in_ledger``: the provider took the money, no credit in the ledger;
- ``credited_in_ledger_reversed_at_provider``: credited here, reversed at the provider;
- ``credited_in_ledger_absent_at_provider``: credited here, no such paid trade in the statement;
- ``amount_mismatch``: both paid, different amounts.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from central import db
from central.context import Central
from central.providers import PaycodeProvider, StatementLine, TradeStatus
from central.schema_paycode import PaycodeState, paycode_payments

_CREDITED = (PaycodeState.PAID.value, PaycodeState.REVERSING.value)


def reconcile(central: Central, provider: PaycodeProvider, day: date) -> list[dict[str, Any]]:
    statement = {line.out_trade_no: line for line in provider.statement(day)}
    zone = central.config.server.zone
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    end = start + timedelta(days=1)
    with db.read(central.engine) as conn:
        rows = {
            row.txn_id: row
            for row in conn.execute(
                select(paycode_payments).where(
                    or_(
                        (paycode_payments.c.paid_at >= start) & (paycode_payments.c.paid_at < end),
                        paycode_payments.c.txn_id.in_(list(statement)),
                    )
                )
            )
        }
    differences: list[dict[str, Any]] = []
    for txn_id, line in statement.items():
        row = rows.get(txn_id)
        credited = row is not None and row.payment_id is not None and row.state in _CREDITED
        if line.status is TradeStatus.PAID and not credited:
            differences.append(_difference("paid_at_provider_not_in_ledger", day, line, row))
        elif (
            line.status is TradeStatus.PAID
            and row is not None
            and row.amount_fen != line.amount_fen
        ):
            differences.append(_difference("amount_mismatch", day, line, row))
        elif line.status is TradeStatus.REVERSED and credited:
            differences.append(
                _difference("credited_in_ledger_reversed_at_provider", day, line, row)
            )
    for txn_id, row in rows.items():
        if txn_id in statement or row.payment_id is None or row.state not in _CREDITED:
            continue
        if row.paid_at is not None and start <= row.paid_at < end:
            differences.append(_difference("credited_in_ledger_absent_at_provider", day, None, row))
    return differences


def _difference(kind: str, day: date, line: StatementLine | None, row: Any) -> dict[str, Any]:
    return {
        "day": day.isoformat(),
        "difference": kind,
        "txn_id": line.out_trade_no if line is not None else row.txn_id,
        "provider_ref": line.provider_ref if line is not None else None,
        "provider_status": line.status.value if line is not None else None,
        "provider_amount_fen": line.amount_fen if line is not None else None,
        "ledger_state": row.state if row is not None else None,
        "ledger_amount_fen": row.amount_fen if row is not None else None,
        "ledger_credited": bool(row is not None and row.payment_id is not None),
    }
