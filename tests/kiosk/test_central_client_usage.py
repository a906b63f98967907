"""The account's usage on the wire: parsed strictly into JSON-safe dataclasses, absent from an
older server, and dropped (with a log line) when malformed, never blocking the account."""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
from typing import Any

import pytest

from kiosk.central_answers import MeterReading, MonthUsage, TariffTier, parse_account
from kiosk.central_client import CentralClient, CentralServerError

ACCOUNT: dict[str, Any] = {
    "account_no": "3100000001",
    "holder": "王*明",
    "address": "示范市*****502室",
    "category": "residential",
    "balance_fen": 0,
    "bills": [
        {
            "period": "2026-11",
            "amount_fen": 10520,
            "paid_fen": 0,
            "due_date": "2026-12-20",
            "late_fee_fen": 0,
        }
    ],
    "arrears_fen": 10520,
    "late_fee_fen": 0,
    "due_fen": 10520,
    "as_of": "2026-12-05",
}
USAGE: dict[str, Any] = {
    "meter_no": "330100000001",
    "readings": [
        {"read_on": "2026-12-01", "reading_kwh": 11400},
        {"read_on": "2026-11-01", "reading_kwh": 11190},
    ],
    "months": [{"month": f"2026-{m:02d}", "kwh": 200 + m} for m in range(1, 12)]
    + [{"month": "2025-12", "kwh": None}],
    "year": 2026,
    "year_kwh": 2266,
    "tiers": [
        {"tier": 1, "up_to_kwh": 2760, "price_li_per_kwh": 538},
        {"tier": 2, "up_to_kwh": 4800, "price_li_per_kwh": 588},
        {"tier": 3, "up_to_kwh": None, "price_li_per_kwh": 838},
    ],
    "tier": 1,
}


def _with(**usage_changes: Any) -> dict[str, Any]:
    usage = {**copy.deepcopy(USAGE), **usage_changes}
    return {**copy.deepcopy(ACCOUNT), "usage": usage}


def test_usage_parses_into_dataclasses() -> None:
    usage = parse_account(_with()).usage
    assert usage is not None
    assert usage.meter_no == "330100000001"
    assert usage.readings[0] == MeterReading("2026-12-01", 11400)
    assert usage.months[0] == MonthUsage("2026-01", 201)
    assert usage.months[-1] == MonthUsage("2025-12", None)
    assert usage.tiers[2] == TariffTier(3, None, 838)
    assert (usage.year, usage.year_kwh, usage.tier) == (2026, 2266, 1)


def test_the_account_with_usage_stays_json_safe_for_the_snapshot() -> None:
    data = dataclasses.asdict(parse_account(_with()))
    usage = json.loads(json.dumps(data["usage"]))  # no date objects, no floats
    assert usage["months"][0] == {"month": "2026-01", "kwh": 201}
    assert usage["readings"][1] == {"read_on": "2026-11-01", "reading_kwh": 11190}


@pytest.mark.parametrize("account", [ACCOUNT, {**ACCOUNT, "usage": None}])
def test_an_older_server_or_no_record_gives_no_usage(account: dict[str, Any]) -> None:
    assert parse_account(copy.deepcopy(account)).usage is None


def test_non_residential_usage_has_no_tiers() -> None:
    usage = parse_account(_with(tiers=[], tier=None)).usage
    assert usage is not None
    assert (usage.tiers, usage.tier) == ((), None)


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"months": [{"month": "2026-1", "kwh": 1}]}, "YYYY-MM"),
        ({"months": [{"month": "2026-13", "kwh": 1}]}, "YYYY-MM"),
        ({"months": [{"month": "2026-01", "kwh": 1.5}]}, "kwh is not an integer"),
        ({"months": [{"month": "2026-01", "kwh": -3}]}, "negative"),
        ({"months": [{"month": "2026-01", "kwh": 1}] * 13}, "more"),
        ({"readings": [{"read_on": "1 Dec", "reading_kwh": 1}]}, "read_on"),
        ({"readings": [{"read_on": "2026-12-01", "reading_kwh": 1}] * 3}, "more"),
        ({"meter_no": 330100000001}, "meter_no"),
        ({"year_kwh": "2266"}, "year_kwh"),
        ({"tier": 4}, "one of the tiers"),
        ({"tier": None}, "one of the tiers"),
        ({"tier": True}, "one of the tiers"),
        ({"tiers": [], "tier": 1}, "without tiers"),
        (
            {"tiers": [{"tier": 1, "up_to_kwh": 2760, "price_li_per_kwh": 538}]},
            "last tier is unbounded",
        ),
        (
            {
                "tiers": [
                    {"tier": 1, "up_to_kwh": 4800, "price_li_per_kwh": 538},
                    {"tier": 2, "up_to_kwh": 2760, "price_li_per_kwh": 588},
                    {"tier": 3, "up_to_kwh": None, "price_li_per_kwh": 838},
                ]
            },
            "do not rise",
        ),
        ({"tiers": [{"tier": 2, "up_to_kwh": None, "price_li_per_kwh": 538}]}, "numbered"),
        ({"tiers": [{"tier": 1, "up_to_kwh": None, "price_li_per_kwh": 0.538}]}, "price_li"),
    ],
)
def test_a_malformed_usage_is_dropped_with_a_log_line_and_the_account_still_parses(
    changes: dict[str, Any], why: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="kiosk.central"):
        account = parse_account(_with(**changes))
    assert account.usage is None
    assert account.due_fen == 10520  # the customer can still pay
    assert "usage dropped" in caplog.text
    assert why in caplog.text


@pytest.mark.parametrize("usage", ["lots", [], 12])
def test_a_usage_that_is_not_an_object_is_dropped(usage: object) -> None:
    assert parse_account({**copy.deepcopy(ACCOUNT), "usage": usage}).usage is None


def test_a_malformed_account_is_still_a_server_error() -> None:
    answer = {**_with(), "due_fen": 1.5}
    with pytest.raises(CentralServerError, match="due_fen"):
        CentralClient._parsed(parse_account, answer)
