"""Pairing: a one-time code from the central server gives this kiosk its secret.

The operator prints the code with `kiosk-central pair-code KIOSK_ID` (valid 15 minutes, one
use). The kiosk sends it unsigned to `POST /v1/pair` and receives its secret once; the secret is
written where the kiosk reads it at start (``central.secret_file``, by default
``<kiosk.data_dir>/secret``: ``/var/lib/kiosk/secret`` under kiosk.service, which the kiosk user
may write) and is never printed, logged or audited. The write is atomic: a 0600 temporary file
in the same directory, fsynced, renamed over the old one, and the directory fsynced, so a power
cut leaves the old secret or the new one, never half of one. Written by root (``kiosk pair``
from a shell), the file is handed to the directory's owner, the kiosk user.

A running kiosk signs with the new secret at once: the maintenance screen swaps it into the
central client, and a secret written by ``kiosk pair`` meanwhile is picked up by the kiosk's
next health round (kiosk/engine/remote.py). No restart is needed.

Both ways in use this module: `kiosk pair URL CODE` (kiosk/cli/pair.py) and the maintenance
screen's `pair` action (kiosk/maintenance/pair_action.py, in the background).

Exception tree (part of ``kiosk.KioskError``)::

    PairingFailed            the kiosk is not paired; the message says why and what to do
    ├── MalformedCode        not the shape of a code: never sent to the server
    ├── CodeRefused          the server refused it: wrong, used or expired
    ├── ServerUnreachable    no answer (network, DNS, TLS, wrong central.url)
    └── SecretNotWritable    the secret file's place cannot be written (nothing was sent)

Anything else the server answers (a 5xx, no JSON, no secret) is a plain PairingFailed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import requests

from kiosk import KioskError
from kiosk.secret_source import MIN_SECRET_CHARS

TIMEOUT_S = (3.0, 10.0)
# As central/pairing.py issues them: 12 characters without 0/O and 1/I/L, printed in groups
# of four (H7QK-2MXP-9TRD); tests/kiosk/test_pairing.py checks the two stay the same.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


class PairingFailed(KioskError):
    """The kiosk was not paired; the message says why and what to do."""


class MalformedCode(PairingFailed):
    """Not the shape of a pairing code; nothing was sent."""


class CodeRefused(PairingFailed):
    """The server refused the code: it is wrong, used or expired (it does not say which)."""


class ServerUnreachable(PairingFailed):
    """The central server did not answer."""


class SecretNotWritable(PairingFailed):
    """The place for the secret cannot be written; the code was not sent, so not spent."""


def normalise_code(code: str) -> str:
    """The code without dashes or spaces, upper case: ``h7qk 2mxp-9trd`` -> ``H7QK2MXP9TRD``.

    Raises MalformedCode (without echoing the code) when it cannot be a pairing code."""
    normal = code.replace("-", "").replace(" ", "").upper()
    if len(normal) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in normal):
        raise MalformedCode(
            f"a pairing code is {CODE_LENGTH} letters and digits as printed by "
            "`kiosk-central pair-code` (e.g. H7QK-2MXP-9TRD; never 0, O, 1, I or L); "
            "check what was typed"
        )
    return normal


def grouped(normal: str) -> str:
    """``H7QK2MXP9TRD`` -> ``H7QK-2MXP-9TRD``, as the code is printed."""
    return "-".join(normal[i : i + 4] for i in range(0, len(normal), 4))


def pair(url: str, kiosk_id: str, code: str, secret_file: Path) -> str:
    """Fetch the secret with ``code``, store it in ``secret_file`` and return it.

    The code goes to the server as given (it ignores case, spaces and dashes); the maintenance
    screen checks its shape with ``normalise_code`` first. The place for the secret is made
    before the code is sent: a code is spent by the server's answer, so a secret that then
    could not be written would be lost with it."""
    with SecretWriter(secret_file) as writer:
        secret = fetch_secret(url, kiosk_id, code)
        writer.commit(secret)
    return secret


def fetch_secret(url: str, kiosk_id: str, code: str) -> str:
    endpoint = url.rstrip("/") + "/v1/pair"
    try:
        answer = requests.post(
            endpoint, json={"kiosk_id": kiosk_id, "code": code}, timeout=TIMEOUT_S
        )
    except requests.RequestException as exc:
        raise ServerUnreachable(
            f"cannot reach {endpoint}: {exc}; check the URL and the network"
        ) from exc
    if answer.status_code == 403:
        raise CodeRefused(
            f"the server refused the code for {kiosk_id}: it is wrong, used or expired; "
            "print a new one with `kiosk-central pair-code KIOSK_ID`"
        )
    if answer.status_code != 200:
        raise PairingFailed(f"{endpoint} answered {answer.status_code}: {answer.text[:200]}")
    try:
        data = answer.json()
    except ValueError as exc:
        raise PairingFailed(f"{endpoint} answered something that is not JSON") from exc
    secret = data.get("secret") if isinstance(data, dict) else None
    if (
        not isinstance(secret, str)
        or len(secret) < MIN_SECRET_CHARS
        or secret != secret.strip()
        or data.get("kiosk_id") != kiosk_id
    ):
        raise PairingFailed(f"{endpoint} answered without a usable secret for {kiosk_id}")
    return secret


class SecretWriter:
    """A 0600 temporary file beside ``path``, renamed over it on commit (one atomic step)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tmp: Path | None = None
        self._fd = -1

    def __enter__(self) -> SecretWriter:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd, name = tempfile.mkstemp(dir=self.path.parent, prefix=".secret-")
        except OSError as exc:
            raise SecretNotWritable(
                f"cannot write {self.path}: {exc.strerror or exc}; the kiosk user must be able "
                "to write its directory (central.secret_file, default <kiosk.data_dir>/secret); "
                "or run `kiosk pair` as root, or pass --secret-file"
            ) from exc
        self._tmp = Path(name)
        return self

    def commit(self, secret: str) -> None:
        """Write, fsync, rename over ``path``, fsync the directory: the new secret or the old."""
        assert self._tmp is not None
        try:
            with os.fdopen(self._fd, "w", encoding="utf-8") as out:
                self._fd = -1
                out.write(secret + "\n")
                out.flush()
                self._give_to_directory_owner(out.fileno())
                os.fsync(out.fileno())
            os.replace(self._tmp, self.path)
            self._tmp = None
            _fsync_directory(self.path.parent)
        except OSError as exc:
            raise PairingFailed(
                f"the server gave the secret but {self.path} could not be written "
                f"({exc.strerror or exc}); the code is spent: free the disk or fix the "
                "directory, then print a new code with `kiosk-central pair-code KIOSK_ID`"
            ) from exc

    def _give_to_directory_owner(self, fd: int) -> None:
        """Root writing into the kiosk user's directory (``kiosk pair`` from a shell): the
        file becomes the kiosk user's, which must read it. Anyone else owns what it writes."""
        if os.geteuid() != 0:
            return
        owner = self.path.parent.stat()
        os.fchown(fd, owner.st_uid, owner.st_gid)

    def __exit__(self, *_exc: object) -> None:
        if self._fd >= 0:
            os.close(self._fd)
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    """The rename itself reaches the disk, not only the file it renamed."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
