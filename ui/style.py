"""The stylesheet: ``styles/*.qss`` in order, with sizes for normal or large text.

Large text is the senior mode (适老化, MIIT 2021): body text about twice the normal size,
and ``styles/senior/*.qss`` on top, a high-contrast theme (black on white, heavy borders).
"""

from __future__ import annotations

from pathlib import Path

STYLE_DIR = Path(__file__).resolve().parent / "styles"
SENIOR_DIR = STYLE_DIR / "senior"

# Pixel sizes; large text scales the texts, never the touch targets down.
SIZES = {
    False: {
        "base": 24,
        "subtitle": 30,
        "title": 40,
        "button": 26,
        "big": 34,
        "key": 38,
        "bigbutton": 88,
        "banner": 24,
        "header": 30,
        "small": 24,
    },
    True: {
        "base": 44,
        "subtitle": 44,
        "title": 48,
        "button": 44,
        "big": 46,
        "key": 52,
        "bigbutton": 68,
        "banner": 32,
        "header": 30,  # the utility's name in the header is not body text
        "small": 36,  # hints, reasons and notes: 1.5 times, so the main texts have room
    },
}


def stylesheet(large_text: bool) -> str:
    paths = sorted(STYLE_DIR.glob("*.qss"))
    if large_text:
        paths += sorted(SENIOR_DIR.glob("*.qss"))
    text = "\n".join(path.read_text(encoding="utf-8") for path in paths)
    for name, value in SIZES[large_text].items():
        text = text.replace(f"@{name}@", str(value))
    return text
