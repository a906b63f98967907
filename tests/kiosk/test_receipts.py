"""Receipt, collection slip and test page: their checks, layout and plain text."""

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from drivers.printer.text import cells
from kiosk.collection_slip import CollectionSlip, DenominationCount
from kiosk.payment_receipt import (
    BillPaid,
    CardTender,
    CashTender,
    PaymentStatus,
    QrTender,
    Receipt,
    mask_card,
)
from kiosk.printer_test_page import TestPage
from kiosk.receipt_checks import ReceiptError
from kiosk.receipt_layout import QrCode, TextLine
from kiosk.receipts import layout, render_text

BEIJING = timezone(timedelta(hours=8))
PAID_AT = datetime(2026, 11, 26, 18, 13, 5, tzinfo=BEIJING)
CHECK_URL = "http://127.0.0.1:8470/r/K0001-00000042?h=3f9a2b1c8d7e4a10"


def cash_receipt(**changes: object) -> Receipt:
    receipt = Receipt(
        utility_name="示范供电公司 Demo Power Supply Co.",
        kiosk_location="营业厅一号机 Service Hall, Kiosk 1",
        kiosk_id="K0001",
        txn_id="K0001-00000042",
        paid_at=PAID_AT,
        account_no="0100123456",
        holder_masked="王*明",
        bills=(BillPaid("2026-09", 100, 8640), BillPaid("2026-10", 0, 12000)),
        tender=CashTender({2000: 1, 10000: 2}),
        amount_applied_fen=22000,
        credited_to_balance_fen=1260,
        new_balance_fen=1260,
        status=PaymentStatus.POSTED,
        check_url=CHECK_URL,
    )
    return dataclasses.replace(receipt, **changes)


def slip(**changes: object) -> CollectionSlip:
    value = CollectionSlip(
        kiosk_id="K0001",
        kiosk_location="营业厅一号机",
        period_from=datetime(2026, 11, 1, 8, tzinfo=BEIJING),
        period_to=datetime(2026, 11, 26, 18, tzinfo=BEIJING),
        collector="张三",
        counts=(
            DenominationCount(1000, 20, 20, 20),
            DenominationCount(10000, 12, 12, 11),
            DenominationCount(5000, 3, None, 3),
        ),
        collection_id="C-K0001-0007",
    )
    return dataclasses.replace(value, **changes)


ZH_RECEIPT_48 = """\
       示范供电公司 Demo Power Supply Co.
       营业厅一号机 Service Hall, Kiosk 1
            电费缴费凭证
------------------------------------------------
终端号：K0001
流水号：K0001-00000042
时间：2026-11-26 18:13:05
户号：0100123456
户名：王*明
------------------------------------------------
缴费明细
2026-09 违约金                            ￥1.00
2026-09 电费                             ￥86.40
2026-10 电费                            ￥120.00
------------------------------------------------
投入现金
  100元 x 2张                           ￥200.00
  20元 x 1张                             ￥20.00
现金合计                                ￥220.00
本次缴费                                ￥220.00
存入预付余额                             ￥12.60
预付余额                                 ￥12.60
状态：已入账
------------------------------------------------
                扫码查验电子凭证
[QR: http://127.0.0.1:8470/r/K0001-00000042?h=3f9a2b1c8d7e4a10]
        本机不找零，多缴部分存入预付余额
                请妥善保管本凭证
"""


def test_chinese_cash_receipt_on_80_mm_paper() -> None:
    assert render_text(cash_receipt(), columns=48) == ZH_RECEIPT_48


def test_every_line_fits_the_paper_counting_chinese_as_double() -> None:
    documents = [
        cash_receipt(),
        cash_receipt(language="en", copy=True),
        slip(),
        slip(language="en"),
        TestPage("K0001", PAID_AT),
    ]
    for columns in (32, 48):
        for document in documents:
            for block in layout(document, columns=columns).blocks:
                if isinstance(block, TextLine):
                    assert cells(block.text) * block.size.width <= columns, block


def test_amounts_are_flush_right() -> None:
    for columns in (32, 48):
        lines = render_text(cash_receipt(), columns=columns).splitlines()
        money = [line for line in lines if line.endswith((".00", ".40", ".60"))]
        assert len(money) == 9
        assert {cells(line) for line in money} == {columns}


def test_english_receipt_uses_the_half_width_yen() -> None:
    text = render_text(cash_receipt(language="en"), columns=32)
    assert "2026-09 late fee           ¥1.00\n" in text
    assert "  ¥100 x 2               ¥200.00\n" in text
    assert "Status: Posted\n" in text
    assert "￥" not in text


def test_a_reprint_says_copy() -> None:
    zh = render_text(cash_receipt(copy=True), columns=48)
    assert "副本" in zh
    assert "本凭证为补打副本" in zh
    en = render_text(cash_receipt(copy=True, language="en"), columns=48)
    assert "COPY" in en
    assert "副本" not in render_text(cash_receipt(), columns=48)


def test_an_offline_receipt_prints_a_note_instead_of_the_qr_code() -> None:
    queued = cash_receipt(
        status=PaymentStatus.QUEUED,
        bills=(),
        credited_to_balance_fen=0,
        new_balance_fen=None,
        check_url=None,
    )
    blocks = layout(queued, columns=48).blocks
    assert not any(isinstance(block, QrCode) for block in blocks)
    text = render_text(queued, columns=48)
    assert "状态：已记录，恢复联网后入账\n" in text
    assert "预付余额                              联网后更新\n" in text
    assert "本机暂时离线" in text
    en = render_text(dataclasses.replace(queued, language="en"), columns=32)
    assert "Status: Recorded, will be\n        credited when the kiosk\n" in en


def test_card_and_qr_tenders() -> None:
    card = cash_receipt(tender=CardTender("8800123456789012"))
    text = render_text(card, columns=48)
    assert "电费充值卡：************9012\n" in text
    assert "8800123456789012" not in text
    assert "投入现金" not in text
    qr = render_text(cash_receipt(tender=QrTender("QR-20261126-0042")), columns=48)
    assert "扫码支付订单：QR-20261126-0042\n" in qr
    assert mask_card("****1234") == "****1234"
    assert mask_card("8800****1234") == "********1234"


def test_the_qr_code_is_smaller_on_58_mm_paper() -> None:
    def qr(columns: int) -> QrCode:
        (code,) = [
            b for b in layout(cash_receipt(), columns=columns).blocks if isinstance(b, QrCode)
        ]
        return code

    assert (qr(48).module_dots, qr(32).module_dots) == (6, 5)
    assert qr(48).data == CHECK_URL


def test_control_characters_from_the_server_are_neutralised() -> None:
    text = render_text(cash_receipt(holder_masked="王\x1bd\x05*明"), columns=48)
    assert "户名：王?d?*明\n" in text
    assert "\x1b" not in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount_applied_fen": 22001}, "must equal amount_applied_fen"),
        ({"amount_applied_fen": 220.0}, "whole number of fen"),
        ({"credited_to_balance_fen": -1}, "negative"),
        ({"paid_at": datetime(2026, 11, 26, 18)}, "time zone"),
        ({"language": "fr"}, "language 'fr'"),
        ({"txn_id": " "}, "txn_id is empty"),
        ({"new_balance_fen": True}, "whole number of fen"),
        (
            {"tender": CashTender({10000: 2}), "amount_applied_fen": 22000},
            "cash notes total 20000 fen",
        ),
        (
            {"status": PaymentStatus.QUEUED, "bills": (), "check_url": None},
            "credited_to_balance_fen must be 0",
        ),
    ],
)
def test_impossible_receipts_are_refused_naming_the_field(changes: dict, message: str) -> None:
    with pytest.raises(ReceiptError, match=message):
        cash_receipt(**changes)


def test_cash_notes_are_checked_and_sorted() -> None:
    tender = CashTender({1000: 1, 5000: 2})
    assert list(tender.notes) == [5000, 1000]
    assert tender.total_fen == 11000
    with pytest.raises(ReceiptError, match="count of 1000 fen"):
        CashTender({1000: 0})
    with pytest.raises(ReceiptError, match="denomination"):
        CashTender({0: 1})
    assert CashTender({}).total_fen == 0  # every note may be pending verification
    with pytest.raises(ReceiptError, match="amount_applied_fen is zero"):
        cash_receipt(
            tender=CashTender({}),
            bills=(),
            amount_applied_fen=0,
            credited_to_balance_fen=0,
            status=PaymentStatus.QUEUED,
            new_balance_fen=None,
            check_url=None,
        )


def test_a_pending_note_is_printed_with_what_happens_next_in_both_languages() -> None:
    receipt = cash_receipt(
        tender=CashTender({2000: 1}),
        bills=(),
        amount_applied_fen=2000,
        credited_to_balance_fen=0,
        new_balance_fen=None,
        status=PaymentStatus.QUEUED,
        check_url=None,
        pending_notes={10000: 1},
    )
    text = render_text(receipt, columns=48)
    assert "100元 x 1张 待核实" in text
    assert "20元 x 1张" in text
    assert "本次缴费" in text and "￥20.00" in text  # the pending note is not counted as paid
    assert "技术人员将核对钱箱" in "".join(text.split()) and "K0001-00000042" in text
    english = render_text(dataclasses.replace(receipt, language="en"), columns=48)
    assert "¥100 x 1 pending verification" in english
    assert "A technician will check the cash box" in " ".join(english.split())


def test_a_payment_whose_only_note_is_pending_still_prints_a_receipt() -> None:
    receipt = cash_receipt(
        tender=CashTender({}),
        bills=(),
        amount_applied_fen=0,
        credited_to_balance_fen=0,
        new_balance_fen=None,
        status=PaymentStatus.QUEUED,
        check_url=None,
        pending_notes={10000: 1},
    )
    text = render_text(receipt, columns=32)
    assert "状态：待核实" in text.replace(" ", "")
    assert "已记录" not in text  # nothing was queued: the status must not say so
    with pytest.raises(ReceiptError, match="pending"):
        cash_receipt(pending_notes={10000: 0})
    with pytest.raises(ReceiptError, match="only cash"):
        cash_receipt(
            tender=CardTender("8800000000000001"),
            bills=(),
            amount_applied_fen=5000,
            credited_to_balance_fen=0,
            status=PaymentStatus.QUEUED,
            check_url=None,
            new_balance_fen=None,
            pending_notes={10000: 1},
        )


def test_columns_out_of_range() -> None:
    with pytest.raises(ReceiptError, match="use 32 for 58 mm"):
        render_text(cash_receipt(), columns=12)


SLIP_32 = """\
          清机单
--------------------------------
终端号：K0001
位置：营业厅一号机
清机单号：C-K0001-0007
起：2026-11-01 08:00:00
止：2026-11-26 18:00:00
收款员：张三
--------------------------------
面额    账面   设备  实点  差额
100元     12     12    11    -1
50元       3     无     3     0
10元      20     20    20     0
--------------------------------
账面合计              ￥1,550.00
设备合计                      无
实点合计              ￥1,450.00
实点-账面              -￥100.00
有差异，请复核并上报

收款员签字：________________

复核人签字：________________
"""


def test_collection_slip_on_58_mm_paper() -> None:
    assert render_text(slip(), columns=32) == SLIP_32


def test_collection_slip_totals_and_a_matching_count() -> None:
    matching = slip(counts=(DenominationCount(10000, 2, 2, 2), DenominationCount(2000, 1, 1, 1)))
    assert (matching.journal_total_fen, matching.device_total_fen) == (22000, 22000)
    text = render_text(matching, columns=48)
    assert "实点-设备" in text
    assert "账实相符\n" in text
    en = render_text(dataclasses.replace(matching, language="en"), columns=48)
    assert "Counts match\n" in en
    assert "Counted - journal" in en


def test_collection_slip_device_disagreeing_with_the_count() -> None:
    text = render_text(
        slip(counts=(DenominationCount(10000, 2, 3, 2),)),
        columns=48,
    )
    assert "实点-设备" in text
    assert "-￥100.00" in text
    assert "有差异，请复核并上报" in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"counts": ()}, "at least one"),
        ({"counts": (DenominationCount(100, 1, 1, 1),) * 2}, "twice"),
        ({"period_to": datetime(2026, 10, 1, tzinfo=BEIJING)}, "before period_from"),
        ({"collector": ""}, "collector is empty"),
    ],
)
def test_impossible_slips_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(ReceiptError, match=message):
        slip(**changes)
    with pytest.raises(ReceiptError, match="physical_count"):
        DenominationCount(100, 1, 1, -1)


def test_test_page_exercises_chinese_latin_sizes_and_qr() -> None:
    page = TestPage("K0001", PAID_AT)
    blocks = layout(page, columns=48).blocks
    sizes = {block.size.name for block in blocks if isinstance(block, TextLine)}
    assert sizes == {"NORMAL", "DOUBLE", "DOUBLE_WIDTH", "DOUBLE_HEIGHT"}
    (qr,) = [block for block in blocks if isinstance(block, QrCode)]
    assert qr.data == "kiosk-test:K0001:20261126T181305"
    text = render_text(page, columns=48)
    assert "全角：，。：；（）《》【】￥“”\n" in text
    assert "Latin: ABC xyz 0123 ¥ £ é ü ° ±\n" in text
    assert "123456789012345678901234567890123456789012345678\n" in text
