"""Entry point the core finds through the `kiosk.frontends` entry point group."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("ui")


def run_frontend(*_args: Any, **_kwargs: Any) -> int:
    log.error("The kiosk window is delivered by issue #7.")
    return 3
