"""Cash pages: collections and their differences, suspects and resolutions, a kiosk's cash
book; each exportable as CSV (``?format=csv``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from central import cashbook, db
from central.console import web
from central.console.access import Current, Posted
from central.console.web import View, esc, yuan
from central.context import Central


def period(central: Central, start: str, end: str, default_days: int = 30) -> tuple[date, date]:
    """FROM and TO from the query (YYYY-MM-DD); the last ``default_days`` days otherwise."""
    today = central.today()
    try:
        last = date.fromisoformat(end) if end else today
    except ValueError:
        last = today
    try:
        first = date.fromisoformat(start) if start else last - timedelta(days=default_days - 1)
    except ValueError:
        first = last - timedelta(days=default_days - 1)
    if first > last:
        first, last = last, first
    return first, last


def period_form(view: View, action: str, first: date, last: date, extra: str = "") -> str:
    return (
        f'<form class="bar" method="get" action="{action}">{extra}'
        f'<label>{esc(view.t("from"))}<input type="date" name="from" id="from" value="{first.isoformat()}"></label>'
        f'<label>{esc(view.t("to"))}<input type="date" name="to" id="to" value="{last.isoformat()}"></label>'
        f'<button class="primary" type="submit" id="show">{esc(view.t("show"))}</button></form>'
    )


def csv_response(text: str, filename: str) -> Response:
    return Response(
        "\ufeff" + text,  # a BOM, so spreadsheet programs read the Chinese as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _diff(fen: int | None) -> str:
    if fen is None:
        return "—"
    tone = "ok" if fen == 0 else "bad"
    return f'<span class="{tone}">{yuan(fen)}</span>'


def install(app: FastAPI, central: Central, current: Current, _posted: Posted) -> None:
    zone = central.config.server.zone

    @app.get("/console/cash", include_in_schema=False)
    async def cash_page(request: Request, kiosk: str = "", format: str = "") -> Response:
        view = await current(request)
        if isinstance(view, Response):
            return view
        first, last = period(
            central, request.query_params.get("from", ""), request.query_params.get("to", "")
        )

        def read() -> tuple[list[dict[str, Any]], list[Any], list[Any]]:
            with db.read(central.engine) as conn:
                return (
                    cashbook.collection_rows(conn, first, last, zone, kiosk or None),
                    cashbook.resolution_rows(conn, first, last, zone, kiosk or None),
                    cashbook.open_suspects(conn),
                )

        boxes, verdicts, suspects = await run_in_threadpool(read)
        if format == "csv":
            return csv_response(
                cashbook.collections_csv(boxes, zone), f"collections-{first}-{last}.csv"
            )
        kiosk_field = f'<label>{esc(view.t("kiosk"))}<input name="kiosk" value="{esc(kiosk)}" style="width:7rem"></label>'
        export = f'<p><a id="export" href="/console/cash?{web.query_string(kiosk=kiosk, format="csv", **{"from": first.isoformat(), "to": last.isoformat()})}">{esc(view.t("csv"))}</a></p>'
        totals = {
            key: sum(b[key] for b in boxes)
            for key in ("journal_total_fen", "physical_total_fen", "difference_fen")
        }
        summary = (
            "<div class=cards>"
            f"<div class=card>{esc(view.t('collections'))}<b>{len(boxes)}</b></div>"
            f"<div class=card>{esc(view.t('journal_total'))}<b>{yuan(totals['journal_total_fen'])}</b></div>"
            f"<div class=card>{esc(view.t('physical_total'))}<b>{yuan(totals['physical_total_fen'])}</b></div>"
            f"<div class=card>{esc(view.t('difference'))}<b id=total-difference>{_diff(totals['difference_fen'])}</b></div>"
            f"<div class=card>{esc(view.t('suspects_open'))}<b>{sum(s.suspects for s in suspects)}</b></div>"
            "</div>"
        )
        collections_table = web.table(
            [
                (view.t("time"), ""),
                (view.t("kiosk"), ""),
                ("ID", ""),
                (view.t("technician"), ""),
                (view.t("journal_total"), "num"),
                (view.t("device_total"), "num"),
                (view.t("physical_total"), "num"),
                (view.t("difference"), "num"),
            ],
            (
                [
                    view.when(b["at"]),
                    f'<a href="/console/cashbook?kiosk={esc(b["kiosk_id"])}">{esc(b["kiosk_id"])}</a>',
                    esc(b["collection_id"]),
                    esc(b["technician"]),
                    yuan(b["journal_total_fen"]),
                    yuan(b["device_total_fen"]),
                    yuan(b["physical_total_fen"]),
                    _diff(b["difference_fen"]),
                ]
                for b in boxes
            ),
            table_id="collections",
        )
        suspects_table = web.table(
            [(view.t("kiosk"), ""), (view.t("suspects_open"), "num"), (view.t("time"), "")],
            (
                [
                    f'<a href="/console/kiosks/{esc(s.kiosk_id)}">{esc(s.kiosk_id)}</a>',
                    str(s.suspects),
                    view.when(s.last_seen_at),
                ]
                for s in suspects
            ),
            table_id="suspects",
        )
        resolutions_table = web.table(
            [
                (view.t("time"), ""),
                (view.t("kiosk"), ""),
                ("Txn", ""),
                (view.t("account"), ""),
                (view.t("amount"), "num"),
                (view.t("outcome"), ""),
                (view.t("reason"), ""),
                (view.t("technician"), ""),
            ],
            (
                [
                    view.when(r.at),
                    esc(r.kiosk_id),
                    esc(r.txn_id),
                    esc(r.account_no),
                    yuan(r.amount_fen),
                    f'<span class="{"ok" if r.outcome == "credited" else "warn"}">{esc(r.outcome)}</span>',
                    esc(r.reason),
                    esc(r.technician),
                ]
                for r in verdicts
            ),
            table_id="resolutions",
        )
        body = (
            f"<h1>{esc(view.t('cash'))}</h1>"
            + period_form(view, "/console/cash", first, last, kiosk_field)
            + summary
            + f"<h2>{esc(view.t('collections'))}</h2>{export}{collections_table}"
            + f"<h2>{esc(view.t('suspects_open'))}</h2>{suspects_table}"
            + f"<h2>{esc(view.t('resolutions'))}</h2>{resolutions_table}"
        )
        return view.page("cash", body, here="cash")

    @app.get("/console/cashbook", include_in_schema=False)
    async def cashbook_page(request: Request, kiosk: str = "", format: str = "") -> Response:
        view = await current(request)
        if isinstance(view, Response):
            return view
        first, last = period(
            central, request.query_params.get("from", ""), request.query_params.get("to", "")
        )
        kiosk = kiosk.strip()
        kiosk_field = f'<label>{esc(view.t("kiosk"))}<input name="kiosk" id="kiosk" value="{esc(kiosk)}" required style="width:7rem"></label>'
        form = period_form(view, "/console/cashbook", first, last, kiosk_field)
        if not kiosk:
            return view.page(
                "cashbook", f"<h1>{esc(view.t('cashbook'))}</h1>{form}", here="cashbook"
            )

        def read() -> cashbook.CashBook:
            with db.read(central.engine) as conn:
                return cashbook.cash_book(conn, kiosk, first, last, zone)

        book = await run_in_threadpool(read)
        if format == "csv":
            return csv_response(
                cashbook.cash_book_csv(book, zone), f"cashbook-{kiosk}-{first}-{last}.csv"
            )
        export = f'<p><a id="export" href="/console/cashbook?{web.query_string(kiosk=kiosk, format="csv", **{"from": first.isoformat(), "to": last.isoformat()})}">{esc(view.t("csv"))}</a></p>'
        rows = [
            [
                first.isoformat(),
                esc(view.t("opening")),
                "",
                "",
                "",
                "",
                f"<b>{yuan(book.opening_fen)}</b>",
            ]
        ]
        for e in book.entries:
            rows.append(
                [
                    view.when(e["at"], seconds=True),
                    esc(view.t(e["kind"])),
                    esc(e["ref"]),
                    esc(e["account_no"] or e.get("technician", "")),
                    yuan(e["in_fen"]) if e["in_fen"] else "",
                    yuan(e["out_fen"]) if e["out_fen"] else "",
                    yuan(e["balance_fen"]),
                ]
            )
        rows.append(
            [
                last.isoformat(),
                esc(view.t("closing")),
                "",
                "",
                "",
                "",
                f'<b id="closing">{yuan(book.closing_fen)}</b>',
            ]
        )
        table = web.table(
            [
                (view.t("time"), ""),
                (view.t("entry"), ""),
                ("Ref", ""),
                (view.t("account"), ""),
                (view.t("cash_in"), "num"),
                (view.t("cash_out"), "num"),
                (view.t("balance"), "num"),
            ],
            rows,
            table_id="cashbook",
        )
        body = f"<h1>{esc(view.t('cashbook'))} · {esc(kiosk)}</h1>{form}{export}{table}"
        return view.page("cashbook", body, here="cashbook")
