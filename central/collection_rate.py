"""The collection-rate report (电费回收率) for a period FROM..TO (days in server.timezone).

- **Billed** (应收): the amount of the bills due in the period (``bills.due_date``).
- **Collected** (实收): money received in the period, by channel: the kiosks' payments
  (``payments.created_at``, by method) and the other channels' imported payments
  (``channel_payments.paid_on``). It includes arrears and late fees paid in the period, so a
  rate above 100% means old arrears were recovered.
- **Rate** = collected / billed, overall, by district and by customer category (accounts
  without a district are shown as "unset").
- **Arrears** (欠费): the unpaid principal of bills due before today, by age (days past the
  due date: 0-30, 31-90, 91-365, over 365) and category, as the bills stand now.

Every figure is one GROUP BY over indexed ranges (payments.created_at, bills.due_date,
channel_payments.paid_on); nothing is read row by row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, case, func, select

from central.cashbook import bounds
from central.schema import accounts, bills, payments
from central.schema_fleet import channel_payments

BUCKETS = ("0-30", "31-90", "91-365", ">365")
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


def build(conn: Connection, start: date, end: date, zone: ZoneInfo, today: date) -> Report:
    low, high = bounds(start, end, zone)
    due_in = (bills.c.due_date >= start) & (bills.c.due_date <= end)
    billed = conn.execute(
        select(accounts.c.district, accounts.c.category, func.sum(bills.c.amount_fen))
        .select_from(bills.join(accounts, accounts.c.id == bills.c.account_id))
        .where(due_in)
        .group_by(accounts.c.district, accounts.c.category)
    ).all()
    kiosk_paid = conn.execute(
        select(
            accounts.c.district,
            accounts.c.category,
            payments.c.method,
            func.sum(payments.c.amount_fen),
        )
        .select_from(payments.join(accounts, accounts.c.id == payments.c.account_id))
        .where(payments.c.created_at >= low, payments.c.created_at < high)
        .group_by(accounts.c.district, accounts.c.category, payments.c.method)
    ).all()
    other_paid = conn.execute(
        select(
            accounts.c.district,
            accounts.c.category,
            channel_payments.c.channel,
            func.sum(channel_payments.c.amount_fen),
        )
        .select_from(
            channel_payments.join(accounts, accounts.c.id == channel_payments.c.account_id)
        )
        .where(channel_payments.c.paid_on >= start, channel_payments.c.paid_on <= end)
        .group_by(accounts.c.district, accounts.c.category, channel_payments.c.channel)
    ).all()
    by_district: dict[str, Split] = {}
    by_category: dict[str, Split] = {}
    total_billed = 0
    for district, category, amount in billed:
        value = int(amount or 0)
        total_billed += value
        by_district.setdefault(district or UNSET, Split()).billed_fen += value
        by_category.setdefault(category, Split()).billed_fen += value
    channels: dict[str, int] = {}
    for district, category, channel, amount in [
        (d, c, f"kiosk:{m}", a) for d, c, m, a in kiosk_paid
    ] + [tuple(r) for r in other_paid]:
        value = int(amount or 0)
        channels[channel] = channels.get(channel, 0) + value
        by_district.setdefault(district or UNSET, Split()).collected_fen += value
        by_category.setdefault(category, Split()).collected_fen += value
    report = Report(
        start, end, today, total_billed, dict(sorted(channels.items())), by_district, by_category
    )
    report.arrears = arrears(conn, today)
    return report


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


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


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
            _yuan(report.billed_fen),
            _yuan(report.collected_fen),
            _pct(report.rate),
        ]
    )
    for channel, amount in report.collected_by_channel.items():
        writer.writerow(["channel", channel, "", _yuan(amount), ""])
    for name, split in sorted(report.by_district.items()):
        writer.writerow(
            [
                "district",
                name,
                _yuan(split.billed_fen),
                _yuan(split.collected_fen),
                _pct(split.rate),
            ]
        )
    for name, split in sorted(report.by_category.items()):
        writer.writerow(
            [
                "category",
                name,
                _yuan(split.billed_fen),
                _yuan(split.collected_fen),
                _pct(split.rate),
            ]
        )
    for bucket_name in BUCKETS:
        for category, amount in sorted(report.arrears[bucket_name].items()):
            writer.writerow([f"arrears {bucket_name} days", category, _yuan(amount), "", ""])
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
