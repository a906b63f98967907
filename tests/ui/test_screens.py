"""Every screen rendered from snapshots, and every customer action turned into an intent."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from kiosk_demo.screenshots import scenes
from ui.window import SCREEN_FOR_STATE

MIN_TOUCH_PX = 57  # 15 mm at ~96 dpi


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080), (1024, 768)])
def test_every_screen_renders_with_named_large_targets(kiosk, language, size):
    kiosk.window.resize(*size)
    for name, snap in scenes().items():
        snap["language"] = language
        with kiosk.qtbot.waitSignal(kiosk.window.rendered):
            kiosk.source.emit(snap)
        QApplication.processEvents()
        screen = kiosk.window.stack.currentWidget()
        assert screen is kiosk.window.screens[SCREEN_FOR_STATE[snap["state"]]], name
        stack = kiosk.window.stack.size()
        hint = screen.minimumSizeHint()
        if not snap["large_text"]:
            fits = hint.width() <= stack.width() and hint.height() <= stack.height()
            assert fits, (
                f"{name} needs {hint.width()}x{hint.height()}, has {stack.width()}x"
                f"{stack.height()} at {size}: text would be clipped"
            )
        for widget in kiosk.window.findChildren(QPushButton) + kiosk.window.findChildren(QLineEdit):
            if widget.isVisible():
                assert widget.objectName(), f"unnamed {type(widget).__name__} on {name}"
                assert widget.height() >= MIN_TOUCH_PX, f"{widget.objectName()} on {name}"


def test_home_choices_start_each_mode(kiosk):
    kiosk.show("home")
    for name in ("home_pay", "home_card", "home_check"):
        kiosk.click(name)
    assert kiosk.intents() == [
        ("start", {"mode": "pay"}),
        ("start", {"mode": "card"}),
        ("start", {"mode": "check"}),
    ]


def test_keypad_enters_the_account_number(kiosk):
    kiosk.show("account_entry")
    for digit in "12345678":
        kiosk.click(f"account_keypad_key_{digit}")
    kiosk.click("account_keypad_key_delete")
    kiosk.click("account_keypad_key_ok")
    assert kiosk.intents()[-1] == ("enter_account", {"account_no": "1234567"})


def test_barcode_scanner_types_the_account_like_a_keyboard(kiosk):
    kiosk.show("account_entry")
    kiosk.find("account_keypad_key_5").setFocus()  # even after focus moved elsewhere
    kiosk.qtbot.keyClicks(kiosk.window, "1000000001")
    kiosk.qtbot.keyClick(kiosk.window, Qt.Key.Key_Return)
    assert kiosk.intents()[-1] == ("enter_account", {"account_no": "1000000001"})


def test_unknown_account_is_explained_and_input_stays(kiosk):
    kiosk.show("account_entry", error={"code": "account_not_found", "detail": {}})
    banner = kiosk.find("banner")
    assert banner.isVisible()
    assert "未找到该户号" in banner.text()


def test_lookup_can_be_cancelled(kiosk):
    kiosk.show("looking_up")
    kiosk.click("lookup_cancel")
    assert kiosk.intents() == [("cancel", {})]


def test_account_shows_masked_holder_bills_and_pays_all(kiosk):
    kiosk.show("account_shown")
    assert kiosk.find("shown_holder").text() == "王*明"
    assert kiosk.find("shown_total_due").text().endswith("¥225.80")
    assert kiosk.find("bill_1_0").text() == "2026年9月"
    assert kiosk.find("bill_1_2").text() == "¥1.00"
    kiosk.click("shown_pay_all")
    assert kiosk.intents() == [("choose_amount", {"amount_fen": None})]


def test_other_amount_is_parsed_to_fen_and_bad_input_explained(kiosk):
    kiosk.show("account_shown")
    kiosk.click("shown_other")
    assert not kiosk.find("shown_pay_all").isVisible()
    kiosk.click("amount_keypad_key_ok")  # nothing typed
    assert kiosk.intents() == []
    assert kiosk.find("amount_error").text()
    for key in ("3", "0", "0", "dot", "5"):
        kiosk.click(f"amount_keypad_key_{key}")
    kiosk.click("amount_keypad_key_ok")
    assert kiosk.intents() == [("choose_amount", {"amount_fen": 30050})]


def test_out_of_range_amount_names_the_limits(kiosk):
    kiosk.show(
        "account_shown",
        language="en",
        error={"code": "amount_out_of_range", "detail": {"min_fen": 100, "max_fen": 500000}},
    )
    assert "¥1.00" in kiosk.find("banner").text()
    assert "¥5,000.00" in kiosk.find("banner").text()


def test_card_mode_goes_straight_to_the_card(kiosk):
    kiosk.show("account_shown", mode="card")
    assert not kiosk.find("shown_pay_all").isVisible()
    kiosk.click("shown_card")
    assert kiosk.intents() == [("choose_method", {"method": "card"})]


def test_unavailable_methods_are_greyed_with_the_reason(kiosk):
    kiosk.show(
        "amount_chosen",
        amount_fen=22580,
        methods={
            "cash": {"ok": False, "reason": "printer_paper_out"},
            "qr": {"ok": True, "reason": None},
            "card": {"ok": False, "reason": "acceptor_jam"},
        },
    )
    assert not kiosk.find("method_cash").isEnabled()
    assert kiosk.find("method_cash_reason").text() == "暂不可用：打印机缺纸"
    assert kiosk.find("method_card_reason").text() == "暂不可用：纸币识别器故障"
    assert kiosk.find("method_qr_reason").text() == "可以使用"
    kiosk.click("method_qr")
    assert kiosk.intents() == [("choose_method", {"method": "qr"})]


def test_cash_cancel_only_before_the_first_note_and_surplus_shown(kiosk):
    kiosk.show(
        "cash_insert",
        amount_fen=22580,
        cash={"can_cancel": True, "accepting": True, "still_due_fen": 22580},
    )
    assert not kiosk.find("cash_finish").isEnabled()
    assert kiosk.find("cash_cancel_hint").isVisible()  # said before the first note, not after
    kiosk.click("cash_cancel")
    kiosk.show(
        "cash_insert",
        amount_fen=22580,
        cash={"inserted_fen": 30000, "notes": {"10000": 3}, "surplus_fen": 7420, "accepting": True},
    )
    assert not kiosk.find("cash_cancel").isEnabled()
    assert kiosk.find("cash_surplus").text().endswith("¥74.20")
    assert kiosk.find("cash_inserted_notes_10000").text() == "¥100\n×3"
    kiosk.click("cash_finish")
    assert kiosk.intents() == [("cancel", {}), ("finish", {})]


def test_note_in_escrow_blocks_finish(kiosk):
    kiosk.show("cash_insert", amount_fen=22580, cash={"inserted_fen": 5000, "in_escrow_fen": 10000})
    assert not kiosk.find("cash_finish").isEnabled()
    assert kiosk.find("cash_escrow").isVisible()


def test_qr_wait_shows_code_countdown_and_cancels(kiosk):
    kiosk.show(
        "qr_wait",
        amount_fen=22580,
        qr={"order_id": "Q1", "payload": "http://x/pay/Q1", "seconds_left": 42},
    )
    assert not kiosk.find("qr_code").pixmap().isNull()
    assert kiosk.find("qr_countdown").text() == "剩余 42 秒"
    kiosk.click("qr_cancel")
    assert kiosk.intents() == [("cancel", {})]


def test_card_pin_is_masked_and_cleared_after_submit(kiosk):
    kiosk.show("card_entry", mode="card")
    assert kiosk.find("card_pin").echoMode() == QLineEdit.EchoMode.Password
    for digit in "12345678":
        kiosk.click(f"card_keypad_key_{digit}")
    kiosk.click("card_keypad_key_ok")  # moves to the PIN
    for digit in "9876":
        kiosk.click(f"card_keypad_key_{digit}")
    assert kiosk.find("card_keypad_key_ok").text() == "确认缴费"  # on the PIN: OK pays
    kiosk.click("card_keypad_key_ok")
    assert kiosk.intents() == [("submit_card", {"card_no": "12345678", "pin": "9876"})]
    assert kiosk.find("card_pin").text() == ""


def test_wrong_pin_says_how_many_tries_are_left(kiosk):
    kiosk.show("card_entry", language="en", card={"error": "card_pin_invalid", "attempts_left": 2})
    assert kiosk.find("card_error").text() == "Wrong PIN: 2 tries left"


@pytest.mark.parametrize(("printing", "qr_shown"), [("printed", False), ("failed", True)])
def test_done_offers_an_onscreen_receipt_when_printing_failed(kiosk, printing, qr_shown):
    kiosk.show(
        "done",
        result={
            "status": "posted",
            "txn_id": "K0001-00000001",
            "amount_fen": 22580,
            "credited_to_balance_fen": 0,
            "balance_fen": 0,
            "receipt_url": "http://x/r/1?h=ab",
            "printing": printing,
        },
    )
    assert kiosk.find("done_receipt_qr").isVisible() is qr_shown
    kiosk.click("done_home")
    assert kiosk.intents() == [("home", {})]


def test_unknown_codes_and_states_stay_helpful(kiosk):
    kiosk.show("account_entry", error={"code": "frobnicated", "detail": {}})
    assert "frobnicated" in kiosk.find("banner").text()
    kiosk.show("warp_drive")
    assert kiosk.window.stack.currentWidget() is kiosk.window.screens["out_of_service"]


def test_out_of_service_says_what_still_works(kiosk):
    kiosk.show(
        "out_of_service",
        methods={
            "cash": {"ok": False, "reason": "acceptor_jam"},
            "qr": {"ok": True, "reason": None},
            "card": {"ok": False, "reason": "server_offline"},
        },
    )
    assert kiosk.find("oos_still_works").text() == "仍可使用：扫码支付"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh", "未配对：请在维护界面输入配对码"),
        ("en", "Not paired: enter a pairing code on the maintenance screen"),
    ],
)
def test_out_of_service_says_when_the_kiosk_is_not_paired_yet(kiosk, language, words):
    unpaired = {"ok": False, "reason": "unpaired"}
    methods = {"cash": unpaired, "qr": unpaired, "card": unpaired}
    kiosk.show("out_of_service", language=language, methods=methods)
    assert kiosk.find("oos_hint").text() == words
    kiosk.show("out_of_service", language=language, methods={"cash": {"ok": False}})
    assert kiosk.find("oos_hint").text() != words  # only then


def test_language_switch_mid_flow_retranslates_every_screen(kiosk):
    kiosk.show("cash_insert", amount_fen=22580, cash={"inserted_fen": 5000})
    kiosk.click("language_switch")
    assert kiosk.intents() == [("set_language", {"language": "en"})]
    kiosk.show("cash_insert", language="en", amount_fen=22580, cash={"inserted_fen": 5000})
    assert kiosk.find("cash_title").text() == "Insert banknotes"
    assert kiosk.find("language_switch").text() == "中文"
    assert kiosk.find("home_pay").text() == "Pay electricity bill"  # off-screen too


def test_idle_prompt_asks_for_more_time(kiosk):
    kiosk.show("account_shown", idle_prompt={"seconds_left": 25})
    assert kiosk.find("idle_seconds").text() == "25 秒后返回首页"
    kiosk.click("idle_still_here")
    assert ("still_here", {}) in kiosk.intents()
    kiosk.show("account_shown")
    assert not kiosk.find("idle_prompt").isVisible()


def test_large_text_mode_switches_the_stylesheet(kiosk):
    kiosk.show("home")
    normal = kiosk.find("home_pay").font().pixelSize()
    kiosk.click("large_text_toggle")
    assert kiosk.intents() == [("set_large_text", {"on": True})]
    kiosk.show("home", large_text=True)
    assert kiosk.find("home_pay").font().pixelSize() > normal


def test_snapshots_from_another_thread_render_on_the_gui_thread(kiosk):
    seen = []
    kiosk.window.rendered.connect(lambda snap: seen.append(QThread.currentThread()))
    from kiosk_demo.fake_source import make_snapshot

    with kiosk.qtbot.waitSignal(kiosk.window.rendered, timeout=5000):
        worker = threading.Thread(target=kiosk.source.emit, args=(make_snapshot("processing"),))
        worker.start()
        worker.join(timeout=5)
    assert seen == [QApplication.instance().thread()]
    assert kiosk.window.stack.currentWidget() is kiosk.window.screens["processing"]


def test_long_press_in_the_corner_asks_for_maintenance(kiosk):
    corner = kiosk.find("maintenance_corner")
    corner._timer.setInterval(50)
    with kiosk.qtbot.waitSignal(kiosk.window.maintenance_requested, timeout=3000):
        kiosk.qtbot.mousePress(corner, Qt.MouseButton.LeftButton)
    kiosk.qtbot.mouseRelease(corner, Qt.MouseButton.LeftButton)


def test_short_tap_in_the_corner_does_nothing(kiosk):
    corner = kiosk.find("maintenance_corner")
    corner._timer.setInterval(200)
    with kiosk.qtbot.assertNotEmitted(kiosk.window.maintenance_requested, wait=400):
        kiosk.qtbot.mouseClick(corner, Qt.MouseButton.LeftButton)


def test_fullscreen_window_refuses_to_close(qtbot):
    from kiosk_demo.fake_source import FakeSource
    from ui.app import build_window

    window = build_window(FakeSource(), "x", fullscreen=True)
    qtbot.addWidget(window)
    assert not window.close()
    window.allow_close = True
    assert window.close()


def _partial(kiosk, state="cash_insert", **overrides):
    from kiosk_demo.screenshots import PARTIAL_ACCOUNT

    cash = {"inserted_fen": 5000, "notes": {"5000": 1}, "still_due_fen": 29000}
    return kiosk.show(state, account=PARTIAL_ACCOUNT, amount_fen=34000, cash=cash, **overrides)


def test_finishing_with_money_still_due_asks_first(kiosk):
    _partial(kiosk)
    kiosk.click("cash_finish")
    assert kiosk.intents() == []  # nothing sent before the customer confirms
    assert kiosk.find("partial_confirm").isVisible()
    message = kiosk.find("partial_confirm_message").text()
    assert message == "本次缴费 ¥50.00，仍欠 ¥290.00，确认结束？"
    assert "2026年10月15日" in kiosk.find("partial_confirm_detail").text()
    kiosk.click("partial_confirm_no")
    assert not kiosk.find("partial_confirm").isVisible()
    assert kiosk.intents() == []
    kiosk.click("cash_finish")
    kiosk.click("partial_confirm_yes")
    assert kiosk.intents() == [("finish", {})]


def test_the_question_is_in_english_too_and_closes_when_paid_up(kiosk):
    _partial(kiosk, language="en")
    kiosk.click("cash_finish")
    text = kiosk.find("partial_confirm_message").text()
    assert text == "You have paid ¥50.00; ¥290.00 is still owed. Finish now?"
    kiosk.show("cash_insert", language="en", cash={"inserted_fen": 34000, "still_due_fen": 0})
    assert not kiosk.find("partial_confirm").isVisible()
    kiosk.click("cash_finish")
    assert kiosk.intents() == [("finish", {})]  # nothing due: no question


def test_a_partial_payment_result_says_what_is_still_owed(kiosk):
    result = {"status": "posted", "amount_fen": 5000, "balance_fen": 0, "printing": "printed"}
    _partial(kiosk, "done", result=result)
    headline = kiosk.find("done_headline")
    assert headline.text() != "缴费成功" and headline.property("tone") == "warn"
    assert kiosk.find("done_owed").text() == "仍欠电费 ¥290.00"
    assert "2026年10月15日" in kiosk.find("done_owed_due").text()
    assert not kiosk.find("done_balance").isVisible()  # no "balance ¥0.00" beside a debt


def test_a_full_payment_result_stays_green(kiosk):
    from kiosk_demo.screenshots import PARTIAL_ACCOUNT

    result = {"status": "posted", "amount_fen": 34000, "balance_fen": 0, "printing": "printed"}
    kiosk.show("done", account=PARTIAL_ACCOUNT, result=result)
    assert kiosk.find("done_headline").text() == "缴费成功"
    assert kiosk.find("done_headline").property("tone") == "ok"
    assert not kiosk.find("done_owed").isVisible()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_other_amount_keypad_has_room_at_1024x768(kiosk, language):
    kiosk.window.resize(1024, 768)
    kiosk.show("account_shown", language=language)
    kiosk.click("shown_other")
    QApplication.processEvents()
    assert not kiosk.find("shown_info").isVisible()  # the keypad gets the account's room
    keys = [kiosk.find(f"amount_keypad_key_{k}") for k in ("1", "dot", "clear", "ok", "delete")]
    for key in keys:
        assert key.height() >= 60 and key.width() >= 60, key.objectName()
        need = key.fontMetrics().horizontalAdvance(key.text())
        assert need < key.contentsRect().width(), key.objectName()
    for digit in "12.5":
        kiosk.click(f"amount_keypad_key_{'dot' if digit == '.' else digit}")
    kiosk.click("amount_keypad_key_ok")
    assert kiosk.intents()[-1] == ("choose_amount", {"amount_fen": 1250})
    kiosk.click("amount_back")
    assert kiosk.find("shown_info").isVisible()


def _places(kiosk, names):
    QApplication.processEvents()
    return {
        name: kiosk.find(name).mapTo(kiosk.window, kiosk.find(name).rect().topLeft())
        for name in names
    }


@pytest.mark.parametrize("size", [(1024, 768), (1080, 1920)])
def test_notices_and_notes_never_move_the_cash_buttons(kiosk, size):
    kiosk.window.resize(*size)
    names = ["cash_finish", "cash_cancel"]
    due = {"still_due_fen": 22580, "can_cancel": True, "accepting": True}
    kiosk.show("cash_insert", amount_fen=22580, cash=due)
    before = _places(kiosk, names)
    taken = {"inserted_fen": 30000, "notes": {"10000": 3}, "surplus_fen": 7420, "in_escrow_fen": 0}
    kiosk.show("cash_insert", amount_fen=22580, cash=taken, notice="note_accepted")
    assert kiosk.find("banner").isVisible()
    assert _places(kiosk, names) == before
    escrow = {**taken, "in_escrow_fen": 10000, "paused": True}
    kiosk.show("cash_insert", amount_fen=22580, cash=escrow, error={"code": "server_offline"})
    assert _places(kiosk, names) == before


@pytest.mark.parametrize("size", [(1024, 768), (1080, 1920)])
def test_an_error_banner_never_moves_the_keypad(kiosk, size):
    kiosk.window.resize(*size)
    keys = [f"account_keypad_key_{k}" for k in ("1", "0", "ok", "delete")]
    kiosk.show("account_entry")
    before = _places(kiosk, keys)
    kiosk.show("account_entry", error={"code": "account_not_found", "detail": {}})
    assert kiosk.find("banner").isVisible()
    assert _places(kiosk, keys) == before


def test_out_of_paper_says_the_onscreen_receipt_before_the_choice(kiosk):
    from kiosk_demo.screenshots import customer_scenes

    snap = customer_scenes()["paper_out"]
    with kiosk.qtbot.waitSignal(kiosk.window.rendered):
        kiosk.source.emit(snap)
    note = kiosk.find("method_receipt_note")
    assert note.isVisible() and "二维码" in note.text() and "打印机缺纸" in note.text()
    assert kiosk.find("method_qr").isEnabled() and kiosk.find("method_card").isEnabled()
    kiosk.show("amount_chosen", amount_fen=22580)  # paper back: the note goes, nothing else
    assert not kiosk.find("method_receipt_note").isVisible()


def test_no_advice_to_choose_another_way_when_none_works(kiosk):
    down = {m: {"ok": False, "reason": "printer_paper_out"} for m in ("cash", "qr", "card")}
    error = {"code": "method_unavailable", "detail": {"reason": "printer_paper_out"}}
    kiosk.show("amount_chosen", amount_fen=22580, methods=down, error=error)
    text = kiosk.find("banner").text()
    assert "请选择其他方式" not in text and "营业厅" in text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_server_down_advice_can_be_followed(kiosk, language):
    kiosk.show("account_entry", language=language, error={"code": "server_offline", "detail": {}})
    text = kiosk.find("banner").text()
    assert "现金缴费" not in text.replace("现金缴费也要", "")  # cash needs the lookup too
    assert ("营业厅" in text) if language == "zh" else ("service counter" in text)
    assert ("再试" in text) if language == "zh" else ("try again" in text)


@pytest.mark.parametrize(("size", "where"), [((1024, 768), "右侧"), ((1080, 1920), "下方")])
def test_hints_point_where_the_keypad_really_is(kiosk, size, where):
    kiosk.window.resize(*size)
    kiosk.show("account_entry")
    QApplication.processEvents()
    assert f"可用{where}键盘" in kiosk.find("account_hint").text()


def test_home_hint_is_above_the_buttons_it_names(kiosk):
    kiosk.show("home")
    hint = kiosk.find("home_hint")
    first = kiosk.find("home_pay")
    assert (
        hint.mapTo(kiosk.window, hint.rect().bottomLeft()).y()
        <= first.mapTo(kiosk.window, first.rect().topLeft()).y()
    )


def test_accepted_notes_are_words_not_buttons_and_no_cancel_is_said_first(kiosk):
    kiosk.show("cash_insert", amount_fen=22580, cash={"can_cancel": True, "still_due_fen": 22580})
    assert kiosk.find("cash_accepts").text() == "本机收 ¥10、¥20、¥50、¥100 纸币"
    assert kiosk.find("cash_cancel_hint").text() == "放入第一张纸币后不能取消"
    assert kiosk.find("cash_cancel_hint").isVisible()


def test_senior_mode_nearly_doubles_body_text_in_high_contrast(kiosk):
    kiosk.show("account_shown")
    body = kiosk.find("shown_holder_name").font().pixelSize()  # body text (24 px)
    kiosk.show("account_shown", large_text=True)
    assert kiosk.find("shown_holder_name").font().pixelSize() >= 1.8 * body
    assert "high contrast" in kiosk.window.styleSheet()
    # fewer items: the account, the name and the totals; no address, bill table or date
    assert kiosk.find("shown_holder").isVisible()
    for name in ("shown_address", "shown_as_of", "bills_header_0"):
        assert not kiosk.find(name).isVisible(), name
    kiosk.show("account_shown", large_text=False)
    assert kiosk.find("shown_address").isVisible()
    assert "high contrast" not in kiosk.window.styleSheet()


def test_senior_mode_keeps_the_header_and_its_buttons_the_same_size(kiosk):
    kiosk.show("home")
    before = kiosk.find("large_text_toggle").size(), kiosk.find("header_title").font()
    kiosk.show("home", large_text=True)
    QApplication.processEvents()
    after = kiosk.find("large_text_toggle").size(), kiosk.find("header_title").font()
    assert before[0].height() == after[0].height()
    assert before[1].pixelSize() == after[1].pixelSize()


def test_card_form_marks_the_active_field_groups_the_number_and_has_one_primary(kiosk):
    kiosk.show("card_entry", mode="card", method="card")
    number, pin = kiosk.find("card_number"), kiosk.find("card_pin")
    assert number.property("active") is True and pin.property("active") is False
    assert kiosk.find("card_keypad_key_ok").text() == "下一项：密码"
    for digit in "8800123456789012":
        kiosk.click(f"card_keypad_key_{digit}")
    assert number.text() == "8800 1234 5678 9012"
    kiosk.click("card_keypad_key_delete")
    kiosk.click("card_keypad_key_2")
    assert number.text() == "8800 1234 5678 9012"
    kiosk.click("card_keypad_key_ok")
    assert pin.property("active") is True and number.property("active") is False
    kiosk.click("card_keypad_key_1")
    kiosk.click("card_keypad_key_ok")
    assert kiosk.intents()[-1] == ("submit_card", {"card_no": "8800123456789012", "pin": "1"})
    primaries = [
        b
        for b in kiosk.window.screens["card"].findChildren(QPushButton)
        if b.isVisible() and b.property("role") in ("primary", "bigprimary")
    ]
    assert [b.objectName() for b in primaries] == ["card_keypad_key_ok"]


def test_with_money_in_the_idle_prompt_says_it_is_credited(kiosk):
    cash = {"inserted_fen": 5000, "notes": {"5000": 1}, "still_due_fen": 17580}
    kiosk.show("cash_insert", amount_fen=22580, cash=cash, idle_prompt={"seconds_left": 27})
    text = kiosk.find("idle_seconds").text()
    assert "返回首页" not in text
    assert "27 秒" in text and "¥50.00" in text and "计入您的账户" in text
    kiosk.show("cash_insert", language="en", cash=cash, idle_prompt={"seconds_left": 9})
    assert "credited" in kiosk.find("idle_seconds").text()


def test_the_done_screen_counts_down_to_the_start(kiosk):
    result = {"status": "posted", "amount_fen": 22580, "printing": "printed"}
    kiosk.show("done", result=result, home_in_s=12)
    assert kiosk.find("done_home_in").text() == "12 秒后返回首页"


@pytest.mark.parametrize("size", [(1024, 768), (1080, 1920)])
@pytest.mark.parametrize("large", [False, True])
def test_a_long_account_number_shows_every_digit(kiosk, size, large):
    kiosk.window.resize(*size)
    kiosk.show("account_entry", large_text=large)
    field = kiosk.find("account_input")
    for digit in "3100000002123":  # 13 digits
        kiosk.click(f"account_keypad_key_{digit}")
    QApplication.processEvents()
    assert field.text() == "3100000002123"
    assert field.fontMetrics().horizontalAdvance(field.text()) <= field.width() - 40
    assert field.cursorRect().left() >= 0  # nothing scrolled out of sight


def test_home_shows_the_payment_notice_with_the_service_phone(kiosk):
    kiosk.show("home")
    assert kiosk.find("home_notice_accepted").text() == "本机现可：现金、扫码支付、充值卡"
    assert "营业厅柜台用现金" in kiosk.find("home_notice_cash").text()
    assert kiosk.find("home_notice_phone").text() == "客服电话 95598"


def test_without_cash_the_notice_says_where_to_pay_cash(kiosk):
    down = {"ok": False, "reason": "acceptor_jam"}
    kiosk.show("out_of_service", language="en", methods={"cash": down})
    assert "Cash" not in kiosk.find("oos_notice_accepted").text()
    assert "nearest service counter" in kiosk.find("oos_notice_cash").text()
    assert kiosk.find("oos_notice_phone").text() == "Service phone 95598"


def test_the_service_phone_comes_from_the_configuration(qtbot):
    from kiosk_demo.fake_source import FakeSource, make_snapshot
    from ui.app import build_window

    source = FakeSource()
    window = build_window(source, "供电", fullscreen=False, service_phone="0571-95598")
    qtbot.addWidget(window)
    window.show_snapshot(make_snapshot("home"))
    assert window.screens["home"].notice.phone.text() == "客服电话 0571-95598"
    window.allow_close = True
    window.close()
