"""The central server's side: operator commands from the heartbeat, this kiosk's secret and
whether the server accepts it, and the outbox's results.

A new secret (a pairing) takes effect at once, without a restart: the maintenance screen's
pairing hands it over (``use_secret``), and one written by `kiosk pair` from a shell is seen
by the next health round (``check_secret_file``, a stat every 10 s). Either way the central
client signs with it from the next request, a park of the outbox for refused credentials ends
and a heartbeat goes out at once, so the server's answer decides the service state.

A command is acted on once, between customers; its result and the report to the server are
journaled in one commit (kiosk/remote_commands.py). Runs on the engine thread.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from typing import TYPE_CHECKING, Any

from kiosk import projection, remote_commands
from kiosk.background import Done
from kiosk.central_client import CentralUnauthorized
from kiosk.config_error import ConfigError
from kiosk.events import Audit, Queued
from kiosk.outbox import OutboxResult
from kiosk.secret_source import MIN_SECRET_CHARS, SecretSource, read_secret_file
from kiosk.session import State, Trigger
from kiosk.settings import save_lock_message

if TYPE_CHECKING:
    from kiosk.engine.core import Engine

log = logging.getLogger("kiosk.engine")


class RemoteCommands:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._in_flight: set[str] = set()  # command ids whose result is not recorded yet
        self._secret_file_seen = _file_state(engine.config.central.secret_file)

    def on_commands(self, commands: tuple[dict[str, object], ...]) -> None:
        """Act on each operator command once, between customers (kiosk/remote_commands.py)."""
        if not commands or self.engine.machine.state not in (State.HOME, State.OUT_OF_SERVICE):
            return  # during a payment: the server sends it again with the next heartbeat
        known = self._reported()
        for raw in commands:
            try:
                parsed = remote_commands.parse(raw)
            except remote_commands.CommandRefused as exc:
                log.error("remote command ignored: %s", exc)
                continue
            command_id = str(raw["id"])
            item = remote_commands.ITEM_PREFIX + command_id
            if item in known or command_id in self._in_flight:
                continue  # acted on already; its report is in the outbox
            if isinstance(parsed, remote_commands.CommandResult):
                command = remote_commands.RemoteCommand(command_id, str(raw.get("kind")), {})
                self._record(command, parsed)
                continue
            self._carry_out(parsed)

    def _carry_out(self, command: remote_commands.RemoteCommand) -> None:
        engine = self.engine
        result = remote_commands.CommandResult
        kind, args = command.kind, command.args
        if kind == "lock":
            message = str(args["message"]).strip()
            save_lock_message(engine.journal, message)
            engine.checks.set_health(locked=message)
            self._record(command, result("done", "out of service with the message"))
        elif kind == "unlock":
            was = engine.health.locked
            save_lock_message(engine.journal, None)
            engine.checks.set_health(locked=None)
            self._record(command, result("done", "unlocked" if was else "was not locked"))
        elif kind == "retry_outbox":
            engine.outbox.retry_now()
            self._record(command, result("done", "the outbox is posting now"))
        elif kind in ("enable_method", "disable_method"):
            method = str(args["method"])
            engine.checks.set_method_enabled(method, kind == "enable_method")
            self._record(command, result("done", f"{method} {kind.split('_')[0]}d"))
        elif kind == "restart":
            # Recorded first: a restart must not bring the same command back to itself.
            self._record(command, result("done", "restarting the kiosk application"))
            engine.maintenance.restart_requested()
        elif kind == "upload_logs":
            self._in_flight.add(command.id)
            hours = int(args.get("hours", 24))

            def uploaded(done: Done[Any]) -> None:
                self._in_flight.discard(command.id)
                outcome = done.value
                if not isinstance(outcome, remote_commands.CommandResult):
                    outcome = result("failed", str(done.error))
                self._record(command, outcome)

            engine.run_background(lambda: remote_commands.read_logs(hours), uploaded)

    def _record(
        self, command: remote_commands.RemoteCommand, result: remote_commands.CommandResult
    ) -> None:
        """The command and its result in the chain, and the report queued, in one commit."""
        audit = Audit(
            "remote_command",
            result.status,
            {
                "command_id": command.id,
                "kind": command.kind,
                "args": dict(command.args),
                "detail": result.detail,
            },
        )
        queued = Queued(
            command.item_id, "command_results", {"command_id": command.id, **result.body()}
        )
        self.engine.journal.append_many(
            lambda _c: [audit.entry(None), queued.entry(None)],
            actor="central",
        )
        log.info("remote command %s %s: %s", command.id, command.kind, result.status)
        self.engine.outbox.wake()

    def _reported(self) -> set[str]:
        table = projection.outbox
        prefix = remote_commands.ITEM_PREFIX
        rows = self.engine.journal.read(
            lambda c: c.execute(
                table.select()
                .with_only_columns(table.c.item_id)
                .where(table.c.item_id.startswith(prefix))
            ).all()
        )
        return {row.item_id for row in rows}

    # ------------------------------------------------------------ the secret
    def use_secret(self, secret: str, why: str) -> None:
        """Sign with ``secret`` from now on (a pairing); the server's next answer says whether
        it takes it. ``why`` goes to the log, never the secret."""
        engine = self.engine
        config = engine.config
        engine.central.use_secret(secret)
        engine.config = dataclasses.replace(
            config,
            central=dataclasses.replace(config.central, secret=secret),
            secret_source=SecretSource.FILE,
        )
        self._secret_file_seen = _file_state(config.central.secret_file)
        log.warning("signing with a new secret from %s (%s)", config.central.secret_file, why)
        engine.outbox.retry_now()  # a park for refused credentials: try again with this one
        engine.checks.set_health(unpaired=False)
        engine.checks.send_heartbeat()

    def check_secret_file(self) -> None:
        """A secret file written since last seen (`kiosk pair` from a shell) is used at once,
        unless the secret comes from KIOSK_SECRET or the credential, which outrank the file."""
        engine = self.engine
        config = engine.config
        source = config.secret_source
        if source is not None and source.outranks_pairing:
            return
        path = config.central.secret_file
        state = _file_state(path)
        if state == self._secret_file_seen:
            return
        self._secret_file_seen = state
        try:
            secret = read_secret_file(path, config.source)
        except ConfigError as exc:
            log.error("the secret file changed but cannot be used: %s", exc)
            return
        if not secret or secret == config.central.secret:
            return  # removed (the kiosk keeps signing as it was until restarted), or the same
        if len(secret) < MIN_SECRET_CHARS:
            log.error(
                "%s holds %d characters, not a kiosk secret (at least %d): ignored; pair again",
                path,
                len(secret),
                MIN_SECRET_CHARS,
            )
            return
        self.use_secret(secret, "the file changed: kiosk pair")

    # ------------------------------------------------------------ credentials
    def credentials_refused(self, error: BaseException | None) -> None:
        """A 401 that is not the clock's (that one the client fixes): nothing can be posted."""
        if isinstance(error, CentralUnauthorized) and error.credentials_refused:
            server_state = self.engine.server_state
            server_state["auth_refused"] = error.reason or error.code
            server_state["last_error"] = str(error)
            self.engine.checks.set_health(server_auth=error.reason or error.code)

    def credentials_accepted(self) -> None:
        engine = self.engine
        engine.outbox.credentials_accepted()
        if engine.health.server_auth is not None:
            engine.server_state["auth_refused"] = None
            engine.checks.set_health(server_auth=None)

    # ------------------------------------------------------------ the outbox
    def on_outbox(self, result: OutboxResult) -> None:
        engine = self.engine
        checks = engine.checks
        checks.refresh_service_state()  # the backlog changed: offline limits, snapshot
        if result.reachable:
            checks.server_ok()
        else:
            checks.server_down(None)
        if result.auth_refused is not None:
            engine.server_state["auth_refused"] = result.auth_refused
            checks.set_health(server_auth=result.auth_refused)
        elif result.answer is not None and engine.health.server_auth is not None:
            self.credentials_accepted()
        if (
            result.answer is not None
            and result.txn_id == engine.session.txn_id
            and engine.machine.state is State.PROCESSING
            and engine.session.result is None
        ):
            engine.cancel_timer("post_wait")
            engine.fire(Trigger.SETTLED)
            engine.settle("posted")


def _file_state(path: os.PathLike[str]) -> tuple[int, int, int] | None:
    """What tells a rewritten file from the one seen before (an atomic write is a new inode)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)
