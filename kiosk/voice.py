"""Spoken prompts in Mandarin and English, rendered offline by espeak-ng (Debian's
``espeak-ng`` package) and played with ALSA's ``aplay`` (``alsa-utils``). No Qt here.

Voice guidance is expected on public terminals (MIIT 适老化 guidance). Fixed prompts are
rendered once into a cache directory (``kiosk voice render --out DIR`` writes them all for
both languages); prompts with an amount in them are rendered when first needed and cached
too. Playing never blocks the caller: one worker thread takes the newest prompt, dropping
any older one not yet started, so the voice follows the screen instead of lagging behind it.

Errors: ``VoiceError`` (a ``KioskError``) when espeak-ng is missing or fails; the kiosk logs
it and goes on silently: a voice that cannot speak must never stop a payment.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk import KioskError
from kiosk.money import FEN_PER_YUAN
from kiosk.words import LANGUAGES, all_ids, has, template, text

log = logging.getLogger("kiosk.voice")

PREFIX = "voice."
ESPEAK_VOICES = {"zh": "cmn", "en": "en-gb"}
WORDS_PER_MINUTE = {"zh": 150, "en": 150}  # slower than espeak's 175: clearer for seniors
RENDER_TIMEOUT_S = 20.0
NOTE_FACES_FEN = (100, 500, 1000, 2000, 5000, 10000)


class VoiceError(KioskError):
    """espeak-ng is missing, or it failed to render a prompt."""


def yuan_words(fen: int, language: str) -> str:
    """5000 -> '50 元' / '50 yuan'; 12350 -> '123.50 元'."""
    yuan, rest = divmod(fen, FEN_PER_YUAN)
    number = f"{yuan}" if rest == 0 else f"{yuan}.{rest:02d}"
    return f"{number} 元" if language == "zh" else f"{number} yuan"


def prompt_ids() -> list[str]:
    """Every spoken prompt's id (the catalogue's ``voice.*`` without the prefix)."""
    return [msg_id.removeprefix(PREFIX) for msg_id in all_ids() if msg_id.startswith(PREFIX)]


def prompt_text(prompt_id: str, language: str, amount_fen: int | None = None) -> str:
    msg_id = PREFIX + prompt_id
    if not has(msg_id):
        raise VoiceError(f"no prompt {prompt_id!r}")
    if not _needs_amount(prompt_id):
        return text(msg_id, language)
    if amount_fen is None:
        raise VoiceError(f"prompt {prompt_id!r} needs an amount")
    return text(msg_id, language, yuan=yuan_words(amount_fen, language))


def _needs_amount(prompt_id: str) -> bool:
    return "{yuan}" in template(PREFIX + prompt_id, "zh")


def fixed_prompts() -> Iterator[tuple[str, str, int | None]]:
    """(prompt id, language, amount) of every prompt rendered ahead of time: the fixed
    texts and "received N" for each note face."""
    for language in LANGUAGES:
        for prompt_id in prompt_ids():
            if not _needs_amount(prompt_id):
                yield prompt_id, language, None
        for face in NOTE_FACES_FEN:
            yield "note_accepted", language, face


@dataclass(frozen=True)
class VoiceSettings:
    enabled: bool = False
    volume: int = 80  # 0..100
    player: Sequence[str] = ("aplay", "-q")


class Voice:
    """Renders prompts into ``cache_dir`` and plays them on a worker thread."""

    def __init__(self, cache_dir: Path, settings: VoiceSettings = VoiceSettings()) -> None:
        self.cache_dir = Path(cache_dir)
        self.settings = settings
        self._queue: queue.Queue[Path | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ rendering
    def path_for(self, prompt_id: str, language: str, amount_fen: int | None = None) -> Path:
        spoken = prompt_text(prompt_id, language, amount_fen)
        digest = hashlib.sha256(f"{self.settings.volume}|{language}|{spoken}".encode()).hexdigest()
        suffix = "" if amount_fen is None else f"_{amount_fen}"
        return self.cache_dir / f"{prompt_id}{suffix}_{language}_{digest[:8]}.wav"

    def render(self, prompt_id: str, language: str, amount_fen: int | None = None) -> Path:
        """The prompt's WAV file, rendered now unless the cache has it."""
        path = self.path_for(prompt_id, language, amount_fen)
        if path.exists():
            return path
        espeak = shutil.which("espeak-ng")
        if espeak is None:
            raise VoiceError("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        command = [
            espeak,
            "-v",
            ESPEAK_VOICES[language],
            "-s",
            str(WORDS_PER_MINUTE[language]),
            "-a",
            str(max(0, min(200, self.settings.volume * 2))),  # espeak's amplitude: 0..200
            "-w",
            str(partial),
            prompt_text(prompt_id, language, amount_fen),
        ]
        try:
            # S603: a fixed program and our own prompt text as one argument, no shell
            subprocess.run(command, check=True, capture_output=True, timeout=RENDER_TIMEOUT_S)  # noqa: S603
        except (OSError, subprocess.SubprocessError) as exc:
            partial.unlink(missing_ok=True)
            raise VoiceError(f"espeak-ng could not render {prompt_id!r}: {exc}") from exc
        partial.replace(path)  # whole files only in the cache
        return path

    def render_all(self) -> list[Path]:
        return [self.render(p, language, amount) for p, language, amount in fixed_prompts()]

    # ------------------------------------------------------------------- playing
    def say(self, prompt_id: str, language: str, amount_fen: int | None = None) -> None:
        """Speak a prompt soon; never blocks, never raises (a failure is logged)."""
        if not self.settings.enabled:
            return
        try:
            path = self.render(prompt_id, language, amount_fen)
        except VoiceError as exc:
            log.warning("voice prompt not spoken: %s", exc)
            return
        with self._lock:
            self._drain()  # the newest prompt wins: the screen has moved on
            self._queue.put(path)
            if self._thread is None:
                self._thread = threading.Thread(target=self._play_loop, name="voice", daemon=True)
                self._thread.start()

    def close(self) -> None:
        """Stop the worker (after the prompt playing now)."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is not None:
                self._drain()
                self._queue.put(None)
        if thread is not None:
            thread.join(timeout=RENDER_TIMEOUT_S)

    def _drain(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def _play_loop(self) -> None:
        while True:
            path = self._queue.get()
            if path is None:
                return
            try:
                subprocess.run(  # noqa: S603 - the configured player and our own cache file
                    [*self.settings.player, str(path)],
                    check=True,
                    capture_output=True,
                    timeout=60,
                )
            except (OSError, subprocess.SubprocessError) as exc:
                log.warning("voice prompt %s not played: %s", path.name, exc)
