"""Console pages beyond login and audit (fleet, kiosk, alerts, cash, reports)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from central.context import Central


def install(app: FastAPI, central: Central, current: Any, posted: Any) -> None:
    """Added piece by piece: see the modules next to this one."""
