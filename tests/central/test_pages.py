"""The receipt check page /r/{txn_id}?h=... (HTML, cannot be enumerated)."""

from __future__ import annotations

from datetime import timedelta

import requests

from tests.central.conftest import Live


def test_receipt_page_shows_the_verified_payment(live: Live, today) -> None:
    number = live.account(holder="王小明", bills_=[("2026-01", 8000, today - timedelta(days=1))])
    answer = live.client().post_payment(live.cash(live.txn(), number, {10000: 1}))
    page = requests.get(answer.receipt_url, timeout=10)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-verified="true"' in page.text
    assert answer.txn_id in page.text
    assert answer.server_ref in page.text
    assert "¥100.00" in page.text
    assert "王*明" in page.text
    assert "王小明" not in page.text
    assert number not in page.text
    assert number[-4:] in page.text


def test_wrong_or_missing_tag_and_unknown_txn_look_the_same(live: Live) -> None:
    answer = live.client().post_payment(live.cash(live.txn(), live.account(), {100: 1}))
    base = answer.receipt_url.split("?")[0]
    tag = answer.receipt_url.split("h=")[1]
    wrong = "0" * 16 if tag != "0" * 16 else "1" * 16
    for url in (
        f"{base}?h={wrong}",
        base,
        f"{base}?h=<script>",
        f"{live.url}/r/K0001-99999999?h={tag}",
    ):
        page = requests.get(url, timeout=10)
        assert page.status_code == 404
        assert 'data-verified="false"' in page.text
        assert answer.txn_id not in page.text
