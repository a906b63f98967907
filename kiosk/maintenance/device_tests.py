"""The maintenance screen's device tests: a printed test page, the acceptor's test mode (notes
are shown, never credited), and switching a way to pay off or on. Part of
``kiosk.maintenance.Maintenance``.
"""

from __future__ import annotations

from kiosk.maintenance.status import StatusPage
from kiosk.printer_test_page import TestPage
from kiosk.receipt_escpos import render_escpos
from kiosk.receipts import render_text


class DeviceTests(StatusPage):
    """The ``print_test_page``, ``acceptor_test`` and ``set_method`` actions."""

    def _print_test_page(self) -> None:
        cfg = self.engine.config
        page = TestPage(
            cfg.kiosk.id,
            self.engine.central.clock.now_utc().astimezone(),
            encoding=cfg.printer.encoding,
            qr_data=f"{cfg.central.url}/",
        )
        text = render_text(page, columns=cfg.chars_per_line)
        data = render_escpos(
            page,
            columns=cfg.chars_per_line,
            encoding=cfg.printer.encoding,
            has_cutter=cfg.printer.has_cutter,
        )
        self.engine.print_document(text, data)
        self._audit("print_test_page", "sent")

    def _acceptor_test(self, on: bool) -> None:
        self.engine.acceptor_test(on)
        self._audit("acceptor_test", "on" if on else "off")

    def _set_method(self, method: str, enabled: bool) -> None:
        self.engine.set_method_enabled(method, enabled)
        self._audit("set_method", "enabled" if enabled else "disabled", method=method)
        self._refresh_status()
