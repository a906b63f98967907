"""The demo rig and the UI's fakes stay out of production: no production package imports
``kiosk_demo``, and the contract that says so covers every package the wheel ships."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO = "kiosk_demo"
CONTRACT = "no-demo-in-production"


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def contract(config: dict[str, Any]) -> dict[str, Any]:
    found = [c for c in config["tool"]["importlinter"]["contracts"] if c.get("id") == CONTRACT]
    assert len(found) == 1, f"pyproject.toml declares contract {CONTRACT!r} once"
    return found[0]


def test_the_contract_covers_every_production_package() -> None:
    config = pyproject()
    shipped = set(config["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    production = shipped - {DEMO}
    assert DEMO in shipped  # `kiosk demo` works from an installed kiosk too
    assert set(contract(config)["source_modules"]) == production
    assert contract(config)["forbidden_modules"] == [DEMO]
    assert DEMO in config["tool"]["importlinter"]["root_packages"]


def test_kiosk_demo_is_a_command_the_core_finds_by_entry_point() -> None:
    config = pyproject()
    assert config["project"]["entry-points"]["kiosk.commands"] == {"demo": f"{DEMO}.cli:register"}


def test_lint_imports_keeps_the_contract() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint_imports), "--contract", CONTRACT, "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout
