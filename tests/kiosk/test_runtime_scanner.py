"""The runtime builds a scanner host from [scanner] (none without a url) and runs it."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from drivers.emulators.scanner import ScannerEmulator
from drivers.scanner import Terminator
from kiosk import config
from kiosk.config import ConfigError
from kiosk.runtime import Runtime

WECHAT = "134567890123456789"
PATIENCE_S = 20.0  # a safety net only: the wait ends when the log line appears


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


def test_a_wrong_emulator_url_is_a_config_error(tmp_path: Path) -> None:
    loaded = kiosk_config(tmp_path, '[scanner]\nurl = "emulator://escpos"\n')
    with pytest.raises(ConfigError, match=r"scanner\.url: .*emulator://scanner"):
        Runtime(loaded)


def test_the_runtime_runs_the_configured_scanner(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    emulator = ScannerEmulator(terminator=Terminator.LF, prefix="]Q", link=tmp_path / "scanner")
    emulator.start()
    section = f'[scanner]\nurl = "{tmp_path / "scanner"}"\nterminator = "lf"\nprefix = "]Q"\n'
    runtime = Runtime(kiosk_config(tmp_path, section))
    caplog.set_level(logging.INFO, logger="kiosk.runtime")
    try:
        assert runtime.scanner is not None
        assert runtime.scanner.codec.prefix == "]Q"
        assert runtime.scanner.codec.terminator is Terminator.LF
        runtime.start()
        assert runtime.scanner.connected
        emulator.scan(WECHAT)
        deadline = time.monotonic() + PATIENCE_S
        while "Scanned" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.01)
        assert "scanner: Scanned(<18 characters>)" in caplog.text
        assert WECHAT not in caplog.text
    finally:
        runtime.stop()
        emulator.stop()
    assert not runtime.scanner.running
