"""The maintenance screens rendered from scripted snapshots: what each page shows, that it
fits the display, and which `maintenance` intents the technician's taps send."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from kiosk_demo.fake_source import make_maintenance
from kiosk_demo.screenshots import maintenance_scenes

MIN_TOUCH_PX = 57


def maintenance_intents(kiosk):
    return [args for name, args in kiosk.intents() if name == "maintenance"]


def show(kiosk, stage="menu", **kwargs):
    return kiosk.show("maintenance", maintenance=make_maintenance(stage, **kwargs))


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080), (1024, 768)])
def test_every_maintenance_page_fits_with_named_large_targets(kiosk, language, size):
    kiosk.window.resize(*size)
    for name, snap in maintenance_scenes().items():
        snap["language"] = language
        with kiosk.qtbot.waitSignal(kiosk.window.rendered):
            kiosk.source.emit(snap)
        QApplication.processEvents()
        screen = kiosk.window.screens["maintenance"]
        assert kiosk.window.stack.currentWidget() is screen, name
        page = screen.stack.currentWidget()
        area = screen.stack.size()
        hint = page.minimumSizeHint()
        assert hint.width() <= area.width() and hint.height() <= area.height(), (
            f"{name}: page needs {hint.width()}x{hint.height()}, has {area.width()}x"
            f"{area.height()} at {size}"
        )
        for widget in screen.findChildren(QPushButton) + screen.findChildren(QLineEdit):
            if widget.isVisible():
                assert widget.objectName(), f"unnamed {type(widget).__name__} on {name}"
                assert widget.height() >= MIN_TOUCH_PX, f"{widget.objectName()} on {name}"


def test_corner_long_press_asks_the_engine_to_open_maintenance(kiosk):
    kiosk.show("home")
    kiosk.window.corner.long_pressed.emit()
    assert kiosk.intents()[-1] == ("maintenance", {"action": "open"})


def test_login_sends_id_and_masked_pin_typed_on_the_pads(kiosk):
    show(kiosk, "login")
    assert kiosk.window.screens["maintenance"].stack.currentWidget().objectName() == "maint_login"
    for key in ("T", "0", "0", "1"):
        kiosk.click(f"maint_login_letters_key_{key}")
    kiosk.click("maint_login_submit")  # id typed, PIN empty: moves on to the PIN
    assert maintenance_intents(kiosk) == []
    pin = kiosk.find("maint_login_pin")
    assert pin.echoMode() == QLineEdit.EchoMode.Password
    for digit in "135790":
        kiosk.click(f"maint_login_keypad_key_{digit}")
    assert pin.displayText() != "135790"
    kiosk.click("maint_login_keypad_key_ok")
    assert maintenance_intents(kiosk) == [
        {"action": "login", "technician_id": "T001", "pin": "135790"}
    ]
    assert pin.text() == ""  # typed again from scratch after each try


def test_wrong_pin_and_lockout_are_explained(kiosk):
    show(
        kiosk,
        "login",
        message={
            "code": "login_failed",
            "detail": "wrong id or PIN; 2 attempts left before a lockout",
        },
    )
    assert "2" in kiosk.find("maint_message").text()
    assert kiosk.find("maint_login_submit").isEnabled()
    show(
        kiosk,
        "login",
        locked_until="2026-11-02T10:30:00+00:00",
        message={"code": "locked", "until": "2026-11-02T10:30:00+00:00"},
    )
    assert "暂停登录" in kiosk.find("maint_message").text()
    assert not kiosk.find("maint_login_submit").isEnabled()


def test_technician_menu_opens_pages_with_their_actions(kiosk):
    show(kiosk)
    for page, action in (
        ("status", "status"),
        ("collection", "collection_preview"),
        ("suspects", "suspects"),
        ("journal", "journal_search"),
    ):
        kiosk.click(f"maint_menu_{page}")
        assert maintenance_intents(kiosk)[-1]["action"] == action
        kiosk.show("maintenance", maintenance=make_maintenance())
        assert kiosk.find(f"maint_{page}").isVisible()
        kiosk.click("maint_to_menu")


def test_collector_sees_only_collection(kiosk):
    show(kiosk, role="collector")
    screen = kiosk.window.screens["maintenance"]
    assert screen.stack.currentWidget().objectName() == "maint_collection"
    assert maintenance_intents(kiosk)[-1] == {"action": "collection_preview"}
    assert not kiosk.find("maint_to_menu").isVisible()
    show(kiosk, role="collector", page="status")  # even a scripted page: not for collectors
    assert screen.stack.currentWidget().objectName() != "maint_status"


def test_collection_shows_the_difference_before_commit(kiosk):
    show(kiosk, page="collection")
    commit = kiosk.find("maint_collection_commit")
    assert not commit.isEnabled()  # every row must be counted, 0 included
    counts = {10000: "30", 5000: "12", 2000: "7", 1000: "25"}  # one ¥100 note short
    for denomination, typed in counts.items():
        kiosk.click(f"maint_collection_{denomination}_physical")
        for digit in typed:
            kiosk.click(f"maint_collection_keypad_key_{digit}")
    difference = kiosk.find("maint_collection_difference").text()
    assert "−¥100.00" in difference, difference
    assert kiosk.find("maint_collection_10000_diff").text() == "−¥100.00"
    assert kiosk.find("maint_collection_5000_diff").text() == "¥0.00"
    kiosk.click("maint_collection_commit")
    assert maintenance_intents(kiosk)[-1] == {
        "action": "collection_commit",
        "physical": {"10000": 30, "5000": 12, "2000": 7, "1000": 25},
    }


def test_suspect_resolution_needs_an_outcome_and_a_reason(kiosk):
    show(kiosk, page="suspects")
    kiosk.click("maint_suspects_row_0")
    submit = kiosk.find("maint_suspects_submit")
    assert not submit.isEnabled()
    kiosk.click("maint_suspects_outcome_credited")
    assert not submit.isEnabled()  # no reason yet
    for key in "CCTV":
        kiosk.click(f"maint_suspects_keyboard_key_{key}")
    assert not submit.isEnabled()  # too short to mean anything
    kiosk.click("maint_suspects_keyboard_key_space")
    for key in "OK":
        kiosk.click(f"maint_suspects_keyboard_key_{key}")
    assert submit.isEnabled()
    kiosk.click("maint_suspects_submit")
    assert maintenance_intents(kiosk)[-1] == {
        "action": "resolve_suspect",
        "suspect_id": "K0001-00000042-S1",
        "outcome": "credited",
        "reason": "CCTV OK",
    }


def test_parked_item_is_sent_again_with_a_preset_reason(kiosk):
    show(kiosk, page="suspects", language="en")
    kiosk.click("maint_suspects_row_1")
    assert not kiosk.find("maint_suspects_outcome_credited").isVisible()
    kiosk.click("maint_suspects_preset_server_fixed")
    kiosk.click("maint_suspects_submit")
    assert maintenance_intents(kiosk)[-1]["action"] == "retry_item"
    assert maintenance_intents(kiosk)[-1]["item_id"] == "K0001-00000039"
    assert maintenance_intents(kiosk)[-1]["reason"]


def test_journal_search_show_and_reprint(kiosk):
    show(kiosk, page="journal")
    kiosk.click("maint_journal_day")
    kiosk.find("maint_journal_keyboard").type_text("2026-11-32")
    kiosk.click("maint_journal_search")
    assert kiosk.find("maint_journal_error").isVisible()  # no such day: nothing sent
    assert maintenance_intents(kiosk) == []
    kiosk.click("maint_journal_keyboard_key_clear")
    kiosk.find("maint_journal_keyboard").type_text("2026-11-02")
    kiosk.click("maint_journal_query")
    kiosk.find("maint_journal_keyboard").type_text("1000000001")
    kiosk.click("maint_journal_search")
    assert maintenance_intents(kiosk)[-1] == {
        "action": "journal_search",
        "query": "1000000001",
        "day": "2026-11-02",
    }
    kiosk.click("maint_journal_row_0")
    assert maintenance_intents(kiosk)[-1] == {"action": "journal_show", "txn_id": "K0001-00000042"}
    kiosk.click("maint_journal_reprint")
    assert maintenance_intents(kiosk)[-1] == {"action": "reprint", "txn_id": "K0001-00000042"}


def test_tests_page_switches_methods_and_acceptor_test(kiosk):
    show(kiosk, page="tests")
    kiosk.click("maint_tests_print")
    kiosk.click("maint_tests_acceptor")
    kiosk.click("maint_tests_method_cash")
    kiosk.click("maint_tests_method_card")  # card is off in the demo status
    assert maintenance_intents(kiosk) == [
        {"action": "print_test_page"},
        {"action": "acceptor_test", "on": True},
        {"action": "set_method", "method": "cash", "enabled": False},
        {"action": "set_method", "method": "card", "enabled": True},
    ]
    show(kiosk, page="tests", test_mode=True, test_notes=[10000, 10000, 5000])
    assert kiosk.find("maint_tests_notes_10000").text().endswith("×2")
    kiosk.click("maint_tests_acceptor")
    assert maintenance_intents(kiosk)[-1] == {"action": "acceptor_test", "on": False}


def test_power_actions_disabled_unless_allowed_and_confirmed_by_a_second_tap(kiosk):
    show(kiosk, page="system")
    assert not kiosk.find("maint_system_reboot").isEnabled()
    assert not kiosk.find("maint_system_shutdown").isEnabled()
    assert kiosk.find("maint_system_power_hint").isVisible()
    kiosk.click("maint_system_outbox_retry")
    kiosk.click("maint_system_restart_app")
    assert maintenance_intents(kiosk) == [{"action": "outbox_retry"}]
    kiosk.click("maint_system_restart_app")
    assert maintenance_intents(kiosk)[-1] == {"action": "restart_app"}
    show(kiosk, page="system", power_actions_allowed=True)
    kiosk.click("maint_system_reboot")
    kiosk.click("maint_system_reboot")
    assert maintenance_intents(kiosk)[-1] == {"action": "reboot"}


def test_logout_and_messages(kiosk):
    show(kiosk, message={"code": "not_allowed", "detail": "reprint"})
    assert kiosk.find("maint_message").isVisible()
    kiosk.click("maint_logout")
    assert maintenance_intents(kiosk)[-1] == {"action": "logout"}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_status_warns_of_a_wrong_clock_and_a_parked_outbox(kiosk, language):
    snap = maintenance_scenes()["35_maint_status_faults"]  # the kiosk's clock an hour fast
    snap["language"] = language
    with kiosk.qtbot.waitSignal(kiosk.window.rendered, timeout=5000):
        kiosk.source.emit(snap)
    clock = kiosk.find("maint_status_server_clock")
    assert "+3602" in clock.text() and "60" in clock.text()
    assert clock.property("tone") == "warn"
    assert kiosk.find("maint_status_outbox_parked").text() == "—"
    snap = maintenance_scenes()["35b_maint_status_parked"]
    snap["language"] = language
    with kiosk.qtbot.waitSignal(kiosk.window.rendered, timeout=5000):
        kiosk.source.emit(snap)
    assert kiosk.find("maint_status_server_clock").property("tone") == "ok"
    parked = kiosk.find("maint_status_outbox_parked")
    assert parked.text() != "—"
    assert parked.property("tone") == "bad"
    auth = kiosk.find("maint_status_server_auth")
    assert "central.secret" in auth.text()
    assert auth.property("tone") == "bad"
    cash = kiosk.find("maint_status_methods_method_cash").text()
    assert cash == (
        "终端未获授权，暂停收费" if language == "zh" else "kiosk not accepted by the utility"
    )


@pytest.mark.parametrize("language", ["zh", "en"])
def test_status_shows_the_acceptor_starting_and_the_table_it_read(kiosk, language):
    snap = maintenance_scenes()["35_maint_status_faults"]
    snap["language"] = language
    acceptor = snap["maintenance"]["view"]["status"]["acceptor"]
    acceptor.update(state="starting", last_error=None)
    with kiosk.qtbot.waitSignal(kiosk.window.rendered, timeout=5000):
        kiosk.source.emit(snap)
    assert kiosk.find("maint_status_acceptor_state").text() == (
        "正在启动" if language == "zh" else "starting"
    )
    assert kiosk.find("maint_status_acceptor_bill_table").text() == "—"  # not read yet
    acceptor.update(state="ready", bill_table={"2": 1000, "0": 100, "5": 10000})
    acceptor["identity"]["table_code"] = "CHN"
    with kiosk.qtbot.waitSignal(kiosk.window.rendered, timeout=5000):
        kiosk.source.emit(snap)
    assert kiosk.find("maint_status_acceptor_bill_table").text() == "CHN: ¥1 ¥10 ¥100"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_status_says_what_to_do_about_the_printer_in_the_chosen_language(kiosk, language):
    snap = maintenance_scenes()["35_maint_status_faults"]
    snap["language"] = language
    printer = snap["maintenance"]["view"]["status"]["printer"]
    printer.update(state="paper_out", detail="paper out: load a new roll")
    with kiosk.qtbot.waitSignal(kiosk.window.rendered, timeout=5000):
        kiosk.source.emit(snap)
    assert kiosk.find("maint_status_printer_detail").text() == (
        "请装入新纸卷" if language == "zh" else "load a new roll"
    )
    # a state with no wording of its own keeps the driver's words after a plain lead-in
    printer.update(state="not_answering", detail="no reply to DLE EOT 1 within 0.5 s")
    with kiosk.qtbot.waitSignal(kiosk.window.rendered, timeout=5000):
        kiosk.source.emit(snap)
    detail = kiosk.find("maint_status_printer_detail").text()
    assert "no reply to DLE EOT 1" in detail
    assert detail.startswith("其他原因" if language == "zh" else "another reason")
