import dataclasses

import pytest

from kiosk.availability import Health, Limits, methods

LIMITS = Limits(
    offline_max_count=3,
    offline_max_total_fen=10000,
    offline_max_age_s=600,
    cashbox_capacity_notes=100,
    cash_enabled=True,
    printer_enabled=True,
    onscreen_receipt_fallback=False,
)
HEALTHY = Health(
    acceptor_ready=True, printer_can_print=True, printer_state="ready", server_reachable=True
)


def reasons(health: Health, limits: Limits = LIMITS) -> dict[str, str | None]:
    return {k: v.reason for k, v in methods(health, limits).items()}


def test_all_available_when_healthy() -> None:
    assert reasons(HEALTHY) == {"cash": None, "qr": None, "card": None}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"acceptor_ready": False, "acceptor_fault": "validator_jam"},
            {"cash": "acceptor_validator_jam", "qr": None, "card": None},
        ),
        (
            {"server_reachable": False},
            {"cash": None, "qr": "server_offline", "card": "server_offline"},
        ),
        (
            {"printer_can_print": False, "printer_state": "paper_out"},
            {"cash": "printer_paper_out", "qr": "printer_paper_out", "card": "printer_paper_out"},
        ),
        ({"cashbox_notes": 100}, {"cash": "cashbox_full", "qr": None, "card": None}),
        ({"offline_count": 3}, {"cash": "offline_count", "qr": None, "card": None}),
        (
            {"offline_count": 1, "offline_total_fen": 10000},
            {"cash": "offline_total", "qr": None, "card": None},
        ),
        (
            {"offline_count": 1, "oldest_unposted_age_s": 601},
            {"cash": "offline_age", "qr": None, "card": None},
        ),
        ({"disabled_methods": frozenset({"qr"})}, {"cash": None, "qr": "disabled", "card": None}),
    ],
)
def test_each_fact_blocks_what_it_should(changes, expected) -> None:
    import dataclasses

    assert reasons(dataclasses.replace(HEALTHY, **changes)) == expected


def test_onscreen_receipt_fallback_lets_cash_through_without_a_printer() -> None:
    import dataclasses

    limits = dataclasses.replace(LIMITS, onscreen_receipt_fallback=True)
    health = dataclasses.replace(HEALTHY, printer_can_print=False, printer_state="paper_out")
    assert reasons(health, limits)["cash"] is None


@pytest.mark.parametrize("reachable", [True, False])
def test_refused_credentials_stop_every_method(reachable: bool) -> None:
    """Cash taken while the server refuses the kiosk's secret could not be posted."""
    health = dataclasses.replace(HEALTHY, server_auth="bad_signature", server_reachable=reachable)
    online = "server_auth" if reachable else "server_offline"
    assert reasons(health) == {"cash": "server_auth", "qr": online, "card": online}


def test_a_kiosk_not_paired_offers_nothing_and_says_so_first() -> None:
    """No secret: nothing could be posted; the one fix is pairing, so that is the reason given
    even when the server is also unreachable or the acceptor jammed (a disabled method stays
    'disabled': pairing would not bring it back)."""
    health = dataclasses.replace(
        HEALTHY, unpaired=True, server_reachable=False, acceptor_ready=False, server_auth="x"
    )
    limits = dataclasses.replace(LIMITS, paycode_enabled=True)
    assert reasons(health, limits) == {
        "cash": "unpaired",
        "qr": "unpaired",
        "card": "unpaired",
        "paycode": "unpaired",
    }
    disabled = dataclasses.replace(health, disabled_methods=frozenset({"card"}))
    assert reasons(disabled)["card"] == "disabled"
