"""Payment codes through the real HTTP API on a real server and the sandbox provider.

Every sandbox ending (0000, 1111, 2222, 3333, 4444), idempotency, malformed codes, cancel and
reversal of a paid payment (the credit taken back), and reconcile-provider finding one-sided
records. The server's clock is moved forward instead of sleeping.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import insert, select, text, update

from central.cli import main
from central.schema import accounts, bills, ledger_entries, payments
from central.schema_paycode import paycode_payments, sandbox_trades
from tests.central.conftest import Live, make_config, prepare, serving
from tests.central.wire_helpers import send


class Clock:
    """The server's clock: real time plus an offset the test moves."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def live(backend_url: str, clock: Clock) -> Iterator[Live]:
    prepare(backend_url)
    with serving(make_config(backend_url, lookup_rate_per_minute=100_000)) as server:
        server.central.clock = clock
        yield server


def code(ending: str, prefix: str = "13", length: int = 18) -> str:
    return prefix + "7" * (length - len(prefix) - len(ending)) + ending


def body(txn: str, account: str, amount: int, paycode: str, **more: Any) -> dict[str, Any]:
    return {
        "txn_id": txn,
        "account_no": account,
        "amount_fen": amount,
        "code": paycode,
        "created_at": datetime.now(UTC).isoformat(),
        **more,
    }


def post(live: Live, sent: dict[str, Any], key: str | None = "same") -> requests.Response:
    headers = {"Idempotency-Key": sent["txn_id"] if key == "same" else key} if key else {}
    return send(live.url, "POST", "/v1/paycode-payments", sent, headers=headers)


def get(live: Live, txn: str) -> requests.Response:
    return send(live.url, "GET", f"/v1/paycode-payments/{txn}")


def cancel(live: Live, txn: str) -> requests.Response:
    return send(live.url, "POST", f"/v1/paycode-payments/{txn}/cancel")


def balance(live: Live, number: str) -> int:
    with live.engine.connect() as conn:
        return int(
            conn.execute(
                select(accounts.c.balance_fen).where(accounts.c.account_no == number)
            ).scalar_one()
        )


def trade(live: Live, txn: str) -> Any:
    with live.engine.connect() as conn:
        return conn.execute(
            select(sandbox_trades).where(sandbox_trades.c.out_trade_no == txn)
        ).one()


def test_paid_at_once_replays_and_refuses_another_body(live: Live, today, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    number = live.account(bills_=[("2026-01", 8000, today + timedelta(days=10))])
    txn = live.txn()
    paycode = code("0000")
    sent = body(txn, number, 10000, paycode)
    first = post(live, sent)
    assert first.status_code == 201, first.text
    answer = first.json()
    assert answer["status"] == "paid"
    assert answer["allocations"] == [
        {"period": "2026-01", "principal_fen": 8000, "late_fee_fen": 0}
    ]
    assert (answer["credited_to_balance_fen"], answer["balance_fen"]) == (2000, 2000)
    assert answer["server_ref"].startswith("CS")
    assert answer["receipt_url"].startswith(f"{live.url}/r/{txn}?h=")
    assert answer["invoice_url"].startswith(f"{live.url}/invoice/{txn}?h=")
    assert answer["code"] == "13..0000"
    assert answer["scheme"] == "wechat"

    again = post(live, sent)
    assert again.status_code == 200
    assert again.json() == answer
    assert get(live, txn).json() == answer
    other = post(live, {**sent, "amount_fen": 9000})
    assert (other.status_code, other.json()["error"]) == (422, "idempotency_key_reused")
    assert balance(live, number) == 2000
    assert trade(live, txn).pay_calls == 1  # a replay does not call the provider again

    receipt = requests.get(answer["receipt_url"], timeout=10)
    assert 'data-verified="true"' in receipt.text
    # The code is a bearer credential: no log line and no stored column holds it.
    assert paycode not in caplog.text
    with live.engine.connect() as conn:
        for table in (paycode_payments, sandbox_trades, payments):
            for row in conn.execute(select(table)):
                assert paycode not in json.dumps([str(v) for v in row])


def test_userpaying_then_confirmed_five_seconds_later(live: Live, clock: Clock) -> None:
    number = live.account()
    txn = live.txn()
    first = post(live, body(txn, number, 5000, code("1111", prefix="28", length=18)))
    assert first.status_code == 201
    assert (first.json()["status"], first.json()["scheme"]) == ("userpaying", "alipay")
    assert "receipt_url" not in first.json()
    assert get(live, txn).json()["status"] == "userpaying"
    assert balance(live, number) == 0
    clock.offset += timedelta(seconds=5)
    try:
        paid = get(live, txn).json()
    finally:
        clock.offset -= timedelta(seconds=5)
    assert paid["status"] == "paid"
    assert paid["balance_fen"] == 5000
    assert balance(live, number) == 5000
    assert get(live, txn).json() == paid


def test_never_confirmed_is_cancelled_and_reversed_with_retries(live: Live, clock: Clock) -> None:
    number = live.account()
    txn = live.txn()
    sent = body(txn, number, 5000, code("2222", prefix="62", length=19))
    assert post(live, sent).json()["status"] == "userpaying"
    clock.offset += timedelta(seconds=60)  # the kiosk's deadline
    try:
        assert get(live, txn).json()["status"] == "userpaying"
        cancelled = cancel(live, txn)
    finally:
        clock.offset -= timedelta(seconds=60)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "reversed"
    assert cancelled.json()["credit_taken_back"] is False
    assert trade(live, txn).state == "reversed"
    assert trade(live, txn).reverse_calls == 2  # the first reversal asked to be retried
    assert cancel(live, txn).json()["status"] == "reversed"
    assert post(live, sent).json()["status"] == "reversed"  # a late replay pays nothing
    assert balance(live, number) == 0


def test_insufficient_funds_fails_and_cancel_is_a_no_op(live: Live) -> None:
    number = live.account()
    txn = live.txn()
    failed = post(live, body(txn, number, 5000, code("3333")))
    assert failed.status_code == 201
    assert failed.json()["status"] == "failed"
    assert failed.json()["reason"] == "insufficient_funds"
    after = cancel(live, txn)
    assert (after.status_code, after.json()["status"]) == (200, "failed")
    assert trade(live, txn).reverse_calls == 0
    for ending, reason in (("5555", "code_expired"), ("6666", "code_invalid")):
        answer = post(live, body(live.txn(), number, 100, code(ending))).json()
        assert (answer["status"], answer["reason"]) == ("failed", reason)
    assert balance(live, number) == 0


def test_provider_timeout_is_queried_before_answering(live: Live) -> None:
    number = live.account()
    txn = live.txn()
    answer = post(live, body(txn, number, 7000, code("4444"))).json()
    assert answer["status"] == "paid"
    assert answer["balance_fen"] == 7000
    assert trade(live, txn).pay_calls == 1  # not paid twice: the query found the trade
    assert balance(live, number) == 7000


def test_cancel_of_a_paid_payment_reverses_it_and_takes_the_credit_back(live: Live, today) -> None:  # type: ignore[no-untyped-def]
    number = live.account(bills_=[("2026-02", 6000, today - timedelta(days=40))])
    with live.engine.connect() as conn:
        bill_before = conn.execute(
            select(bills).join(accounts).where(accounts.c.account_no == number)
        ).one()
    txn = live.txn()
    paid = post(live, body(txn, number, 10000, code("0000"))).json()
    assert paid["status"] == "paid"
    assert 'data-verified="true"' in requests.get(paid["receipt_url"], timeout=10).text
    assert paid["allocations"][0]["late_fee_fen"] > 0
    reversed_ = cancel(live, txn).json()
    assert reversed_["status"] == "reversed"
    assert reversed_["credit_taken_back"] is True
    assert reversed_["server_ref"] == paid["server_ref"]
    assert balance(live, number) == 0
    with live.engine.connect() as conn:
        bill_after = conn.execute(select(bills).where(bills.c.id == bill_before.id)).one()
        kinds = conn.execute(
            select(ledger_entries.c.kind, ledger_entries.c.amount_fen)
            .join(payments, payments.c.id == ledger_entries.c.payment_id)
            .where(payments.c.txn_id == txn)
        ).all()
    assert bill_after._mapping == bill_before._mapping
    assert ("reversal", 10000) in kinds
    assert ("credit", 10000) in kinds
    assert trade(live, txn).state == "reversed"
    assert get(live, txn).json()["status"] == "reversed"
    receipt = requests.get(paid["receipt_url"], timeout=10)
    assert (receipt.status_code, 'data-verified="false"' in receipt.text) == (404, True)


@pytest.mark.parametrize(
    ("paycode", "message"),
    [
        ("13abc7777777770000", "digits only"),
        ("1377770000", "18 digits"),
        ("2577770000", "16 to 24"),
        ("627777777777770000", "19 digits"),
        ("997777777777770000", "is not a"),
        ("", "payment code"),
        (134577777777770000, "payment code"),
    ],
)
def test_malformed_codes_are_400(live: Live, paycode: object, message: str) -> None:
    answer = post(live, body(live.txn(), live.account(), 100, paycode))  # type: ignore[arg-type]
    assert answer.status_code == 400
    assert answer.json()["error"] == "paycode_malformed"
    assert answer.json()["field"] == "code"
    assert message in answer.json()["message"]


def test_request_errors(live: Live) -> None:
    number = live.account()
    sent = body(live.txn(), number, 100, code("0000"))
    missing = post(live, sent, key=None)
    assert (missing.status_code, missing.json()["field"]) == (400, "Idempotency-Key")
    wrong = post(live, sent, key="K0001-99999999")
    assert (wrong.status_code, wrong.json()["field"]) == (400, "Idempotency-Key")
    unknown = post(live, body(live.txn(), "3199999999", 100, code("0000")))
    assert (unknown.status_code, unknown.json()["error"]) == (404, "account_not_found")
    assert get(live, live.txn()).status_code == 404
    unsigned = requests.post(f"{live.url}/v1/paycode-payments", json=sent, timeout=10)
    assert unsigned.status_code == 401
    as_payment = send(
        live.url,
        "POST",
        "/v1/payments",
        {**{k: v for k, v in sent.items() if k != "code"}, "method": "paycode"},
        headers={"Idempotency-Key": sent["txn_id"]},
    )
    assert (as_payment.status_code, as_payment.json()["field"]) == (400, "method")


def test_reconcile_provider_finds_one_sided_records(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    number = live.account()
    day = live.central.today().isoformat()
    db_url = live.engine.url.render_as_string(hide_password=False)
    # Every earlier payment of this module agrees with the provider, or is refused by it.
    assert main(["reconcile-provider", day, "--db", db_url]) == 0
    capsys.readouterr()

    credited = live.txn()
    assert post(live, body(credited, number, 3000, code("0000"))).json()["status"] == "paid"
    orphan = live.txn()
    now = live.central.now()
    with live.engine.begin() as conn:
        # Paid at the provider, never seen by the ledger (the answer was lost, say).
        conn.execute(
            insert(sandbox_trades).values(
                out_trade_no=orphan,
                trade_no="SBXPLANTED000000000001",
                code_masked="13..0000",
                amount_fen=4500,
                state="paid",
                created_at=now,
                paid_at=now,
                pay_calls=1,
                reverse_calls=0,
            )
        )
        # Reversed at the provider behind the ledger's back.
        conn.execute(
            update(sandbox_trades)
            .where(sandbox_trades.c.out_trade_no == credited)
            .values(state="reversed", reversed_at=now)
        )
    assert main(["reconcile-provider", day, "--db", db_url]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    found = {(line["difference"], line["txn_id"]) for line in lines}
    assert found == {
        ("paid_at_provider_not_in_ledger", orphan),
        ("credited_in_ledger_reversed_at_provider", credited),
    }
    with live.engine.begin() as conn:
        conn.execute(
            update(sandbox_trades)
            .where(sandbox_trades.c.out_trade_no == credited)
            .values(state="paid", amount_fen=2999)
        )
        conn.execute(text("DELETE FROM sandbox_trades WHERE out_trade_no = :t"), {"t": orphan})
    assert main(["reconcile-provider", day, "--db", db_url]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["difference"], line["txn_id"]) for line in lines] == [
        ("amount_mismatch", credited)
    ]
    with live.engine.begin() as conn:
        conn.execute(text("DELETE FROM sandbox_trades WHERE out_trade_no = :t"), {"t": credited})
    assert main(["reconcile-provider", day, "--db", db_url]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["difference"], line["txn_id"]) for line in lines] == [
        ("credited_in_ledger_absent_at_provider", credited)
    ]


def test_no_provider_unless_demo_wallet_is_on(backend_url: str) -> None:
    prepare(backend_url)
    config = make_config(backend_url).with_server(demo_wallet=False)
    with serving(config) as server:
        sent = body(server.txn(), server.account(), 100, code("0000"))
        answer = post(server, sent)
        assert (answer.status_code, answer.json()["error"]) == (503, "paycode_unavailable")


def test_the_server_reverses_what_a_vanished_kiosk_left_open(live: Live, clock: Clock) -> None:
    from central import paycode

    number = live.account()
    waiting, stuck = live.txn(), live.txn()
    assert post(live, body(waiting, number, 5000, code("2222"))).json()["status"] == "userpaying"
    assert post(live, body(stuck, number, 6000, code("2222"))).json()["status"] == "userpaying"
    with live.engine.begin() as conn:  # a cancel that reached the server, then the kiosk died
        conn.execute(
            update(paycode_payments)
            .where(paycode_payments.c.txn_id == stuck)
            .values(state="reversing")
        )
    assert paycode.sweep_abandoned(live.central) == 0  # the kiosk may still finish them
    clock.offset += paycode.ABANDONED_AFTER + timedelta(seconds=1)
    try:
        assert paycode.sweep_abandoned(live.central) == 2
        assert paycode.sweep_abandoned(live.central) == 0  # once
        assert get(live, waiting).json()["status"] == "reversed"
    finally:
        clock.offset -= paycode.ABANDONED_AFTER + timedelta(seconds=1)
    assert trade(live, waiting).state == "reversed"
    assert trade(live, stuck).state == "reversed"
    assert cancel(live, stuck).json()["status"] == "reversed"  # the kiosk, back, learns the end
    assert balance(live, number) == 0
