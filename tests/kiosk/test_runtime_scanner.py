"""The runtime builds a scanner host from [scanner] (none without a url) and runs it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from drivers.emulators.scanner import ScannerEmulator
from drivers.scanner import Terminator
from kiosk import config
from kiosk.config_error import ConfigError
from kiosk.runtime import Runtime

WECHAT = "134567890123456789"
PATIENCE_S = 20.0  # a safety net only: each wait ends when its condition holds


def kiosk_config(tmp_path: Path, scanner: str) -> config.KioskConfig:
    text = config.DEFAULT_CONFIG.read_text(encoding="utf-8")
    text = text.replace("enabled = true", "enabled = false")  # no acceptor, no printer
    text = text.replace('url = "http://127.0.0.1:8470"', 'url = "http://127.0.0.1:9"')
    start = text.index("[scanner]")
    end = text.index("[limits]")
    text = text[:start] + scanner + "\n" + text[end:]
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return config.load(path, env={"KIOSK_DATA_DIR": str(tmp_path / "data")})


def test_no_url_no_scanner_and_the_section_may_be_left_out(tmp_path: Path) -> None:
    for section in ('[scanner]\nurl = ""\n', ""):
        loaded = kiosk_config(tmp_path, section)
        assert not loaded.scanner.enabled
        assert loaded.scanner.max_length == 64
        runtime = Runtime(loaded)
        try:
            assert runtime.scanner is None
        finally:
            runtime.journal.close()
            runtime.central.close()


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('[scanner]\nurl = "/dev/x"\nprefix = "\\t"\n', r"scanner\.prefix: '\\t': printable"),
        ('[scanner]\nurl = "/dev/x"\nterminator = "tab"\n', r"scanner\.terminator: 'tab'"),
        ('[scanner]\nurl = "/dev/x"\nmax_length = 4\n', r"scanner\.max_length: 4 is below"),
        ('[scanner]\nurl = "/dev/x"\nmax_len = 40\n', r"scanner\.max_len: unknown key"),
    ],
)
def test_bad_scanner_keys_are_named(tmp_path: Path, section: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        kiosk_config(tmp_path, section)


def test_an_emulator_url_runs_an_emulated_scanner(tmp_path: Path) -> None:
    runtime = Runtime(kiosk_config(tmp_path, '[scanner]\nurl = "emulator://scanner"\n'))
    try:
        assert runtime.scanner is not None
        runtime.start()
        assert runtime.scanner.connected
    finally:
        runtime.stop()
    assert not runtime.scanner.connected


def wait_until(what: str, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE_S
    while not condition():
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.01)


def test_the_runtime_runs_the_configured_scanner_for_the_engine(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    emulator = ScannerEmulator(terminator=Terminator.LF, prefix="]Q", link=tmp_path / "scanner")
    emulator.start()
    section = f'[scanner]\nurl = "{tmp_path / "scanner"}"\nterminator = "lf"\nprefix = "]Q"\n'
    runtime = Runtime(kiosk_config(tmp_path, section))
    try:
        assert runtime.scanner is not None
        assert runtime.scanner.codec.prefix == "]Q"
        assert runtime.scanner.codec.terminator is Terminator.LF
        assert runtime.engine.scanner_configured
        assert "paycode" in runtime.engine.checks.methods()  # offered (available or not)
        runtime.start()
        assert runtime.scanner.connected
        wait_until("scanner ready", lambda: runtime.engine.health.scanner_ready)
        emulator.scan(WECHAT)  # not in the payment-code step: the engine drops it
        wait_until("scanned", lambda: runtime.scanner is not None and
                   runtime.scanner.counters.get("scans") == 1)  # fmt: skip
        emulator.unplug()
        wait_until("scanner not ready", lambda: not runtime.engine.health.scanner_ready)
    finally:
        runtime.stop()
        emulator.stop()
    assert not runtime.scanner.running
    assert "scanner" in caplog.text
    assert WECHAT not in caplog.text  # a payment code is never logged


def test_without_a_scanner_the_method_is_not_offered(tmp_path: Path) -> None:
    runtime = Runtime(kiosk_config(tmp_path, ""))
    try:
        assert not runtime.engine.scanner_configured
        assert "paycode" not in runtime.engine.checks.methods()
    finally:
        runtime.journal.close()
        runtime.central.close()
