"""Console pages beyond login and audit: each module installs its own routes."""

from __future__ import annotations

from fastapi import FastAPI

from central.console import (
    alert_pages,
    cash_pages,
    command_pages,
    fleet_pages,
    kiosk_pages,
    report_pages,
    security_pages,
)
from central.console.access import Current, Posted
from central.context import Central


def install(app: FastAPI, central: Central, current: Current, posted: Posted) -> None:
    fleet_pages.install(app, central, current)
    kiosk_pages.install(app, central, current)
    command_pages.install(app, central, current, posted)
    alert_pages.install(app, central, current, posted)
    security_pages.install(app, central, posted)
    cash_pages.install(app, central, current, posted)
    report_pages.install(app, central, current, posted)
