"""The operators' web console at /console: fleet, alerts, commands, cash, reports, audit.

``install(app, central)`` adds its routes to the API's FastAPI app; pages are rendered on the
server (central/console/web.py holds the frame, i18n.py the words, svg.py the charts).
"""

from central.console.routes import install

__all__ = ["install"]
