"""The whole database schema in one ``metadata``: the core tables (central/schema.py) and those
of the fleet console, invoices, payment codes and usage (central/schema_*.py).

Import it where every table must be known: the migrations' environment and the test that
compares the migrations with the code. Each schema module imports only what it builds on,
so none of them has to import the others for their side effect.
"""

from __future__ import annotations

from central import schema_fleet, schema_invoice, schema_paycode, schema_usage
from central.schema import metadata

PARTS = (schema_fleet, schema_invoice, schema_paycode, schema_usage)

__all__ = ["PARTS", "metadata"]
