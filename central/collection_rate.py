"""The collection-rate report (电费回收率) for a period FROM..TO (days in server.timezone).

- **Billed** (应收): the amount of the bills due in the period (``bills.due_date``).
- **Collected** (实收): money received in the period, by channel: the kiosks' payments on
  the day the server received them (``payments.received_at``, by method) and the other
  channels' imported payments (``channel_payments.paid_on``). It includes arrears and late
  fees paid in the period, so a rate above 100% means old arrears were recovered.
- **Rate** = collected / billed, overall, by district and by customer category (accounts
  without a district are shown as "unset").
- **Arrears** (欠费): the unpaid principal of bills due before today, by age (days past the
  due date: 0-30, 31-90, 91-365, over 365) and category, as the bills stand now.

A day's kiosk payments never change once the day is over (received_at is the server's
clock), so ``summarize`` adds each closed day up once into ``collection_days`` (the report
page and the background worker call it), with the other channels' payments of that day; an
import of channel payments forgets the days it touched (and an accounts import, which may
move accounts between districts, forgets all). The report reads day totals for closed days
and payments only for today. The other figures are GROUP BYs over indexed ranges (bills.due_date,
channel_payments.paid_on).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, case, delete, func, select

from central import db
from central.cashbook import bounds
from central.money import yuan_plain
from central.schema import accounts, bills, payments
from central.schema_fleet import channel_payments, collection_days, summarized_days

BUCKETS = ("0-30", "31-90", "91-365", ">365")
SETTLE = timedelta(minutes=5)  # a day is summed this long after it ends (late commits)
SUMMARIZE_BATCH = 31
UNSET = ""


@dataclass
class Split:
    billed_fen: int = 0
    collected_fen: int = 0

    @property
    def rate(self) -> float | None:
        return self.collected_fen / self.billed_fen if self.billed_fen else None


@dataclass
class Report:
    start: date
    end: date
    today: date
    billed_fen: int
    collected_by_channel: dict[str, int]  # "kiosk:cash", "kiosk:card", "kiosk:qr", "bank", ...
    by_district: dict[str, Split]
    by_category: dict[str, Split]
    arrears: dict[str, dict[str, int]] = field(default_factory=dict)  # bucket -> category -> fen

    @property
    def collected_fen(self) -> int:
        return sum(self.collected_by_channel.values())

    @property
    def rate(self) -> float | None:
        return self.collected_fen / self.billed_fen if self.billed_fen else None


def build(
    conn: Connection,
    start: date,
    end: date,
    zone: ZoneInfo,
    today: date,
    *,
    arrears_now: dict[str, dict[str, int]] | None = None,
) -> Report:
    """The report; ``arrears_now`` when the caller has the arrears already (a cache)."""
    due_in = (bills.c.due_date >= start) & (bills.c.due_date <= end)
    billed = conn.execute(
        select(accounts.c.district, accounts.c.category, func.sum(bills.c.amount_fen))
        .select_from(bills.join(accounts, accounts.c.id == bills.c.account_id))
        .where(due_in)
        .group_by(accounts.c.district, accounts.c.category)
    ).all()
    collected = _collected(conn, start, end, zone, today)
    by_district: dict[str, Split] = {}
    by_category: dict[str, Split] = {}
    total_billed = 0
    for district, category, amount in billed:
        value = int(amount or 0)
        total_billed += value
        by_district.setdefault(district or UNSET, Split()).billed_fen += value
        by_category.setdefault(category, Split()).billed_fen += value
    channels: dict[str, int] = {}
    for district, category, channel, amount in collected:
        value = int(amount or 0)
        channels[channel] = channels.get(channel, 0) + value
        by_district.setdefault(district or UNSET, Split()).collected_fen += value
        by_category.setdefault(category, Split()).collected_fen += value
    report = Report(
        start, end, today, total_billed, dict(sorted(channels.items())), by_district, by_category
    )
    report.arrears = arrears_now if arrears_now is not None else arrears(conn, today)
    return report


def last_closed_day(now: datetime, zone: ZoneInfo) -> date:
    """The newest day whose payments can no longer change."""
    return (now - SETTLE).astimezone(zone).date() - timedelta(days=1)


def _live(conn: Connection, start: date, end: date, zone: ZoneInfo) -> list[tuple[Any, ...]]:
    """(district, category, channel, amount, count) straight from the payments: the kiosks'
    by the day received, the other channels' by the day paid."""
    low, high = bounds(start, end, zone)
    kiosk = conn.execute(
        select(
            accounts.c.district,
            accounts.c.category,
            payments.c.method,
            func.sum(payments.c.amount_fen),
            func.count(),
        )
        .select_from(payments.join(accounts, accounts.c.id == payments.c.account_id))
        .where(payments.c.received_at >= low, payments.c.received_at < high)
        .group_by(accounts.c.district, accounts.c.category, payments.c.method)
    ).all()
    other = conn.execute(
        select(
            accounts.c.district,
            accounts.c.category,
            channel_payments.c.channel,
            func.sum(channel_payments.c.amount_fen),
            func.count(),
        )
        .select_from(
            channel_payments.join(accounts, accounts.c.id == channel_payments.c.account_id)
        )
        .where(channel_payments.c.paid_on >= start, channel_payments.c.paid_on <= end)
        .group_by(accounts.c.district, accounts.c.category, channel_payments.c.channel)
    ).all()
    return [(d, c, f"kiosk:{m}", a, n) for d, c, m, a, n in kiosk] + [tuple(r) for r in other]


def forget(conn: Connection, days: list[date] | None = None) -> None:
    """Drop the day totals of these days (all days: None); the next report sums them again.
    An import of other channels' payments or of accounts (districts) calls this."""
    if days is None:
        conn.execute(delete(collection_days))
        conn.execute(delete(summarized_days))
        return
    for first in range(0, len(days), 500):
        chunk = days[first : first + 500]
        conn.execute(delete(collection_days).where(collection_days.c.day.in_(chunk)))
        conn.execute(delete(summarized_days).where(summarized_days.c.day.in_(chunk)))


def summarize(engine: Engine, start: date, end: date, zone: ZoneInfo, now: datetime) -> int:
    """Sum each closed day from START to END not summed yet; how many days were summed."""
    last = min(end, last_closed_day(now, zone))
    if start > last:
        return 0
    with db.read(engine) as conn:
        done = set(
            conn.execute(
                select(summarized_days.c.day).where(
                    summarized_days.c.day >= start, summarized_days.c.day <= last
                )
            ).scalars()
        )
    missing = [
        start + timedelta(days=n)
        for n in range((last - start).days + 1)
        if start + timedelta(days=n) not in done
    ]
    for first in range(0, len(missing), SUMMARIZE_BATCH):
        with db.write(engine) as conn:
            for day in missing[first : first + SUMMARIZE_BATCH]:
                for district, category, channel, amount, count in _live(conn, day, day, zone):
                    conn.execute(
                        db.insert_ignoring_conflict(
                            conn,
                            collection_days,
                            {
                                "day": day,
                                "district": district or UNSET,
                                "category": category,
                                "channel": channel,
                                "amount_fen": int(amount or 0),
                                "payments": int(count),
                            },
                            ["day", "district", "category", "channel"],
                        )
                    )
                conn.execute(
                    db.insert_ignoring_conflict(
                        conn, summarized_days, {"day": day, "summarized_at": now}, ["day"]
                    )
                )
    return len(missing)


def _collected(
    conn: Connection, start: date, end: date, zone: ZoneInfo, today: date
) -> list[tuple[Any, ...]]:
    """(district, category, channel, amount) received from START to END: the day totals when
    every closed day of the range is summed, the payments themselves for the rest."""
    last = min(end, today - timedelta(days=1))
    live_from = start
    found: list[tuple[Any, ...]] = []
    if start <= last:
        summed = conn.execute(
            select(func.count()).where(
                summarized_days.c.day >= start, summarized_days.c.day <= last
            )
        ).scalar_one()
        if summed == (last - start).days + 1:
            found.extend(
                tuple(r)
                for r in conn.execute(
                    select(
                        collection_days.c.district,
                        collection_days.c.category,
                        collection_days.c.channel,
                        func.sum(collection_days.c.amount_fen),
                    )
                    .where(collection_days.c.day >= start, collection_days.c.day <= last)
                    .group_by(
                        collection_days.c.district,
                        collection_days.c.category,
                        collection_days.c.channel,
                    )
                ).all()
            )
            live_from = last + timedelta(days=1)
    if live_from <= end:
        found.extend(row[:4] for row in _live(conn, live_from, end, zone))
    return found


def arrears(conn: Connection, today: date) -> dict[str, dict[str, int]]:
    d30, d90, d365 = (today - timedelta(days=n) for n in (30, 90, 365))
    bucket = case(
        (bills.c.due_date >= d30, BUCKETS[0]),
        (bills.c.due_date >= d90, BUCKETS[1]),
        (bills.c.due_date >= d365, BUCKETS[2]),
        else_=BUCKETS[3],
    ).label("bucket")
    rows = conn.execute(
        select(bucket, accounts.c.category, func.sum(bills.c.amount_fen - bills.c.paid_fen))
        .select_from(bills.join(accounts, accounts.c.id == bills.c.account_id))
        .where(bills.c.due_date < today, bills.c.paid_fen < bills.c.amount_fen)
        .group_by(bucket, accounts.c.category)
    ).all()
    found: dict[str, dict[str, int]] = {b: {} for b in BUCKETS}
    for name, category, amount in rows:
        found[name][category] = int(amount or 0)
    return found


def _pct(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.2f}"


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "key", "billed_yuan", "collected_yuan", "rate_pct"])
    writer.writerow(
        [
            "total",
            f"{report.start}..{report.end}",
            yuan_plain(report.billed_fen),
            yuan_plain(report.collected_fen),
            _pct(report.rate),
        ]
    )
    for channel, amount in report.collected_by_channel.items():
        writer.writerow(["channel", channel, "", yuan_plain(amount), ""])
    for name, split in sorted(report.by_district.items()):
        writer.writerow(
            [
                "district",
                name,
                yuan_plain(split.billed_fen),
                yuan_plain(split.collected_fen),
                _pct(split.rate),
            ]
        )
    for name, split in sorted(report.by_category.items()):
        writer.writerow(
            [
                "category",
                name,
                yuan_plain(split.billed_fen),
                yuan_plain(split.collected_fen),
                _pct(split.rate),
            ]
        )
    for bucket_name in BUCKETS:
        for category, amount in sorted(report.arrears[bucket_name].items()):
            writer.writerow([f"arrears {bucket_name} days", category, yuan_plain(amount), "", ""])
    return out.getvalue()


def as_json(report: Report) -> dict[str, Any]:
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "billed_fen": report.billed_fen,
        "collected_fen": report.collected_fen,
        "rate": report.rate,
        "collected_by_channel": report.collected_by_channel,
        "by_district": {k: vars(v) for k, v in report.by_district.items()},
        "by_category": {k: vars(v) for k, v in report.by_category.items()},
        "arrears": report.arrears,
    }
