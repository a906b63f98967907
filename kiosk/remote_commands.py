"""Commands from the utility's operators, delivered in heartbeat answers (central/README.md,
"Remote commands"): lock, unlock, restart, retry_outbox, enable_method, disable_method,
upload_logs.

The server repeats a command in every answer until its result arrives, so the kiosk's duty is
to act on each id at most once and to report the result until it is recorded. The kiosk:
- acts only between customers (home or out of service); a command that arrives during a
  payment is left alone and acted on when it comes again after the payment;
- journals the command with its result and queues the result report in the same commit
  (outbox item ``cmd:<id>``), so an id already in the outbox is never acted on again, and the
  report is posted like every other item, with retries, until the server has it.

This module parses and checks commands and reads the logs; the engine carries them out.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = frozenset(
    {"lock", "unlock", "restart", "retry_outbox", "enable_method", "disable_method", "upload_logs"}
)
METHODS = frozenset({"cash", "qr", "card"})
ITEM_PREFIX = "cmd:"  # outbox item id of a command's result report
MAX_LOG_BYTES = 512 * 1024
LOG_TIMEOUT_S = 20.0


class CommandRefused(ValueError):
    """The command cannot be carried out as given; the reason goes back to the operator."""


@dataclass(frozen=True)
class RemoteCommand:
    id: str
    kind: str
    args: Mapping[str, Any] = field(default_factory=dict)

    @property
    def item_id(self) -> str:
        return ITEM_PREFIX + self.id


@dataclass(frozen=True)
class CommandResult:
    status: str  # done | refused | failed
    detail: str
    attachment: str | None = None

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {"status": self.status, "detail": self.detail[:2000]}
        if self.attachment is not None:
            body["attachment"] = self.attachment
        return body


def parse(raw: Mapping[str, object]) -> RemoteCommand | CommandResult:
    """A command as the heartbeat answer gives it, or the refusal to send back for it."""
    command_id, kind, args = raw.get("id"), raw.get("kind"), raw.get("args") or {}
    if not isinstance(command_id, str) or not command_id:
        raise CommandRefused(f"a command without an id: {raw!r}")
    if not isinstance(args, Mapping):
        return CommandResult("refused", f"args must be an object, got {args!r}")
    if kind not in KINDS:
        return CommandResult("refused", f"this kiosk does not know the command {kind!r}")
    assert isinstance(kind, str)
    if kind in ("enable_method", "disable_method") and args.get("method") not in METHODS:
        return CommandResult("refused", f"method must be one of {sorted(METHODS)}")
    if kind == "lock":
        message = args.get("message")
        if not isinstance(message, str) or not 1 <= len(message.strip()) <= 200:
            return CommandResult("refused", "lock needs a message of 1 to 200 characters")
    if kind == "upload_logs":
        hours = args.get("hours", 24)
        if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 168:
            return CommandResult("refused", "hours must be a whole number from 1 to 168")
    return RemoteCommand(command_id, kind, dict(args))


def read_logs(hours: int, unit: str = "kiosk.service") -> CommandResult:
    """The kiosk's log of the last hours from journald (where systemd sends it)."""
    journalctl = shutil.which("journalctl")
    if journalctl is None:
        return CommandResult("failed", "journalctl is not installed: no system log to send")
    try:
        done = subprocess.run(  # noqa: S603 - fixed program, arguments built here
            [journalctl, "-u", unit, "--since", f"-{hours}h", "-o", "short-iso", "--no-pager"],
            capture_output=True,
            timeout=LOG_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return CommandResult("failed", f"journalctl failed: {exc}")
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip()[:300]
        return CommandResult("failed", f"journalctl exited {done.returncode}: {reason}")
    text = done.stdout.decode("utf-8", "replace")
    cut = len(text.encode("utf-8")) > MAX_LOG_BYTES
    if cut:
        text = text.encode("utf-8")[-MAX_LOG_BYTES:].decode("utf-8", "ignore")
    lines = text.count("\n")
    detail = f"{lines} log lines from the last {hours} h" + (" (the newest 512 KB)" if cut else "")
    return CommandResult("done", detail, attachment=text)
