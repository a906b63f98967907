"""Translations: the kiosk's one catalogue of zh/en texts (kiosk/words/), keyed by message id.

Widgets never hold a translated string for good: every screen re-reads its texts from
``tr()`` in its ``retranslate_ui()``, called when the engine's snapshot changes language.
"""

from ui.i18n.catalog import LANGUAGES, format_date, tr

__all__ = ["LANGUAGES", "format_date", "tr"]
