"""central.toml: typed, immutable, strict (unknown keys and impossible values are refused)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "central.toml"


class CentralConfigError(Exception):
    """central.toml cannot be used; the message names the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


Rate = Annotated[float, Field(ge=0, le=0.1)]


class ServerSection(_Strict):
    database_url: str = Field(min_length=1)
    host: str = "127.0.0.1"
    port: int = Field(ge=1, le=65535)
    public_url: str = Field(min_length=1)
    receipt_key: str = Field(min_length=16, repr=False)
    demo_wallet: bool
    max_body_bytes: int = Field(ge=1024, le=10_000_000)


class PaymentsSection(_Strict):
    max_amount_fen: int = Field(gt=0)
    clock_skew_s: int = Field(ge=1, le=3600)
    lookup_rate_per_minute: int = Field(ge=1)
    qr_order_ttl_s: int = Field(ge=30, le=3600)
    card_max_pin_attempts: int = Field(ge=1, le=20)


class LateFeeSection(_Strict):
    residential_daily_rate: Rate
    current_year_daily_rate: Rate
    prior_years_daily_rate: Rate
    minimum_fen: int = Field(ge=0)
    grace_days: int = Field(ge=0, le=365)


class CentralConfig(_Strict):
    server: ServerSection
    payments: PaymentsSection
    late_fee: LateFeeSection

    @model_validator(mode="after")
    def _urls(self) -> CentralConfig:
        if not self.server.public_url.startswith(("http://", "https://")):
            raise ValueError("server.public_url must start with http:// or https://")
        return self


def load(path: Path | str | None = None) -> CentralConfig:
    """Load central.toml; CENTRAL_DATABASE_URL and CENTRAL_RECEIPT_KEY override the file."""
    path = Path(path) if path else Path(os.environ.get("CENTRAL_CONFIG", DEFAULT_CONFIG))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CentralConfigError(f"{path}: no such file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CentralConfigError(f"{path}: not valid TOML: {exc}") from exc
    server = raw.setdefault("server", {})
    if os.environ.get("CENTRAL_DATABASE_URL"):
        server["database_url"] = os.environ["CENTRAL_DATABASE_URL"]
    if os.environ.get("CENTRAL_RECEIPT_KEY"):
        server["receipt_key"] = os.environ["CENTRAL_RECEIPT_KEY"]
    try:
        return CentralConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "the top level"
        raise CentralConfigError(f"{path}: {key}: {first['msg']}") from exc
