"""`kiosk diag cash` (a separate process) against devices played from the transcripts."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.drivers.conformance.player import DevicePlayer
from tests.drivers.conformance.transcripts import ALL, Step, Transcript, id_start

LISTEN_S = "3"  # how long diag listens once the device is ready


def transcript(protocol: str, name: str) -> Transcript:
    (found,) = [t for t in ALL if t.protocol == protocol and t.name == name]
    return found


def id003_with_country(country: int, steps: list[Step]) -> list[Step]:
    """The same session from a device whose currency assignment says ``country``."""
    return [*id_start(country=country), *steps[len(id_start()) :]]


@pytest.fixture
def device(request: pytest.FixtureRequest) -> Iterator[DevicePlayer]:
    protocol, steps = request.param
    player = DevicePlayer(protocol, steps)
    player.start()
    try:
        yield player
    finally:
        player.stop()


def diag(player: DevicePlayer, *args: str) -> tuple[int, list[dict[str, object]], str]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "diag",
            "cash",
            player.path,
            "--seconds",
            LISTEN_S,
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return done.returncode, lines, done.stderr


def names(lines: list[dict[str, object]]) -> list[object]:
    return [line["event"] for line in lines if line["event"] != "summary"]


@pytest.mark.parametrize(
    "device", [("ccnet", transcript("ccnet", "escrow, stack").steps)], indirect=True
)
def test_ccnet_with_table_code_chn_stacks(device: DevicePlayer) -> None:
    code, lines, stderr = diag(device, "--protocol", "ccnet", "--stack-all")
    assert code == 0, stderr
    assert device.finished.is_set(), device.describe()
    assert names(lines) == ["power_up", "ready", "escrow", "stacked"]
    ready = lines[1]
    assert ready["identity"]["table_code"] == "CHN"  # type: ignore[index]
    assert ready["identity"]["model"] == "C100-CHN-001"  # type: ignore[index]
    assert ready["identity"]["serial"] == "12AB34567890"  # type: ignore[index]


@pytest.mark.parametrize(
    "device", [("ccnet", transcript("ccnet", "escrow, return").steps)], indirect=True
)
def test_ccnet_with_table_code_chn_returns(device: DevicePlayer) -> None:
    code, lines, stderr = diag(device, "--protocol", "ccnet")
    assert code == 0, stderr
    assert device.finished.is_set(), device.describe()
    assert names(lines) == ["power_up", "ready", "escrow", "returned"]


REFUSED = "a country code other than the configured ones is refused, naming it"


@pytest.mark.parametrize("device", [("id003", transcript("id003", REFUSED).steps)], indirect=True)
def test_id003_with_another_country_code_exits_non_zero_naming_it(device: DevicePlayer) -> None:
    code, lines, stderr = diag(device, "--protocol", "id003")
    assert code == 1
    assert "bill table has no notes in 156" in stderr
    assert "country 1: 10" in stderr
    fault = [line for line in lines if line["event"] == "fault"]
    assert fault and fault[0]["kind"] == "bill_table"
    assert "ready" not in names(lines)


@pytest.mark.parametrize(
    "device",
    [("id003", id003_with_country(1, transcript("id003", "escrow, stack").steps))],
    indirect=True,
)
def test_id003_with_its_country_code_configured_completes(device: DevicePlayer) -> None:
    code, lines, stderr = diag(device, "--protocol", "id003", "--table-codes", "1", "--stack-all")
    assert code == 0, stderr
    assert device.finished.is_set(), device.describe()
    assert names(lines) == ["power_up", "ready", "escrow", "stacked"]
    assert lines[-2]["denomination_fen"] == 1000


@pytest.mark.parametrize(
    "device", [("ict", transcript("ict", "configured bill types").steps)], indirect=True
)
def test_ict_with_bill_types_completes(device: DevicePlayer) -> None:
    code, lines, stderr = diag(
        device, "--protocol", "ict", "--bill-types", "40=1000,41=2000", "--stack-all"
    )
    assert code == 0, stderr
    assert device.finished.is_set(), device.describe()
    assert names(lines) == ["power_up", "ready", "escrow", "stacked"]
    assert lines[-2]["denomination_fen"] == 2000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--protocol", "ict", "--bill-types", "40=ten"], "give TYPE=FEN pairs"),
        (["--protocol", "ict", "--bill-types", "50=100"], "types are 40..48"),
        (["--protocol", "ccnet", "--bill-types", "40=100"], "for --protocol ict only"),
    ],
)
def test_bad_bill_types_are_refused(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "diag", "cash", "/dev/null", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert message in done.stderr
