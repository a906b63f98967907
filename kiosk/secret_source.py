"""Where the kiosk's secret comes from, and whether it can be used.

The secret that signs every request to the central server is looked for in this order; the
first that gives one wins (``SecretSource`` says which):

1. ``KIOSK_SECRET`` in the environment (tests, development);
2. the systemd credential ``kiosk-secret`` (``$CREDENTIALS_DIRECTORY/kiosk-secret``), for a
   site that provisions the secret by hand with a ``LoadCredential=`` drop-in;
3. ``central.secret_file``, default ``<kiosk.data_dir>/secret`` (``/var/lib/kiosk/secret``
   under kiosk.service): where pairing writes it, so a pairing is what the next start reads;
4. ``central.secret`` in the file itself (the repository's demo config; never on a site).

None of them: the kiosk is not paired yet. That is not an error: the kiosk starts out of
service and a technician pairs it on the maintenance screen (or with ``kiosk pair``). A secret
that is found but shorter than 16 characters is a ``ConfigError``, naming where it came from.
``kiosk.config.load`` asks here and records the answer in ``KioskConfig.secret_source``.
"""

from __future__ import annotations

import enum
import stat
import typing
from pathlib import Path

from kiosk.config_error import ConfigError

SECRET_CREDENTIAL = "kiosk-secret"  # noqa: S105 - the credential's name, not a secret
SECRET_FILE_NAME = "secret"  # noqa: S105 - a file name: central.secret_file's default, in data_dir
# kiosk.service's StateDirectory: where `kiosk pair` writes when there is no config to ask.
DEFAULT_SECRET_FILE = Path("/var/lib/kiosk") / SECRET_FILE_NAME
MIN_SECRET_CHARS = 16  # kiosk-central issues 43 (32 random bytes, base64)


class SecretSource(enum.StrEnum):
    """Where the kiosk's secret was found, first to last in the order they are asked."""

    ENVIRONMENT = "environment"  # KIOSK_SECRET
    CREDENTIAL = "credential"  # the systemd credential kiosk-secret
    FILE = "file"  # central.secret_file
    CONFIG = "config"  # central.secret in the config file

    @property
    def outranks_pairing(self) -> bool:
        """A secret from here would still win over what pairing writes, at the next start."""
        return self in (SecretSource.ENVIRONMENT, SecretSource.CREDENTIAL)


def origin_in_words(source: SecretSource | None, secret_file: Path, config_path: Path) -> str:
    """Where the secret came from, in words for logs and check-config (never the secret)."""
    where = {
        SecretSource.ENVIRONMENT: "the environment variable KIOSK_SECRET",
        SecretSource.CREDENTIAL: f"the systemd credential {SECRET_CREDENTIAL}",
        SecretSource.FILE: str(secret_file),
        SecretSource.CONFIG: f"central.secret in {config_path}",
    }
    if source is None:
        return "nowhere: not paired yet"
    return where[source]


def read_secret_file(path: Path, config_path: Path) -> str:
    """The secret in ``path`` ("" when there is none); ConfigError when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return ""
    except PermissionError as exc:
        raise ConfigError(
            f"{config_path}: central.secret_file: cannot read {path} (permission denied); it "
            "must belong to the user the kiosk runs as: chown kiosk:kiosk and chmod 600 it"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{config_path}: central.secret_file: cannot read {path}: {exc}; pair the kiosk "
            "again to replace it"
        ) from exc


def secret_file_is_private(path: Path) -> bool:
    """Nobody but the file's owner can read it (what the kiosk writes: mode 0600)."""
    try:
        return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
    except OSError:
        return True  # no file, nothing exposed


def find_secret(
    env: typing.Mapping[str, str], *, secret_file: Path, config_secret: str, config_path: Path
) -> tuple[str, SecretSource | None]:
    """The secret and where it came from, in the order of the module's docstring.

    ``secret_file`` is central.secret_file (resolved), ``config_secret`` central.secret as the
    file ``config_path`` gives it."""
    secret = env.get("KIOSK_SECRET", "").strip()
    if secret:
        return secret, SecretSource.ENVIRONMENT
    credentials = env.get("CREDENTIALS_DIRECTORY")
    if credentials:
        credential = Path(credentials) / SECRET_CREDENTIAL
        if credential.is_file():
            secret = credential.read_text(encoding="utf-8").strip()
            if secret:  # an empty one (SetCredential=kiosk-secret:) gives none
                return secret, SecretSource.CREDENTIAL
    secret = read_secret_file(secret_file, config_path)
    if secret:
        return secret, SecretSource.FILE
    if config_secret:
        return config_secret, SecretSource.CONFIG
    return "", None


def refuse_short_secret(
    secret: str, source: SecretSource | None, *, secret_file: Path, config_path: Path
) -> None:
    """Refuse a secret shorter than MIN_SECRET_CHARS, naming where it came from and the fix."""
    if source is None or len(secret) >= MIN_SECRET_CHARS:
        return
    where, fix = {
        SecretSource.ENVIRONMENT: ("KIOSK_SECRET", "unset KIOSK_SECRET"),
        SecretSource.CREDENTIAL: (
            f"the systemd credential {SECRET_CREDENTIAL}",
            "correct the file its LoadCredential= names, or remove that drop-in",
        ),
        SecretSource.FILE: (
            str(secret_file),
            "pair the kiosk again with `kiosk pair URL CODE` (it replaces the file), or "
            "remove the file",
        ),
        SecretSource.CONFIG: ("central.secret", "correct it, or remove it from the file"),
    }[source]
    raise ConfigError(
        f"{config_path}: central.secret: the secret in {where} is {len(secret)} characters, "
        f"must be at least {MIN_SECRET_CHARS} (as kiosk-central add-kiosk or pairing gives "
        f"it); {fix} (a kiosk without a secret starts unpaired, out of service)"
    )
