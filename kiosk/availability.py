"""Which payment methods the kiosk can offer right now, and why not when it cannot.

A pure function of the health facts the engine tracks, so the rules are in one place and
testable without devices. Reasons are codes; the UI words them in the customer's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Health:
    acceptor_ready: bool = False
    acceptor_fault: str | None = None  # e.g. "validator_jam", "disconnected"
    printer_can_print: bool = False
    printer_state: str = "not_answering"
    server_reachable: bool = False
    offline_count: int = 0
    offline_total_fen: int = 0
    oldest_unposted_age_s: float = 0.0
    cashbox_notes: int = 0
    disabled_methods: frozenset[str] = field(default_factory=frozenset)
    recovering: bool = False  # a note from before a restart is not settled yet
    server_auth: str | None = None  # the server refuses our credentials: its 401 reason
    journal_fault: str | None = None  # the journal cannot be written: nothing may start
    disk_low: bool = False  # free space on the data directory is below the configured floor
    locked: str | None = None  # an operator's remote lock, with the message to show
    scanner_ready: bool = False  # the payment-code scanner is connected
    unpaired: bool = False  # no secret to sign with yet: nothing could be posted or asked


@dataclass(frozen=True)
class Limits:
    offline_max_count: int
    offline_max_total_fen: int
    offline_max_age_s: int
    cashbox_capacity_notes: int
    cash_enabled: bool
    printer_enabled: bool
    onscreen_receipt_fallback: bool
    paycode_enabled: bool = False  # a scanner is configured: payment codes are offered


@dataclass(frozen=True)
class Availability:
    ok: bool
    reason: str | None = None

    def as_json(self) -> dict[str, object]:
        return {"ok": self.ok, "reason": self.reason}


def offline_limit_reached(health: Health, limits: Limits) -> str | None:
    """The first offline limit the unposted backlog has reached, if any."""
    if health.offline_count == 0:
        return None
    if health.offline_count >= limits.offline_max_count:
        return "offline_count"
    if health.offline_total_fen >= limits.offline_max_total_fen:
        return "offline_total"
    if health.oldest_unposted_age_s >= limits.offline_max_age_s:
        return "offline_age"
    return None


def printer_blocks(health: Health, limits: Limits) -> str | None:
    if not limits.printer_enabled or health.printer_can_print:
        return None
    return None if limits.onscreen_receipt_fallback else f"printer_{health.printer_state}"


def methods(health: Health, limits: Limits) -> Mapping[str, Availability]:
    """cash / qr / card, each available or with the first reason it is not."""
    result: dict[str, Availability] = {}

    def cash_reason() -> str | None:  # noqa: PLR0911 - one rule a line, in order
        if not limits.cash_enabled or "cash" in health.disabled_methods:
            return "disabled"
        if health.unpaired:
            return "unpaired"  # cash taken now could never be posted
        if health.locked is not None:
            return "locked"
        if health.journal_fault is not None:
            return "journal_fault"
        if health.disk_low:
            return "disk_low"
        if not health.acceptor_ready:
            return f"acceptor_{health.acceptor_fault or 'not_ready'}"
        if health.recovering:
            return "recovering"
        if health.cashbox_notes >= limits.cashbox_capacity_notes:
            return "cashbox_full"
        if health.server_auth is not None:
            return "server_auth"  # cash taken now could not be posted until someone fixes it
        # Past a limit cash waits until the backlog drains, even if the server answers again.
        return offline_limit_reached(health, limits) or printer_blocks(health, limits)

    def online_reason(method: str) -> str | None:  # noqa: PLR0911 - one rule a line, in order
        if method in health.disabled_methods:
            return "disabled"
        if health.unpaired:
            return "unpaired"
        if health.locked is not None:
            return "locked"
        if health.journal_fault is not None:
            return "journal_fault"  # every payment starts with a journal write
        if not health.server_reachable:
            return "server_offline"
        if health.server_auth is not None:
            return "server_auth"
        return printer_blocks(health, limits)

    reason = cash_reason()
    result["cash"] = Availability(reason is None, reason)
    for method in ("qr", "card"):
        reason = online_reason(method)
        result[method] = Availability(reason is None, reason)
    if limits.paycode_enabled:  # no scanner configured: the method is not offered at all
        reason = online_reason("paycode")
        if reason is None and not health.scanner_ready:
            reason = "scanner_not_ready"
        result["paycode"] = Availability(reason is None, reason)
    return result
