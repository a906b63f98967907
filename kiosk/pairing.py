"""Pairing: a one-time code from the central server gives this kiosk its secret.

The operator prints the code with `kiosk-central pair-code KIOSK_ID` (valid 15 minutes, one
use). The kiosk sends it unsigned to `POST /v1/pair` and receives its secret once; the secret is
written where systemd's credential reads it (`/etc/kiosk/secret` by default, mode 0600, replaced
atomically) and is never printed, logged or audited. The kiosk signs with it once restarted.

Both ways in use this module: `kiosk pair URL KIOSK_ID CODE` (kiosk/cli/pair.py) and the
maintenance screen's `pair` action (kiosk/maintenance.py, in the background).

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

DEFAULT_SECRET_FILE = Path("/etc/kiosk/secret")
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


def pair(url: str, kiosk_id: str, code: str, secret_file: Path) -> None:
    """Fetch the secret with ``code`` and store it in ``secret_file``.

    The code goes to the server as given (it ignores case, spaces and dashes); the maintenance
    screen checks its shape with ``normalise_code`` first. The place for the secret is made
    before the code is sent: a code is spent by the server's answer, so a secret that then
    could not be written would be lost with it."""
    with SecretWriter(secret_file) as writer:
        writer.commit(fetch_secret(url, kiosk_id, code))


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
    if not isinstance(secret, str) or len(secret) < 16 or data.get("kiosk_id") != kiosk_id:
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
                f"cannot write {self.path}: {exc.strerror or exc}; run `kiosk pair` as root "
                "or pass --secret-file (central.secret_file for the maintenance screen)"
            ) from exc
        self._tmp = Path(name)
        return self

    def commit(self, secret: str) -> None:
        assert self._tmp is not None
        with os.fdopen(self._fd, "w", encoding="utf-8") as out:
            self._fd = -1
            out.write(secret + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(self._tmp, self.path)
        self._tmp = None

    def __exit__(self, *_exc: object) -> None:
        if self._fd >= 0:
            os.close(self._fd)
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
