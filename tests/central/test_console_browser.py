"""The console in a real headless Chromium: log in, see the fleet, a kiosk going offline raises
an alert (the server's clock moved forward, no sleeping) that an operator acknowledges and the
next heartbeat clears, a lock command and the kiosk's (signed) result, the collection-rate
report; a screenshot of every page in both languages under var/screenshots/console/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from central import alerts, operators
from central.cli import main
from central.schema import Category, accounts, kiosks
from central.schema_fleet import Role
from tests.central.conftest import Live, make_config, prepare, serving
from tests.central.fleet_helpers import beat, server_time
from tests.central.test_browser import ARGS, CHROMIUM
from tests.central.wire_helpers import send

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots" / "console"
PASSWORD = "browser-operator-pass"


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
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A server on SQLite with a small fleet in several states, an admin and some money."""
    url = f"sqlite:///{tmp_path_factory.mktemp('console') / 'central.db'}"
    prepare(url)
    with serving(make_config(url)) as live:
        operators.add(live.engine, "duty", Role.ADMIN, PASSWORD, now=datetime.now(UTC))
        today = live.central.today()
        numbers = []
        for index, (kiosk_id, district) in enumerate(
            [("BR1", "城东区"), ("BR2", "城东区"), ("BR3", "城西区"), ("BR4", "高新区")]
        ):
            client = live.kiosk(kiosk_id)
            with live.engine.begin() as conn:
                conn.execute(
                    update(kiosks)
                    .where(kiosks.c.kiosk_id == kiosk_id)
                    .values(district=district, name=f"{district}营业厅 {index + 1}")
                )
            start = datetime.now(UTC) - timedelta(hours=5)
            for minute in range(0, 300, 2):  # a heartbeat every 2 minutes for 5 hours
                if kiosk_id == "BR3" and (100 < minute < 160 or minute > 240):
                    continue  # BR3 dropped out for an hour, and again an hour ago
                printer = "paper_near_end" if kiosk_id == "BR2" and minute > 200 else "ready"
                acceptor = "validator_jam" if kiosk_id == "BR4" and 60 < minute < 80 else "ready"
                with server_time(live, start + timedelta(minutes=minute)):
                    beat(
                        live,
                        kiosk_id,
                        devices={"acceptor": acceptor, "printer": printer},
                        outbox_pending=(minute // 6) % 9 if kiosk_id != "BR4" else 0,
                    )
            number = live.account(
                category=Category.NON_RESIDENTIAL if index % 2 else Category.RESIDENTIAL,
                bills_=[("2026-11", 30000 + index * 5000, today - timedelta(days=3 + index * 40))],
            )
            numbers.append(number)
            with live.engine.begin() as conn:
                conn.execute(
                    update(accounts)
                    .where(accounts.c.account_no == number)
                    .values(district=district)
                )
            client.post_payment(live.cash(live.txn(kiosk_id), number, {10000: 1 + index}))
        beat(live, "BR2", **BR2_STATE)
        for kiosk_id, collection_id, journal, counted in (
            ("BR1", "BR1-2026-12-01", 10000, 10000),
            ("BR3", "BR3-2026-12-02", 30000, 20000),
        ):
            answer = send(
                live.url,
                "POST",
                "/v1/collections",
                {
                    "collection_id": collection_id,
                    "counts": {"10000": counted // 10000},
                    "journal_total_fen": journal,
                    "device_total_fen": journal,
                    "physical_total_fen": counted,
                    "technician": "T007",
                    "at": datetime.now(UTC).isoformat(),
                },
                kiosk_id=kiosk_id,
                secret=live.kiosk_secrets[kiosk_id],
            )
            assert answer.status_code == 201, answer.text
        txn = live.txn("BR2")
        answer = send(
            live.url,
            "POST",
            "/v1/resolutions",
            {
                "txn_id": txn,
                "account_no": numbers[1],
                "amount_fen": 3000,
                "cash": {"1000": 3},
                "outcome": "credited",
                "reason": "纸币已入钞箱，交易未完成",
                "technician": "T007",
                "at": datetime.now(UTC).isoformat(),
            },
            kiosk_id="BR2",
            secret=live.kiosk_secrets["BR2"],
            headers={"Idempotency-Key": txn},
        )
        assert answer.status_code == 201, answer.text
        csv_file = tmp_path_factory.mktemp("channels") / "payments.csv"
        csv_file.write_text(
            "channel,ref,account_no,amount_fen,paid_on\n"
            f"bank,BANK-1,{numbers[0]},20000,{today.isoformat()}\n"
            f"online,WEB-1,{numbers[3]},5000,{(today - timedelta(days=2)).isoformat()}\n",
            encoding="utf-8",
        )
        assert main(["import-payments", str(csv_file), "--db", url]) == 0
        yield live


BR2_STATE: dict[str, Any] = {
    "devices": {"acceptor": "ready", "printer": "paper_near_end"},
    "cashbox": {"10000": 930},
    "suspects": 1,
}


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_operator_watches_the_fleet_handles_an_alert_and_locks_a_kiosk(
    browser: Any, console: Live
) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    try:
        page.goto(console.url + "/console/fleet")
        assert "/console/login" in page.url
        page.fill("#name", "duty")
        page.fill("#password", PASSWORD)
        page.click("#submit")
        page.wait_for_selector("#fleet")
        assert page.locator('[data-kiosk="BR1"]').count() == 1
        assert page.locator("#count-online b").inner_text() != "0"

        # The fleet falls silent: the server's clock moves past offline_after_s for the rest
        # of this module (its pages then agree with the alerts), and the sweep runs.
        shift = timedelta(seconds=console.central.config.alerts.offline_after_s + 30)
        console.central.clock = lambda: datetime.now(UTC) + shift
        alerts.sweep_offline(console.central)
        page.goto(console.url + "/console/alerts")
        row = page.locator("#alerts tr", has=page.locator('[data-kind="offline"]'))
        row = row.filter(has_text="BR1")
        assert row.count() == 1
        row.locator("button[data-ack]").click()
        page.wait_for_selector('#alerts [data-state="acknowledged"]')
        beat(console, "BR1")  # back: the alert clears itself
        beat(console, "BR2", **BR2_STATE)
        beat(console, "BR4")
        page.goto(console.url + "/console/alerts?show=all&kiosk=BR1")
        offline = page.locator("#alerts tr", has=page.locator('[data-kind="offline"]'))
        assert offline.locator('[data-state="cleared"]').count() == 1
        assert "duty" in offline.inner_text()

        # lock BR4 from its page; the kiosk gets it with its heartbeat and reports the result
        page.goto(console.url + "/console/kiosks/BR4")
        page.select_option("#command-kind", "lock")
        page.fill("#command-message", "设备维护中，请到其他终端缴费")
        page.click("#command-send")
        page.wait_for_selector("#notice")
        command = beat(console, "BR4").json()["commands"][0]
        assert command["kind"] == "lock"
        assert command["args"] == {"message": "设备维护中，请到其他终端缴费"}
        result = send(
            console.url,
            "POST",
            f"/v1/commands/{command['id']}/result",
            {"status": "done", "detail": "out of service"},
            kiosk_id="BR4",
            secret=console.kiosk_secrets["BR4"],
        )
        assert result.status_code == 200
        page.goto(console.url + "/console/kiosks/BR4")
        assert (
            page.locator(f'[data-command="{command["id"]}"]').get_attribute("data-status") == "done"
        )

        page.goto(console.url + "/console/collection-rate")
        assert page.locator("#rate").inner_text().endswith("%")
        assert page.locator("#districts-chart").count() == 1
    finally:
        page.close()


PAGES = [
    ("fleet", "/console/fleet"),
    ("fleet-offline", "/console/fleet?state=offline"),
    ("kiosk", "/console/kiosks/BR3"),
    ("kiosk-paper", "/console/kiosks/BR2"),
    ("alerts", "/console/alerts?show=all"),
    ("cash", "/console/cash"),
    ("cashbook", "/console/cashbook?kiosk=BR1"),
    ("collection-rate", "/console/collection-rate?from=2025-01-01"),
    ("audit", "/console/audit"),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders_in_both_languages(browser: Any, console: Live, lang: str) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto(console.url + f"/console/lang/{lang}?next=/console/login")
        shoot(page, f"{lang}-login")
        page.fill("#name", "duty")
        page.fill("#password", PASSWORD)
        page.click("#submit")
        page.wait_for_selector("#operator")
        for name, path in PAGES:
            answer = page.goto(console.url + path)
            assert answer is not None and answer.status == 200, path
            assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
            shoot(page, f"{lang}-{name}")
        page.goto(console.url + "/console/kiosks/BR1")
        page.click("#pair-code")
        page.wait_for_selector("#code")
        shoot(page, f"{lang}-pair-code")
    finally:
        context.close()
