"""The one catalogue: every text in both languages, paper and voice resolved from it, and one
term per concept wherever the customer reads or hears it (a termbase, as translators keep)."""

from __future__ import annotations

import re
import string

import pytest

from kiosk.receipt_words import WORDS
from kiosk.words import TEXTS, UnknownText, has, template, text, tr
from kiosk.words.maintenance import MAINTENANCE
from kiosk.words.paper import PAPER
from kiosk.words.screens import SCREENS
from kiosk.words.voice import VOICE

# concept: (the term used, variants that must not appear), per language.
TERMS_ZH = {
    "prepaid balance": ("预付余额", ("预付电费", "预存余额", "账户余额", "预存款")),
    "late fee": ("违约金", ("滞纳金",)),
    "recharge card": ("充值卡", ("储值卡", "预付卡")),
    "payment code": ("付款码", ("支付码",)),
    "note pending verification": ("待核实", ("纸币待确认", "待核查")),
    "transaction number": ("流水号", ("交易号", "流水编号")),
    # what this payment paid, on the done screen, the receipt and the partial-payment question
    "amount paid": ("本次缴费", ("本次缴纳", "实缴金额", "已缴金额")),
}
TERMS_EN = {
    "prepaid balance": ("prepaid balance", ("account balance", "deposit balance", "prepayment")),
    "late fee": ("late fee", ("penalty", "late charge", "overdue fee")),
    "pending verification": ("pending verification", ("pending confirmation",)),
    "amount paid": ("amount paid", ("you paid", "paid amount")),
}


@pytest.mark.parametrize("concept", sorted(TERMS_ZH))
def test_one_chinese_term_per_concept_on_screens_paper_and_voice(concept: str) -> None:
    used, variants = TERMS_ZH[concept]
    assert any(used in zh for zh, _ in TEXTS.values()), f"{used} is never used"
    found = [(msg_id, v) for msg_id, (zh, _) in TEXTS.items() for v in variants if v in zh]
    assert not found, f"say {used} for {concept}: {found}"


@pytest.mark.parametrize("concept", sorted(TERMS_EN))
def test_one_english_term_per_concept(concept: str) -> None:
    used, variants = TERMS_EN[concept]
    assert any(used in en.lower() for _, en in TEXTS.values()), f"{used} is never used"
    found = [(msg_id, v) for msg_id, (_, en) in TEXTS.items() for v in variants if v in en.lower()]
    assert not found, f"say {used} for {concept}: {found}"


def test_the_receipt_and_the_done_screen_name_the_balance_alike() -> None:
    # The drift this catalogue ended: paper said 转入预付电费 / 账户余额 beside the screen's
    # 存入预付余额 / 预付余额.
    for language in ("zh", "en"):
        screen_balance = tr("done.balance", language, amount="").strip()
        assert WORDS[language].new_balance == screen_balance
    assert "存入预付余额" in tr("done.credited", "zh", amount="")
    assert WORDS["zh"].to_balance == "存入预付余额"


def test_every_placeholder_is_the_same_in_both_languages() -> None:
    def names(pattern: str) -> set[str]:
        return {field for _, field, _, _ in string.Formatter().parse(pattern) if field}

    differing = {
        msg_id: (names(zh), names(en))
        for msg_id, (zh, en) in TEXTS.items()
        if names(zh) != names(en)
    }
    assert not differing


def test_paper_and_voice_ids_are_all_present_and_namespaced() -> None:
    assert all(re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)*", msg_id) for msg_id in TEXTS)
    assert all(msg_id.startswith("paper.") for msg_id in PAPER)
    assert all(msg_id.startswith("voice.") for msg_id in VOICE)
    assert all(msg_id.startswith("mt.") for msg_id in MAINTENANCE)
    assert not any(msg_id.startswith(("paper.", "voice.", "mt.")) for msg_id in SCREENS)
    assert has("paper.receipt_title") and has("voice.cash_insert") and has("home.title")
    assert WORDS["zh"].pending_note("100", 1) == "  100元 x 1张 待核实"
    assert WORDS["en"].table_head == ("Note", "Jrnl", "Dev", "Count", "Diff")


def test_strict_lookup_raises_where_the_screen_lookup_falls_back() -> None:
    with pytest.raises(UnknownText):
        text("paper.no_such_word", "zh")
    with pytest.raises(KeyError):
        text("paper.owed_by", "zh")  # its {day} not given
    assert template("paper.owed_by", "en") == "Please pay it by {day}"
    assert tr("paper.no_such_word", "en").startswith("Something went wrong")


def test_an_id_defined_in_two_parts_is_refused() -> None:
    from kiosk.words import _merged

    with pytest.raises(ValueError, match=r"defined twice: \['home.title'\]"):
        _merged({"home.title": ("a", "a")}, {"home.title": ("b", "b")})
