"""`kiosk voice render --out DIR`: every fixed spoken prompt, both languages, as WAV files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.voice import Voice, VoiceSettings, fixed_prompts


def register(commands: Any) -> None:
    parser = commands.add_parser("voice", help="render the spoken prompts (espeak-ng)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    render = actions.add_parser(
        "render", help="write every prompt in Mandarin and English as WAV files into --out"
    )
    render.add_argument("--out", type=Path, required=True, help="directory for the WAV files")
    render.add_argument(
        "--volume", type=int, default=80, help="0..100, as [ui] voice_volume (default 80)"
    )
    render.set_defaults(handler=_render)


def _render(args: argparse.Namespace) -> int:
    if not 0 <= args.volume <= 100:
        print("kiosk voice render: --volume must be 0..100", file=sys.stderr)
        return 2
    voice = Voice(args.out, VoiceSettings(volume=args.volume))
    for prompt_id, language, amount in fixed_prompts():
        path = voice.render(prompt_id, language, amount)
        line = {"prompt": prompt_id, "language": language, "amount_fen": amount, "file": str(path)}
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    return 0
