"""`kiosk-central seed-demo`: a demo kiosk, demo accounts with fixed numbers, demo cards.

Account numbers, card numbers and PINs are fixed so that scripts, tests and docs can name them;
due dates are relative to today so that some bills are late. Running it again adds nothing
that is there already (bills of an existing account are left alone). Each account gets a
meter, a reading on the first of this month and of the last, and twelve months of kWh, once
(an account that has readings is left alone): the first residential account passes the first
tier of the tariff by late in the year, the others stay in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, insert, select

from central import db, kiosks
from central.cards import NewCard, add_fixed
from central.schema import Category, accounts, bills, utcnow
from central.schema_usage import meter_readings, monthly_usage
from central.usage import month_of

DEMO_KIOSK_ID = "K0001"
DEMO_KIOSK_SECRET = "demo-kiosk-secret-not-for-production"  # noqa: S105 - demo only, as in kiosk.toml
UNKNOWN_ACCOUNT = "3199999999"


@dataclass(frozen=True)
class DemoBill:
    months_back: int  # period = this month minus this many months
    amount_fen: int
    due_in_days: int  # due date relative to today (negative: already late)
    paid_fen: int = 0


@dataclass(frozen=True)
class DemoAccount:
    role: str
    account_no: str
    holder: str
    address: str
    category: Category
    balance_fen: int
    bills: tuple[DemoBill, ...]
    prior_year_bill: DemoBill | None = None  # period November, due 10 December of last year
    meter_no: str = ""
    usage_pct: int = 100  # of a typical household's year (SEASON)


DEMO_ACCOUNTS = (
    DemoAccount(
        "residential_arrears",
        "3100000001",
        "王小明",
        "示范市城东区和平路12号3单元502室",
        Category.RESIDENTIAL,
        0,
        (DemoBill(2, 12850, -45), DemoBill(1, 9630, -15), DemoBill(0, 10520, 15)),
        meter_no="330100000001",
        usage_pct=105,
    ),
    DemoAccount(
        "residential_paid_up",
        "3100000002",
        "李华",
        "示范市城西区光明街8号1栋201室",
        Category.RESIDENTIAL,
        3500,
        (DemoBill(1, 8800, -10, paid_fen=8800),),
        meter_no="330100000002",
        usage_pct=60,
    ),
    DemoAccount(
        "non_residential",
        "3100000003",
        "张记餐馆",
        "示范市城南区美食街66号",
        Category.NON_RESIDENTIAL,
        0,
        (DemoBill(1, 186000, -20), DemoBill(0, 142000, 10)),
        meter_no="330100000003",
        usage_pct=400,
    ),
    DemoAccount(
        "prior_year",
        "3100000004",
        "陈建国五金店",
        "示范市城北区工业路188号",
        Category.NON_RESIDENTIAL,
        0,
        (DemoBill(1, 100000, -10),),
        prior_year_bill=DemoBill(0, 50000, 0),
        meter_no="330100000004",
        usage_pct=250,
    ),
    DemoAccount(
        "residential_small",
        "3100000005",
        "赵敏",
        "示范市高新区创新大道9号2栋1203室",
        Category.RESIDENTIAL,
        0,
        (DemoBill(1, 5000, -5),),
        meter_no="330100000005",
        usage_pct=30,
    ),
)


DEMO_CARDS = (
    NewCard("8800000000000001", "111111", 5000),
    NewCard("8800000000000002", "222222", 10000),
    NewCard("8800000000000003", "333333", 20000),
    NewCard("8800000000000004", "444444", 20000),
    NewCard("8800000000000005", "555555", 20000),
    NewCard("8800000000000006", "666666", 50000),
)


# A household's kWh in January .. December (3,240 a year): air conditioning in summer, heating
# in winter. At 105% the first residential account passes the first tier (2,760) in October.
SEASON = (320, 260, 200, 170, 180, 260, 420, 450, 300, 190, 200, 290)
FIRST_READING_KWH = 8000  # the meter's reading twelve months ago


def _month(today: date, months_back: int) -> str:
    return month_of(today, months_back)


def _usage_rows(
    account: DemoAccount, account_id: int, today: date
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Twelve months of kWh before this month, and the readings that close the last two."""
    months = []
    reading = FIRST_READING_KWH
    readings = []
    for back in range(12, 0, -1):
        month = _month(today, back)
        kwh = SEASON[int(month[5:]) - 1] * account.usage_pct // 100
        months.append({"account_id": account_id, "month": month, "kwh": kwh})
        reading += kwh
        if back <= 2:  # read on the first of the month after
            read_on = date.fromisoformat(f"{_month(today, back - 1)}-01")
            readings.append(
                {
                    "account_id": account_id,
                    "meter_no": account.meter_no,
                    "read_on": read_on,
                    "reading_kwh": reading,
                }
            )
    return months, readings


def _bill_rows(account: DemoAccount, account_id: int, today: date) -> list[dict[str, object]]:
    year_start = date(today.year, 1, 1)
    rows: list[dict[str, object]] = []
    for bill in account.bills:
        due = today + timedelta(days=bill.due_in_days)
        if bill.due_in_days < 0 and account.prior_year_bill is not None:
            due = max(due, year_start)  # keep this one a current-year arrear
        rows.append(_row(account_id, _month(today, bill.months_back), bill, due))
    if account.prior_year_bill is not None:
        last = today.year - 1
        rows.append(_row(account_id, f"{last:04d}-11", account.prior_year_bill, date(last, 12, 10)))
    return rows


def _row(account_id: int, period: str, bill: DemoBill, due: date) -> dict[str, object]:
    return {
        "account_id": account_id,
        "period": period,
        "amount_fen": bill.amount_fen,
        "paid_fen": bill.paid_fen,
        "due_date": due,
        "fee_from": None,
        "fee_carried_fen": 0,
        "late_fee_paid_fen": 0,
    }


def seed(
    engine: Engine, secret_key: str, today: date, *, kiosk_id: str, kiosk_secret: str
) -> list[dict[str, object]]:
    """Create what is missing; return the JSON lines to print (kiosk, accounts, cards)."""
    kiosks.add(
        engine, secret_key, kiosk_id, name="示范终端 Demo kiosk", secret=kiosk_secret, replace=True
    )
    lines: list[dict[str, object]] = [{"kiosk_id": kiosk_id, "secret": kiosk_secret}]
    now = utcnow()
    with db.write(engine) as conn:
        for account in DEMO_ACCOUNTS:
            account_id = conn.execute(
                select(accounts.c.id).where(accounts.c.account_no == account.account_no)
            ).scalar_one_or_none()
            if account_id is None:
                account_id = conn.execute(
                    insert(accounts)
                    .values(
                        account_no=account.account_no,
                        holder=account.holder,
                        address=account.address,
                        category=account.category.value,
                        balance_fen=account.balance_fen,
                        created_at=now,
                    )
                    .returning(accounts.c.id)
                ).scalar_one()
                conn.execute(insert(bills), _bill_rows(account, account_id, today))
            has_readings = conn.execute(
                select(meter_readings.c.id)
                .where(meter_readings.c.account_id == account_id)
                .limit(1)
            ).first()
            if account.meter_no and has_readings is None:
                months, readings = _usage_rows(account, account_id, today)
                conn.execute(insert(monthly_usage), months)
                conn.execute(insert(meter_readings), readings)
            lines.append(
                {
                    "role": account.role,
                    "account_no": account.account_no,
                    "category": account.category.value,
                }
            )
    lines.append({"role": "unknown", "account_no": UNKNOWN_ACCOUNT, "category": None})
    add_fixed(engine, secret_key, list(DEMO_CARDS))
    lines.extend({"card_no": c.card_no, "pin": c.pin, "face_fen": c.face_fen} for c in DEMO_CARDS)
    return lines
