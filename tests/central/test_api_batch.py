"""POST /v1/payments/batch: one answer per payment, each as POST /v1/payments would give."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.central_client import CentralRejected
from tests.central.conftest import Live
from tests.central.wire_helpers import send


def test_batch_answers_each_payment_on_its_own(live: Live, today) -> None:
    number = live.account(bills_=[("2026-01", 5000, today + timedelta(days=1))])
    client = live.client()
    earlier = live.cash(live.txn(), number, {1000: 1})
    client.post_payment(earlier)
    fresh = live.cash(live.txn(), number, {5000: 1})
    invalid = live.cash(live.txn(), number, {1000: 1}, amount_fen=999)
    reused = dict(earlier, amount_fen=2000, cash={"1000": 2})
    unknown = live.cash(live.txn(), "3199999999", {100: 1})
    items = client.post_batch([earlier, fresh, invalid, reused, unknown])
    assert [(i.txn_id, i.status) for i in items] == [
        (earlier["txn_id"], 200),
        (fresh["txn_id"], 201),
        (invalid["txn_id"], 400),
        (earlier["txn_id"], 422),
        (unknown["txn_id"], 404),
    ]
    assert items[0].answer is not None
    assert items[0].answer.replayed
    assert items[1].answer is not None
    assert items[1].answer.allocations[0].principal_fen == 4000
    assert items[2].error == "invalid_request"
    assert items[2].detail["field"] == "payments[2].cash"
    assert items[3].error == "idempotency_key_reused"
    assert items[4].error == "account_not_found"
    # The batch's payments are the same records as single posts: a single retry replays.
    assert client.post_payment(fresh).replayed


def test_batch_item_that_is_not_an_object(live: Live) -> None:
    response = send(live.url, "POST", "/v1/payments/batch", {"payments": [42]})
    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item == {
        "txn_id": None,
        "http_status": 400,
        "body": {
            "error": "invalid_request",
            "field": "payments[0]",
            "message": "must be a JSON object",
        },
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [({"payments": []}, "is empty"), ({"payments": {}}, "must be a list"), ({}, "required")],
)
def test_malformed_batches_are_400(live: Live, body: dict[str, object], message: str) -> None:
    response = send(live.url, "POST", "/v1/payments/batch", body)
    assert response.status_code == 400
    assert response.json()["field"] == "payments"
    assert message in response.json()["message"]


def test_batch_over_the_limit_is_400(live: Live) -> None:
    limit = live.central.config.payments.max_batch
    with pytest.raises(CentralRejected) as caught:
        live.client().post_batch([live.cash(live.txn(), "3100000001", {100: 1})] * (limit + 1))
    assert caught.value.status == 400
    assert f"at most {limit}" in str(caught.value.detail["message"])
