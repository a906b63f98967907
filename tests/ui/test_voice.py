"""Spoken prompts: kiosk/voice.py renders them with espeak-ng (installed by
scripts/bootstrap.sh) and plays them off the caller's thread; the window says one per screen
change and customer event, and nothing to technicians."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kiosk.cli import main
from kiosk.voice import (
    Voice,
    VoiceError,
    VoiceSettings,
    fixed_prompts,
    prompt_ids,
    prompt_text,
)
from kiosk_demo.screenshots import PARTIAL_ACCOUNT


def test_prompts_exist_in_both_languages_with_amounts_in_words():
    assert "cash_insert" in prompt_ids() and "note_accepted" in prompt_ids()
    for prompt_id in prompt_ids():
        amount = 5000 if prompt_id in ("note_accepted", "still_owed", "still_due") else None
        zh, en = prompt_text(prompt_id, "zh", amount), prompt_text(prompt_id, "en", amount)
        assert zh and en and zh != en
    with pytest.raises(VoiceError, match="no prompt"):
        prompt_text("no_such_prompt", "zh")
    assert prompt_text("note_accepted", "zh", 5000) == "已收到 50 元"
    assert prompt_text("still_owed", "en", 29050) == "Still owed 290.50 yuan"
    with pytest.raises(VoiceError, match="needs an amount"):
        prompt_text("still_owed", "zh")


def test_voice_render_writes_every_prompt_for_both_languages(tmp_path: Path, capsys: Any):
    assert main(["voice", "render", "--out", str(tmp_path)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == len(list(fixed_prompts()))
    assert {line["language"] for line in lines} == {"zh", "en"}
    for line in lines:
        data = Path(line["file"]).read_bytes()
        assert data[:4] == b"RIFF" and data[8:12] == b"WAVE" and len(data) > 1000
    assert not list(tmp_path.glob("*.part"))


def test_volume_is_part_of_the_cached_file(tmp_path: Path):
    loud = Voice(tmp_path, VoiceSettings(volume=100)).path_for("method", "zh")
    soft = Voice(tmp_path, VoiceSettings(volume=20)).path_for("method", "zh")
    assert loud != soft


def test_say_plays_off_the_callers_thread_and_never_when_off(tmp_path: Path):
    played = tmp_path / "played"
    player = ("sh", "-c", f'echo "$0" >> {played}')
    Voice(tmp_path, VoiceSettings(enabled=False, player=player)).say("method", "zh")
    voice = Voice(tmp_path, VoiceSettings(enabled=True, player=player))
    voice.say("note_accepted", "zh", 10000)
    voice.close()  # waits for the prompt playing now
    assert "note_accepted_10000_zh" in played.read_text()


class RecordingVoice:
    def __init__(self) -> None:
        self.said: list[tuple[str, str, int | None]] = []

    def say(self, prompt_id: str, language: str, amount_fen: int | None = None) -> None:
        self.said.append((prompt_id, language, amount_fen))


def test_the_window_speaks_per_screen_and_event_and_not_to_technicians(kiosk):
    voice = RecordingVoice()
    kiosk.window.voice = voice
    kiosk.show("account_entry")
    cash = {"inserted_fen": 0, "still_due_fen": 34000}
    kiosk.show("cash_insert", account=PARTIAL_ACCOUNT, amount_fen=34000, cash=cash)
    cash = {"inserted_fen": 5000, "notes": {"5000": 1}, "still_due_fen": 29000}
    kiosk.show("cash_insert", account=PARTIAL_ACCOUNT, amount_fen=34000, cash=cash)
    kiosk.show("cash_insert", account=PARTIAL_ACCOUNT, cash=cash, idle_prompt={"seconds_left": 9})
    result = {"status": "posted", "amount_fen": 5000, "printing": "pending"}
    kiosk.show("done", account=PARTIAL_ACCOUNT, amount_fen=34000, result=result)
    kiosk.show(
        "done", account=PARTIAL_ACCOUNT, amount_fen=34000, result={**result, "printing": "printed"}
    )
    kiosk.show("home", language="en")
    kiosk.show("maintenance")
    assert voice.said == [
        ("account_entry", "zh", None),
        ("cash_insert", "zh", None),
        ("note_accepted", "zh", 5000),
        ("idle", "zh", None),
        ("still_owed", "zh", 29000),
        ("take_receipt", "zh", None),
    ]


def test_a_snapshot_in_english_speaks_english(kiosk):
    voice = RecordingVoice()
    kiosk.window.voice = voice
    kiosk.show("account_shown", language="en")
    assert voice.said == [("account_shown", "en", None)]
