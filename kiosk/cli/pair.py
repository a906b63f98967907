"""`kiosk pair URL CODE`: fetch this kiosk's secret with a one-time pairing code.

The operator prints the code with `kiosk-central pair-code KIOSK_ID` (valid 15 minutes, one
use). The kiosk id and the secret file come from the kiosk's config (``--config``, default
/etc/kiosk/kiosk.toml): ``kiosk.id`` and ``central.secret_file`` (default
``<kiosk.data_dir>/secret``, /var/lib/kiosk/secret on a kiosk), the file the kiosk reads at
start. The secret is written there (mode 0600, atomically, the kiosk user's) and never
printed. A running kiosk picks it up by itself within seconds; no restart is needed.

`kiosk pair URL KIOSK_ID CODE` still works: the id given must then be the config's, or
``--secret-file`` must say where to write (no config is read then).
The work is kiosk/pairing.py's, shared with the maintenance screen's `pair` action.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from kiosk import config, pairing
from kiosk.config_error import ConfigError
from kiosk.pairing import PairingFailed
from kiosk.secret_source import DEFAULT_SECRET_FILE

__all__ = ["PairingFailed", "register"]


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "pair",
        help="fetch this kiosk's secret with a one-time pairing code",
        description="kiosk pair URL CODE (the kiosk id from the config), or kiosk pair URL "
        "KIOSK_ID CODE. The secret goes to the config's central.secret_file, where the kiosk "
        "reads it; a running kiosk uses it within seconds, without a restart.",
    )
    parser.add_argument("url", help="the central server, e.g. https://pay.example-utility.cn")
    parser.add_argument(
        "id_or_code", metavar="[KIOSK_ID] CODE", help="the code (dashes optional), after the id"
    )
    parser.add_argument("code", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help=f"the kiosk's config, for kiosk.id and central.secret_file "
        f"(default: $KIOSK_CONFIG, else {config.SYSTEM_CONFIG})",
    )
    parser.add_argument(
        "--secret-file",
        type=Path,
        default=None,
        help="where to store the secret (default: the config's central.secret_file, "
        f"<kiosk.data_dir>/secret; {DEFAULT_SECRET_FILE} without a config)",
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    given_id, code = (None, args.id_or_code) if args.code is None else (args.id_or_code, args.code)
    kiosk_id, secret_file = _target(given_id, args.config, args.secret_file)
    pairing.pair(args.url, kiosk_id, code, secret_file)
    print(
        json.dumps(
            {
                "paired": kiosk_id,
                "secret_file": str(secret_file),
                "next": "a running kiosk signs with the new secret within seconds (no restart); "
                "a stopped one when it starts",
            }
        )
    )
    return 0


def _target(
    given_id: str | None, config_path: Path | None, secret_file: Path | None
) -> tuple[str, Path]:
    """The kiosk id to pair and the file to write, from the arguments and the config."""
    if given_id is not None and secret_file is not None:
        return given_id, secret_file  # all said: no config needed (as before the config knew)
    # No demo fallback here (as `kiosk run` has): pairing is for a real kiosk's own file.
    path = config_path or Path(os.environ.get("KIOSK_CONFIG") or config.SYSTEM_CONFIG)
    if given_id is not None and config_path is None and not path.exists():
        return given_id, DEFAULT_SECRET_FILE  # no config on this machine yet
    # The secret may be missing, short or unreadable: it is what pairing replaces.
    loaded = config.load(path, check_secret=False)
    if given_id is not None and given_id != loaded.kiosk.id:
        raise ConfigError(
            f"{path}: kiosk.id is {loaded.kiosk.id}, not {given_id}: the kiosk would sign as "
            f"{loaded.kiosk.id} with {given_id}'s secret; correct kiosk.id, or pair with "
            f"`kiosk pair URL CODE` (the id from the config)"
        )
    return loaded.kiosk.id, secret_file or loaded.central.secret_file
