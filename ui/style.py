"""The stylesheet: ``styles/*.qss`` in order, with sizes for normal or large text."""

from __future__ import annotations

from pathlib import Path

STYLE_DIR = Path(__file__).resolve().parent / "styles"

# Pixel sizes; large text (适老化) scales the texts, never the touch targets down.
SIZES = {
    False: {
        "base": 24,
        "subtitle": 30,
        "title": 40,
        "button": 26,
        "big": 34,
        "key": 38,
        "bigbutton": 88,
    },
    True: {
        "base": 32,
        "subtitle": 38,
        "title": 50,
        "button": 34,
        "big": 42,
        "key": 48,
        "bigbutton": 100,
    },
}


def stylesheet(large_text: bool) -> str:
    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(STYLE_DIR.glob("*.qss")))
    for name, value in SIZES[large_text].items():
        text = text.replace(f"@{name}@", str(value))
    return text
