"""Alert details: stored in English with their fields, worded in Chinese from the fields."""

from __future__ import annotations

import json
from typing import Any

import pytest
from alembic import command
from sqlalchemy import insert, select

from central import alert_words, migrate
from central.alert_words import AlertDetail
from central.db import make_engine
from central.schema import kiosks, utcnow
from central.schema_fleet import AlertKind, alerts

EVERY_KIND = [
    (AlertKind.CASHBOX_FULL, {"pct": 92, "notes": 2300}, "钱箱已满 92%（2300 张）"),
    (AlertKind.PAPER, {"paper": "near end"}, "打印纸将用完"),
    (AlertKind.ACCEPTOR, {"state": "validator_jam"}, "纸币器：识别器卡币"),
    (AlertKind.OUTBOX, {"pending": 12, "minutes": 45}, "12 笔缴费待上传，最早一笔已等 45 分钟"),
    (AlertKind.SUSPECT, {"count": 2}, "2 笔可疑交易待处理"),
    (AlertKind.CLOCK, {"offset": "+3602"}, "时钟偏差 +3602 秒"),
    (
        AlertKind.OFFLINE,
        {"since": "2026-12-05 09:30:00", "minutes": 17},
        "自 2026-12-05 09:30:00 起无心跳（17 分钟）",
    ),
]


@pytest.mark.parametrize(("kind", "fields", "zh"), EVERY_KIND)
def test_every_kind_is_worded_in_chinese_from_its_fields(
    kind: AlertKind, fields: dict[str, object], zh: str
) -> None:
    said = AlertDetail.of(kind, **fields)
    assert alert_words.shown(kind.value, said.english, said.fields_json, "zh") == zh
    assert alert_words.shown(kind.value, said.english, said.fields_json, "en") == said.english


def test_the_chinese_comes_from_the_fields_not_the_english() -> None:
    said = AlertDetail.of(AlertKind.PAPER, paper="out")
    assert alert_words.shown("paper", "printer paper near end", said.fields_json, "zh") == (
        "打印纸已用完"
    )


def test_every_kind_has_words_with_the_same_fields_in_both_languages() -> None:
    assert set(alert_words.TEMPLATES) == set(AlertKind)
    for en, zh in alert_words.TEMPLATES.values():
        assert alert_words.field_names(en) == alert_words.field_names(zh)


def test_a_detail_names_exactly_its_templates_fields() -> None:
    with pytest.raises(KeyError, match="paper"):
        AlertDetail.of(AlertKind.PAPER, state="out")


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("paper", None),  # raised before 0008, with a line it could not read
        ("paper", '{"sensor": "dirty"}'),  # another template's fields
        ("paper", "not json"),
        ("no_such_kind", '{"x": "1"}'),
    ],
)
def test_a_row_without_usable_fields_is_shown_as_stored(kind: str, fields: str | None) -> None:
    assert alert_words.shown(kind, "paper sensor dirty", fields, "zh") == "paper sensor dirty"


def test_migration_0008_reads_the_fields_of_rows_raised_before(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    try:
        command.upgrade(migrate.alembic_config(engine), "0007_usage")
        now = utcnow()
        lines: list[dict[str, Any]] = [
            {"kind": kind.value, "detail": AlertDetail.of(kind, **fields).english}
            for kind, fields, _zh in EVERY_KIND
        ]
        lines.append({"kind": "paper", "detail": "paper sensor dirty"})
        with engine.begin() as conn:
            conn.execute(
                insert(kiosks).values(
                    kiosk_id="K0801",
                    name="K0801",
                    secret_sealed="x",
                    enabled=True,
                    created_at=now,
                )
            )
            conn.execute(
                insert(alerts),
                [{**line, "kiosk_id": "K0801", "raised_at": now} for line in lines],
            )
        migrate.upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(select(alerts).order_by(alerts.c.id)).all()
        assert [r.detail for r in rows] == [line["detail"] for line in lines]  # as they were
        for row, (kind, fields, zh) in zip(rows, EVERY_KIND, strict=False):
            assert row.kind == kind.value
            assert json.loads(row.detail_fields) == {k: str(v) for k, v in fields.items()}
            assert alert_words.shown(row.kind, row.detail, row.detail_fields, "zh") == zh
        assert rows[-1].detail_fields is None
        assert alert_words.shown("paper", rows[-1].detail, None, "zh") == "paper sensor dirty"
    finally:
        engine.dispose()
