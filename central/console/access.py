"""How a console page gets its view, as central/console/routes.py hands it to each page module.

``Current``: a read; the signed-in operator's view, or the redirect to the login page.
``Posted``: a change; the view and the form's fields once the CSRF token and the role the
route names are checked, or the page that refuses it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import Response

from central.console.web import View
from central.schema_fleet import Role

Current = Callable[[Request], Awaitable[View | Response]]
Posted = Callable[[Request, Role], Awaitable[tuple[View, dict[str, str]] | Response]]
