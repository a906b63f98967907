"""The kiosk's configuration: TOML in, typed immutable objects out, or one clear error.

Every key is declared here with its type and limits. A file with a missing key, an unknown
(misspelled) key, a wrong type or an impossible value is refused before anything starts,
with a message that names the file, the key and what is wrong.

``KIOSK_DATA_DIR`` overrides ``kiosk.data_dir`` (the data directory depends on the machine).

The secret that signs every request to the central server is looked for by
kiosk/secret_source.py (environment, systemd credential, ``central.secret_file``,
``central.secret``: its docstring gives the order); ``load`` puts the one found in
``central.secret`` and where it came from in ``secret_source``. No secret is not an error:
the kiosk starts unpaired. ``ConfigError`` lives in kiosk/config_error.py.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kiosk import local_time
from kiosk.config_error import ConfigError
from kiosk.secret_source import (
    SECRET_FILE_NAME,
    SecretSource,
    find_secret,
    origin_in_words,
    refuse_short_secret,
)
from kiosk.technicians import Role

Protocol = Literal["ccnet", "id003", "ict"]
Language = Literal["zh", "en"]
ScannerTerminator = Literal["any", "cr", "lf", "crlf"]

REPO_CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
DEFAULT_CONFIG = REPO_CONFIG_DIR / "kiosk.toml"
SYSTEM_CONFIG = Path("/etc/kiosk/kiosk.toml")
# The yuan notes in circulation, in fen: what a bill acceptor can be told to take.
CNY_NOTES_FEN = (100, 500, 1000, 2000, 5000, 10000)
# The bound of any whole-number key that declares no tighter one (a typo of 20 digits is
# refused, not stored in SQLite as a float or handed to a driver as a timeout).
INT_KEY_MAX = 1_000_000_000


def _limit(*, minimum: float | None = None, maximum: float | None = None) -> dict[str, Any]:
    return {"min": minimum, "max": maximum}


@dataclass(frozen=True)
class KioskSection:
    id: str
    utility_name: str
    location: str
    language: Language
    data_dir: Path
    # Below this much free space on the data directory no cash payment starts: the journal
    # must always have room for the notes of a payment already under way.
    data_min_free_mb: int = field(default=50, metadata=_limit(minimum=0, maximum=1_000_000))
    # How every time is shown and printed (IANA name); the journal and the wire keep UTC offsets.
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class CentralSection:
    url: str
    connect_timeout_s: float = field(metadata=_limit(minimum=0.1, maximum=60))
    read_timeout_s: float = field(metadata=_limit(minimum=0.1, maximum=120))
    # The secret that signs every request; after ``load`` the one found first in the order of
    # kiosk/secret_source.py, "" while the kiosk is not paired. In the file: the demo only.
    secret: str = field(default="", repr=False)
    # Where pairing writes the secret and the kiosk reads it (after KIOSK_SECRET and the
    # credential); absent: <kiosk.data_dir>/secret, resolved by ``load``.
    secret_file: Path = Path()


@dataclass(frozen=True)
class CashSection:
    enabled: bool
    url: str
    protocol: Protocol
    baudrate: int = field(metadata=_limit(minimum=1200, maximum=115200))
    poll_interval_ms: int = field(metadata=_limit(minimum=20, maximum=1000))
    escrow_decision_timeout_ms: int = field(metadata=_limit(minimum=100, maximum=8000))
    denominations_fen: tuple[int, ...]
    # The largest cassettes hold about 2,500 notes.
    cashbox_capacity_notes: int = field(metadata=_limit(minimum=1, maximum=10_000))
    cashbox_near_full_notes: int = field(metadata=_limit(minimum=1, maximum=10_000))
    # Which bill-table identifiers count as yuan: CCNET 3-letter codes, ID-003 country numbers.
    # Optional; empty or absent: the protocol's default (drivers.cash.bill_table).
    table_codes: tuple[str | int, ...] = ()
    # ICT only (it has no table query): bill type byte in hex -> denomination in fen.
    # Optional; absent: 40..45 = 1, 5, 10, 20, 50, 100 yuan.
    bill_types: dict[str, int] = field(default_factory=dict)

    def acceptor_settings(self) -> dict[str, Any]:
        """The driver settings these keys give (``open_acceptor`` keywords)."""
        settings: dict[str, Any] = {}
        if self.table_codes:
            settings["table_codes"] = tuple(self.table_codes)
        if self.bill_types:
            settings["bill_types"] = {int(k, 16): v for k, v in self.bill_types.items()}
        return settings


@dataclass(frozen=True)
class PrinterSection:
    enabled: bool
    url: str
    baudrate: int = field(metadata=_limit(minimum=1200, maximum=921600))
    paper_width_mm: Literal[58, 80]
    encoding: Literal["gbk", "gb18030"]
    has_cutter: bool
    status_timeout_ms: int = field(metadata=_limit(minimum=50, maximum=2000))
    near_end_receipts_allowed: int = field(metadata=_limit(minimum=0, maximum=1_000))
    onscreen_receipt_fallback: bool


@dataclass(frozen=True)
class ScannerSection:
    """A payment-code scanner (serial, or USB in serial/CDC mode). The whole section is
    optional: no ``url`` means no scanner, and paying by payment code is not offered."""

    url: str = ""  # a serial path or pyserial URL; "emulator://scanner" starts an emulated one
    baudrate: int = field(default=9600, metadata=_limit(minimum=1200, maximum=115200))
    # What the scanner ends a code with: "cr", "lf" or "crlf" ("any": not checked). Codes are
    # read whichever comes; another one than configured is logged once.
    terminator: ScannerTerminator = "any"
    prefix: str = ""  # printable ASCII the scanner is set to send before / after each code
    suffix: str = ""
    # The longest code taken (payment codes have at most 24 digits); longer lines are refused.
    max_length: int = field(default=64, metadata=_limit(minimum=8, maximum=4096))

    @property
    def enabled(self) -> bool:
        return bool(self.url)


@dataclass(frozen=True)
class LimitsSection:
    # One payment of at most ¥100,000; offline at most ¥1,000,000, 100,000 payments, 30 days.
    min_payment_fen: int = field(metadata=_limit(minimum=1, maximum=10_000_000))
    max_payment_fen: int = field(metadata=_limit(minimum=1, maximum=10_000_000))
    offline_max_count: int = field(metadata=_limit(minimum=0, maximum=100_000))
    offline_max_total_fen: int = field(metadata=_limit(minimum=0, maximum=100_000_000))
    offline_max_age_s: int = field(metadata=_limit(minimum=0, maximum=30 * 86_400))


@dataclass(frozen=True)
class TimeoutsSection:
    idle_prompt_s: int = field(metadata=_limit(minimum=5, maximum=600))
    idle_finish_s: int = field(metadata=_limit(minimum=5, maximum=600))
    lookup_s: float = field(metadata=_limit(minimum=0.5, maximum=60))
    qr_poll_interval_s: float = field(metadata=_limit(minimum=0.2, maximum=30))
    done_screen_s: int = field(metadata=_limit(minimum=3, maximum=120))
    # Payment codes: ask the server this often while the customer confirms on the phone, and
    # cancel (the server reverses with the provider) when not paid by the deadline.
    paycode_poll_s: float = field(default=3.0, metadata=_limit(minimum=0.5, maximum=30))
    paycode_deadline_s: float = field(default=60.0, metadata=_limit(minimum=10, maximum=300))


@dataclass(frozen=True)
class OutboxSection:
    batch_size: int = field(metadata=_limit(minimum=1, maximum=500))
    backoff_initial_s: float = field(metadata=_limit(minimum=0.05, maximum=60))
    backoff_max_s: float = field(metadata=_limit(minimum=0.1, maximum=3600))
    heartbeat_interval_s: float = field(metadata=_limit(minimum=1, maximum=3600))


@dataclass(frozen=True)
class UiSection:
    large_text: bool
    fullscreen: bool
    # Senior mode (large text, 适老化): the customer's time limits are this many times longer.
    senior_timeout_factor: float = field(default=2.0, metadata=_limit(minimum=1, maximum=5))
    # The utility's customer service phone, shown on the home and out-of-service screens
    # (the 2026 cash-service rules: how to pay in cash elsewhere and whom to call).
    service_phone: str = "95598"
    # Spoken prompts (kiosk/voice.py, espeak-ng): on or off, and their volume in percent.
    voice: bool = False
    voice_volume: int = field(default=80, metadata=_limit(minimum=0, maximum=100))


@dataclass(frozen=True)
class MaintenanceSection:
    pin_attempts: int = field(metadata=_limit(minimum=1, maximum=20))
    lockout_s: int = field(metadata=_limit(minimum=10, maximum=86400))
    idle_logout_s: int = field(metadata=_limit(minimum=30, maximum=3600))
    allow_power_actions: bool
    # Who may commit a cash collection (roles of kiosk/technicians.py). Collectors only by
    # default: whoever counts the cash is not whoever services the machine.
    collection_roles: tuple[str, ...] = ("collector",)


@dataclass(frozen=True)
class KioskConfig:
    kiosk: KioskSection
    central: CentralSection
    cash: CashSection
    printer: PrinterSection
    limits: LimitsSection
    timeouts: TimeoutsSection
    outbox: OutboxSection
    ui: UiSection
    maintenance: MaintenanceSection
    scanner: ScannerSection = field(default_factory=ScannerSection)  # optional section
    source: Path = field(default=Path(), compare=False)
    # Where central.secret came from (None: not paired yet). Not a key of the file.
    secret_source: SecretSource | None = field(default=None, compare=False)

    @property
    def paired(self) -> bool:
        """The kiosk has a secret to sign with (else it runs out of service until paired)."""
        return bool(self.central.secret)

    @property
    def secret_origin(self) -> str:
        """Where the secret came from, in words for logs and check-config (never the secret)."""
        return origin_in_words(self.secret_source, self.central.secret_file, self.source)

    @property
    def journal_path(self) -> Path:
        """The payment journal, in the data directory (the one place that names the file)."""
        return Path(self.kiosk.data_dir) / "journal.db"

    @property
    def chars_per_line(self) -> int:
        """Half-width columns on the receipt paper (a Chinese character takes two)."""
        return 32 if self.printer.paper_width_mm == 58 else 48


def load(
    path: Path | str, env: typing.Mapping[str, str] | None = None, *, check_secret: bool = True
) -> KioskConfig:
    """Read and check a kiosk config file; raise ConfigError naming file and key.

    ``check_secret=False`` (``kiosk pair``, which replaces the secret): a secret that is too
    short or cannot be read is left out (as if not paired) instead of refused."""
    path = Path(path)
    env = os.environ if env is None else env
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such file; pass an existing file with --config") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    _apply_environment(raw, env)
    config = _build(KioskConfig, raw, prefix="", path=path, skip={"source", "secret_source"})
    config = dataclasses.replace(config, source=path)
    _check_relations(config, path)
    _check_data_dir(config.kiosk.data_dir, path, from_env=bool(env.get("KIOSK_DATA_DIR")))
    central = config.central
    if "secret_file" not in raw["central"]:
        central = dataclasses.replace(
            central, secret_file=Path(config.kiosk.data_dir) / SECRET_FILE_NAME
        )
    try:
        secret, source = find_secret(
            env, secret_file=central.secret_file, config_secret=central.secret, config_path=path
        )
        refuse_short_secret(secret, source, secret_file=central.secret_file, config_path=path)
    except ConfigError:
        if check_secret:
            raise
        secret, source = "", None
    return dataclasses.replace(
        config, central=dataclasses.replace(central, secret=secret), secret_source=source
    )


def default_path(env: typing.Mapping[str, str] | None = None) -> Path:
    """Where to look when no --config is given: $KIOSK_CONFIG, /etc/kiosk, the repo's demo."""
    env = os.environ if env is None else env
    if env.get("KIOSK_CONFIG"):
        return Path(env["KIOSK_CONFIG"])
    return SYSTEM_CONFIG if SYSTEM_CONFIG.exists() else DEFAULT_CONFIG


def _apply_environment(raw: dict[str, Any], env: typing.Mapping[str, str]) -> None:
    if env.get("KIOSK_DATA_DIR"):
        raw.setdefault("kiosk", {})["data_dir"] = env["KIOSK_DATA_DIR"]


def _check_relations(config: KioskConfig, path: Path) -> None:
    def bad(key: str, why: str) -> ConfigError:
        return ConfigError(f"{path}: {key}: {why}")

    cash, limits = config.cash, config.limits
    if not config.kiosk.id or not config.kiosk.id.replace("-", "").isalnum():
        raise bad("kiosk.id", "must be letters, digits and '-' only (it prefixes every txn id)")
    if not local_time.is_known(config.kiosk.timezone):
        raise bad(
            "kiosk.timezone",
            f"{config.kiosk.timezone!r} is not a known time zone; "
            "give an IANA name such as Asia/Shanghai or Asia/Urumqi",
        )
    if not config.central.url.startswith(("http://", "https://")):
        raise bad("central.url", "must start with http:// or https://")
    if not cash.denominations_fen:
        raise bad("cash.denominations_fen", "must list at least one denomination")
    if any(d <= 0 for d in cash.denominations_fen):
        raise bad("cash.denominations_fen", "denominations are positive amounts in fen")
    for note in cash.denominations_fen:
        if note not in CNY_NOTES_FEN:
            hint = (
                f"; did you mean {note * 100} (amounts are in fen)?"
                if (note * 100 in CNY_NOTES_FEN)
                else ""
            )
            raise bad(
                "cash.denominations_fen",
                f"{note} is not a yuan note; list some of "
                f"{', '.join(map(str, CNY_NOTES_FEN))} (1 to 100 yuan, in fen){hint}",
            )
    if len(set(cash.denominations_fen)) != len(cash.denominations_fen):
        raise bad("cash.denominations_fen", "lists a denomination twice")
    if cash.cashbox_near_full_notes > cash.cashbox_capacity_notes:
        raise bad("cash.cashbox_near_full_notes", "must not exceed cash.cashbox_capacity_notes")
    _check_acceptor_table(cash, bad)
    if limits.min_payment_fen > limits.max_payment_fen:
        raise bad("limits.min_payment_fen", "must not exceed limits.max_payment_fen")
    if config.outbox.backoff_initial_s > config.outbox.backoff_max_s:
        raise bad("outbox.backoff_initial_s", "must not exceed outbox.backoff_max_s")
    _check_scanner(config.scanner, bad)
    _check_maintenance(config.maintenance, bad)


def _check_data_dir(data_dir: Path, path: Path, *, from_env: bool) -> None:
    """The data directory, or the first of its parents that exists, must be a directory."""
    for candidate in (data_dir, *data_dir.parents):
        if candidate.is_dir():
            return
        if candidate.exists():
            source = " (from KIOSK_DATA_DIR)" if from_env else ""
            raise ConfigError(
                f"{path}: kiosk.data_dir{source}: {candidate} is a file, not a directory; "
                "point the data directory at a directory (it is created when missing)"
            )


def _check_acceptor_table(cash: CashSection, bad: typing.Callable[[str, str], ConfigError]) -> None:
    codes = cash.table_codes
    if cash.protocol == "ccnet" and not all(
        isinstance(c, str) and len(c) == 3 and c.isascii() and c.isalnum() for c in codes
    ):
        raise bad("cash.table_codes", 'CCNET tables name 3-letter codes, e.g. ["CNY", "CHN"]')
    if cash.protocol == "id003" and not all(isinstance(c, int) and 0 <= c <= 255 for c in codes):
        raise bad("cash.table_codes", "ID-003 country codes are numbers 0..255, e.g. [156]")
    if cash.protocol == "ict" and codes:
        raise bad("cash.table_codes", "ICT has no bill table to match; set cash.bill_types")
    if cash.bill_types and cash.protocol != "ict":
        raise bad("cash.bill_types", "only for protocol 'ict'; CCNET and ID-003 are asked")
    for key, fen in cash.bill_types.items():
        try:
            bill_type = int(key, 16)
        except ValueError:
            bill_type = -1
        if not 0x40 <= bill_type <= 0x48:
            raise bad(f"cash.bill_types.{key}", 'bill types are hex "40" to "48"')
        if isinstance(fen, bool) or not isinstance(fen, int) or fen <= 0:
            raise bad(f"cash.bill_types.{key}", f"{fen!r} is not a denomination in fen")


def _check_scanner(scanner: ScannerSection, bad: typing.Callable[[str, str], ConfigError]) -> None:
    for key, affix in (("prefix", scanner.prefix), ("suffix", scanner.suffix)):
        if not all(" " <= c <= "~" for c in affix):
            raise bad(f"scanner.{key}", f"{affix!r}: printable ASCII only (no CR, LF, tabs)")


def _check_maintenance(
    maintenance: MaintenanceSection, bad: typing.Callable[[str, str], ConfigError]
) -> None:
    roles = maintenance.collection_roles
    known = ", ".join(repr(r.value) for r in Role)
    if not roles:
        raise bad(
            "maintenance.collection_roles",
            f"lists nobody, so nobody could empty the cash box; list some of {known}",
        )
    for role in roles:
        if role not in tuple(Role):
            raise bad(
                "maintenance.collection_roles",
                f"{role!r} is not a technician role; list some of {known}",
            )
    if len(set(roles)) != len(roles):
        raise bad("maintenance.collection_roles", "lists a role twice")


_T = typing.TypeVar("_T")

_ENV_HINTS = {"kiosk.data_dir": "; or set KIOSK_DATA_DIR"}


def _build(cls: type[_T], table: object, *, prefix: str, path: Path, skip: set[str]) -> _T:
    where = prefix.rstrip(".") or "the top level"
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {where}: must be a table, got {_kind(table)}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in skip}  # type: ignore[arg-type]
    unknown = sorted(set(table) - set(fields))
    if unknown:
        raise ConfigError(
            f"{path}: {prefix}{unknown[0]}: unknown key (misspelled?); "
            f"known keys here: {', '.join(sorted(fields))}"
        )
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        key = f"{prefix}{name}"
        if name not in table:
            if spec.default is not dataclasses.MISSING:
                values[name] = spec.default  # a key added in a later release: old files work
                continue
            if spec.default_factory is not dataclasses.MISSING:
                values[name] = spec.default_factory()
                continue
            hint = _ENV_HINTS.get(key, "")
            raise ConfigError(f"{path}: {key}: missing (required){hint}")
        values[name] = _convert(hints[name], table[name], key, path, spec.metadata)
    return cls(**values)


def _convert(  # noqa: PLR0912 - one branch per TOML type, so the rules read in one place
    hint: Any, value: Any, key: str, path: Path, meta: typing.Mapping[str, Any]
) -> Any:
    def bad(why: str) -> ConfigError:
        return ConfigError(f"{path}: {key}: {why}")

    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, prefix=f"{key}.", path=path, skip=set())  # type: ignore[arg-type]
    if origin is Literal:
        choices = typing.get_args(hint)
        if value not in choices or isinstance(value, bool):
            raise bad(f"{value!r} is not one of {', '.join(repr(c) for c in choices)}")
        return value
    if origin is tuple:
        (item,) = {a for a in typing.get_args(hint) if a is not Ellipsis}
        if not isinstance(value, list):
            raise bad(f"must be a list, got {_kind(value)}")
        return tuple(_convert(item, v, f"{key}[{i}]", path, meta) for i, v in enumerate(value))
    if hint is Path:
        if not isinstance(value, str) or not value:
            raise bad(f"must be a non-empty path string, got {_kind(value)}")
        return Path(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise bad(f"must be true or false, got {_kind(value)}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad(f"must be a whole number, got {_kind(value)}")
        if meta.get("max") is None and abs(value) > INT_KEY_MAX:
            raise bad(f"{value} is out of range; at most {INT_KEY_MAX:,} either side of zero")
    elif hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad(f"must be a number, got {_kind(value)}")
        value = float(value)
    elif hint is str:
        if not isinstance(value, str):
            raise bad(f"must be a string, got {_kind(value)}")
    elif isinstance(hint, types.UnionType):  # scalars only, e.g. str | int
        allowed = typing.get_args(hint)
        if isinstance(value, bool) or not isinstance(value, allowed):
            names = " or ".join(a.__name__ for a in allowed)
            raise bad(f"must be {names}, got {_kind(value)}")
    elif origin is dict and not isinstance(value, dict):
        raise bad(f"must be a table, got {_kind(value)}")
    low, high = meta.get("min"), meta.get("max")
    if low is not None and value < low:
        raise bad(
            f"{value} is below the minimum {low}"
            + ("; it may not be negative" if value < 0 else "")
        )
    if high is not None and value > high:
        raise bad(f"{value} is above the maximum {high}")
    return value


def _kind(value: object) -> str:
    names = {
        dict: "a table",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a float",
    }
    return f"{names.get(type(value), type(value).__name__)} ({value!r})"
