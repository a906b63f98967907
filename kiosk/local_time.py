"""The kiosk's one clock for the customer: ``[kiosk] timezone`` decides every local time.

The receipt, the result screen and the maintenance screens turn instants into local time
with ``datetime.astimezone()`` and Qt's local time, which both follow the process's time zone.
``use`` sets that zone once at start-up from the config, so a kiosk whose system clock is
set to UTC (the usual image) still prints Beijing time, the same time the server's receipt
page shows for the payment (its ``server.timezone``). The journal and the wire keep ISO 8601
instants with their offset, so nothing stored depends on this setting.
"""

from __future__ import annotations

import os
import time
import zoneinfo
from datetime import datetime

from kiosk import KioskError


class TimeZoneUnusable(KioskError):
    """The configured zone is unknown, or the system's zone data cannot express it."""


def is_known(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def use(name: str) -> None:
    """Make ``name`` this process's local time zone (before any thread formats a time)."""
    if not is_known(name):
        raise TimeZoneUnusable(f"kiosk.timezone: {name!r} is not a known time zone")
    os.environ["TZ"] = name
    time.tzset()
    # The C library reads /usr/share/zoneinfo and silently falls back to UTC without it.
    now = datetime.now(zoneinfo.ZoneInfo(name))
    if now.astimezone().utcoffset() != now.utcoffset():
        raise TimeZoneUnusable(
            f"kiosk.timezone {name}: the system has no zone data for it, so times would print "
            "in UTC; install the tzdata package (apt-get install tzdata)"
        )
