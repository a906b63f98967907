"""The pairing page (ui/maintenance/pairing.py): the code typed on the on-screen keyboard is sent
as a `pair` intent, a mistyped one is said at once and never sent, every outcome fits the
display in both languages, and once paired the page says the secret is in use: no restart."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from kiosk_demo.fake_source import make_maintenance
from tests.ui.test_layout import check_contrast, check_overlap, check_targets, check_text

MIN_TOUCH_PX = 57
URL = "https://pay.example-utility.cn"
OUTCOMES = {
    "none": None,
    "busy": {"state": "busy"},
    "paired": {"state": "paired", "kiosk_id": "K0001", "url": URL, "secret_file": "/etc/x"},
    "refused": {"state": "refused", "kiosk_id": "K0001", "url": URL},
    "unreachable": {"state": "unreachable", "kiosk_id": "K0001", "url": URL},
    "not_writable": {"state": "not_writable", "kiosk_id": "K0001", "secret_file": "/etc/x"},
    "failed": {"state": "failed", "detail": f"{URL}/v1/pair answered 502: Bad Gateway"},
    "overridden": {"state": "overridden", "source": "credential"},
}


def show_pair(kiosk, pair=None, language="zh", role="technician"):
    m = make_maintenance(page="pair", role=role)
    m["view"]["status"]["central_url"] = URL
    if pair is not None:
        m["view"]["pair"] = pair
    return kiosk.show("maintenance", maintenance=m, language=language)


def sent(kiosk):
    return [args for name, args in kiosk.intents() if name == "maintenance"]


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("size", [(1080, 1920), (1024, 768)])
def test_every_outcome_fits_with_named_large_targets(kiosk, language, size):
    kiosk.window.resize(*size)
    for name, pair in OUTCOMES.items():
        show_pair(kiosk, pair, language)
        QApplication.processEvents()
        screen = kiosk.window.screens["maintenance"]
        page = screen.stack.currentWidget()
        assert page.objectName() == "maint_pair", name
        hint, area = page.minimumSizeHint(), screen.stack.size()
        assert hint.width() <= area.width() and hint.height() <= area.height(), (
            f"{name}: needs {hint.width()}x{hint.height()}, has {area.width()}x{area.height()}"
        )
        for widget in screen.findChildren(QPushButton) + screen.findChildren(QLineEdit):
            if widget.isVisible():
                assert widget.objectName(), f"unnamed {type(widget).__name__} on {name}"
                assert widget.height() >= MIN_TOUCH_PX, f"{widget.objectName()} on {name}"
                # nothing runs off the bottom of the display
                bottom = widget.mapTo(kiosk.window, widget.rect().bottomLeft()).y()
                assert bottom <= kiosk.window.height(), f"{widget.objectName()} on {name}"


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("size", [(1080, 1920), (1024, 768)])
def test_every_outcome_passes_the_layout_check(kiosk, language, size):
    """tests/ui/test_layout.py's checks (kiosk_demo's scenes do not show this page yet)."""
    kiosk.window.resize(*size)
    problems = []
    for name, pair in OUTCOMES.items():
        show_pair(kiosk, pair, language)
        for _ in range(3):
            QApplication.processEvents()
        image = kiosk.window.grab().toImage()
        for found in (
            check_overlap(kiosk.window),
            check_text(kiosk.window),
            check_targets(kiosk.window),
            check_contrast(kiosk.window, image),
        ):
            problems += [f"{name}: {problem}" for problem in found]
    assert problems == []


def test_the_code_typed_on_the_keyboard_is_sent_and_cleared(kiosk):
    show_pair(kiosk)
    for key in "h7qk2mxp9trd".upper():
        kiosk.click(f"maint_pair_letters_key_{key}")
    field = kiosk.find("maint_pair_code")
    assert field.text() == "H7QK-2MXP-9TRD"  # grouped as the slip prints it
    kiosk.click("maint_pair_submit")
    assert sent(kiosk) == [{"action": "pair", "code": "H7QK2MXP9TRD"}]
    assert field.text() == ""  # a one-time code is not left on the screen


def test_a_mistyped_code_is_said_at_once_and_never_sent(kiosk):
    show_pair(kiosk, language="en")
    field = kiosk.find("maint_pair_code")
    field.setText("h7qk-2mxp-9tr")  # one character short
    assert field.text() == "H7QK-2MXP-9TR"
    kiosk.click("maint_pair_submit")
    assert sent(kiosk) == []
    outcome = kiosk.find("maint_pair_outcome")
    assert outcome.isVisible()
    assert "12 letters and digits" in outcome.text()
    kiosk.click("maint_pair_letters_key_D")  # typing again takes the complaint away
    assert not outcome.isVisible()
    # what a code never holds cannot be typed at all
    for key in ("0", "1", "I", "L", "O", "space"):
        assert not kiosk.find(f"maint_pair_letters_key_{key}").isEnabled(), key


@pytest.mark.parametrize(
    ("outcome", "language", "words"),
    [
        ("refused", "zh", ["配对码错误、已使用或已过期", "kiosk-central pair-code K0001"]),
        ("refused", "en", ["wrong, used or expired", "kiosk-central pair-code K0001"]),
        ("unreachable", "zh", ["无法连接中心服务器", URL, "central.url"]),
        ("unreachable", "en", ["Cannot reach the central server", URL, "central.url"]),
        ("not_writable", "en", ["/etc/x", "the code was not sent and is still good"]),
        ("failed", "zh", ["配对未完成", "502"]),
        ("overridden", "zh", ["systemd 凭据 kiosk-secret", "配对码未发送"]),
        ("overridden", "en", ["the systemd credential kiosk-secret", "the code was not sent"]),
    ],
)
def test_each_outcome_says_what_to_do(kiosk, outcome, language, words):
    show_pair(kiosk, OUTCOMES[outcome], language)
    text = kiosk.find("maint_pair_outcome").text()
    for word in words:
        assert word in text
    assert kiosk.find("maint_pair_code").isVisible()  # a new code can be typed at once


@pytest.mark.parametrize(
    ("language", "words"), [("zh", "立即启用，无需重启"), ("en", "in use now; no restart needed")]
)
def test_once_paired_the_secret_is_in_use_and_nothing_more_is_typed(kiosk, language, words):
    show_pair(kiosk, OUTCOMES["busy"], language)
    assert not kiosk.find("maint_pair_code").isVisible()  # no second code while one is out
    show_pair(kiosk, OUTCOMES["paired"], language)
    assert words in kiosk.find("maint_pair_outcome").text()
    assert not kiosk.find("maint_pair_code").isVisible()
    # nothing to restart: the kiosk signs with the new secret already (kiosk/engine/remote.py)
    visible = [b.objectName() for b in kiosk.window.findChildren(QPushButton) if b.isVisible()]
    assert not [name for name in visible if name.startswith("maint_pair")]


def test_technicians_reach_it_from_the_menu_and_collectors_do_not(kiosk):
    kiosk.show("maintenance", maintenance=make_maintenance())
    kiosk.click("maint_menu_pair")
    assert sent(kiosk) == [{"action": "status"}]  # the kiosk id and server address come with it
    assert kiosk.find("maint_pair").isVisible()
    show_pair(kiosk, role="collector")  # not even when a snapshot names the page
    assert not kiosk.find("maint_pair").isVisible()
    assert not kiosk.find("maint_menu_pair").isVisible()
