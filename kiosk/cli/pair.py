"""`kiosk pair URL KIOSK_ID CODE`: fetch this kiosk's secret with a one-time pairing code.

The operator prints the code with `kiosk-central pair-code KIOSK_ID` (valid 15 minutes, one
use). The kiosk sends it unsigned to `POST /v1/pair` and receives its secret once; the secret is
written where systemd's credential reads it (`/etc/kiosk/secret`, mode 0600, replaced
atomically) and is never printed. Restart the kiosk afterwards (`systemctl restart kiosk`).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import requests

from kiosk import KioskError

DEFAULT_SECRET_FILE = Path("/etc/kiosk/secret")
TIMEOUT_S = (3.0, 10.0)


class PairingFailed(KioskError):
    """The server would not pair this kiosk, or could not be reached."""


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "pair", help="fetch this kiosk's secret with a one-time pairing code"
    )
    parser.add_argument("url", help="the central server, e.g. https://pay.example-utility.cn")
    parser.add_argument("kiosk_id")
    parser.add_argument("code", help="from `kiosk-central pair-code KIOSK_ID` (dashes optional)")
    parser.add_argument(
        "--secret-file",
        type=Path,
        default=DEFAULT_SECRET_FILE,
        help=f"where to store the secret (default {DEFAULT_SECRET_FILE}, systemd's credential)",
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    # The place for the secret is made first: a code is spent by the server's answer, so a
    # secret that then could not be written would be lost with it.
    with SecretWriter(args.secret_file) as writer:
        writer.commit(fetch_secret(args.url, args.kiosk_id, args.code))
    print(
        json.dumps(
            {
                "paired": args.kiosk_id,
                "secret_file": str(args.secret_file),
                "next": "restart the kiosk (systemctl restart kiosk) to sign with the new secret",
            }
        )
    )
    return 0


def fetch_secret(url: str, kiosk_id: str, code: str) -> str:
    endpoint = url.rstrip("/") + "/v1/pair"
    try:
        answer = requests.post(
            endpoint, json={"kiosk_id": kiosk_id, "code": code}, timeout=TIMEOUT_S
        )
    except requests.RequestException as exc:
        raise PairingFailed(
            f"cannot reach {endpoint}: {exc}; check the URL and the network"
        ) from exc
    if answer.status_code == 403:
        raise PairingFailed(
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
            raise PairingFailed(
                f"cannot write {self.path}: {exc.strerror or exc}; run as root or pass "
                "--secret-file"
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
