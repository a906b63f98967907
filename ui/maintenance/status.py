"""Device health at a glance: acceptor, printer, server, outbox, offline limits, cash box."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout

from kiosk.maintenance_actions import Action
from kiosk.money import format_fen
from ui.i18n.catalog import has
from ui.maintenance.base import Act, Page, button, duration, fen, label, local_time, page_column
from ui.maintenance.base import set_tone as _tone
from ui.maintenance.words import human_reason

GOOD_PRINTER = ("ready",)
WARN_PRINTER = ("paper_near_end", "not_checked")
SECTIONS = (
    "acceptor",
    "printer",
    "server",
    "outbox",
    "limits",
    "cashbox",
    "disk",
    "methods",
    "software",
)


class StatusPage(Page):
    opens_with = (Action.STATUS, {})

    def __init__(self, act: Act) -> None:
        super().__init__("maint_status", act)
        column = page_column(self, "maint_status")
        self.title = label("maint_status_title", "title")
        self.refresh = button("maint_status_refresh", "primary")
        self.refresh.clicked.connect(lambda: self.act(Action.STATUS))
        column.addWidget(self.title)
        column.addWidget(self.refresh)
        self.headings: dict[str, QLabel] = {}
        self.grids: dict[str, QGridLayout] = {}
        self.values: dict[str, QLabel] = {}
        self.names: dict[str, QLabel] = {}
        for section in SECTIONS:
            frame = QFrame()
            frame.setObjectName(f"maint_status_{section}")
            frame.setProperty("role", "panel")
            inner = QVBoxLayout(frame)
            heading = label(f"maint_status_{section}_heading", "fieldname")
            inner.addWidget(heading)
            grid = QGridLayout()
            grid.setColumnStretch(1, 1)
            inner.addLayout(grid)
            column.addWidget(frame)
            self.headings[section] = heading
            self.grids[section] = grid
        column.addStretch(1)

    def _row(self, section: str, key: str, text: str, tone: str = "") -> None:
        """One name: value line, created on first use and then updated in place."""
        name = f"{section}.{key}"
        if name not in self.values:
            grid = self.grids[section]
            row = grid.rowCount()
            self.names[name] = label(f"maint_status_{section}_{key}_name", "cellname")
            self.values[name] = label(f"maint_status_{section}_{key}", "cell")
            grid.addWidget(self.names[name], row, 0)
            grid.addWidget(self.values[name], row, 1)
        self.names[name].setText(self.t(f"mt.status.{key}"))
        self.values[name].setText(text)
        _tone(self.values[name], tone)

    def render_view(self, m: dict[str, Any], snap: dict[str, Any]) -> None:  # noqa: ARG002
        self.title.setText(self.t("mt.page.status"))
        self.refresh.setText(self.t("mt.refresh"))
        for section, heading in self.headings.items():
            heading.setText(self.t(f"mt.status.section.{section}"))
        status = (m.get("view") or {}).get("status") or {}
        self._acceptor(status.get("acceptor") or {})
        self._printer(status.get("printer") or {})
        self._server(status.get("server") or {})
        self._outbox(status.get("outbox") or {})
        self._limits(status.get("offline_limits") or {})
        self._cashbox(status.get("cashbox") or {})
        self._disk(status.get("data_disk") or {})
        self._methods(status)
        self._row("software", "version", str(status.get("version") or "—"))
        self._row("software", "kiosk_id", str(status.get("kiosk_id") or "—"))
        self._row("software", "uptime", duration(status.get("uptime_s"), self.language))

    def _disk(self, disk: dict[str, Any]) -> None:
        """Free space against the floor, and whether the journal can be written at all."""
        free, floor = disk.get("free_mb"), disk.get("floor_mb")
        self._row(
            "disk",
            "disk_free",
            self.t("mt.status.disk_free_value", free=free, floor=floor)
            if free is not None
            else "—",
            "bad" if disk.get("low") else "ok",
        )
        self._row(
            "disk",
            "disk_state",
            self.t("mt.status.disk_low", path=disk.get("path")) if disk.get("low") else "—",
            "bad" if disk.get("low") else "",
        )
        fault = disk.get("journal_fault")
        self._row(
            "disk",
            "journal",
            self._journal_fault(str(fault)) if fault else self.t("mt.status.journal_ok"),
            "bad" if fault else "ok",
        )

    def _journal_fault(self, fault: str) -> str:
        """The engine's reason (English, with the path) under a heading in this language."""
        for prefix, msg_id in (
            ("data disk full", "mt.journal.full"),
            ("data disk read-only", "mt.journal.read_only"),
            ("data disk failing", "mt.journal.failing"),
        ):
            if fault.startswith(prefix):
                return self.t(msg_id, detail=fault)
        return self.t("mt.journal.failed", detail=fault)

    def _state(self, state: object) -> str:
        text = str(state or "unknown")
        msg_id = f"mt.state.{text}"
        return self.t(msg_id) if has(msg_id) else text

    def _acceptor(self, acceptor: dict[str, Any]) -> None:
        state = acceptor.get("state")
        self._row("acceptor", "state", self._state(state), "ok" if state == "ready" else "bad")
        identity = acceptor.get("identity") or {}
        self._row(
            "acceptor",
            "model",
            " ".join(str(identity.get(k)) for k in ("protocol", "model") if identity.get(k)) or "—",
        )
        self._row("acceptor", "serial", str(identity.get("serial") or "—"))
        self._row("acceptor", "firmware", str(identity.get("firmware") or "—"))
        self._row("acceptor", "bill_table", _bill_table(identity, acceptor.get("bill_table")))
        error = acceptor.get("last_error")
        self._row(
            "acceptor",
            "last_error",
            self._state(error) if error else "—",
            "bad" if error and state != "ready" else "",
        )

    def _printer(self, printer: dict[str, Any]) -> None:
        state = printer.get("state")
        tone = "ok" if state in GOOD_PRINTER else "warn" if state in WARN_PRINTER else "bad"
        self._row("printer", "state", self._state(state), tone)
        self._row(
            "printer",
            "paper",
            self.t(
                "mt.paper.out"
                if state == "paper_out"
                else "mt.paper.near_end"
                if state == "paper_near_end"
                else "mt.paper.ok"
                if state in GOOD_PRINTER
                else "mt.paper.unknown"
            ),
            "bad" if state == "paper_out" else "warn" if state == "paper_near_end" else "",
        )
        # The driver's detail is English advice for its own state; the screen says the same
        # in the technician's language, and keeps the raw words only where no state names it.
        advice = f"mt.printer.advice.{state}"
        detail = printer.get("detail")
        if has(advice):
            self._row("printer", "detail", self.t(advice))
        else:
            self._row("printer", "detail", human_reason(detail, self.language) if detail else "—")

    def _server(self, server: dict[str, Any]) -> None:
        reachable = bool(server.get("reachable"))
        self._row(
            "server",
            "reachable",
            self.t("mt.yes" if reachable else "mt.no"),
            "ok" if reachable else "bad",
        )
        latency = server.get("latency_ms")
        self._row("server", "latency", f"{latency} ms" if latency is not None else "—")
        self._clock(server)
        refused = server.get("auth_refused")
        self._row(
            "server",
            "auth",
            self._refused(refused) if refused else self.t("mt.status.auth_ok"),
            "bad" if refused else "ok",
        )
        failed = server.get("last_error")
        self._row("server", "last_error", human_reason(failed, self.language) if failed else "—")

    def _clock(self, server: dict[str, Any]) -> None:
        """The kiosk's clock against the server's: a warning line past the limit."""
        offset = server.get("clock_offset_s")
        if not isinstance(offset, int):
            self._row("server", "clock", self.t("mt.status.clock_unknown"))
            return
        shown = f"{offset:+d}"
        if server.get("clock_warning"):
            limit = server.get("clock_warn_after_s") or 60
            self._row(
                "server", "clock", self.t("mt.status.clock_warn", offset=shown, limit=limit), "warn"
            )
        else:
            self._row("server", "clock", self.t("mt.status.clock_value", offset=shown), "ok")

    def _refused(self, reason: object) -> str:
        msg_id = f"mt.auth.{reason}"
        return self.t(msg_id) if has(msg_id) else self.t("mt.auth.other", reason=reason)

    def _outbox(self, outbox: dict[str, Any]) -> None:
        pending = int(outbox.get("pending") or 0)
        attention = int(outbox.get("needs_attention") or 0)
        self._row(
            "outbox",
            "pending",
            self.t("mt.status.count_amount", n=pending, amount=fen(outbox.get("pending_fen") or 0)),
            "warn" if pending else "ok",
        )
        self._row("outbox", "oldest", local_time(outbox.get("oldest_at")))
        self._row("outbox", "needs_attention", str(attention), "bad" if attention else "")
        parked = outbox.get("parked") or {}
        self._row(
            "outbox",
            "parked",
            self.t("mt.status.parked_value") if parked else "—",
            "bad" if parked else "",
        )
        failed = outbox.get("last_error")
        self._row("outbox", "last_error", human_reason(failed, self.language) if failed else "—")

    def _limits(self, limits: dict[str, Any]) -> None:
        for key, show in (
            ("count", str),
            ("total_fen", fen),
            ("age_s", lambda s: duration(s, self.language)),
        ):
            used, limit = (limits.get(key) or [0, 0]) + [0, 0][len(limits.get(key) or []) :]
            share = used / limit if limit else 0
            tone = "bad" if share >= 1 else "warn" if share >= 0.8 else ""
            self._row(
                "limits",
                f"limit_{key}",
                self.t(
                    "mt.status.used_of",
                    used=show(used),
                    limit=show(limit),
                    percent=round(share * 100),
                ),
                tone,
            )

    def _cashbox(self, cashbox: dict[str, Any]) -> None:
        notes = cashbox.get("notes") or {}
        text = "  ".join(
            f"{fen(int(d))}×{n}" for d, n in sorted(notes.items(), key=lambda kv: -int(kv[0]))
        ) or self.t("mt.empty")
        self._row("cashbox", "notes", text)
        self._row("cashbox", "total", fen(cashbox.get("total_fen") or 0))
        used, capacity = (cashbox.get("fill") or [0, 0]) + [0, 0][len(cashbox.get("fill") or []) :]
        percent = round(100 * used / capacity) if capacity else 0
        self._row(
            "cashbox",
            "fill",
            self.t("mt.status.fill_value", used=used, capacity=capacity, percent=percent),
            "bad" if cashbox.get("near_full") else "",
        )

    def _methods(self, status: dict[str, Any]) -> None:
        from ui.messages import reason_text

        methods = status.get("methods") or {}
        for method in ("cash", "qr", "card"):
            info = methods.get(method) or {}
            ok = bool(info.get("ok"))
            text = (
                self.t("mt.status.works") if ok else reason_text(info.get("reason"), self.language)
            )
            self._row("methods", f"method_{method}", text, "ok" if ok else "bad")


def _bill_table(identity: dict[str, Any], table: dict[str, int] | None) -> str:
    """The table as read: the code it matched and the notes it gives, e.g. 'CNY: ¥1 ¥5 ¥100'.

    A technician compares it with the cassette's notes to see a firmware for the wrong
    currency or a bill missing from the table at a glance.
    """
    if not table:
        return "—"
    notes = " ".join(format_fen(fen, bare_whole_yuan=True) for fen in sorted(set(table.values())))
    code = identity.get("table_code")
    return f"{code}: {notes}" if code else notes
