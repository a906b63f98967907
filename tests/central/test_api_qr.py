"""QR orders: create, poll, pay on the demo wallet, the kiosk's post, cancel, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import update

from central.schema import qr_orders
from kiosk.central_client import CentralRejected
from tests.central.conftest import Live, make_config, prepare, serving


def _qr_payment(txn: str, account: str, amount: int, order_id: str) -> dict[str, Any]:
    return {
        "txn_id": txn,
        "account_no": account,
        "amount_fen": amount,
        "method": "qr",
        "qr_order_id": order_id,
        "created_at": datetime.now(UTC).isoformat(),
        "offline": False,
    }


def _pay_on_wallet(url: str) -> requests.Response:
    return requests.post(url, timeout=30)


def test_order_paid_on_the_wallet_is_settled_once_and_the_kiosk_post_replays(
    live: Live, today
) -> None:
    number = live.account(bills_=[("2026-01", 8000, today - timedelta(days=3))])
    client = live.client()
    txn = live.txn()
    order = client.create_qr_order(txn, number, 10000)
    assert order.qr_payload == f"{live.url}/pay/{order.order_id}"
    assert order.expires_at > datetime.now(UTC)
    assert (
        client.create_qr_order(txn, number, 10000).order_id == order.order_id
    )  # retry: same order
    status = client.get_qr_order(order.order_id)
    assert (status.status, status.payment) == ("pending", None)
    with pytest.raises(CentralRejected) as caught:
        client.post_payment(_qr_payment(txn, number, 10000, order.order_id))
    assert (caught.value.status, caught.value.code) == (409, "qr_order_not_paid")

    page = _pay_on_wallet(order.qr_payload)
    assert page.status_code == 200
    assert 'data-status="paid"' in page.text
    assert 'data-status="paid"' in _pay_on_wallet(order.qr_payload).text  # pressing twice pays once

    status = client.get_qr_order(order.order_id)
    assert status.status == "paid"
    assert status.payment is not None
    assert [(a.late_fee_fen, a.principal_fen) for a in status.payment.allocations] == [(100, 8000)]
    posted = client.post_payment(_qr_payment(txn, number, 10000, order.order_id))
    assert posted.replayed
    assert posted.server_ref == status.payment.server_ref
    assert client.get_account(number).balance_fen == 1900
    assert client.cancel_qr_order(order.order_id) == "paid"


def test_order_errors(live: Live) -> None:
    number = live.account()
    client = live.client()
    txn = live.txn()
    order = client.create_qr_order(txn, number, 5000)
    with pytest.raises(CentralRejected) as caught:
        client.create_qr_order(txn, number, 6000)
    assert (caught.value.status, caught.value.code) == (422, "idempotency_key_reused")
    with pytest.raises(CentralRejected) as caught:
        live.kiosk("K0009").get_qr_order(order.order_id)  # another kiosk's order
    assert (caught.value.status, caught.value.code) == (404, "qr_order_not_found")
    with pytest.raises(CentralRejected) as caught:
        client.create_qr_order(live.txn(), "3199999999", 5000)
    assert caught.value.code == "account_not_found"
    with pytest.raises(CentralRejected) as caught:
        client.create_qr_order(live.txn(), number, 0)
    assert caught.value.detail["field"] == "amount_fen"
    with pytest.raises(CentralRejected) as caught:
        client.get_qr_order("../../etc")
    assert caught.value.status in (400, 404)
    with pytest.raises(CentralRejected) as caught:
        client.post_payment(_qr_payment(live.txn(), number, 5000, order.order_id))
    assert (caught.value.status, caught.value.detail["field"]) == (400, "qr_order_id")


def test_cancelled_order_cannot_be_paid(live: Live) -> None:
    number = live.account()
    client = live.client()
    order = client.create_qr_order(live.txn(), number, 5000)
    assert client.cancel_qr_order(order.order_id) == "cancelled"
    page = _pay_on_wallet(order.qr_payload)
    assert 'data-status="cancelled"' in page.text
    assert 'id="pay"' not in page.text
    assert client.get_qr_order(order.order_id).status == "cancelled"
    assert client.get_account(number).balance_fen == 0


def test_orders_expire(live: Live) -> None:
    number = live.account()
    client = live.client()
    order = client.create_qr_order(live.txn(), number, 5000)
    with live.engine.begin() as conn:
        conn.execute(
            update(qr_orders)
            .where(qr_orders.c.order_id == order.order_id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert 'data-status="expired"' in _pay_on_wallet(order.qr_payload).text
    assert client.get_qr_order(order.order_id).status == "expired"
    assert client.cancel_qr_order(order.order_id) == "expired"
    assert client.get_account(number).balance_fen == 0


def test_wallet_pages_for_unknown_orders_are_404_pages(live: Live) -> None:
    assert requests.get(f"{live.url}/pay/nosuchorder1234", timeout=10).status_code == 404
    assert requests.post(f"{live.url}/pay/nosuchorder1234", timeout=10).status_code == 404
    assert requests.get(f"{live.url}/pay/<script>", timeout=10).status_code == 404


def test_no_wallet_unless_demo_wallet_is_on(backend_url: str) -> None:
    prepare(backend_url)
    config = make_config(backend_url)
    config = config.with_server(demo_wallet=False)
    with serving(config) as server:
        order = server.client().create_qr_order(server.txn(), server.account(), 5000)
        assert requests.get(order.qr_payload, timeout=10).status_code == 404
        assert requests.post(order.qr_payload, timeout=10).status_code == 404
