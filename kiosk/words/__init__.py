"""The kiosk's one catalogue of words: screens, paper and voice, Chinese first, English second.

One place so a term reads the same wherever the customer meets it: the screen says 预付余额
and so does the receipt and the voice. Ids are namespaced by where they appear:

- screens.py: the customer screens (``home.*``, ``cash.*``, ``done.*``, ...);
- maintenance.py: the technicians' and collectors' screens (``mt.*``);
- paper.py: the receipt and the collection slip (``paper.*``);
- voice.py: the spoken prompts (``voice.*``).

``tr`` is for the customer screen: a missing id or placeholder never raises there, it falls
back and logs once for translators. ``text`` is strict (``UnknownText``): paper and voice
resolve their ids when the kiosk starts, so a gap fails a test instead of a receipt.
"""

from __future__ import annotations

import logging
from types import MappingProxyType

from kiosk import KioskError
from kiosk.words.maintenance import MAINTENANCE
from kiosk.words.paper import PAPER
from kiosk.words.screens import SCREENS
from kiosk.words.voice import VOICE

log = logging.getLogger("kiosk.words")

LANGUAGES = ("zh", "en")


def _merged(*parts: dict[str, tuple[str, str]]) -> MappingProxyType[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for part in parts:
        clash = merged.keys() & part.keys()
        if clash:  # not an assert: one text must never silently replace another
            raise ValueError(f"text ids defined twice: {sorted(clash)}")
        merged.update(part)
    return MappingProxyType(merged)


TEXTS = _merged(SCREENS, MAINTENANCE, PAPER, VOICE)


class UnknownText(KioskError, KeyError):
    """An id the catalogue does not hold (a programming error, found by the tests)."""


def template(msg_id: str, language: str) -> str:
    """The text for msg_id in language as written, {placeholders} unfilled."""
    pair = TEXTS.get(msg_id)
    if pair is None:
        raise UnknownText(f"no text for {msg_id!r}")
    return pair[0 if language == "zh" else 1]


def text(msg_id: str, language: str, **values: object) -> str:
    """The text for msg_id in language, placeholders filled; raises on any gap."""
    return template(msg_id, language).format(**values)


def tr(msg_id: str, language: str, **values: object) -> str:
    """The text for msg_id in language, with {placeholders} filled in; never raises."""
    index = 0 if language == "zh" else 1
    pair = TEXTS.get(msg_id)
    if pair is None:
        log.warning("no text for message id %r", msg_id)
        pair = TEXTS["error.generic"]
        values = {"code": msg_id}
    chosen = pair[index] or pair[1 - index]
    try:
        return chosen.format(**values)
    except (KeyError, IndexError, ValueError):
        log.warning("text %r lacks values for its placeholders: %r", msg_id, values)
        return chosen


def has(msg_id: str) -> bool:
    return msg_id in TEXTS


def all_ids() -> list[str]:
    return sorted(TEXTS)
