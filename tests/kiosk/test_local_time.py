"""``[kiosk] timezone``: the process's local time follows the config, whatever the system's."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk import config, local_time
from kiosk.config_error import ConfigError


@pytest.fixture
def restore_tz() -> Iterator[None]:
    before = os.environ.get("TZ")
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_a_utc_machine_prints_beijing_time_once_the_zone_is_used(restore_tz: None) -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    paid = datetime(2026, 12, 5, 16, 30, tzinfo=UTC)
    local_time.use("Asia/Shanghai")
    assert paid.astimezone().strftime("%Y-%m-%d %H:%M") == "2026-12-06 00:30"


def test_an_unknown_zone_is_refused_before_anything_changes(restore_tz: None) -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    with pytest.raises(local_time.TimeZoneUnusable, match="not a known time zone"):
        local_time.use("Asia/Beijing")
    assert os.environ["TZ"] == "UTC"


def test_the_config_defaults_to_shanghai_and_refuses_a_made_up_zone(tmp_path: Path) -> None:
    text = config.DEFAULT_CONFIG.read_text(encoding="utf-8")
    without = tmp_path / "old.toml"
    without.write_text(re.sub(r"(?m)^timezone = .*\n", "", text), encoding="utf-8")
    assert config.load(without).kiosk.timezone == "Asia/Shanghai"  # an older file still loads
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('timezone = "Asia/Shanghai"', 'timezone = "Asia/Beijing"', 1))
    with pytest.raises(ConfigError, match=r"kiosk\.timezone.*IANA name"):
        config.load(bad)
