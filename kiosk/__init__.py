"""Electricity-bill payment kiosk: the core (no Qt).

Exception tree of the core::

    KioskError
    ├── ConfigError          a configuration file is missing, malformed or impossible
    └── MoneyError           an amount is malformed, a float, or out of range
"""

__version__ = "0.1.0"


class KioskError(Exception):
    """Base of every error the kiosk core raises on purpose."""
