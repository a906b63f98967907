"""The install and uninstall scripts, run into a throwaway root (--root) with --skip-venv.

--skip-venv: the virtual environment step would download and install every dependency; the
tests check everything else the scripts do. (The step itself is shown by --dry-run.)
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from central import config as central_config
from kiosk import config as kiosk_config
from kiosk.secret_source import SecretSource
from tests.systemd.conftest import SCRIPTS, SECRET, run_script, snapshot

KIOSK_ARGS = (
    "--skip-venv",
    "--kiosk-id",
    "K0042",
    "--central-url",
    "https://central.example.net",
    "--cash-usb",
    "0403:6001:A10K1234",
    "--printer-usb",
    "0403:6015:DN02XYZ",
    "--allow-power",
)

KIOSK_FILES = {
    "etc/systemd/system/kiosk.service": 0o644,
    "etc/systemd/system/kiosk-recover.timer": 0o644,
    "etc/udev/rules.d/70-kiosk-devices.rules": 0o644,
    "etc/sysusers.d/kiosk.conf": 0o644,
    "etc/tmpfiles.d/kiosk.conf": 0o644,
    "etc/modules-load.d/kiosk.conf": 0o644,
    "etc/systemd/journald.conf.d/60-kiosk.conf": 0o644,
    "etc/systemd/logind.conf.d/60-kiosk.conf": 0o644,
    "etc/sysctl.d/60-kiosk.conf": 0o644,
    "etc/polkit-1/rules.d/50-kiosk-power.rules": 0o644,
    "etc/kiosk/kiosk.toml": 0o644,
    "var/lib/kiosk/secret": 0o600,
    "opt/kiosk/docs/deployment.md": 0o644,
}
MASKED = ("getty@.service", "autovt@.service", "console-getty.service", "ctrl-alt-del.target")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def kiosk_ids(root: Path) -> tuple[int, int]:
    """The kiosk user's uid and gid in the installed tree."""
    line = next(x for x in (root / "etc/passwd").read_text().splitlines() if x.startswith("kiosk:"))
    fields = line.split(":")
    return int(fields[2]), int(fields[3])


def owner(path: Path) -> tuple[int, int]:
    info = path.lstat()
    return info.st_uid, info.st_gid


def install_kiosk(root: Path, secret_file: Path, *extra: str) -> str:
    return run_script(
        "install-kiosk.sh", "--root", root, *KIOSK_ARGS, "--secret-file", secret_file, *extra
    ).out


def test_kiosk_install_creates_the_kiosk_and_a_second_run_is_a_no_op(
    debian_root: Path, secret_file: Path, tmp_path: Path
) -> None:
    first = install_kiosk(debian_root, secret_file)
    assert "nothing to do" not in first

    for relative, expected in KIOSK_FILES.items():
        path = debian_root / relative
        assert path.is_file(), f"{relative} missing"
        assert mode(path) == expected, f"{relative}: mode {oct(mode(path))}"

    passwd = (debian_root / "etc/passwd").read_text()
    kiosk_user = next(line for line in passwd.splitlines() if line.startswith("kiosk:"))
    assert kiosk_user.endswith(":/var/lib/kiosk:/usr/sbin/nologin")  # no login shell
    groups = {
        line.split(":")[0]: line.split(":")[3].split(",")
        for line in (debian_root / "etc/group").read_text().splitlines()
    }
    for group in ("dialout", "video", "render"):
        assert "kiosk" in groups[group], group
    assert groups["dialout"] == ["kiosk"]

    system = debian_root / "etc/systemd/system"
    for unit in MASKED:
        assert os.readlink(system / unit) == "/dev/null", unit
    assert os.readlink(system / "graphical.target.wants/kiosk.service") == (
        "/etc/systemd/system/kiosk.service"
    )

    # The secret is the kiosk user's, where it reads it (and pairing may replace it), in the
    # state directory the unit makes the kiosk's; no credential, no /etc/kiosk/secret.
    data = debian_root / "var/lib/kiosk"
    assert mode(data) == 0o750
    assert not (debian_root / "etc/kiosk/secret").exists()
    if os.geteuid() == 0:  # only root can give files away
        assert owner(data) == owner(data / "secret") == kiosk_ids(debian_root)

    # The config as the kiosk reads it under systemd (KIOSK_DATA_DIR=/var/lib/kiosk).
    loaded = kiosk_config.load(
        debian_root / "etc/kiosk/kiosk.toml", env={"KIOSK_DATA_DIR": str(data)}
    )
    assert loaded.kiosk.id == "K0042"
    assert loaded.central.url == "https://central.example.net"
    assert loaded.central.secret == SECRET
    assert loaded.secret_source is SecretSource.FILE
    assert loaded.maintenance.allow_power_actions is True  # --allow-power
    assert SECRET not in first  # never printed

    before = snapshot(debian_root)
    second = install_kiosk(debian_root, secret_file)
    assert second.strip().endswith("install-kiosk: nothing to do")
    assert "+ " not in second
    assert snapshot(debian_root) == before


def test_dry_run_prints_the_plan_and_changes_nothing(debian_root: Path, secret_file: Path) -> None:
    before = snapshot(debian_root)
    out = run_script(
        "install-kiosk.sh", "--root", debian_root, "--dry-run", "--secret-file", secret_file
    ).out
    assert snapshot(debian_root) == before
    assert "would: install /etc/systemd/system/kiosk.service" in out
    assert "would: systemctl mask getty@.service" in out
    assert "would: systemctl enable kiosk.service" in out
    assert "would: install the package from" in out  # the venv step, not skipped here
    assert "nothing was changed" in out

    fresh = debian_root.parent / "not-yet"
    run_script("install-central.sh", "--root", fresh, "--dry-run")
    assert not fresh.exists()


def test_dry_run_of_an_installed_kiosk_has_nothing_to_do(
    debian_root: Path, secret_file: Path
) -> None:
    install_kiosk(debian_root, secret_file)
    out = run_script(
        "install-kiosk.sh",
        "--root",
        debian_root,
        *KIOSK_ARGS,
        "--dry-run",
        "--secret-file",
        secret_file,
    ).out
    assert "would:" not in out
    assert out.strip().endswith("nothing to do")


def test_site_files_are_kept_and_a_new_secret_replaces_the_old(
    debian_root: Path, secret_file: Path, tmp_path: Path
) -> None:
    install_kiosk(debian_root, secret_file)
    config = debian_root / "etc/kiosk/kiosk.toml"
    edited = config.read_text().replace('location = "', 'location = "Lobby B, ')
    config.write_text(edited)

    new_secret = tmp_path / "rotated"
    new_secret.write_text("rotated-secret-0123456789abcdef\n")
    out = run_script(
        "install-kiosk.sh", "--root", debian_root, "--skip-venv", "--kiosk-id", "K0099",
        "--secret-file", new_secret,
    ).out  # fmt: skip
    assert config.read_text() == edited
    assert "kept the site's /etc/kiosk/kiosk.toml" in out
    secret = debian_root / "var/lib/kiosk/secret"
    assert secret.read_text() == "rotated-secret-0123456789abcdef\n"
    assert mode(secret) == 0o600
    assert "rotated-secret" not in out


def test_without_a_secret_the_kiosk_is_installed_unpaired_and_told_how_to_pair(
    debian_root: Path,
) -> None:
    out = run_script("install-kiosk.sh", "--root", debian_root, *KIOSK_ARGS).out
    assert "not paired yet" in out
    assert "kiosk pair URL CODE" in out
    data = debian_root / "var/lib/kiosk"
    assert data.is_dir() and mode(data) == 0o750  # ready for pairing, as root or as the kiosk
    assert not (data / "secret").exists()
    loaded = kiosk_config.load(
        debian_root / "etc/kiosk/kiosk.toml", env={"KIOSK_DATA_DIR": str(data)}
    )
    assert not loaded.paired
    assert loaded.central.secret_file == data / "secret"


def test_an_older_installs_etc_secret_is_moved_where_the_kiosk_reads_it(
    debian_root: Path, secret_file: Path
) -> None:
    old = debian_root / "etc/kiosk/secret"  # what earlier releases installed (root, 0600)
    old.parent.mkdir(parents=True)
    old.write_text(SECRET + "\n")
    old.chmod(0o600)
    out = run_script("install-kiosk.sh", "--root", debian_root, *KIOSK_ARGS).out
    assert "moving the secret from /etc/kiosk/secret to /var/lib/kiosk/secret" in out
    moved = debian_root / "var/lib/kiosk/secret"
    assert moved.read_text() == SECRET + "\n"
    assert mode(moved) == 0o600
    if os.geteuid() == 0:
        assert owner(moved) == kiosk_ids(debian_root)
    assert not old.exists()
    assert SECRET not in out
    again = run_script("install-kiosk.sh", "--root", debian_root, *KIOSK_ARGS).out
    assert again.strip().endswith("nothing to do")


def test_a_site_that_hands_the_secret_over_as_a_credential_keeps_it_and_is_warned(
    debian_root: Path,
) -> None:
    old = debian_root / "etc/kiosk/secret"
    old.parent.mkdir(parents=True)
    old.write_text(SECRET + "\n")
    dropin = debian_root / "etc/systemd/system/kiosk.service.d/secret.conf"
    dropin.parent.mkdir(parents=True)
    dropin.write_text("[Service]\nLoadCredential=kiosk-secret:/etc/kiosk/secret\n")
    result = run_script("install-kiosk.sh", "--root", debian_root, *KIOSK_ARGS)
    assert old.read_text() == SECRET + "\n"  # the site's, as it provisions it
    assert not (debian_root / "var/lib/kiosk/secret").exists()
    assert "/etc/systemd/system/kiosk.service.d/secret.conf hands the kiosk" in result.err
    assert "pairing on the maintenance screen is refused" in result.err


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (("--kiosk-id", "K 42"), "--kiosk-id"),
        (("--central-url", "central.example.net"), "--central-url"),
        (("--secret-file", "SHORT"), "at least 16 characters"),
        (("--bogus",), "unknown option --bogus"),
    ],
)
def test_bad_input_is_refused_before_anything_changes(
    debian_root: Path, tmp_path: Path, args: tuple[str, ...], complaint: str
) -> None:
    if "--secret-file" in args:
        short = tmp_path / "short"
        short.write_text("too-short\n")
        args = ("--secret-file", str(short))
    before = snapshot(debian_root)
    result = run_script(
        "install-kiosk.sh", "--root", debian_root, "--skip-venv", *args, check=False
    )
    assert result.code == 2
    assert complaint in result.err
    assert snapshot(debian_root) == before


def test_uninstall_removes_the_kiosk_but_never_the_payment_journal(
    debian_root: Path, secret_file: Path
) -> None:
    install_kiosk(debian_root, secret_file)
    journal = debian_root / "var/lib/kiosk/journal.db"
    journal.parent.mkdir(parents=True, exist_ok=True)  # the installer made it (the secret)
    journal.write_bytes(b"SQLite format 3\x00 payments")

    out = run_script("uninstall-kiosk.sh", "--root", debian_root).out
    kept_unless_purged = ("etc/kiosk/kiosk.toml", "var/lib/kiosk/secret")
    for relative in KIOSK_FILES:
        if relative not in kept_unless_purged:
            assert not (debian_root / relative).exists(), relative
    system = debian_root / "etc/systemd/system"
    for unit in MASKED:
        assert not (system / unit).is_symlink(), unit
    assert not (system / "graphical.target.wants/kiosk.service").is_symlink()
    assert journal.read_bytes() == b"SQLite format 3\x00 payments"
    assert (debian_root / "var/lib/kiosk/secret").exists()
    assert "kept /var/lib/kiosk" in out

    before = snapshot(debian_root)
    again = run_script("uninstall-kiosk.sh", "--root", debian_root).out
    assert "nothing to do" in again
    assert snapshot(debian_root) == before

    run_script("uninstall-kiosk.sh", "--root", debian_root, "--purge")
    assert not (debian_root / "etc/kiosk").exists()
    assert not (debian_root / "var/lib/kiosk/secret").exists()
    assert journal.exists()
    assert "kiosk:" in (debian_root / "etc/passwd").read_text()  # it owns the journal


def read_env_file(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    return env


def test_central_install_writes_config_and_root_only_secrets_and_is_idempotent(
    debian_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "database-url"
    database.write_text("postgresql+psycopg://kiosk_central@db.internal/kiosk_central\n")
    args = (
        "--skip-venv",
        "--public-url",
        "https://pay.example.net",
        "--database-url-file",
        database,
    )
    first = run_script("install-central.sh", "--root", debian_root, *args).out

    etc = debian_root / "etc/kiosk-central"
    assert mode(etc / "central.toml") == 0o644
    assert mode(etc / "secrets.env") == 0o600
    assert (debian_root / "etc/systemd/system/kiosk-central.service").is_file()
    assert (
        debian_root / "etc/systemd/system/multi-user.target.wants/kiosk-central.service"
    ).is_symlink()
    secrets = read_env_file(etc / "secrets.env")
    assert secrets["CENTRAL_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert len(secrets["CENTRAL_RECEIPT_KEY"]) >= 32
    assert len(secrets["CENTRAL_SECRET_KEY"]) >= 32
    assert secrets["CENTRAL_RECEIPT_KEY"] != secrets["CENTRAL_SECRET_KEY"]
    for value in secrets.values():
        assert value not in first

    # The server reads exactly this pair, as the unit hands it over.
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    loaded = central_config.load(etc / "central.toml")
    assert loaded.server.public_url == "https://pay.example.net"
    assert loaded.server.demo_wallet is False

    before = snapshot(debian_root)
    second = run_script("install-central.sh", "--root", debian_root, *args).out
    assert second.strip().endswith("nothing to do")
    assert snapshot(debian_root) == before

    # A new database URL changes only that line; the keys are never regenerated.
    database.write_text("postgresql+psycopg://kiosk_central@db2.internal/kiosk_central\n")
    run_script("install-central.sh", "--root", debian_root, *args)
    rotated = read_env_file(etc / "secrets.env")
    assert rotated["CENTRAL_DATABASE_URL"].endswith("@db2.internal/kiosk_central")
    assert rotated["CENTRAL_SECRET_KEY"] == secrets["CENTRAL_SECRET_KEY"]
    assert rotated["CENTRAL_RECEIPT_KEY"] == secrets["CENTRAL_RECEIPT_KEY"]


def test_central_without_a_database_url_warns_that_it_cannot_start(debian_root: Path) -> None:
    result = run_script("install-central.sh", "--root", debian_root, "--skip-venv")
    assert "CENTRAL_DATABASE_URL is not set" in result.err
    secrets = (debian_root / "etc/kiosk-central/secrets.env").read_text()
    assert "\n# CENTRAL_DATABASE_URL=" in secrets


def test_central_uninstall_keeps_config_and_secrets_unless_purged(debian_root: Path) -> None:
    run_script("install-central.sh", "--root", debian_root, "--skip-venv")
    run_script("uninstall-central.sh", "--root", debian_root)
    assert not (debian_root / "etc/systemd/system/kiosk-central.service").exists()
    assert not (
        debian_root / "etc/systemd/system/multi-user.target.wants/kiosk-central.service"
    ).is_symlink()
    assert (debian_root / "etc/kiosk-central/secrets.env").exists()
    assert "nothing to do" in run_script("uninstall-central.sh", "--root", debian_root).out
    run_script("uninstall-central.sh", "--root", debian_root, "--purge")
    assert not (debian_root / "etc/kiosk-central").exists()


def test_without_root_privileges_a_real_install_is_refused() -> None:
    command = [str(SCRIPTS / "install-kiosk.sh")]
    if os.geteuid() == 0:  # drop to nobody to see the refusal
        setpriv = shutil.which("setpriv")
        if not setpriv:
            pytest.skip("running as root without setpriv (util-linux) to drop privileges")
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "run as root" in result.stderr
