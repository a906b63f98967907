"""Cash pages: collections with journal/device/physical totals, resolutions, the cash book."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from central.schema_fleet import Role
from tests.central.conftest import Live
from tests.central.console_helpers import login, new_operator
from tests.central.wire_helpers import send


def test_collections_show_their_differences_and_the_cash_book_balances(live: Live) -> None:
    client = live.kiosk("CB1")
    account = live.account()
    before = datetime.now(UTC) - timedelta(days=3)
    client.post_payment(
        live.cash(live.txn("CB1"), account, {10000: 2}, created_at=before.isoformat())
    )
    client.post_payment(live.cash(live.txn("CB1"), account, {5000: 1}))
    collection = {
        "collection_id": "CB1-box-1",
        "counts": {"10000": 2, "5000": 1},
        "journal_total_fen": 25000,
        "device_total_fen": 25000,
        "physical_total_fen": 24000,
        "technician": "T007",
        "at": datetime.now(UTC).isoformat(),
    }
    answer = send(
        live.url,
        "POST",
        "/v1/collections",
        collection,
        kiosk_id="CB1",
        secret=live.kiosk_secrets["CB1"],
    )
    assert answer.status_code == 201
    client.post_payment(live.cash(live.txn("CB1"), account, {1000: 1}))
    browser = login(live, new_operator(live, Role.VIEWER))
    cash = browser.get(live.url + "/console/cash", params={"kiosk": "CB1"}, timeout=30)
    assert "CB1-box-1" in cash.text and "-¥10.00" in cash.text
    exported = browser.get(
        live.url + "/console/cash", params={"kiosk": "CB1", "format": "csv"}, timeout=30
    )
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows == [
        {
            "kiosk_id": "CB1",
            "collection_id": "CB1-box-1",
            "at": rows[0]["at"],
            "technician": "T007",
            "journal_yuan": "250.00",
            "device_yuan": "250.00",
            "physical_yuan": "240.00",
            "difference_yuan": "-10.00",
        }
    ]
    today = live.central.today()
    period = {
        "kiosk": "CB1",
        "from": (today - timedelta(days=1)).isoformat(),
        "to": today.isoformat(),
    }
    book = browser.get(live.url + "/console/cashbook", params=period, timeout=30)
    assert book.status_code == 200 and 'id="closing"' in book.text
    lines = list(
        csv.reader(
            io.StringIO(
                browser.get(
                    live.url + "/console/cashbook", params={**period, "format": "csv"}, timeout=30
                ).text.lstrip("\ufeff")
            )
        )
    )
    assert lines[1][2] == "opening" and lines[1][7] == "200.00"  # paid three days ago
    kinds = [line[2] for line in lines[2:-1]]
    assert kinds == ["payment", "collection", "payment"]
    assert lines[-1][2] == "closing" and lines[-1][7] == "20.00"  # 200 + 50 - 240 + 10
