from __future__ import annotations

import re

import pytest

from ui.i18n import catalog
from ui.i18n.catalog import format_date, tr
from ui.messages import error_text, notice_text, reason_text


def test_every_message_has_chinese_and_english():
    for msg_id in catalog.all_ids():
        zh, en = tr(msg_id, "zh"), tr(msg_id, "en")
        assert zh, msg_id
        assert en, msg_id
        symbols = ("lang.switch", "paper.currency", "paper.sep")  # no words to translate
        assert re.search(r"[\u4e00-\u9fff]", zh) or msg_id in symbols, msg_id


@pytest.mark.parametrize(
    ("iso", "zh", "en"),
    [
        ("2026-10-15", "2026年10月15日", "15 Oct 2026"),
        ("2026-09", "2026年9月", "Sep 2026"),
        ("2026-11-02T10:15:00+08:00", "2026年11月2日", "2 Nov 2026"),
        ("garbage", "garbage", "garbage"),
    ],
)
def test_dates_in_the_customers_language(iso, zh, en):
    assert format_date(iso, "zh") == zh
    assert format_date(iso, "en") == en


def test_codes_become_plain_words_and_unknown_codes_stay_helpful():
    assert reason_text("printer_paper_out", "en") == "printer is out of paper"
    assert reason_text("printer_cover_open", "en") == "printer cannot print"
    assert reason_text("acceptor_jam", "zh") == "纸币识别器故障"
    assert "zzz" in error_text({"code": "zzz"}, "en")
    assert error_text({"code": "acceptor_jam"}, "en").startswith("The note acceptor failed")
    assert notice_text("returned_timeout", "en") == "Note returned (timeout): take it"
    assert tr("no.such.id", "en").startswith("Something went wrong (no.such.id)")
