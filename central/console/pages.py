"""Console pages beyond login and audit: each module installs its own routes."""

from __future__ import annotations

from fastapi import FastAPI

from central.console import cash_pages, fleet_pages, report_pages
from central.console.fleet_pages import Current, Posted
from central.context import Central


def install(app: FastAPI, central: Central, current: Current, posted: Posted) -> None:
    fleet_pages.install(app, central, current, posted)
    fleet_pages.install_security(app, central, posted)
    cash_pages.install(app, central, current, posted)
    report_pages.install(app, central, current, posted)
