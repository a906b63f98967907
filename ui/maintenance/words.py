"""Internal reasons, event kinds and payloads turned into words a technician reads.

The core reports what drivers, the journal and the server said: English phrases, exception
class names, error codes, payload dicts. A technician's screen shows them in the chosen
language; a reason with no known wording keeps the raw text after a plain lead-in, so it can
still be looked up, and never a JSON dump.
"""

from __future__ import annotations

from typing import Any

from kiosk.money import format_fen
from ui.i18n import tr
from ui.i18n.catalog import has

# Known internal reasons (lower-cased, as the core words them) -> message id.
REASONS = {
    "no stacked or returned report after stack": "mt.why.no_report_after_stack",
    "readtimeout": "mt.why.read_timeout",
    "read timeout": "mt.why.read_timeout",
    "connecttimeout": "mt.why.connect_timeout",
    "connecterror": "mt.why.connect_error",
    "timeout": "mt.why.timeout",
    "invalid_request": "mt.why.invalid_request",
    "no printer": "mt.why.no_printer",
    "power cut": "mt.why.power_cut",
    "bad_signature": "mt.auth.bad_signature",
}

# Payload keys shown for an event, in this order; others are left out (receipt texts,
# request bodies and the server's whole answer belong to the journal, not to this list).
EVENT_FIELDS = (
    "method",
    "account_no",
    "denomination_fen",
    "decision",
    "cash_fen",
    "amount_fen",
    "server_ref",
    "reason",
    "outcome",
)


def human_reason(raw: object, language: str) -> str:
    """'ReadTimeout' -> '中心服务器应答超时'; unknown text keeps its raw form after a lead-in."""
    if raw is None or raw == "":
        return tr("mt.why.none", language)
    if isinstance(raw, dict):
        return detail_text(raw, language)
    text = str(raw).strip()
    key = text.lower().rstrip(".")
    if key in REASONS:
        return tr(REASONS[key], language)
    for known, msg_id in REASONS.items():  # "httpx.ReadTimeout: ..." and the like
        if known.replace(" ", "") in key.replace(" ", "").replace("_", ""):
            return tr(msg_id, language)
    if has(f"mt.state.{key}"):
        return tr(f"mt.state.{key}", language)
    return tr("mt.why.other", language, raw=text)


def detail_text(detail: dict[str, Any], language: str) -> str:
    """A server's or driver's detail dict in words: its error or code, then its message."""
    for key in ("error", "code", "reason"):
        if detail.get(key):
            return human_reason(detail[key], language)
    if detail.get("message"):
        return human_reason(detail["message"], language)
    return tr("mt.why.none", language)


def amount_of(row: dict[str, Any]) -> str:
    """A journal row's amount: the engine's ``amount_fen`` when it gives one, else the cash
    taken for cash; another method without ``amount_fen`` shows a dash, never ¥0.00."""
    amount = row.get("amount_fen")
    if amount is None and row.get("method") == "cash":
        amount = row.get("cash_fen")
    if isinstance(amount, int) and not isinstance(amount, bool):
        return format_fen(amount)
    return "—"


def method_name(method: object, language: str) -> str:
    name = f"mt.status.method_{method}"
    return tr(name, language) if has(name) else str(method or "?")


def txn_state(state: object, language: str) -> str:
    name = f"mt.txn_state.{state}"
    return tr(name, language) if has(name) else str(state or "?")


def event_line(event: dict[str, Any], language: str) -> str:
    """'2026-11-02 10:15  收到纸币  面额 ¥100'."""
    from ui.maintenance.base import local_time

    kind = str(event.get("kind") or "?")
    name = tr(f"mt.event.{kind}", language) if has(f"mt.event.{kind}") else kind
    payload = event.get("payload") or {}
    parts = []
    for key in EVENT_FIELDS:
        if key not in payload or payload[key] in (None, ""):
            continue
        parts.append(_field(key, payload[key], language))
    separator = "，" if language == "zh" else ", "
    return f"{local_time(event.get('at'))}  {name}  {separator.join(parts)}".rstrip()


def _field(key: str, value: object, language: str) -> str:
    if key.endswith("_fen") and isinstance(value, int):
        shown = format_fen(value)
    elif key == "method":
        shown = method_name(value, language)
    elif key == "decision":
        shown = tr(f"mt.decision.{value}", language) if has(f"mt.decision.{value}") else str(value)
    elif key == "reason":
        shown = human_reason(value, language)
    elif key == "outcome":
        shown = tr(f"mt.suspects.outcome.{value}", language)
    else:
        shown = str(value)
    return f"{tr(f'mt.field.{key}', language)} {shown}"
