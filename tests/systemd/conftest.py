"""Fixtures for the deployment tests: a throwaway Debian-like root and the installers."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "scripts"
SYSTEMD = REPO / "systemd"
HOST_UNITS = Path("/usr/lib/systemd/system")
SECRET = "k0042-secret-from-add-kiosk-0123456789"


def require_tool(name: str) -> str:
    """The tool's path; without it, skip (or fail in CI, where it must be installed)."""
    found = shutil.which(name)
    if found:
        return found
    reason = f"{name} is not installed (Debian package systemd)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide {name}: {reason}")
    pytest.skip(reason)


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_script(name: str, *args: str | Path, check: bool = True) -> Result:
    """Run scripts/<name> with a bounded time; with check, a non-zero exit fails the test."""
    proc = subprocess.run(
        [str(SCRIPTS / name), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    result = Result(proc.returncode, proc.stdout, proc.stderr)
    if check and proc.returncode != 0:
        pytest.fail(
            f"{name} exited {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        )
    return result


@pytest.fixture
def debian_root(tmp_path: Path) -> Path:
    """An empty machine as systemctl/sysusers see it: the distribution's units and a few groups.

    The host's /usr/lib/systemd/system stands in for a fresh Debian's (graphical.target,
    getty@.service, ...); /etc holds only root and Debian's static device groups.
    """
    require_tool("systemctl")
    require_tool("systemd-sysusers")
    if not HOST_UNITS.is_dir():
        pytest.skip(f"{HOST_UNITS} is missing: systemd is not installed")
    root = tmp_path / "root"
    (root / "usr/lib/systemd").mkdir(parents=True)
    shutil.copytree(HOST_UNITS, root / "usr/lib/systemd/system", symlinks=True)
    etc = root / "etc"
    etc.mkdir()
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (etc / "group").write_text("root:x:0:\ndialout:x:20:\nvideo:x:44:\nrender:x:105:\n")
    return root


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk-secret"
    path.write_text(SECRET + "\n")
    path.chmod(0o600)
    return path


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    """Every path under root with its mode and content digest (or link target)."""
    listing: dict[str, tuple[int, str]] = {}
    if not root.exists():
        return listing
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(directory, name)
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                what = "-> " + os.readlink(path)
            elif stat.S_ISREG(info.st_mode):
                what = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                what = ""
            listing[str(path.relative_to(root))] = (info.st_mode, what)
    return listing


def stub_executable(path: Path) -> None:
    """A stand-in for a binary a unit starts (cage, the venv's entry points)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
