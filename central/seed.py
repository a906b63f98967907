"""`kiosk-central seed-demo`: a demo kiosk, demo accounts with fixed numbers, demo cards.

Account numbers, card numbers and PINs are fixed so that scripts, tests and docs can name them;
due dates are relative to today so that some bills are late. Running it again adds nothing
that is there already (bills of an existing account are left alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, insert, select

from central import db, kiosks
from central.cards import NewCard, add_fixed
from central.schema import Category, accounts, bills, utcnow

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


DEMO_ACCOUNTS = (
    DemoAccount(
        "residential_arrears",
        "3100000001",
        "王小明",
        "示范市城东区和平路12号3单元502室",
        Category.RESIDENTIAL,
        0,
        (DemoBill(2, 12850, -45), DemoBill(1, 9630, -15), DemoBill(0, 10520, 15)),
    ),
    DemoAccount(
        "residential_paid_up",
        "3100000002",
        "李华",
        "示范市城西区光明街8号1栋201室",
        Category.RESIDENTIAL,
        3500,
        (DemoBill(1, 8800, -10, paid_fen=8800),),
    ),
    DemoAccount(
        "non_residential",
        "3100000003",
        "张记餐馆",
        "示范市城南区美食街66号",
        Category.NON_RESIDENTIAL,
        0,
        (DemoBill(1, 186000, -20), DemoBill(0, 142000, 10)),
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
    ),
    DemoAccount(
        "residential_small",
        "3100000005",
        "赵敏",
        "示范市高新区创新大道9号2栋1203室",
        Category.RESIDENTIAL,
        0,
        (DemoBill(1, 5000, -5),),
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


def _month(today: date, months_back: int) -> str:
    index = today.year * 12 + today.month - 1 - months_back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


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
