"""Alert webhooks: every raise and clear POSTed as JSON to each URL of ``alerts.webhooks``.

``enqueue`` writes one delivery row per URL in the alert's own transaction, so the request
that raised the alert never waits on a webhook. ``deliver_due`` (the background worker) claims
due rows, POSTs them, and on failure tries again with exponential backoff (5 s, 10 s, 20 s ...
at most 10 min apart) until ``alerts.webhook_max_attempts`` attempts or
``alerts.webhook_deadline_s`` after the alert, then marks the row failed. A claim moves the
row's next attempt past the HTTP timeout first, so several server processes never send the
same row at the same time.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from central import db
from central.context import Central
from central.schema_fleet import webhook_deliveries

log = logging.getLogger("central.webhooks")

FIRST_RETRY_S = 5
MAX_RETRY_S = 600
CLAIM_BATCH = 50


def enqueue(conn: Connection, central: Central, payload: str, now: datetime) -> None:
    rules = central.config.alerts
    for url in rules.webhooks:
        conn.execute(
            insert(webhook_deliveries).values(
                url=url,
                payload=payload,
                attempts=0,
                next_attempt_at=now,
                give_up_at=now + timedelta(seconds=rules.webhook_deadline_s),
                delivered_at=None,
                failed=False,
            )
        )


def backoff_s(attempts: int) -> int:
    return int(min(MAX_RETRY_S, FIRST_RETRY_S * 2 ** max(0, attempts - 1)))


def post(url: str, payload: str, timeout_s: float) -> None:
    """One POST; raises OSError (urllib's errors included) unless the answer is 2xx."""
    request = urllib.request.Request(  # noqa: S310 - http(s) URLs only, checked in config
        url,
        data=payload.encode(),
        headers={"Content-Type": "application/json", "User-Agent": "kiosk-central-alerts"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout_s) as answer:  # noqa: S310
        if not 200 <= answer.status < 300:
            raise OSError(f"HTTP {answer.status}")


def deliver_due(central: Central) -> tuple[int, int]:
    """Send what is due; (delivered, failed for good)."""
    rules = central.config.alerts
    now = central.now()
    lease = timedelta(seconds=rules.webhook_timeout_s * 2 + 5)
    with db.write(central.engine) as conn:
        due = conn.execute(
            select(
                webhook_deliveries.c.id,
                webhook_deliveries.c.url,
                webhook_deliveries.c.payload,
                webhook_deliveries.c.attempts,
                webhook_deliveries.c.give_up_at,
            )
            .where(
                webhook_deliveries.c.delivered_at.is_(None),
                webhook_deliveries.c.failed.is_(False),
                webhook_deliveries.c.next_attempt_at <= now,
            )
            .order_by(webhook_deliveries.c.next_attempt_at)
            .limit(CLAIM_BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        if due:
            conn.execute(
                update(webhook_deliveries)
                .where(webhook_deliveries.c.id.in_([row.id for row in due]))
                .values(next_attempt_at=now + lease)
            )
    delivered = failed = 0
    for row in due:
        attempts = row.attempts + 1
        try:
            post(row.url, row.payload, rules.webhook_timeout_s)
        except (OSError, ValueError) as exc:
            error = str(exc)[:300]
            done_at = central.now()
            give_up = attempts >= rules.webhook_max_attempts or done_at >= row.give_up_at
            values: dict[str, object] = {"attempts": attempts, "last_error": error}
            if give_up:
                values["failed"] = True
                failed += 1
                log.error("webhook %s: gave up after %d attempts: %s", row.url, attempts, error)
            else:
                values["next_attempt_at"] = done_at + timedelta(seconds=backoff_s(attempts))
                log.warning("webhook %s: attempt %d failed: %s", row.url, attempts, error)
        else:
            values = {"attempts": attempts, "delivered_at": central.now(), "last_error": None}
            delivered += 1
        with db.write(central.engine) as conn:
            conn.execute(
                update(webhook_deliveries).where(webhook_deliveries.c.id == row.id).values(**values)
            )
    return delivered, failed
