"""The maintenance side of the engine: technician login, status, tests, collection, suspects.

Runs on the engine thread (the engine forwards ``maintenance`` intents here), so it sees
money state exactly as the engine does and can never race a payment. The customer flow is
paused while the screen is open: it opens only between payments, and closing it returns to
the home screen, never to a half-done payment. Every action is an audit event in the
journal's hash chain: who, what, when, result.

Which actions exist, their arguments and who may run them is one table,
``kiosk.maintenance_actions``; an action not in it, with wrong arguments or by a role not
allowed is refused (told to the technician, audited) and nothing else happens.
"""

from __future__ import annotations

import copy
import json
import logging
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from kiosk import __version__, pairing, projection
from kiosk.background import Done
from kiosk.events import Audit, Collection, Queued, Resolved
from kiosk.journal import JournalError
from kiosk.maintenance_actions import (
    RESOLUTIONS,
    Action,
    ActionRefused,
    ActionSpec,
    Power,
    RoleNotAllowed,
    UnknownAction,
    check,
)
from kiosk.projection import Kind, OutboxState
from kiosk.receipt_escpos import render_escpos
from kiosk.receipt_facts import printable, receipt_for
from kiosk.receipts import CollectionSlip, DenominationCount, TestPage, render_text
from kiosk.server_clock import WARN_OFFSET_S
from kiosk.session import BUSY_STATES, State, TransitionRefused, Trigger
from kiosk.technicians import LoginLocked, Registry, Role, TechnicianError

if TYPE_CHECKING:
    from kiosk.engine import Engine

log = logging.getLogger("kiosk.maintenance")


@dataclass
class _Login:
    technician_id: str
    name: str
    role: Role


class Maintenance:
    def __init__(self, engine: Engine, registry: Registry) -> None:
        self.engine = engine
        self.registry = registry
        self.user: _Login | None = None
        self.view: dict[str, Any] = {}
        self.message: dict[str, Any] | None = None
        self.restart_requested: Callable[[], None] = lambda: None

    # ---------------------------------------------------------------- entry
    def open(self) -> None:
        engine = self.engine
        if engine.machine.state in BUSY_STATES:
            raise TransitionRefused(
                engine.machine.state, Trigger.MAINTENANCE_OPEN, "a payment is under way"
            )
        if (
            engine.machine.state is not State.HOME
            and engine.machine.state is not State.OUT_OF_SERVICE
        ):
            engine.go_home()
        engine.fire(Trigger.MAINTENANCE_OPEN)
        self.user, self.view, self.message = None, {}, None
        engine.disable_acceptor()

    def close(self, reason: str = "logout") -> None:
        if self.user is not None:
            self._audit("logout", reason)
        self.user, self.view, self.message = None, {}, None
        if self.engine.test_mode:
            self._acceptor_test(on=False)
        self.engine.cancel_timer("maintenance_idle")
        if self.engine.machine.state is State.MAINTENANCE:
            self.engine.fire(Trigger.MAINTENANCE_CLOSE)
            self.engine.go_home()

    def login(self, technician_id: str, pin: str) -> None:
        # scrypt is deliberately slow: off the engine thread, result back on it.
        self.engine.run_background(
            lambda: self.registry.login(str(technician_id), str(pin)), self._logged_in
        )

    def _logged_in(self, done: Done[Any]) -> None:
        if self.engine.machine.state is not State.MAINTENANCE:
            return
        if isinstance(done.error, LoginLocked):
            self.message = {"code": "locked", "until": done.error.until.isoformat()}
        elif done.error is not None:
            self.message = {
                "code": "login_failed",
                "detail": str(done.error),
                "attempts_left": getattr(done.error, "attempts_left", None),
            }
        else:
            tech = done.get()
            self.user = _Login(tech.technician_id, tech.name, tech.role)
            self.message = None
            self.touch()
            self._refresh_status()

    def snapshot(self) -> dict[str, Any] | None:
        if self.engine.machine.state is not State.MAINTENANCE:
            return None
        locked = self.registry.locked_until()
        return {
            "stage": "menu" if self.user else "login",
            "user": None
            if self.user is None
            else {
                "id": self.user.technician_id,
                "name": self.user.name,
                "role": self.user.role.value,
            },
            "locked_until": locked.isoformat() if locked else None,
            "message": self.message,
            "view": copy.deepcopy(self.view),  # the engine goes on changing its own
            "power_actions_allowed": self.engine.config.maintenance.allow_power_actions,
            "test_mode": self.engine.test_mode,
            "test_notes": list(self.engine.test_notes),
        }

    # ---------------------------------------------------------------- actions
    def handle(self, action: object, args: Mapping[str, Any]) -> None:
        """Run one action of kiosk.maintenance_actions' table, or refuse it (audited)."""
        engine = self.engine
        try:
            spec, values = check(action, args)
        except ActionRefused as refused:
            self._refuse(action, refused)
            return
        if spec.action is Action.OPEN:
            self.open()
            return
        if engine.machine.state is not State.MAINTENANCE:
            raise TransitionRefused(
                engine.machine.state, Trigger.MAINTENANCE_OPEN, "the maintenance screen is not open"
            )
        if spec.action is Action.LOGIN:
            self.login(values["technician_id"], values["pin"])
            return
        if spec.action is Action.CLOSE:
            self.close()
            return
        if self.user is None:
            self._audit(spec.action, "refused_login_required")
            self.message = {"code": "login_required"}
            return
        if self.user.role not in self.roles_for(spec):
            self._refuse(spec.action, RoleNotAllowed(str(spec.action)))
            return
        self.touch()
        self.message = None
        try:
            _HANDLERS[spec.action](self, **values)
        except (TechnicianError, JournalError, ValueError) as exc:
            self._audit(spec.action, "error", detail=str(exc))
            self.message = {"code": "action_failed", "detail": str(exc)}

    def roles_for(self, spec: ActionSpec) -> frozenset[Role]:
        """Who may run an action once logged in: the table's roles, or the config's."""
        if spec.action is Action.COLLECTION_COMMIT:
            return frozenset(Role(r) for r in self.engine.config.maintenance.collection_roles)
        return spec.roles or frozenset()

    def _refuse(self, action: object, refused: ActionRefused) -> None:
        """Nothing is run: the technician is told what was wrong, and it is audited."""
        name = str(action)[:64]
        if isinstance(refused, RoleNotAllowed):
            self._audit(name, "refused_role")
            code = "collection_not_allowed" if action is Action.COLLECTION_COMMIT else refused.code
            self.message = {"code": code, "detail": str(action)}
        elif isinstance(refused, UnknownAction):  # the screen shows the name, the audit why
            self._audit(name, f"refused_{refused.code}", detail=refused.detail)
            self.message = {"code": refused.code, "detail": name[:40]}
        else:
            self._audit(name, f"refused_{refused.code}", detail=refused.detail)
            self.message = {"code": refused.code, "detail": refused.detail}
        log.warning("maintenance action refused: %s", refused.detail)

    def touch(self) -> None:
        self.engine.set_timer("maintenance_idle", self.engine.config.maintenance.idle_logout_s)

    def idle_logout(self) -> None:
        if self.engine.machine.state is State.MAINTENANCE:
            self.close("idle_logout")

    def _logout(self) -> None:
        self.close()

    # -- status
    def _status(self) -> None:
        self.engine.check_printer()  # the paper state shown is the one read now
        self._refresh_status()
        started = time.monotonic()
        self.engine.run_background(
            self.engine.central.ping, lambda done: self._pinged(done, started)
        )

    def _pinged(self, done: Done[Any], started: float) -> None:
        server = self.view.setdefault("status", {}).setdefault("server", {})
        if done.ok:
            self.engine.note_server(
                reachable=True, latency_ms=round((time.monotonic() - started) * 1000, 1)
            )
        else:
            self.engine.note_server(reachable=False, error=done.error)
        server.update(self._server_status())  # the ping taught the clock too

    def _server_status(self) -> dict[str, Any]:
        """Reachable, latency, last error; the clock offset and whether to warn about it; and
        why the server refuses this kiosk, if it does (the outbox is parked meanwhile)."""
        clock = self.engine.central.clock
        return {
            **self.engine.server_state,
            "clock_offset_s": clock.clock_offset_s(),  # kiosk minus server
            "clock_warning": clock.needs_warning(),
            "clock_warn_after_s": round(WARN_OFFSET_S),
            "auth_refused": self.engine.health.server_auth,
        }

    def _refresh_status(self) -> None:
        engine, cfg = self.engine, self.engine.config
        backlog = engine.outbox.backlog()
        counts = engine.cashbox_counts()
        notes = sum(counts.values())
        limits = cfg.limits
        self.view["status"] = {
            "version": __version__,
            "uptime_s": round(time.monotonic() - engine.started_at),
            "kiosk_id": cfg.kiosk.id,
            "central_url": cfg.central.url,
            "acceptor": dict(engine.acceptor_state),
            "printer": dict(engine.printer_state),
            "server": self._server_status(),
            "outbox": {
                "pending": backlog.count,
                "pending_fen": backlog.total_fen,
                "oldest_at": backlog.oldest_at,
                "last_error": engine.outbox.last_error,
                "needs_attention": self._needs_attention_count(),
                "parked": (
                    engine.outbox.auth_block.as_json() if engine.outbox.auth_block else None
                ),
            },
            "offline_limits": {
                "count": [backlog.count, limits.offline_max_count],
                "total_fen": [backlog.total_fen, limits.offline_max_total_fen],
                "age_s": [round(backlog.oldest_age_s), limits.offline_max_age_s],
            },
            "cashbox": {
                "notes": {str(k): v for k, v in sorted(counts.items())},
                "total_fen": sum(k * v for k, v in counts.items()),
                "fill": [notes, cfg.cash.cashbox_capacity_notes],
                "near_full": notes >= cfg.cash.cashbox_near_full_notes,
            },
            "methods": {k: v.as_json() for k, v in engine.methods().items()},
            "disabled_methods": sorted(engine.disabled_methods),
            "data_disk": {
                **engine.disk.as_json(),
                "floor_mb": cfg.kiosk.data_min_free_mb,
                "low": engine.health.disk_low,
                "journal_fault": engine.health.journal_fault,
            },
        }
        self._audit("status", "ok")

    def _needs_attention_count(self) -> int:
        table = projection.outbox
        return int(
            self.engine.journal.read(
                lambda c: (
                    c.execute(
                        select(table.c.item_id).where(
                            table.c.state == OutboxState.NEEDS_ATTENTION.value
                        )
                    )
                    .all()
                    .__len__()
                )
            )
        )

    # -- tests
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
        engine = self.engine
        engine.test_mode = on
        engine.test_notes.clear()
        if engine.acceptor is not None:
            if on:
                engine.enable_acceptor(frozenset(engine.acceptor_bill_values()))
            else:
                engine.disable_acceptor()
        self._audit("acceptor_test", "on" if on else "off")

    def _set_method(self, method: str, enabled: bool) -> None:
        self.engine.set_method_enabled(method, enabled)
        self._audit("set_method", "enabled" if enabled else "disabled", method=method)
        self._refresh_status()

    # -- collection
    def _collection_preview(self) -> None:
        engine = self.engine
        counts = engine.cashbox_counts()
        denominations = sorted(set(engine.config.cash.denominations_fen) | set(counts))
        self.view["collection"] = {
            "since": self._last_collection_at(),
            "rows": [
                {"denomination_fen": d, "journal_count": counts.get(d, 0), "device_count": None}
                for d in denominations
            ],
            "journal_total_fen": sum(d * n for d, n in counts.items()),
        }
        self._audit("collection_preview", "ok")

    def _collection_commit(self, physical: Mapping[str, int]) -> None:
        assert self.user is not None
        engine, cfg = self.engine, self.engine.config
        counts = engine.cashbox_counts()
        typed = {int(k): int(v) for k, v in physical.items()}
        if any(v < 0 for v in typed.values()):
            raise ValueError("a physical count cannot be negative")
        denominations = sorted(set(cfg.cash.denominations_fen) | set(counts) | set(typed))
        rows = [
            DenominationCount(d, counts.get(d, 0), None, typed.get(d, 0)) for d in denominations
        ]
        now = self.engine.central.clock.now_utc().astimezone()
        since = datetime.fromisoformat(self._last_collection_at() or now.isoformat())
        collection_id = f"{cfg.kiosk.id}-C{self._next_collection_no():05d}"
        slip = CollectionSlip(
            cfg.kiosk.id,
            cfg.kiosk.location,
            since,
            now,
            self.user.name,
            tuple(rows),
            collection_id=collection_id,
            language=engine.language,
        )
        collection = Collection(
            collection_id=collection_id,
            counts={str(r.denomination_fen): r.physical_count for r in rows},
            journal_total_fen=slip.journal_total_fen,
            device_total_fen=slip.device_total_fen,
            physical_total_fen=slip.physical_total_fen,
            technician=self.user.technician_id,
            at=now.isoformat(timespec="seconds"),
            difference_fen=slip.physical_total_fen - slip.journal_total_fen,
            journal_counts={str(r.denomination_fen): r.journal_count for r in rows},
        )
        engine.journal.append_many(
            lambda _c: [
                collection.entry(None),
                Queued(collection_id, "collections", collection.body).entry(None),
            ],
            actor=self.user.technician_id,
        )
        engine.outbox.wake()
        text = render_text(slip, columns=cfg.chars_per_line)
        engine.print_document(
            text,
            render_escpos(
                slip,
                columns=cfg.chars_per_line,
                encoding=cfg.printer.encoding,
                has_cutter=cfg.printer.has_cutter,
            ),
        )
        self.view["collection"] = {
            "done": collection_id,
            "difference_fen": collection.difference_fen,
            "slip_text": text,
        }
        if collection.difference_fen:
            log.warning(
                "collection %s: physical count differs from the journal by %d fen",
                collection_id,
                collection.difference_fen,
            )

    def _next_collection_no(self) -> int:
        return len(self.engine.journal.events(kinds=(Kind.COLLECTION.value,))) + 1

    def _last_collection_at(self) -> str | None:
        events = self.engine.journal.events(kinds=(Kind.COLLECTION.value,))
        if events:
            return events[-1].at
        first = self.engine.journal.events(since_seq=0)[:1]
        return first[0].at if first else None

    # -- suspects and needs-attention
    def _suspects(self) -> None:
        s, o = projection.suspects, projection.outbox
        rows = self.engine.journal.read(
            lambda c: c.execute(select(s).order_by(s.c.created_at)).all()
        )
        parked = self.engine.journal.read(
            lambda c: c.execute(
                select(o).where(o.c.state == OutboxState.NEEDS_ATTENTION.value)
            ).all()
        )
        self.view["suspects"] = {
            "suspects": [
                {
                    "suspect_id": r.suspect_id,
                    "txn_id": r.txn_id,
                    "account_no": r.account_no,
                    "denomination_fen": r.denomination_fen,
                    "reason": r.reason,
                    "created_at": r.created_at,
                    "state": r.state,
                    "resolved_by": r.resolved_by,
                }
                for r in rows
            ],
            "needs_attention": [
                {
                    "item_id": r.item_id,
                    "endpoint": r.endpoint,
                    "amount_fen": r.amount_fen,
                    "detail": json.loads(r.detail or "{}"),
                }
                for r in parked
            ],
        }
        self._audit("suspects", "listed")

    def _resolve_suspect(self, suspect_id: str, outcome: str, reason: str) -> None:
        assert self.user is not None
        if outcome not in RESOLUTIONS:
            raise ValueError(f"outcome must be one of {sorted(RESOLUTIONS)}")
        if len(reason.strip()) < 5:
            raise ValueError("a reason is required (at least a few words)")
        s = projection.suspects
        row = self.engine.journal.read(
            lambda c: c.execute(select(s).where(s.c.suspect_id == suspect_id)).first()
        )
        if row is None or row.state != "open":
            raise ValueError(f"{suspect_id} is not an open suspect")
        now = self.engine.central.clock.now_utc().astimezone().isoformat(timespec="seconds")
        if outcome == "credited" and not row.account_no:
            raise ValueError(
                "this note belongs to no account: record it as not received and hand it in"
            )
        # The suspect has a txn id of its own, so crediting it never touches (or is swallowed
        # by) the payment's certain cash, posted under the payment's id.
        body = {
            "txn_id": suspect_id,
            "account_no": row.account_no,
            "amount_fen": row.denomination_fen,
            "cash": {str(row.denomination_fen): 1},
            "outcome": outcome,
            "reason": reason.strip(),
            "technician": self.user.technician_id,
            "at": now,
        }
        resolved = Resolved(suspect_id, outcome, reason.strip(), row.denomination_fen).entry(
            row.txn_id
        )
        queued = Queued(suspect_id, "resolutions", body, amount_fen=body["amount_fen"]).entry(
            row.txn_id
        )
        # A note that belongs to no account has nothing to tell the server: audited only.
        events = [resolved, queued] if row.account_no else [resolved]
        self.engine.journal.append_many(lambda _c: events, actor=self.user.technician_id)
        self.engine.outbox.wake()
        self._suspects()

    def _retry_item(self, item_id: str, reason: str) -> None:
        """Re-queue a parked item (after the server side was fixed), audited."""
        assert self.user is not None
        o = projection.outbox
        row = self.engine.journal.read(
            lambda c: c.execute(select(o).where(o.c.item_id == item_id)).first()
        )
        if row is None or row.state != OutboxState.NEEDS_ATTENTION.value:
            raise ValueError(f"{item_id} is not waiting for attention")
        self.engine.journal.append_many(
            lambda _c: [
                Audit("requeue", "ok", {"item_id": item_id, "reason": reason}).entry(row.txn_id),
                Queued(
                    item_id, row.endpoint, json.loads(row.body), row.amount_fen, requeue=True
                ).entry(row.txn_id),
            ],
            actor=self.user.technician_id,
        )
        self.engine.outbox.wake()
        self._suspects()

    # -- journal
    def _journal_search(self, query: str = "", day: str | None = None) -> None:
        t = projection.transactions
        stmt = select(t).order_by(t.c.opened_seq.desc()).limit(50)
        query = query.strip()
        if query:
            stmt = stmt.where(or_(t.c.txn_id.contains(query), t.c.account_no == query))
        if day:
            start = date.fromisoformat(day)
            stmt = stmt.where(
                t.c.created_at >= start.isoformat(),
                t.c.created_at < (start + timedelta(days=1)).isoformat(),
            )
        rows = self.engine.journal.read(lambda c: c.execute(stmt).all())
        self.view["journal"] = {
            "query": query,
            "day": day,
            "results": [
                {
                    "txn_id": r.txn_id,
                    "account_no": r.account_no,
                    "method": r.method,
                    "state": r.state,
                    "cash_fen": r.cash_fen,
                    "amount_fen": _amount_fen(r),
                    "outbox": r.outbox,
                    "receipt": r.receipt,
                    "created_at": r.created_at,
                }
                for r in rows
            ],
        }
        self._audit("journal_search", "ok", query=query, day=day)

    def _journal_show(self, txn_id: str) -> None:
        events = self.engine.journal.events(txn_id=txn_id)
        if not events:
            raise ValueError(f"no transaction {txn_id}")
        self.view["transaction"] = {"txn_id": txn_id, "events": [e.as_json() for e in events]}
        self._audit("journal_show", "ok", txn_id=txn_id)

    def _reprint(self, txn_id: str) -> None:
        row = self.engine.txn_row(txn_id)
        receipt = receipt_for(self.engine.config, row, language=self.engine.language, copy=True)
        document = printable(self.engine.config, receipt)
        self.engine.print_document(document.text, document.escpos)
        self._audit("reprint", "sent", txn_id=txn_id)

    # -- outbox and power
    def _outbox_retry(self) -> None:
        self.engine.outbox.retry_now()  # also ends a park for refused credentials
        self._audit("outbox_retry", "ok")

    # -- pairing
    def _pair(self, code: str) -> None:
        """Fetch this kiosk's secret with a one-time code, in the background; the outcome is
        ``view["pair"]`` (state, and what to do). Audited; never the code or the secret."""
        assert self.user is not None
        cfg = self.engine.config
        if (self.view.get("pair") or {}).get("state") == "busy":
            return  # one attempt at a time: a second tap must not spend a second code
        if cfg.secret_source is not None and cfg.secret_source.outranks_pairing:
            # The next start would read that again, not the file pairing writes: the code is
            # not spent on a pairing that would be undone by the next restart.
            self._audit(Action.PAIR, "refused_overridden", source=str(cfg.secret_source))
            self.view["pair"] = {"state": "overridden", "source": str(cfg.secret_source)}
            return
        try:
            normal = pairing.normalise_code(code)
        except pairing.MalformedCode as exc:
            self._audit(Action.PAIR, "refused_malformed")
            self.view["pair"] = {"state": "malformed", "detail": str(exc)}
            return
        self._audit(Action.PAIR, "started", kiosk_id=cfg.kiosk.id, url=cfg.central.url)
        self.view["pair"] = {"state": "busy"}
        actor = self.user.technician_id
        self.engine.run_background(
            lambda: pairing.pair(cfg.central.url, cfg.kiosk.id, normal, cfg.central.secret_file),
            lambda done: self._paired(done, actor),
        )

    def _paired(self, done: Done[Any], actor: str) -> None:
        error = done.error
        if error is None:
            state = "paired"
        elif isinstance(error, pairing.CodeRefused):
            state = "refused"
        elif isinstance(error, pairing.ServerUnreachable):
            state = "unreachable"
        elif isinstance(error, pairing.SecretNotWritable):
            state = "not_writable"
        else:
            state = "failed"
        detail = {} if error is None else {"detail": str(error)}
        audit = Audit(str(Action.PAIR), state, detail)
        self.engine.journal.append_many(lambda _c: [audit.entry(None)], actor=actor)
        if error is None:
            log.warning("paired with the central server: the new secret is in use")
            self.engine.remote.use_secret(done.get(), "paired on the maintenance screen")
        else:
            log.warning("pairing failed: %s", error)
        # The outcome is shown to whoever started it, if still there (else it is audited only).
        if self.user is not None and self.user.technician_id == actor:
            self.view["pair"] = {
                "state": state,
                **detail,
                "kiosk_id": self.engine.config.kiosk.id,
                "url": self.engine.config.central.url,
                "secret_file": str(self.engine.config.central.secret_file),
            }

    def _restart_app(self) -> None:
        self._power(Power.RESTART_APP)

    def _reboot(self) -> None:
        self._power(Power.REBOOT)

    def _shutdown(self) -> None:
        self._power(Power.SHUTDOWN)

    def _power(self, power: Power) -> None:
        verb = power.systemctl_verb
        if verb is None:  # restarting the application needs no rights: it exits, systemd starts it
            self._audit(power, "requested")
            self.restart_requested()
            return
        if not self.engine.config.maintenance.allow_power_actions:
            self._audit(power, "refused_by_config")
            self.message = {"code": "power_actions_disabled"}
            return
        self._audit(power, "requested")
        self.engine.run_background(
            lambda: subprocess.run(  # noqa: S603 - fixed argv, verb from the closed Power set
                ["systemctl", verb],  # noqa: S607 - systemctl from PATH, as systemd sets it
                check=True,
                timeout=30,
            ),
            lambda done: self._audit(power, "ok" if done.ok else f"failed: {done.error}"),
        )

    def _audit(self, action: str, result: str, **detail: Any) -> None:
        actor = self.user.technician_id if self.user else None
        audit = Audit(str(action), result, detail)
        self.engine.journal.append_many(lambda _c: [audit.entry(None)], actor=actor)


# What runs each action of the table once it is checked. Open, login and close are run by
# ``Maintenance.handle`` itself (they come before a login).
_HANDLERS: Mapping[Action, Callable[..., None]] = {
    Action.LOGOUT: Maintenance._logout,
    Action.STATUS: Maintenance._status,
    Action.PRINT_TEST_PAGE: Maintenance._print_test_page,
    Action.ACCEPTOR_TEST: Maintenance._acceptor_test,
    Action.SET_METHOD: Maintenance._set_method,
    Action.COLLECTION_PREVIEW: Maintenance._collection_preview,
    Action.COLLECTION_COMMIT: Maintenance._collection_commit,
    Action.SUSPECTS: Maintenance._suspects,
    Action.RESOLVE_SUSPECT: Maintenance._resolve_suspect,
    Action.RETRY_ITEM: Maintenance._retry_item,
    Action.JOURNAL_SEARCH: Maintenance._journal_search,
    Action.JOURNAL_SHOW: Maintenance._journal_show,
    Action.REPRINT: Maintenance._reprint,
    Action.OUTBOX_RETRY: Maintenance._outbox_retry,
    Action.PAIR: Maintenance._pair,
    Action.RESTART_APP: Maintenance._restart_app,
    Action.REBOOT: Maintenance._reboot,
    Action.SHUTDOWN: Maintenance._shutdown,
}


def _amount_fen(row: Any) -> int:
    """What the payment was worth: cash taken, the posted amount, else the amount chosen."""
    if row.method == "cash":
        return int(row.cash_fen)
    if row.answer:
        answer = json.loads(row.answer)
        if isinstance(answer, dict):
            allocated = sum(
                int(a.get("principal_fen", 0)) + int(a.get("late_fee_fen", 0))
                for a in answer.get("allocations") or []
            )
            return allocated + int(answer.get("credited_to_balance_fen") or 0)
    return int(row.target_fen or 0)
