import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import build_parser, main


def run_kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True, check=False
    )


def test_check_config_accepts_the_demo_file(repo: Path) -> None:
    done = run_kiosk("check-config", str(repo / "config/kiosk.toml"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["kiosk_id"] == "K0001"


def test_check_config_refuses_a_misspelled_key_naming_it(repo: Path, tmp_path: Path) -> None:
    bad = tmp_path / "kiosk.toml"
    text = (repo / "config/kiosk.toml").read_text(encoding="utf-8")
    bad.write_text(text.replace("idle_prompt_s", "idle_promt_s"), encoding="utf-8")
    done = run_kiosk("check-config", str(bad))
    assert done.returncode == 2
    assert "timeouts.idle_promt_s: unknown key" in done.stderr
    assert done.stdout == ""


def test_check_config_refuses_a_negative_limit(repo: Path, tmp_path: Path) -> None:
    bad = tmp_path / "kiosk.toml"
    text = (repo / "config/kiosk.toml").read_text(encoding="utf-8")
    bad.write_text(text.replace("max_payment_fen = 500000", "max_payment_fen = -1"), "utf-8")
    done = run_kiosk("check-config", str(bad))
    assert done.returncode == 2
    assert "limits.max_payment_fen" in done.stderr


def test_every_design_subcommand_is_registered() -> None:
    parser = build_parser()
    for argv in (
        ["run"],
        ["demo"],
        ["emulate", "cash"],
        ["emulate", "printer"],
        ["emulate", "ctl"],
        ["diag", "cash"],
        ["diag", "printer"],
        ["check-config", "x"],
        ["journal"],
        ["technicians"],
    ):
        try:
            args = parser.parse_args(argv)
        except SystemExit:  # a built subcommand may require more arguments
            continue
        assert callable(args.handler)


def test_help_lists_the_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for name in ("run", "demo", "emulate", "diag", "check-config", "journal", "technicians"):
        assert name in out
