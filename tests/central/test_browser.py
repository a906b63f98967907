"""The web pages in a real headless Chromium: pay on the demo wallet, check the receipt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.central_client import CentralClient
from tests.support.central_server import CentralServer, start_central_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI needs /usr/bin/chromium (apt-get install chromium)")
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    running = start_central_server(tmp_path_factory.mktemp("browser"))
    try:
        yield running
    finally:
        running.stop()


def test_pay_on_the_wallet_page_then_the_order_is_paid_through_the_api(
    browser, server: CentralServer
) -> None:  # type: ignore[no-untyped-def]
    with CentralClient(
        server.url, server.kiosk_id, server.secret, connect_timeout_s=5, read_timeout_s=30
    ) as client:
        number = server.accounts["non_residential"]
        order = client.create_qr_order("K0001-50000001", number, 12345)
        page = browser.new_page()
        try:
            page.goto(order.qr_payload)
            assert page.locator("#amount").inner_text() == "¥123.45"
            assert page.locator("#status").get_attribute("data-status") == "pending"
            page.locator("#pay").click()
            page.wait_for_selector('#status[data-status="paid"]', timeout=15_000)
            assert page.locator("#pay").count() == 0
        finally:
            page.close()
        status = client.get_qr_order(order.order_id)
        assert status.status == "paid"
        assert status.payment is not None
        assert status.payment.txn_id == "K0001-50000001"
        posted = client.post_payment(
            {
                "txn_id": "K0001-50000001",
                "account_no": number,
                "amount_fen": 12345,
                "method": "qr",
                "qr_order_id": order.order_id,
                "created_at": datetime.now(UTC).isoformat(),
            }
        )
        assert posted.replayed
        assert posted.server_ref == status.payment.server_ref

        receipt = browser.new_page()
        try:
            receipt.goto(posted.receipt_url)
            assert receipt.locator("#verdict").get_attribute("data-verified") == "true"
            assert receipt.locator("#txn").inner_text() == "K0001-50000001"
            assert receipt.locator("#amount").inner_text() == "¥123.45"
            forged = "0000" if not posted.receipt_url.endswith("0000") else "1111"
            receipt.goto(posted.receipt_url[:-4] + forged)
            assert receipt.locator("#verdict").get_attribute("data-verified") == "false"
        finally:
            receipt.close()
