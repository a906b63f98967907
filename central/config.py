"""central.toml: typed, immutable, strict (unknown keys and impossible values are refused).

Some settings may come from the environment instead of the file, because secrets do not belong
in files under version control and several server processes must share one configuration:
``CENTRAL_CONFIG`` (the file), ``CENTRAL_DATABASE_URL``, ``CENTRAL_RECEIPT_KEY``,
``CENTRAL_SECRET_KEY`` and ``CENTRAL_PUBLIC_URL``.
"""

from __future__ import annotations

import os
import tomllib
import zoneinfo
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from central import ServerError

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "central.toml"

_ENV_OVERRIDES = {
    "CENTRAL_DATABASE_URL": "database_url",
    "CENTRAL_RECEIPT_KEY": "receipt_key",
    "CENTRAL_SECRET_KEY": "secret_key",
    "CENTRAL_PUBLIC_URL": "public_url",
}


class CentralConfigError(ServerError):
    """central.toml cannot be used; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


Rate = Annotated[float, Field(ge=0, le=0.1)]


class ServerSection(_Strict):
    database_url: str = Field(min_length=1)
    host: str = "127.0.0.1"
    port: int = Field(ge=0, le=65535)
    public_url: str = Field(min_length=1)
    receipt_key: str = Field(min_length=16, repr=False)
    secret_key: str = Field(min_length=16, repr=False)
    demo_wallet: bool
    max_body_bytes: int = Field(ge=1024, le=10_000_000)
    timezone: str = Field(min_length=1)
    db_pool_size: int = Field(ge=1, le=200)

    @model_validator(mode="after")
    def _known_timezone(self) -> ServerSection:
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"server.timezone {self.timezone!r} is not a known time zone "
                "(use an IANA name such as Asia/Shanghai)"
            ) from exc
        return self

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class PaymentsSection(_Strict):
    max_amount_fen: int = Field(gt=0)
    clock_skew_s: int = Field(ge=1, le=3600)
    lookup_rate_per_minute: int = Field(ge=1)
    qr_order_ttl_s: int = Field(ge=30, le=3600)
    card_max_pin_attempts: int = Field(ge=1, le=20)
    max_batch: int = Field(ge=1, le=5000)
    in_progress_wait_ms: int = Field(ge=10, le=60_000)


class LateFeeSection(_Strict):
    residential_daily_rate: Rate
    current_year_daily_rate: Rate
    prior_years_daily_rate: Rate
    minimum_fen: int = Field(ge=0)
    grace_days: int = Field(ge=0, le=365)

    @staticmethod
    def exact(rate: float) -> Decimal:
        """A rate from TOML as the decimal a person wrote (0.001, not 0.001000000000000000020)."""
        return Decimal(repr(rate))


class AlertsSection(_Strict):
    """[alerts]: when a kiosk's state raises an alert, and where raises and clears are POSTed."""

    offline_after_s: int = Field(default=180, ge=10, le=86_400)
    cashbox_capacity_notes: int = Field(default=1000, ge=1)  # unless the heartbeat says
    cashbox_full_pct: int = Field(default=90, ge=1, le=100)
    outbox_backlog: int = Field(default=50, ge=1)
    outbox_oldest_s: int = Field(default=3600, ge=60)
    clock_offset_s: int = Field(default=60, ge=1)
    sweep_every_s: int = Field(default=30, ge=1, le=3600)
    webhooks: list[str] = Field(default_factory=list)
    webhook_max_attempts: int = Field(default=8, ge=1, le=100)
    webhook_deadline_s: int = Field(default=3600, ge=10)
    webhook_timeout_s: float = Field(default=5.0, gt=0, le=60)

    @model_validator(mode="after")
    def _http_webhooks(self) -> AlertsSection:
        for url in self.webhooks:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"alerts.webhooks: {url!r} must start with http:// or https://")
        return self


class ConsoleSection(_Strict):
    """[console]: operator sessions and lockout, heartbeat history, pairing and rotation."""

    heartbeat_retention_days: int = Field(default=30, ge=1, le=3650)
    session_idle_s: int = Field(default=8 * 3600, ge=60)
    lockout_after_failures: int = Field(default=5, ge=1, le=100)
    lockout_s: int = Field(default=900, ge=1)
    pair_code_ttl_s: int = Field(default=900, ge=60, le=86_400)
    secret_grace_s: int = Field(default=7 * 86_400, ge=0)
    cookie_secure: bool = False  # true behind an HTTPS reverse proxy


class TierSetting(_Strict):
    """One tier: the year's kWh up to ``up_to_kwh`` (inclusive; none on the last tier) cost
    ``price_li_per_kwh`` 厘 (0.1 fen) per kWh."""

    up_to_kwh: int | None = Field(default=None, ge=1)
    price_li_per_kwh: int = Field(ge=1, le=100_000)


# 浙江省居民生活用电阶梯电价 (Zhejiang provincial price bureau, in force 1 July 2012), 一户一表
# residential customers below 1 kV, annual tiers: up to 2,760 kWh at 0.538 yuan/kWh, 2,761 to
# 4,800 kWh at 0.588 (+0.05), above 4,800 kWh at 0.838 (+0.30), the national +0.05/+0.30
# pattern (central/README.md, "Usage and the tiered tariff"). Check your province's current
# notice before relying on these.
ZHEJIANG_TIERS = (
    {"up_to_kwh": 2760, "price_li_per_kwh": 538},
    {"up_to_kwh": 4800, "price_li_per_kwh": 588},
    {"up_to_kwh": None, "price_li_per_kwh": 838},
)


class TariffSection(_Strict):
    """[tariff]: the residential tiered tariff (阶梯电价) shown beside an account's usage."""

    tiers: list[TierSetting] = Field(
        default_factory=lambda: [TierSetting(**tier) for tier in ZHEJIANG_TIERS]
    )

    @model_validator(mode="after")
    def _ordered_tiers(self) -> TariffSection:
        if not 1 <= len(self.tiers) <= 5:
            raise ValueError("tariff.tiers: between 1 and 5 tiers")
        bounds = [tier.up_to_kwh for tier in self.tiers]
        if bounds[-1] is not None or None in bounds[:-1]:
            raise ValueError("tariff.tiers: every tier but the last needs up_to_kwh; the last none")
        known = [bound for bound in bounds if bound is not None]
        if known != sorted(set(known)):
            raise ValueError("tariff.tiers: up_to_kwh must rise from tier to tier")
        return self


class CentralConfig(_Strict):
    server: ServerSection
    payments: PaymentsSection
    late_fee: LateFeeSection
    alerts: AlertsSection = AlertsSection()
    console: ConsoleSection = ConsoleSection()
    tariff: TariffSection = TariffSection()

    @model_validator(mode="after")
    def _urls(self) -> CentralConfig:
        if not self.server.public_url.startswith(("http://", "https://")):
            raise ValueError("server.public_url must start with http:// or https://")
        return self

    def with_server(self, **changes: Any) -> CentralConfig:
        """A copy with some [server] settings replaced (command-line options), validated."""
        raw = self.model_dump()
        raw["server"].update(changes)
        return _validate(raw, "command-line options")


def load(path: Path | str | None = None, env: Mapping[str, str] | None = None) -> CentralConfig:
    """Load central.toml; the CENTRAL_* environment variables above override the file."""
    env = os.environ if env is None else env
    path = Path(path) if path else Path(env.get("CENTRAL_CONFIG", DEFAULT_CONFIG))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CentralConfigError(f"{path}: no such file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CentralConfigError(f"{path}: not valid TOML: {exc}") from exc
    server = raw.setdefault("server", {})
    for variable, key in _ENV_OVERRIDES.items():
        if env.get(variable):
            server[key] = env[variable]
    return _validate(raw, str(path))


def _validate(raw: dict[str, Any], source: str) -> CentralConfig:
    try:
        return CentralConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "the top level"
        raise CentralConfigError(f"{source}: {key}: {first['msg']}") from exc
