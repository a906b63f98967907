"""Alert details: stored in English, shown to a Chinese-reading operator in Chinese."""

from __future__ import annotations

import pytest

from central import alert_words
from central.schema_fleet import AlertKind


@pytest.mark.parametrize(
    ("kind", "fields", "zh"),
    [
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
    ],
)
def test_every_kind_reads_back_into_chinese(
    kind: AlertKind, fields: dict[str, object], zh: str
) -> None:
    stored = alert_words.english(kind, **fields)
    assert alert_words.shown(kind.value, stored, "zh") == zh
    assert alert_words.shown(kind.value, stored, "en") == stored


def test_every_kind_has_words_with_the_same_fields_in_both_languages() -> None:
    assert set(alert_words.TEMPLATES) == set(AlertKind)
    for en, zh in alert_words.TEMPLATES.values():
        fields = set(alert_words._pattern(en).groupindex)
        assert fields == set(alert_words._pattern(zh).groupindex)


def test_a_line_from_an_older_release_is_shown_as_stored() -> None:
    assert alert_words.shown("paper", "paper sensor dirty", "zh") == "paper sensor dirty"
    assert alert_words.shown("no_such_kind", "x", "zh") == "x"
