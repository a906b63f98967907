"""The control socket of an emulator: one text command per line in, one JSON line out.

``CommandTable`` maps command names to functions with typed arguments; ``ControlServer``
serves it on a Unix socket (a thread per client, all joined on ``stop()``);
``send_command`` is the client used by ``kiosk emulate ctl`` and by tests in other processes.

Answers are JSON objects: ``{"ok": true, ...}`` with what the command returned, or
``{"ok": false, "error": "..."}`` naming what was wrong.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers.emulators.errors import CommandError

log = logging.getLogger("drivers.emulators.control")

Answer = Mapping[str, Any]
MAX_LINE = 4096
_POLL_S = 0.1  # how often blocked socket calls look at the stop flag


@dataclass(frozen=True)
class _Command:
    function: Callable[..., Answer | None]
    arguments: tuple[tuple[str, Callable[[str], Any]], ...]
    optional: int
    help: str


class CommandTable:
    """Named commands with typed positional arguments; ``run("insert 1000")`` calls one."""

    def __init__(self) -> None:
        self._commands: dict[str, _Command] = {}
        self.add("help", self._help, help="list the commands")

    def add(
        self,
        name: str,
        function: Callable[..., Answer | None],
        *arguments: tuple[str, Callable[[str], Any]],
        optional: int = 0,
        help: str = "",
    ) -> None:
        """Register ``name``; arguments are (name, parser), the last ``optional`` omissible."""
        self._commands[name] = _Command(function, tuple(arguments), optional, help)

    def run(self, line: str) -> dict[str, Any]:
        """Run one command line; raise CommandError naming what is wrong with it."""
        words = line.split()
        if not words:
            raise CommandError("empty command; try 'help'")
        name, given = words[0], words[1:]
        command = self._commands.get(name) or self._commands.get(name.replace("_", "-"))
        if command is None:
            raise CommandError(f"unknown command {name!r}; try 'help'")
        required = len(command.arguments) - command.optional
        if not required <= len(given) <= len(command.arguments):
            raise CommandError(f"usage: {self._usage(name, command)}")
        values = []
        for (argument, parse), text in zip(command.arguments, given, strict=False):
            try:
                values.append(parse(text))
            except (ValueError, TypeError) as exc:
                raise CommandError(f"{name}: bad {argument} {text!r}: {exc}") from exc
        answer = command.function(*values)
        return {"ok": True, **(answer or {})}

    @staticmethod
    def _usage(name: str, command: _Command) -> str:
        names = [a for a, _ in command.arguments]
        required = len(names) - command.optional
        return " ".join([name, *names[:required], *(f"[{a}]" for a in names[required:])])

    def _help(self) -> Answer:
        return {
            "commands": {
                name: {"usage": self._usage(name, c), "help": c.help}
                for name, c in sorted(self._commands.items())
            }
        }


def parse_bool(text: str) -> bool:
    """A control-command boolean: 1/0, true/false, yes/no, on/off."""
    lowered = text.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


class ControlServer:
    """Serves a CommandTable on a Unix socket (in a private temporary directory by default)."""

    def __init__(self, commands: CommandTable, path: Path | None = None) -> None:
        self._commands = commands
        self._own_dir: Path | None = None
        self._path = path
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._threads_lock = threading.Lock()

    @property
    def path(self) -> Path:
        if self._path is None:
            raise RuntimeError("the control socket has no path before start()")
        return self._path

    def start(self) -> Path:
        if self._path is None:
            # short on purpose: a Unix socket path is limited to 107 bytes
            self._own_dir = Path(tempfile.mkdtemp(prefix="kiosk-emu-"))
            self._path = self._own_dir / "control.sock"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with contextlib.suppress(FileNotFoundError):
            self._path.unlink()
        listener.bind(str(self._path))
        listener.listen(8)
        listener.settimeout(_POLL_S)
        self._listener = listener
        self._spawn(self._accept_loop, "control-accept")
        return self._path

    def stop(self) -> None:
        self._stopping.set()
        with self._threads_lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout=5)
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._path is not None:
            with contextlib.suppress(FileNotFoundError):
                self._path.unlink()
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)

    def _spawn(self, target: Callable[..., None], name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._threads_lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._spawn(self._serve_client, "control-client", client)

    def _serve_client(self, client: socket.socket) -> None:
        client.settimeout(_POLL_S)
        pending = b""
        with client:
            while not self._stopping.is_set():
                try:
                    chunk = client.recv(MAX_LINE)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    if not self._answer(client, line):
                        return
                if len(pending) > MAX_LINE:
                    self._answer(client, b"", error=f"line longer than {MAX_LINE} bytes")
                    return

    def _answer(self, client: socket.socket, line: bytes, error: str | None = None) -> bool:
        answer: dict[str, Any]
        if error is not None:
            answer = {"ok": False, "error": error}
        else:
            try:
                answer = self._commands.run(line.decode("utf-8", errors="replace"))
            except CommandError as exc:
                answer = {"ok": False, "error": str(exc)}
            except Exception as exc:  # a client must get an answer; the server lives on
                log.exception("control command %r failed", line)
                answer = {"ok": False, "error": f"internal error: {exc}"}
        client.settimeout(5.0)
        try:
            client.sendall(json.dumps(answer, ensure_ascii=False).encode() + b"\n")
        except OSError:
            return False
        finally:
            client.settimeout(_POLL_S)
        return True


def send_command(path: Path | str, line: str, timeout_s: float = 5.0) -> dict[str, Any]:
    """Send one command line to a control socket and return its JSON answer.

    Raises OSError when the socket cannot be reached or does not answer in ``timeout_s``.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(timeout_s)
        client.connect(str(path))
        client.sendall(line.strip().encode() + b"\n")
        received = b""
        while not received.endswith(b"\n"):
            chunk = client.recv(65536)
            if not chunk:
                raise ConnectionError(f"{path}: closed without a complete answer")
            received += chunk
    answer: dict[str, Any] = json.loads(received)
    return answer


def send_commands(path: Path | str, lines: Sequence[str], timeout_s: float = 5.0) -> list[Any]:
    """Send several command lines; return their answers in order."""
    return [send_command(path, line, timeout_s) for line in lines]
