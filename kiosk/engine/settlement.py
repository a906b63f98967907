"""The end of a payment for the customer: the result screen, the receipt and its printing.

Every payment with money in the box prints a receipt, listing any note whose outcome is not
known yet as pending verification. Whether it printed is journaled, never waited for. Runs on
the engine thread; print jobs run on the ``printer`` pool.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING, Any

from kiosk import projection
from kiosk.background import Done
from kiosk.events import ReceiptFailed, ReceiptPrinted
from kiosk.journal import JournalError
from kiosk.receipt_checks import ReceiptError
from kiosk.receipt_facts import printable, receipt_for

if TYPE_CHECKING:
    from kiosk.engine.core import Engine

log = logging.getLogger("kiosk.engine")


class Settlement:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._printing: dict[int, tuple[str, str]] = {}  # print token -> (txn id, text)

    def settle(self, status: str) -> None:
        """The payment is over for the customer: show the result and print the receipt."""
        engine = self.engine
        session = engine.session
        txn_id = session.txn_id
        assert txn_id is not None
        engine.set_timer("done", engine.config.timeouts.done_screen_s)
        session.result = {
            "status": status,
            "txn_id": txn_id,
            "printing": "skipped",
            "amount_fen": None,
            "credited_to_balance_fen": None,
            "balance_fen": None,
            "receipt_url": None,
            "receipt_text": None,
            "pending_fen": 0,
            "pending_notes": {},
        }
        if status == "unconfirmed":
            return  # nothing certain to print; the screen says what to do
        row = engine.txn_row(txn_id)
        pending = self.pending_notes(txn_id) if row.method == "cash" else {}
        if pending:
            session.result["pending_fen"] = sum(d * n for d, n in pending.items())
            session.result["pending_notes"] = {str(d): n for d, n in sorted(pending.items())}
            if not row.cash_fen:
                session.result["status"] = "pending_verification"
        try:
            bills = (
                [dataclasses.asdict(b) for b in session.account.bills]
                if session.account is not None
                else None
            )
            receipt = receipt_for(
                engine.config, row, language=engine.language, pending=pending, account_bills=bills
            )
            document = printable(engine.config, receipt)
        except ReceiptError as exc:
            # Never print figures that contradict each other; a technician can reprint.
            log.error("receipt for %s not printed: %s", txn_id, exc)
            self.record_receipt(txn_id, ok=False, text="", reason=str(exc))
            session.result["printing"] = "failed"
            return
        session.result.update(
            amount_fen=receipt.amount_applied_fen,
            credited_to_balance_fen=receipt.credited_to_balance_fen,
            balance_fen=receipt.new_balance_fen,
            receipt_url=receipt.check_url,
            receipt_text=document.text,
            invoice_url=receipt.invoice_url,
        )
        if engine.config.printer.enabled and engine.printer is not None:
            session.result["printing"] = "pending"
            self.queue_print(txn_id, document.text, document.escpos)
        else:
            self.record_receipt(txn_id, ok=False, text=document.text, reason="no printer")
            session.result["printing"] = "failed"

    def pending_notes(self, txn_id: str) -> dict[int, int]:
        """Notes of this payment whose outcome nobody knows yet: open suspects, and a note
        recovery still holds unsettled. Denomination in fen -> count."""
        engine = self.engine
        s, t = projection.suspects, projection.transactions

        def query(conn: Any) -> tuple[list[Any], int]:
            rows = conn.execute(
                s.select().where(s.c.txn_id == txn_id).where(s.c.state == "open")
            ).all()
            held = conn.execute(
                t.select().with_only_columns(t.c.pending_escrow_fen).where(t.c.txn_id == txn_id)
            ).scalar()
            return rows, int(held or 0)

        suspects, held = engine.journal.read(query)
        notes: dict[int, int] = {}
        for row in suspects:
            notes[row.denomination_fen] = notes.get(row.denomination_fen, 0) + 1
        if held and engine.recovery.pending(txn_id):
            notes[held] = notes.get(held, 0) + 1
        return notes

    def record_receipt(self, txn_id: str, *, ok: bool, text: str, reason: str = "") -> None:
        """Whether the receipt printed: worth keeping, never worth stopping for."""
        event = ReceiptPrinted(text) if ok else ReceiptFailed(text, reason)
        kind, payload, _ = event.entry(txn_id)
        try:
            self.engine.journal.append(kind, payload, txn_id=txn_id)
        except JournalError as exc:
            log.error("%s: receipt %s not journaled: %s", txn_id, kind, exc)
            self.engine.checks.journal_failed(exc)

    def queue_print(self, txn_id: str | None, text: str, data: bytes) -> None:
        """Queue a print job; its result comes back as a ``print`` result (``done_print``)."""
        engine = self.engine
        token = engine.next_token()
        self._printing[token] = (txn_id or "", text)
        printer = engine.printer
        assert printer is not None
        engine.run_printer("print", token, lambda: printer.print_job(data))

    def done_print(self, done: Done[Any]) -> None:
        engine = self.engine
        txn_id, text = self._printing.pop(done.token, (None, ""))
        engine.checks.apply_printer_status(done)
        ok = done.ok
        if txn_id:  # slips and test pages belong to no transaction
            self.record_receipt(txn_id, ok=ok, text=text, reason=str(done.error))
        if engine.session.result is not None and engine.session.result.get("txn_id") == txn_id:
            engine.session.result["printing"] = "printed" if ok else "failed"
