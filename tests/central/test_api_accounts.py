"""GET /v1/accounts/{account_no}: masked holder, unpaid bills with late fees, errors."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests

from central.schema import Category
from kiosk.central_client import CentralRateLimited, CentralRejected
from kiosk.signing import signed_headers
from tests.central.conftest import Live, make_config, prepare, serving


def test_lookup_masks_the_holder_and_lists_unpaid_bills_with_late_fees(live: Live, today) -> None:
    number = live.account(
        holder="王小明",
        bills_=[
            ("2026-01", 20000, today - timedelta(days=10)),  # 10 days late: ¥2.00
            ("2026-02", 5000, today - timedelta(days=5)),  # ¥0.25 -> the ¥1 minimum
            ("2026-03", 7000, today + timedelta(days=3)),  # not due yet
        ],
        balance_fen=1234,
    )
    account = live.client().get_account(number)
    assert account.holder == "王*明"
    assert "和平路" not in account.address
    assert account.address.endswith("****")
    assert account.category == "residential"
    assert account.balance_fen == 1234
    assert [(b.period, b.late_fee_fen) for b in account.bills] == [
        ("2026-01", 200),
        ("2026-02", 100),
        ("2026-03", 0),
    ]
    assert account.arrears_fen == 32000
    assert account.late_fee_fen == 300
    assert account.due_fen == 32300
    assert account.as_of == today


def test_non_residential_prior_year_arrears_pay_the_higher_rate(live: Live, today) -> None:
    last_year_due = today.replace(year=today.year - 1, month=12, day=10)
    number = live.account(
        category=Category.NON_RESIDENTIAL,
        bills_=[(f"{today.year - 1}-11", 50000, last_year_due)],
    )
    days = (today - last_year_due).days
    account = live.client().get_account(number)
    assert account.bills[0].late_fee_fen == round(50000 * 0.003 * days)


def test_paid_bills_are_not_listed(live: Live, today) -> None:
    number = live.account(bills_=[("2026-01", 1000, today - timedelta(days=1))])
    client = live.client()
    # ¥10 one day late: the ¥1 minimum late fee, then the principal.
    answer = client.post_payment(live.cash(live.txn(), number, {500: 2, 100: 1}))
    assert [(a.late_fee_fen, a.principal_fen) for a in answer.allocations] == [(100, 1000)]
    account = client.get_account(number)
    assert account.bills == ()
    assert account.due_fen == 0


def test_unknown_account_is_404(live: Live) -> None:
    with pytest.raises(CentralRejected) as caught:
        live.client().get_account("3199999999")
    assert (caught.value.status, caught.value.code) == (404, "account_not_found")


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("31000abc01", "digits only"),
        ("1" * 21, "too long"),
        ("12", "too short"),
        ("%E7%8E%8B", "digits only"),
    ],
)
def test_malformed_account_numbers_are_400_naming_the_field(
    live: Live, number: str, message: str
) -> None:
    with pytest.raises(CentralRejected) as caught:
        live.client().get_account(number)
    assert caught.value.status == 400
    assert caught.value.code == "invalid_request"
    assert caught.value.detail["field"] == "account_no"
    assert message in str(caught.value.detail["message"])


def _fresh_minute() -> None:
    """Rate windows are calendar minutes: start well inside one so it cannot roll over."""
    into = time.time() % 60
    if into > 50:
        time.sleep(60.5 - into)


def test_lookups_are_rate_limited_per_kiosk(backend_url: str) -> None:
    prepare(backend_url)
    with serving(make_config(backend_url, lookup_rate_per_minute=3)) as server:
        first, second = server.kiosk("RL-A"), server.kiosk("RL-B")
        number = server.account()
        _fresh_minute()
        answers: list[object] = []
        for _ in range(5):
            try:
                first.get_account(number)
                answers.append("ok")
            except CentralRateLimited as exc:
                answers.append((exc.status, exc.code, 1 <= exc.retry_after_s <= 60))
        limited = (429, "rate_limited", True)
        assert answers == ["ok", "ok", "ok", limited, limited]
        second.get_account(number)  # another kiosk has its own budget


def test_429_answer_carries_a_retry_after_header(backend_url: str) -> None:
    prepare(backend_url)
    with serving(make_config(backend_url, lookup_rate_per_minute=1)) as server:
        client = server.kiosk("RL-C")
        number = server.account()
        _fresh_minute()
        client.get_account(number)
        body = b""
        headers = signed_headers(
            "RL-C", server.kiosk_secrets["RL-C"], "GET", f"/v1/accounts/{number}", body
        )
        response = requests.get(f"{server.url}/v1/accounts/{number}", headers=headers, timeout=10)
        assert response.status_code == 429
        assert response.json()["error"] == "rate_limited"
        assert 1 <= int(response.headers["Retry-After"]) <= 60
