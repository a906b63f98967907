"""The e-invoice page in a real headless Chromium: both title kinds, a bad tax number, the
download of the PDF (its text read back), and a second visit showing the first request."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.central.conftest import Live, make_config, prepare, serving
from tests.central.wire_helpers import send

pytestmark = pytest.mark.browser

VALID_CODE = "91350100M000100Y43"
CHROMIUM = Path("/usr/bin/chromium")  # launched as tests/central/test_browser.py does
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
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
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    url = f"sqlite:///{tmp_path_factory.mktemp('invoice') / 'central.db'}"
    prepare(url)
    with serving(make_config(url)) as live:
        yield live


def invoice_url(live: Live, amount_fen: int) -> tuple[str, str]:
    today = live.central.today()
    number = live.account(bills_=[("2026-04", 3000, today + timedelta(days=5))])
    txn = live.txn()
    answer = send(
        live.url,
        "POST",
        "/v1/payments",
        live.cash(txn, number, {10000: amount_fen // 10000}),
        headers={"Idempotency-Key": txn},
    )
    assert answer.status_code == 201, answer.text
    return txn, answer.json()["invoice_url"]


def download_text(page: Any, tmp_path: Path) -> str:
    with page.expect_download() as info:
        page.locator("#download").click()
    target = tmp_path / "invoice.pdf"
    info.value.save_as(target)
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    return "\n".join(p.extract_text() for p in reader.pages)


def test_company_title_bad_then_good_tax_number_then_the_pdf(
    browser: Any, server: Live, tmp_path: Path
) -> None:
    txn, url = invoice_url(server, 20000)
    page = browser.new_page(accept_downloads=True)
    try:
        page.goto(url)
        assert page.locator("#amount").inner_text() == "¥200.00"
        page.locator("#kind-company").check()
        page.locator("#title").fill("示范科技有限公司")
        page.locator("#tax_no").fill("91350100M000100Y44")
        page.locator("#email").fill("finance@example.com")
        page.locator("#submit").click()
        page.wait_for_selector("#error-tax_no")
        assert "统一社会信用代码有误" in page.locator("#error-tax_no").inner_text()
        assert page.locator("#kind-company").is_checked()  # the form keeps what was typed
        page.locator("#tax_no").fill(VALID_CODE)
        page.locator("#submit").click()
        page.wait_for_selector('#state[data-state="issued"]')
        assert page.locator("#tax-shown").inner_text() == VALID_CODE
        text = download_text(page, tmp_path)
        assert "示范科技有限公司" in text
        assert VALID_CODE in text
        assert "电费 2026-04" in text
        assert "¥200.00" in text
        assert txn in text
    finally:
        page.close()


def test_personal_title_and_a_second_visit_shows_the_first_request(
    browser: Any, server: Live, tmp_path: Path
) -> None:
    _txn, url = invoice_url(server, 10000)
    page = browser.new_page(accept_downloads=True)
    try:
        page.goto(url)
        assert page.locator("#kind-personal").is_checked()  # the default
        page.locator("#submit").click()  # neither e-mail nor phone
        page.wait_for_selector("#error-contact")
        page.locator("#phone").fill("13812345678")
        page.locator("#submit").click()
        page.wait_for_selector('#state[data-state="issued"]')
        assert page.locator("#title-shown").inner_text() == "个人"
        text = download_text(page, tmp_path)
        assert "个人" in text
        assert "¥100.00" in text

        page.goto(url)  # the link on the receipt, opened again
        assert page.locator("#invoice-form").count() == 0
        assert page.locator("#state").get_attribute("data-state") == "issued"
        assert page.locator("#title-shown").inner_text() == "个人"
    finally:
        page.close()
