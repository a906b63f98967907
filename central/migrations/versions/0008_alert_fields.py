"""Alerts keep their detail's fields (``alerts.detail_fields``, JSON) beside the English line,
so the console words them in its language instead of reading them back out of the English.

Rows raised before this revision get their fields read out of their English line here, once,
with the templates as they were up to this revision (frozen below: later releases may word
their templates differently). A line none of them matches keeps NULL and is shown as stored.

Revision ID: 0008_alert_fields
Revises: 0007_usage
"""

from __future__ import annotations

import json
import re
import string

import sqlalchemy as sa
from alembic import op

revision = "0008_alert_fields"
down_revision = "0007_usage"
branch_labels = None
depends_on = None

BATCH = 1000

_ENGLISH_UP_TO_0008 = {
    "offline": "no heartbeat since {since} ({minutes} min)",
    "cashbox_full": "cash box {pct}% full ({notes} notes)",
    "paper": "printer paper {paper}",
    "acceptor": "acceptor {state}",
    "outbox": "{pending} payments waiting, oldest {minutes} min",
    "suspect": "{count} suspect transaction(s) to resolve",
    "clock": "clock off by {offset} s",
}

_alerts = sa.table(
    "alerts",
    sa.column("id", sa.BigInteger),
    sa.column("kind", sa.String),
    sa.column("detail", sa.String),
    sa.column("detail_fields", sa.Text),
)


def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field:
            parts.append(f"(?P<{field}>.+?)")
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


_PATTERNS = {kind: _pattern(en) for kind, en in _ENGLISH_UP_TO_0008.items()}


def _fields(kind: str, detail: str) -> str | None:
    pattern = _PATTERNS.get(kind)
    found = pattern.match(detail) if pattern is not None else None
    if found is None:
        return None
    return json.dumps(found.groupdict(), ensure_ascii=False, sort_keys=True)


def upgrade() -> None:
    op.add_column("alerts", sa.Column("detail_fields", sa.Text(), nullable=True))
    conn = op.get_bind()
    fill = (
        sa.update(_alerts)
        .where(_alerts.c.id == sa.bindparam("row_id"))
        .values(detail_fields=sa.bindparam("fields"))
    )
    after = 0
    while True:  # by id, a batch at a time: a fleet's years of alerts need not fit in memory
        rows = conn.execute(
            sa.select(_alerts.c.id, _alerts.c.kind, _alerts.c.detail)
            .where(_alerts.c.id > after)
            .order_by(_alerts.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        after = rows[-1].id
        read = [
            {"row_id": row.id, "fields": fields}
            for row in rows
            if (fields := _fields(row.kind, row.detail)) is not None
        ]
        if read:
            conn.execute(fill, read)


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("detail_fields")
