"""``ConfigError``: the kiosk's configuration cannot be used (a ``KioskError``).

Its own module so that both kiosk/config.py (the file's keys) and kiosk/secret_source.py (the
secret, which the config does not hold) raise the one error without importing each other.
"""

from __future__ import annotations

from kiosk import KioskError


class ConfigError(KioskError):
    """A configuration file cannot be used; the message says where and why."""
