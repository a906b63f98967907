"""ESC/POS command bytes from python-escpos's constants, typed for mypy.

``escpos.constants`` is the only part of python-escpos imported: it has no import-time side
effects (``escpos.escpos`` creates a temporary directory and configures logging on import).
"""

from __future__ import annotations

from escpos import constants as _escpos

DLE: bytes = _escpos.DLE
EOT: bytes = _escpos.EOT
ESC: bytes = _escpos.ESC
FS: bytes = _escpos.FS
GS: bytes = _escpos.GS
LF: bytes = _escpos.CTL_LF
INITIALIZE: bytes = _escpos.HW_INIT
FULL_CUT: bytes = _escpos.PAPER_FULL_CUT
PARTIAL_CUT: bytes = _escpos.PAPER_PART_CUT
SELECT_CODEPAGE: bytes = _escpos.CODEPAGE_CHANGE
CHARACTER_SIZE: bytes = _escpos.TXT_SIZE
BOLD_ON: bytes = _escpos.TXT_STYLE["bold"][True]
BOLD_OFF: bytes = _escpos.TXT_STYLE["bold"][False]
ALIGN_LEFT: bytes = _escpos.TXT_STYLE["align"]["left"]
ALIGN_CENTER: bytes = _escpos.TXT_STYLE["align"]["center"]
ALIGN_RIGHT: bytes = _escpos.TXT_STYLE["align"]["right"]
