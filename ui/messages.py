"""Engine codes (errors, notices, unavailability reasons) turned into plain words.

Unknown codes get a generic but still helpful text naming the code, so support staff
can look it up; nothing here raises on the customer screen.
"""

from __future__ import annotations

from typing import Any

from kiosk.money import format_fen
from ui.i18n.catalog import has, tr


def reason_text(reason: str | None, language: str) -> str:
    """Why a way to pay is unavailable: 'printer_paper_out' -> '打印机缺纸'."""
    if not reason:
        return tr("reason.unknown", language)
    if has(f"reason.{reason}"):
        return tr(f"reason.{reason}", language)
    if reason.startswith("printer_"):
        return tr("reason.printer", language)
    if reason.startswith("acceptor_"):
        return tr("reason.acceptor", language)
    return tr("reason.unknown", language)


def error_text(
    error: dict[str, Any] | None, language: str, methods: dict[str, Any] | None = None
) -> str:
    """``methods`` (the snapshot's) lets "choose another way" be said only when one works."""
    if not error:
        return ""
    code = str(error.get("code") or "unknown")
    detail = error.get("detail") or {}
    if not isinstance(detail, dict):
        detail = {}
    if code == "amount_out_of_range":
        return tr(
            "error.amount_out_of_range",
            language,
            min=_fen(detail.get("min_fen")),
            max=_fen(detail.get("max_fen")),
        )
    if code == "method_unavailable":
        another = methods is None or any((m or {}).get("ok") for m in methods.values())
        return tr(
            "error.method_unavailable" if another else "error.method_unavailable_none",
            language,
            reason=reason_text(detail.get("reason"), language),
        )
    if code.startswith("acceptor_"):
        return tr("error.acceptor_fault", language)
    if has(f"error.{code}"):
        return tr(f"error.{code}", language)
    return tr("error.generic", language, code=code)


def notice_text(notice: str | None, language: str) -> str:
    if not notice:
        return ""
    if notice in ("note_accepted", "note_returned"):
        return tr(f"notice.{notice}", language)
    if notice.startswith("returned_"):
        return tr("notice.returned", language, reason=notice.removeprefix("returned_"))
    if notice.startswith("note_rejected"):
        return tr("notice.rejected", language)
    return tr("notice.generic", language, code=notice)


def _fen(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return format_fen(value)
    return "?"


def owed_after(account: dict[str, Any] | None, paid_fen: int) -> tuple[int, str | None]:
    """What the account still owes after ``paid_fen`` (oldest bill first) and the due date
    that then applies (ISO), from the account the lookup returned; (0, None) without one."""
    from kiosk.receipt_facts import still_owed

    if not account:
        return 0, None
    bills = account.get("bills") or []
    if bills:
        left = still_owed(bills, paid_fen)
        return left.owed_fen, left.due_date
    return max(0, int(account.get("due_fen") or 0) - paid_fen), None


def due_advice(
    due_date: str | None, today_iso: str | None, language: str, *, short: bool = False
) -> str:
    """'请于 2026年11月15日 前缴清', or the overdue warning when that day has passed."""
    from ui.i18n import format_date

    if not due_date:
        return ""
    overdue = bool(today_iso) and due_date[:10] < str(today_iso)[:10]
    msg_id = ("owed.overdue_short" if short else "owed.overdue") if overdue else "owed.due_by"
    return tr(msg_id, language, day=format_date(due_date, language))
