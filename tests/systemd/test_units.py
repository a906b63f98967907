"""The units, udev rules and drop-ins: systemd's own checks, and the contracts they carry."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk import config as kiosk_config
from kiosk.secret_source import DEFAULT_SECRET_FILE
from tests.systemd.conftest import REPO, SYSTEMD, require_tool, run_script, stub_executable

UNITS = sorted(p.name for p in SYSTEMD.iterdir() if p.suffix in {".service", ".timer"})
EXPOSURE_TARGETS = {"kiosk.service": 4.0, "kiosk-central.service": 2.5}
_SPAN = re.compile(r"^(\d+)(s|min|h)$")


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Sections of a unit file as (key, value) lists: keys like DeviceAllow= may repeat."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
            continue
        assert current is not None, f"{path.name}: {line!r} before any section"
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: {line!r} is not KEY=value"
        current.append((key.strip(), value.strip()))
    return sections


def values(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [v for k, v in unit.get(section, []) if k == key]


def one(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> str:
    found = values(unit, section, key)
    assert len(found) == 1, f"[{section}] {key}= appears {len(found)} times"
    return found[0]


def seconds(span: str) -> int:
    match = _SPAN.match(span)
    assert match, f"unexpected time span {span!r}"
    return int(match[1]) * {"s": 1, "min": 60, "h": 3600}[match[2]]


@pytest.fixture(scope="module")
def installed_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both services installed into one throwaway root, with stubs for the binaries they run."""
    require_tool("systemd-analyze")
    root = tmp_path_factory.mktemp("verify") / "root"
    (root / "usr/lib/systemd").mkdir(parents=True)
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc").mkdir()
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (root / "etc/group").write_text("root:x:0:\ndialout:x:20:\nvideo:x:44:\nrender:x:105:\n")
    run_script("install-kiosk.sh", "--root", root, "--skip-venv")
    run_script("install-central.sh", "--root", root, "--skip-venv")
    for binary in (
        "usr/bin/cage",
        "opt/kiosk/venv/bin/kiosk",
        "opt/kiosk-central/venv/bin/kiosk-central",
    ):
        stub_executable(root / binary)
    return root


def analyze(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_analyze_verify_passes_without_a_warning(installed_root: Path, unit: str) -> None:
    assert (installed_root / "etc/systemd/system" / unit).is_file(), f"{unit} was not installed"
    result = analyze("verify", f"--root={installed_root}", unit)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


def test_verify_really_resolves_the_installed_units(installed_root: Path, tmp_path: Path) -> None:
    """Control: without the kiosk's binary in the root, verify must object (so it looked)."""
    kiosk = installed_root / "opt/kiosk/venv/bin/kiosk"
    kiosk.rename(tmp_path / "kiosk")
    try:
        result = analyze("verify", f"--root={installed_root}", "kiosk.service")
    finally:
        (tmp_path / "kiosk").rename(kiosk)
    assert result.returncode != 0
    assert "/opt/kiosk/venv/bin/kiosk" in result.stderr


def exposure(unit: str) -> float:
    require_tool("systemd-analyze")
    result = analyze("security", "--offline=yes", "--no-pager", SYSTEMD / unit)
    assert result.returncode == 0, result.stderr
    match = re.search(rf"Overall exposure level for {re.escape(unit)}: (\d+\.\d+)", result.stdout)
    assert match, result.stdout[-2000:]
    return float(match[1])


@pytest.mark.parametrize(("unit", "target"), sorted(EXPOSURE_TARGETS.items()))
def test_exposure_score_is_under_its_target(unit: str, target: float) -> None:
    score = exposure(unit)
    print(f"systemd-analyze security --offline=yes systemd/{unit}: {score}")
    assert score < target, f"{unit}: exposure {score}, target under {target}"


def test_kiosk_unit_runs_the_kiosk_under_cage_with_an_engine_watchdog() -> None:
    unit = parse_unit(SYSTEMD / "kiosk.service")
    exec_start = one(unit, "Service", "ExecStart").split()
    assert exec_start[0] == "/usr/bin/cage"
    cage_options = exec_start[1 : exec_start.index("--")]
    assert "-s" not in cage_options, "cage -s would allow VT switching"
    assert exec_start[exec_start.index("--") + 1 :] == [
        "/opt/kiosk/venv/bin/kiosk",
        "run",
        "--config",
        "/etc/kiosk/kiosk.toml",
    ]
    assert one(unit, "Service", "Type") == "notify"
    assert one(unit, "Service", "NotifyAccess") == "all"  # the kiosk is cage's child
    assert seconds(one(unit, "Service", "WatchdogSec")) >= 10
    assert one(unit, "Service", "Restart") == "always"
    assert one(unit, "Service", "User") == "kiosk"
    assert "-s" not in one(unit, "Service", "ExecStartPre").split()


def test_kiosk_unit_lets_the_kiosk_read_and_pairing_write_the_secret_in_its_data_dir() -> None:
    """The secret is <data_dir>/secret in the unit's writable state directory, so pairing on
    the maintenance screen (as the kiosk user) writes what the next start reads. No
    LoadCredential=: a missing source file fails the start (243/CREDENTIALS), so a kiosk never
    paired could not come up to be paired, and a credential would outrank the pairing."""
    unit = parse_unit(SYSTEMD / "kiosk.service")
    assert values(unit, "Service", "LoadCredential") == []
    assert values(unit, "Service", "LoadCredentialEncrypted") == []
    state = "/var/lib/" + one(unit, "Service", "StateDirectory")
    assert f"KIOSK_DATA_DIR={state}" in values(unit, "Service", "Environment")
    assert values(unit, "Service", "ReadWritePaths") == [state]
    assert one(unit, "Service", "User") == "kiosk"
    env = {"KIOSK_DATA_DIR": state}  # as the unit sets it
    site = kiosk_config.load(REPO / "config/examples/kiosk.site.toml", env=env, check_secret=False)
    assert str(site.kiosk.data_dir) == state
    assert site.central.secret_file == Path(state) / "secret" == DEFAULT_SECRET_FILE
    # tmpfiles.d makes the directory the kiosk user's from boot, as StateDirectory= does
    tmpfiles = (SYSTEMD / "tmpfiles.d/kiosk.conf").read_text().splitlines()
    mode = one(unit, "Service", "StateDirectoryMode")
    assert f"d {state} {mode} kiosk kiosk -".split() in [line.split() for line in tmpfiles]


def test_kiosk_unit_hardening() -> None:
    unit = parse_unit(SYSTEMD / "kiosk.service")
    expected = {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "DevicePolicy": "closed",
        "LimitCORE": "0",
    }
    for key, value in expected.items():
        assert one(unit, "Service", key) == value, key
    assert "@system-service" in values(unit, "Service", "SystemCallFilter")
    families = one(unit, "Service", "RestrictAddressFamilies").split()
    assert set(families) <= {"AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK"}
    allowed = {v.split()[0] for v in values(unit, "Service", "DeviceAllow")}
    assert allowed == {"char-ttyUSB", "char-ttyACM", "char-drm"}


@pytest.mark.parametrize(
    ("service", "timer"),
    [
        ("kiosk.service", "kiosk-recover.timer"),
        ("kiosk-central.service", "kiosk-central-recover.timer"),
    ],
)
def test_start_limit_is_followed_by_a_retry_after_the_window(service: str, timer: str) -> None:
    """Restart=always stops at the start limit; the timer must start it again once it expired."""
    unit = parse_unit(SYSTEMD / service)
    recover = parse_unit(SYSTEMD / timer)
    assert one(unit, "Unit", "OnFailure") == timer
    assert one(recover, "Timer", "Unit") == service
    assert one(recover, "Timer", "RemainAfterElapse") == "no"  # re-armable by the next failure
    assert "Install" not in recover
    window = seconds(one(unit, "Unit", "StartLimitIntervalSec"))
    assert int(one(unit, "Unit", "StartLimitBurst")) >= 3
    assert seconds(one(recover, "Timer", "OnActiveSec")) > window


def test_central_unit_runs_serve_with_its_config_and_root_only_secrets() -> None:
    unit = parse_unit(SYSTEMD / "kiosk-central.service")
    assert one(unit, "Service", "DynamicUser") == "yes"
    assert one(unit, "Service", "StateDirectory") == "kiosk-central"
    assert "CENTRAL_CONFIG=/etc/kiosk-central/central.toml" in values(
        unit, "Service", "Environment"
    )
    assert one(unit, "Service", "EnvironmentFile") == "/etc/kiosk-central/secrets.env"
    exec_start = one(unit, "Service", "ExecStart").split()
    assert exec_start[:2] == ["/opt/kiosk-central/venv/bin/kiosk-central", "serve"]
    assert exec_start[2:] == ["--host", "${CENTRAL_HOST}", "--port", "${CENTRAL_PORT}"]
    assert one(unit, "Service", "MemoryDenyWriteExecute") == "yes"


def test_the_commands_the_units_run_exist_with_those_options() -> None:
    """The units start `kiosk check-config F`, `kiosk run --config F`, `kiosk-central serve`."""
    from central import cli as central_cli
    from kiosk import cli as kiosk_cli

    parser = kiosk_cli.build_parser()
    parser.parse_args(["check-config", "--allow-missing-devices", "/etc/kiosk/kiosk.toml"])
    parser.parse_args(["run", "--config", "/etc/kiosk/kiosk.toml"])
    central_cli.build_parser().parse_args(["serve", "--host", "127.0.0.1", "--port", "8470"])


# ---- udev rules

_RULE_TOKEN = re.compile(
    r'^(?P<key>[A-Z_]+)(\{(?P<attr>[A-Za-z0-9_.]+)\})?(?P<op>==|!=|\+=|-=|:=|=)"(?P<value>[^"]*)"$'
)
_MATCH_KEYS = {"SUBSYSTEM", "SUBSYSTEMS", "KERNEL", "KERNELS", "ATTRS", "ATTR", "ENV", "ACTION"}
_ASSIGN_KEYS = {"SYMLINK", "GROUP", "MODE", "OWNER", "TAG", "ENV"}


def parse_rules(text: str) -> list[dict[str, str]]:
    """udev rules as {key or key{attr}: value}; a malformed token fails the test."""
    rules = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        rule: dict[str, str] = {}
        for token in (t.strip() for t in line.split(",")):
            match = _RULE_TOKEN.match(token)
            assert match, f"line {number}: cannot parse {token!r}"
            key, op = match["key"], match["op"]
            if op in {"==", "!="}:
                assert key in _MATCH_KEYS, f"line {number}: {key} is not a match key"
            else:
                assert key in _ASSIGN_KEYS, f"line {number}: {key} cannot be assigned"
            name = f"{key}{{{match['attr']}}}" if match["attr"] else key
            rule[name + ("" if op in {"==", "="} else op)] = match["value"]
        rules.append(rule)
    return rules


def check_device_rules(rules: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    by_name = {rule["SYMLINK+="]: rule for rule in rules}
    assert set(by_name) == {"kiosk-cash", "kiosk-printer"}
    for rule in rules:
        assert rule["SUBSYSTEM"] == "tty"
        assert re.fullmatch(r"[0-9a-f]{4}", rule["ATTRS{idVendor}"])
        assert re.fullmatch(r"[0-9a-f]{4}", rule["ATTRS{idProduct}"])
        assert rule["GROUP"] == "dialout"  # the kiosk user's group
        assert rule["MODE"] == "0660"
    return by_name


def test_udev_rules_give_the_devices_the_names_the_site_config_uses() -> None:
    path = SYSTEMD / "udev/70-kiosk-devices.rules"
    by_name = check_device_rules(parse_rules(path.read_text()))
    site = kiosk_config.load(
        REPO / "config/examples/kiosk.site.toml", env={"KIOSK_SECRET": "s" * 16}
    )
    assert site.cash.url == "/dev/kiosk-cash"
    assert "kiosk-cash" in by_name
    assert site.printer.url == "/dev/kiosk-printer"
    assert "kiosk-printer" in by_name
    if _udevadm_verifies():
        result = subprocess.run(
            ["udevadm", "verify", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def _udevadm_verifies() -> bool:
    """`udevadm verify` arrived in systemd 254; Debian 12 has 252."""
    if not shutil.which("udevadm"):
        return False
    probe = subprocess.run(
        ["udevadm", "verify", "--help"], capture_output=True, text=True, timeout=30, check=False
    )
    return probe.returncode == 0


def test_the_installer_writes_parsable_rules_from_usb_ids(debian_root: Path) -> None:
    run_script(
        "install-kiosk.sh",
        "--root",
        debian_root,
        "--skip-venv",
        "--cash-usb",
        "0403:6001:A10K1234",
        "--printer-usb",
        "1A86:7523",
    )
    written = (debian_root / "etc/udev/rules.d/70-kiosk-devices.rules").read_text()
    by_name = check_device_rules(parse_rules(written))
    cash, printer = by_name["kiosk-cash"], by_name["kiosk-printer"]
    assert (cash["ATTRS{idVendor}"], cash["ATTRS{idProduct}"]) == ("0403", "6001")
    assert cash["ATTRS{serial}"] == "A10K1234"
    assert (printer["ATTRS{idVendor}"], printer["ATTRS{idProduct}"]) == ("1a86", "7523")
    assert "ATTRS{serial}" not in printer  # none given: CH340s have no serial number
    assert "EXAMPLE-" not in written


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [("0403", "VID:PID"), ("0403:60011", "VID:PID"), ('0403:6001:bad"serial', "serial number")],
)
def test_bad_usb_ids_are_refused_before_anything_changes(
    debian_root: Path, spec: str, complaint: str
) -> None:
    result = run_script(
        "install-kiosk.sh", "--root", debian_root, "--skip-venv", "--cash-usb", spec, check=False
    )
    assert result.code == 2
    assert "--cash-usb" in result.err
    assert complaint in result.err
    assert not (debian_root / "etc/systemd/system/kiosk.service").exists()


# ---- drop-ins


def test_console_lockdown_and_log_bounds_drop_ins() -> None:
    sysctl = (SYSTEMD / "sysctl.d/60-kiosk.conf").read_text()
    assert re.search(r"^kernel\.sysrq\s*=\s*0\s*$", sysctl, re.M)
    logind = parse_unit(SYSTEMD / "logind.conf.d/60-kiosk.conf")
    assert one(logind, "Login", "NAutoVTs") == "0"
    assert one(logind, "Login", "ReserveVT") == "0"
    journald = parse_unit(SYSTEMD / "journald.conf.d/60-kiosk.conf")
    assert one(journald, "Journal", "SystemMaxUse").endswith("M")
    assert one(journald, "Journal", "SystemKeepFree")
    tmpfiles = (SYSTEMD / "tmpfiles.d/kiosk.conf").read_text()
    entries = [line.split() for line in tmpfiles.splitlines() if line and not line.startswith("#")]
    cleaned = [entry[1] for entry in entries if entry[5] != "-"]  # those with an age
    assert cleaned, "the data directory needs some bound"
    # The payment journal lives at the top of the data directory: never a cleanup target.
    assert all(path.startswith("/var/lib/kiosk/") and path != "/var/lib/kiosk/" for path in cleaned)
    sysusers = (SYSTEMD / "sysusers.d/kiosk.conf").read_text()
    assert re.search(r"^u kiosk .* /usr/sbin/nologin$", sysusers, re.M)
    assert re.search(r"^m kiosk dialout$", sysusers, re.M)
