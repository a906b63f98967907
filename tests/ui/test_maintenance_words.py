"""Technician screens in the chosen language: human reasons, amounts for every method,
events in words, and a confirmation after each action."""

from __future__ import annotations

import pytest

from kiosk_demo.fake_source import make_maintenance
from ui.maintenance.words import amount_of, event_line, human_reason


@pytest.mark.parametrize(
    ("raw", "zh", "en"),
    [
        ("no stacked or returned report after STACK", "没有报告纸币入箱或退回", "neither stacked"),
        ("ReadTimeout", "应答超时", "did not answer in time"),
        ("httpx.ConnectError: [Errno 111]", "无法连接", "could not connect"),
        ({"error": "invalid_request"}, "请求内容不符合要求", "refused the request"),
    ],
)
def test_internal_reasons_become_words_in_both_languages(raw, zh, en):
    assert zh in human_reason(raw, "zh")
    assert en in human_reason(raw, "en")


def test_an_unknown_reason_keeps_its_text_after_a_plain_lead_in_never_json():
    text = human_reason({"foo": 1}, "zh")
    assert "{" not in text
    assert human_reason("sensor 7 dirty", "zh") == "其他原因（原文：sensor 7 dirty）"


def test_every_method_has_its_amount_and_a_card_payment_is_not_zero():
    assert amount_of({"method": "cash", "cash_fen": 5000}) == "¥50.00"
    assert amount_of({"method": "card", "cash_fen": 0, "amount_fen": 5000}) == "¥50.00"
    assert amount_of({"method": "card", "cash_fen": 0}) == "—"  # unknown, never ¥0.00


def test_events_are_words_not_json():
    event = {
        "kind": "escrow",
        "at": "2026-11-02T10:15:00+08:00",
        "payload": {"denomination_fen": 10000, "decision": "stack", "body": {"x": 1}},
    }
    line = event_line(event, "zh")
    assert "纸币暂存" in line and "面额 ¥100.00" in line and "收入" in line
    assert "{" not in line and "body" not in line
    assert "note in escrow" in event_line(event, "en")


def _maintenance(kiosk, **kwargs):
    return kiosk.show("maintenance", maintenance=make_maintenance("menu", **kwargs))


def test_reprint_and_test_print_are_confirmed(kiosk):
    _maintenance(kiosk, page="journal", shown_txn="K0001-00000042")
    kiosk.click("maint_journal_reprint")
    _maintenance(kiosk, page="journal", shown_txn="K0001-00000042")
    message = kiosk.find("maint_message")
    assert message.isVisible() and "补打" in message.text()
    assert message.property("tone") == "ok"
    _maintenance(kiosk, page="tests")
    kiosk.click("maint_tests_print")
    _maintenance(kiosk, page="tests")
    assert "测试页" in kiosk.find("maint_message").text()


def test_a_failure_replaces_the_confirmation(kiosk):
    _maintenance(kiosk, page="tests")
    kiosk.click("maint_tests_print")
    failed = {"code": "action_failed", "detail": "printer offline"}
    _maintenance(kiosk, page="tests", message=failed)
    assert kiosk.find("maint_message").property("tone") == "error"
