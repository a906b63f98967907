"""POST /v1/payments: allocation, idempotency, validation of every field, cards."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from central.schema import Category, LedgerKind, bills, cards, ledger_entries, payments
from kiosk.central_client import CentralRejected, CentralServerError
from kiosk.money import MoneyError
from tests.central.conftest import Live
from tests.central.wire_helpers import send


def _ledger(live: Live, txn_id: str) -> dict[str, int]:
    with live.engine.connect() as conn:
        rows = conn.execute(
            select(ledger_entries.c.kind, func.sum(ledger_entries.c.amount_fen), func.count())
            .join(payments, payments.c.id == ledger_entries.c.payment_id)
            .where(payments.c.txn_id == txn_id)
            .group_by(ledger_entries.c.kind)
        ).all()
    return {kind: int(total) for kind, total, _ in rows} | {
        f"{kind}_entries": int(count) for kind, _, count in rows
    }


def test_cash_pays_oldest_bill_first_fee_before_principal_rest_to_balance(
    live: Live, today
) -> None:
    number = live.account(
        bills_=[
            ("2026-02", 9630, today - timedelta(days=15)),  # fee 144 (9630 * 0.001 * 15 = 144.45)
            ("2026-01", 12850, today - timedelta(days=45)),  # fee 578 (578.25)
        ],
        balance_fen=500,
    )
    txn = live.txn()
    answer = live.client().post_payment(live.cash(txn, number, {10000: 2, 5000: 1}))
    assert answer.status == "posted"
    assert answer.txn_id == txn
    assert not answer.replayed
    assert [(a.period, a.late_fee_fen, a.principal_fen) for a in answer.allocations] == [
        ("2026-01", 578, 12850),
        ("2026-02", 144, 9630),
    ]
    assert answer.credited_to_balance_fen == 25000 - 578 - 12850 - 144 - 9630
    assert answer.balance_fen == 500 + answer.credited_to_balance_fen
    assert answer.receipt_url.startswith(f"{live.url}/r/{txn}?h=")
    ledger = _ledger(live, txn)
    assert ledger[LedgerKind.CREDIT] == 25000
    assert ledger["credit_entries"] == 1
    assert (
        ledger[LedgerKind.LATE_FEE] + ledger[LedgerKind.PRINCIPAL] + ledger[LedgerKind.BALANCE]
        == 25000
    )
    account = live.client().get_account(number)
    assert account.bills == ()
    assert account.balance_fen == answer.balance_fen


def test_partial_payment_settles_fee_first_and_fee_accrues_on_the_rest(live: Live, today) -> None:
    number = live.account(bills_=[("2026-01", 20000, today - timedelta(days=10))])
    client = live.client()
    first = client.post_payment(live.cash(live.txn(), number, {5000: 1}))
    assert [(a.late_fee_fen, a.principal_fen) for a in first.allocations] == [(200, 4800)]
    account = client.get_account(number)
    # The fee for days already settled is not charged again (same day: no new days).
    assert [(b.paid_fen, b.late_fee_fen) for b in account.bills] == [(4800, 0)]
    with live.engine.connect() as conn:
        row = conn.execute(
            select(bills)
            .join(payments, payments.c.account_id == bills.c.account_id)
            .where(payments.c.txn_id == first.txn_id)
        ).first()
    assert row is not None
    assert row.fee_from == today
    assert row.late_fee_paid_fen == 200


def test_payment_smaller_than_the_fee_carries_the_rest_of_the_fee(live: Live, today) -> None:
    number = live.account(bills_=[("2026-01", 200000, today - timedelta(days=10))])  # fee 2000
    client = live.client()
    answer = client.post_payment(live.cash(live.txn(), number, {1000: 1}))
    assert [(a.late_fee_fen, a.principal_fen) for a in answer.allocations] == [(1000, 0)]
    account = client.get_account(number)
    assert account.bills[0].late_fee_fen == 1000
    assert account.bills[0].paid_fen == 0


def test_identical_retry_replays_the_stored_answer_once_credited(live: Live, today) -> None:
    number = live.account(bills_=[("2026-01", 3000, today + timedelta(days=5))])
    client = live.client()
    body = live.cash(live.txn(), number, {1000: 5})
    first = client.post_payment(body)
    again = client.post_payment(body)
    assert again.replayed
    assert not first.replayed
    assert {**again.__dict__, "replayed": False} == first.__dict__
    assert _ledger(live, body["txn_id"])["credit_entries"] == 1
    assert client.get_account(number).balance_fen == 2000


def test_same_key_reordered_json_is_still_the_same_request(live: Live) -> None:
    number = live.account()
    body = live.cash(live.txn(), number, {100: 3})
    headers = {"Idempotency-Key": body["txn_id"]}
    first = send(live.url, "POST", "/v1/payments", body, headers=headers)
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2).encode()
    second = send(live.url, "POST", "/v1/payments", reordered, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()


def test_same_key_other_body_is_422(live: Live) -> None:
    number = live.account()
    client = live.client()
    body = live.cash(live.txn(), number, {1000: 1})
    client.post_payment(body)
    with pytest.raises(CentralRejected) as caught:
        client.post_payment(dict(body, amount_fen=2000, cash={"1000": 2}))
    assert (caught.value.status, caught.value.code) == (422, "idempotency_key_reused")


@pytest.mark.parametrize(
    ("headers", "message"),
    [({}, "Idempotency-Key: <txn_id>"), ({"Idempotency-Key": "K0001-99999999"}, "must equal")],
)
def test_idempotency_key_header_is_required_and_must_be_the_txn_id(
    live: Live, headers: dict[str, str], message: str
) -> None:
    body = live.cash(live.txn(), live.account(), {100: 1})
    response = send(live.url, "POST", "/v1/payments", body, headers=headers)
    assert response.status_code == 400
    assert response.json()["field"] == "Idempotency-Key"
    assert message in response.json()["message"]


def _bad(live: Live, change: dict[str, Any], drop: str | None = None) -> dict[str, Any]:
    body = live.cash(live.txn(), "3100000001", {10000: 1})
    body.update(change)
    if drop:
        body.pop(drop)
    return body


BAD_PAYMENTS = [
    ({"amount_fen": 100.0, "cash": {"100": 1}}, None, "amount_fen", "integer"),
    ({"amount_fen": "10000"}, None, "amount_fen", "integer"),
    ({"amount_fen": True}, None, "amount_fen", "integer"),
    ({"amount_fen": 0, "cash": {"100": 1}}, None, "amount_fen", "at least 1"),
    ({"amount_fen": -10000}, None, "amount_fen", "at least 1"),
    ({"amount_fen": 10**9, "cash": {"10000": 10000}}, None, "amount_fen", "at most"),
    ({"account_no": "31000abc01"}, None, "account_no", "digits only"),
    ({"account_no": "9" * 40}, None, "account_no", "too long"),
    ({"account_no": 3100000001}, None, "account_no", "text of digits"),
    ({}, "account_no", "account_no", "required"),
    ({"method": "bitcoin"}, None, "method", "cash, card, qr"),
    ({"cash": {"10000": 2}}, None, "cash", "add up to 20000"),
    ({"cash": {"300": 1}, "amount_fen": 300}, None, "cash.300", "not a note value"),
    ({"cash": {"10000": 0}}, None, "cash.10000", "count from 1"),
    ({"cash": {"ten": 1}}, None, "cash", "not a denomination"),
    ({"cash": {}}, None, "cash", "no notes"),
    ({}, "cash", "cash", "required"),
    (
        {"card": {"card_no": "8800000000000001", "pin": "111111"}},
        None,
        "card",
        "only for method card",
    ),
    ({"qr_order_id": "abcdefghijkl"}, None, "qr_order_id", "only for method qr"),
    ({"created_at": "2026-10-05T14:30:00"}, None, "created_at", "UTC offset"),
    ({"created_at": "yesterday"}, None, "created_at", "ISO 8601"),
    (
        {"created_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()},
        None,
        "created_at",
        "future",
    ),
    ({}, "created_at", "created_at", "required"),
    ({"offline": "no"}, None, "offline", "true or false"),
    ({"txn_id": "K0002-00000001"}, None, "txn_id", "this kiosk's id"),
    ({"txn_id": "K0001-12"}, None, "txn_id", "this kiosk's id"),
    ({"tip_fen": 100}, None, "tip_fen", "not a field"),
    ({"resolution": {"outcome": "credited"}}, None, "resolution", "not a field"),
    (
        {"method": "card", "cash": None, "card": {"card_no": "12", "pin": "1111"}},
        None,
        "card.card_no",
        "8-32 digits",
    ),
    (
        {"method": "card", "cash": None, "card": {"card_no": "8800000000000001"}},
        None,
        "card.pin",
        "required",
    ),
    (
        {
            "method": "card",
            "cash": None,
            "card": {"card_no": "8800000000000001", "pin": "1111", "cvv": 1},
        },
        None,
        "card.cvv",
        "not a field",
    ),
    ({"method": "qr", "cash": None}, None, "qr_order_id", "required"),
]


@pytest.mark.parametrize(("change", "drop", "field", "message"), BAD_PAYMENTS)
def test_every_bad_field_is_400_naming_it(
    live: Live, change: dict[str, Any], drop: str | None, field: str, message: str
) -> None:
    body = _bad(live, change, drop)
    response = send(
        live.url, "POST", "/v1/payments", body, headers={"Idempotency-Key": str(body.get("txn_id"))}
    )
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["error"] == "invalid_request"
    assert answer["field"] == field
    assert message in answer["message"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"{", "malformed JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"amount_fen": NaN}', "malformed JSON"),
        (b'{"amount_fen": 1, "amount_fen": 2}', "appears twice"),
        (b"\xff\xfe{}", "UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"amount_fen": ' + b"9" * 5000 + b"}", "malformed JSON"),
    ],
)
def test_malformed_bodies_are_400_never_500(live: Live, raw: bytes, message: str) -> None:
    response = send(
        live.url, "POST", "/v1/payments", raw, headers={"Idempotency-Key": "K0001-00000001"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["field"] == "body"
    assert message in response.json()["message"]


def test_body_over_the_limit_is_413_by_length_and_while_streaming(live: Live) -> None:
    limit = live.central.config.server.max_body_bytes
    big = b'{"pad": "' + b"x" * limit + b'"}'
    response = send(
        live.url, "POST", "/v1/payments", big, headers={"Idempotency-Key": "K0001-00000001"}
    )
    assert response.status_code == 413
    assert response.json() == {"error": "body_too_large", "field": "body", "limit_bytes": limit}

    def chunks():  # no Content-Length: the server counts while reading
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    import requests

    streamed = requests.post(f"{live.url}/v1/payments", data=chunks(), timeout=30)
    assert streamed.status_code == 413


def test_payment_to_an_unknown_account_is_404(live: Live) -> None:
    with pytest.raises(CentralRejected) as caught:
        live.client().post_payment(live.cash(live.txn(), "3199999999", {100: 1}))
    assert (caught.value.status, caught.value.code) == (404, "account_not_found")


def test_client_refuses_to_send_a_float_amount(live: Live) -> None:
    body = live.cash(live.txn(), live.account(), {100: 1}, amount_fen=100.0)
    with pytest.raises(MoneyError):
        live.client().post_payment(body)


def test_offline_payment_counts_late_fee_to_the_day_it_was_paid(live: Live, today) -> None:
    number = live.account(bills_=[("2026-01", 10000, today - timedelta(days=20))])
    paid_at = datetime.now(UTC) - timedelta(days=10)  # the kiosk was offline for ten days
    body = live.cash(
        live.txn(), number, {10000: 1, 100: 1}, created_at=paid_at.isoformat(), offline=True
    )
    answer = live.client().post_payment(body)
    assert answer.allocations[0].late_fee_fen == 100  # 10 days * ¥0.10 = ¥1.00, not 20 days


# --- recharge cards -----------------------------------------------------------------------------


def _card(live: Live, number: str, face: int, pin: str = "654321") -> str:
    from central.crypto import hash_pin
    from central.schema import utcnow

    with live.engine.begin() as conn:
        conn.execute(
            cards.insert().values(
                card_no=number,
                face_fen=face,
                pin_hash=hash_pin(live.central.config.server.secret_key, pin),
                failed_attempts=0,
                locked=False,
                created_at=utcnow(),
            )
        )
    return number


def _card_body(
    live: Live, account: str, card_no: str, pin: str, amount: int, txn: str | None = None
) -> dict[str, Any]:
    return {
        "txn_id": txn or live.txn(),
        "account_no": account,
        "amount_fen": amount,
        "method": "card",
        "card": {"card_no": card_no, "pin": pin},
        "created_at": datetime.now(UTC).isoformat(),
        "offline": False,
    }


def _fresh_card_no() -> str:
    import secrets

    return "77" + "".join(str(secrets.randbelow(10)) for _ in range(14))


def test_card_pays_its_face_value_once(live: Live, today) -> None:
    number = live.account(
        category=Category.NON_RESIDENTIAL, bills_=[("2026-01", 15000, today + timedelta(days=9))]
    )
    card_no = _card(live, _fresh_card_no(), 20000)
    client = live.client()
    body = _card_body(live, number, card_no, "654321", 20000)
    answer = client.post_payment(body)
    assert answer.allocations[0].principal_fen == 15000
    assert answer.credited_to_balance_fen == 5000
    assert client.post_payment(body).replayed  # a retry of the same txn replays
    with pytest.raises(CentralRejected) as caught:
        client.post_payment(_card_body(live, number, card_no, "654321", 20000))
    assert (caught.value.status, caught.value.code) == (409, "card_used")


def test_five_wrong_pins_lock_the_card(live: Live) -> None:
    number = live.account()
    card_no = _card(live, _fresh_card_no(), 10000)
    client = live.client()
    seen = []
    for _ in range(5):
        with pytest.raises(CentralRejected) as caught:
            client.post_payment(_card_body(live, number, card_no, "000000", 10000))
        seen.append(
            (caught.value.status, caught.value.code, caught.value.detail.get("attempts_left"))
        )
    assert seen == [
        (403, "card_pin_invalid", 4),
        (403, "card_pin_invalid", 3),
        (403, "card_pin_invalid", 2),
        (403, "card_pin_invalid", 1),
        (423, "card_locked", None),
    ]
    with pytest.raises(CentralRejected) as caught:
        client.post_payment(
            _card_body(live, number, card_no, "654321", 10000)
        )  # right PIN, too late
    assert (caught.value.status, caught.value.code) == (423, "card_locked")
    assert client.get_account(number).balance_fen == 0


def test_card_errors(live: Live) -> None:
    number = live.account()
    card_no = _card(live, _fresh_card_no(), 10000)
    client = live.client()
    with pytest.raises(CentralRejected) as caught:
        client.post_payment(_card_body(live, number, _fresh_card_no(), "654321", 10000))
    assert (caught.value.status, caught.value.code) == (404, "card_not_found")
    with pytest.raises(CentralRejected) as caught:
        client.post_payment(_card_body(live, number, card_no, "654321", 5000))
    assert (caught.value.status, caught.value.detail["field"]) == (400, "amount_fen")
    # A wrong amount with the right PIN does not count as a wrong PIN, and uses nothing.
    assert (
        client.post_payment(_card_body(live, number, card_no, "654321", 10000)).balance_fen == 10000
    )


def test_the_server_keeps_only_pin_hashes(live: Live) -> None:
    card_no = _card(live, _fresh_card_no(), 10000, pin="864209")
    with live.engine.connect() as conn:
        stored = conn.execute(
            select(cards.c.pin_hash).where(cards.c.card_no == card_no)
        ).scalar_one()
    assert "864209" not in stored


def test_a_non_json_answer_is_a_server_error_not_a_crash(live: Live) -> None:
    # /r/... answers HTML: the client must call it a wire-format breach, not parse it.
    client = live.client()
    with pytest.raises(CentralServerError):
        client._call("GET", "/r/K0001-00000001")
