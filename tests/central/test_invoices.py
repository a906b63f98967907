"""E-invoices over HTTP: the request page's rules, once per payment, the PDF's text, the CLI.

The page in a real browser is tests/central/test_invoice_browser.py.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from pypdf import PdfReader

from central import credit_code
from central.cli import main
from tests.central.conftest import Live
from tests.central.wire_helpers import send

VALID_CODE = "91350100M000100Y43"  # published in GB 32100-2015's examples


def test_the_check_character_rule_holds_for_a_published_code() -> None:
    assert credit_code.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert credit_code.check_character(VALID_CODE[:17]) == "3"
    assert credit_code.problem(VALID_CODE) is None
    assert "check character" in (credit_code.problem(VALID_CODE[:-1] + "4") or "")
    assert "check character" in (credit_code.problem("91350100M000100Y34") or "")  # swapped
    assert "no I, O" in (credit_code.problem("91350100M00010OY43") or "")
    assert "18" in (credit_code.problem(VALID_CODE[:-1]) or "")


def paid_cash(live: Live, today: Any, amount_yuan: int = 100) -> dict[str, Any]:
    number = live.account(bills_=[("2026-03", 6000, today - timedelta(days=30))])
    txn = live.txn()
    answer = send(
        live.url,
        "POST",
        "/v1/payments",
        live.cash(txn, number, {10000: amount_yuan // 100}),
        headers={"Idempotency-Key": txn},
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def submit(url: str, **fields: str) -> requests.Response:
    return requests.post(url, data=fields, timeout=30, allow_redirects=False)


def pdf_text(live: Live, page: str) -> str:
    start = page.index('id="download" href="') + len('id="download" href="')
    link = page[start : page.index('"', start)].replace("&amp;", "&")
    answer = requests.get(live.url + link, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(answer.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_every_posted_payment_answers_with_its_invoice_url(live: Live, today) -> None:  # type: ignore[no-untyped-def]
    answer = paid_cash(live, today)
    txn = answer["txn_id"]
    assert answer["invoice_url"].startswith(f"{live.url}/invoice/{txn}?h=")
    assert answer["invoice_url"].split("h=")[1] == answer["receipt_url"].split("h=")[1]


def test_a_personal_title_is_issued_as_a_pdf_with_the_payment_lines(live: Live, today) -> None:  # type: ignore[no-untyped-def]
    answer = paid_cash(live, today)
    url = answer["invoice_url"]
    form = requests.get(url, timeout=30)
    assert form.status_code == 200
    assert 'id="invoice-form"' in form.text
    assert form.text.index("个人") < form.text.index("Personal")  # zh first
    sent = submit(url, kind="personal", title="", email="wang@example.com")
    assert sent.status_code == 303
    page = requests.get(url, timeout=30).text
    assert 'data-state="issued"' in page
    assert 'id="title-shown">个人<' in page
    assert "w***@example.com" in page
    text = pdf_text(live, page)
    assert "电子发票" in text
    assert "个人" in text
    assert "电费 2026-03" in text
    assert "违约金 2026-03" in text
    assert "预付电费" in text
    assert "¥100.00" in text
    assert answer["txn_id"] in text


def test_a_company_title_needs_a_valid_credit_code(live: Live, today) -> None:  # type: ignore[no-untyped-def]
    url = paid_cash(live, today)["invoice_url"]
    bad = submit(url, kind="company", title="示范科技有限公司", tax_no="91350100M000100Y44")
    assert bad.status_code == 400
    assert 'id="error-tax_no"' in bad.text
    assert 'id="error-contact"' in bad.text
    assert "91350100M000100Y44" in bad.text  # what was typed is kept
    no_name = submit(url, kind="company", title="", tax_no=VALID_CODE, phone="13812345678")
    assert (no_name.status_code, 'id="error-title"' in no_name.text) == (400, True)
    assert 'id="invoice-form"' in requests.get(url, timeout=30).text  # nothing recorded yet
    good = submit(
        url,
        kind="company",
        title="示范科技有限公司",
        tax_no="9135 0100 m000 100y43",  # spaces and lower case are forgiven
        phone="138 1234 5678",
    )
    assert good.status_code == 303
    page = requests.get(url, timeout=30).text
    assert 'data-state="issued"' in page
    assert f'id="tax-shown">{VALID_CODE}<' in page
    assert "138****5678" in page
    text = pdf_text(live, page)
    assert "示范科技有限公司" in text
    assert VALID_CODE in text


def test_a_second_request_shows_the_first(live: Live, today) -> None:  # type: ignore[no-untyped-def]
    url = paid_cash(live, today)["invoice_url"]
    assert submit(url, kind="personal", title="王小明", email="a@example.com").status_code == 303
    again = submit(url, kind="company", title="别的公司", tax_no=VALID_CODE, email="b@example.com")
    assert again.status_code == 200
    assert 'id="note"' in again.text
    assert 'id="title-shown">王小明<' in again.text
    assert "别的公司" not in again.text


def test_wrong_tags_and_unknown_payments_are_the_same_404(live: Live, today) -> None:  # type: ignore[no-untyped-def]
    url = paid_cash(live, today)["invoice_url"]
    forged = url[:-4] + ("0000" if not url.endswith("0000") else "1111")
    for target in (
        forged,
        url.split("?")[0],
        f"{live.url}/invoice/K0001-99999999?h=0123456789abcdef",
    ):
        assert requests.get(target, timeout=30).status_code == 404
        assert submit(target, kind="personal", email="a@example.com").status_code == 404
    pdf = url.replace("?h=", "/pdf?h=")
    assert requests.get(pdf, timeout=30).status_code == 404  # nothing issued yet


def test_a_reversed_payment_code_payment_gets_no_invoice(live: Live) -> None:
    number = live.account()
    txn = live.txn()
    body = {
        "txn_id": txn,
        "account_no": number,
        "amount_fen": 500,
        "code": "134444444444440000",
        "created_at": datetime.now(UTC).isoformat(),
    }
    paid = send(live.url, "POST", "/v1/paycode-payments", body, headers={"Idempotency-Key": txn})
    url = paid.json()["invoice_url"]
    assert 'id="invoice-form"' in requests.get(url, timeout=30).text
    assert send(live.url, "POST", f"/v1/paycode-payments/{txn}/cancel").json()["status"] == (
        "reversed"
    )
    assert requests.get(url, timeout=30).status_code == 409
    assert submit(url, kind="personal", email="a@example.com").status_code == 409


def test_cli_lists_requests_by_state(live: Live, today, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    answer = paid_cash(live, today)
    submit(answer["invoice_url"], kind="personal", phone="13912345678")
    db_url = live.engine.url.render_as_string(hide_password=False)
    capsys.readouterr()
    assert main(["invoices", "--state", "issued", "--db", db_url]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    mine = [line for line in lines if line["txn_id"] == answer["txn_id"]]
    assert len(mine) == 1
    assert mine[0]["state"] == "issued"
    assert mine[0]["phone"] == "139****5678"
    assert mine[0]["invoice_no"].startswith("SBX")
    assert all(line["state"] == "issued" for line in lines)
    assert main(["invoices", "--state", "failed", "--db", db_url]) == 0
    assert [json.loads(line)["txn_id"] for line in capsys.readouterr().out.splitlines()] == []
