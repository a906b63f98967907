"""Device tests: a test page, the acceptor's test mode (notes shown, then returned), and
switching each way to pay on or off."""

from __future__ import annotations

from collections import Counter
from typing import Any

from kiosk.maintenance_actions import Action
from ui.maintenance.base import Act, Page, button, label, page_column, set_tone
from ui.widgets.notes import NoteStrip

METHODS = ("cash", "qr", "card")


class TestsPage(Page):
    opens_with = (Action.STATUS, {})  # the methods' current switches come with the status

    def __init__(self, act: Act) -> None:
        super().__init__("maint_tests", act)
        self.test_mode = False
        self.disabled: set[str] = set()
        column = page_column(self, "maint_tests")
        self.title = label("maint_tests_title", "title")
        self.print_test = button("maint_tests_print", "action")
        self.print_test.clicked.connect(lambda: self.act(Action.PRINT_TEST_PAGE))
        self.acceptor_heading = label("maint_tests_acceptor_heading", "fieldname")
        self.acceptor_toggle = button("maint_tests_acceptor", "action")
        self.acceptor_toggle.clicked.connect(
            lambda: self.act(Action.ACCEPTOR_TEST, on=not self.test_mode)
        )
        self.acceptor_hint = label("maint_tests_acceptor_hint", "hint")
        self.notes = NoteStrip("maint_tests_notes")
        self.methods_heading = label("maint_tests_methods_heading", "fieldname")
        column.addWidget(self.title)
        column.addWidget(self.print_test)
        column.addWidget(self.acceptor_heading)
        column.addWidget(self.acceptor_toggle)
        column.addWidget(self.acceptor_hint)
        column.addWidget(self.notes)
        column.addWidget(self.methods_heading)
        self.switches = {}
        self.switch_states = {}
        for method in METHODS:
            switch = button(f"maint_tests_method_{method}", "action")
            switch.clicked.connect(self._switcher(method))
            state = label(f"maint_tests_method_{method}_state", "cell")
            column.addWidget(state)
            column.addWidget(switch)
            self.switches[method] = switch
            self.switch_states[method] = state
        column.addStretch(1)

    def _switcher(self, method: str) -> Any:
        return lambda: self.act(Action.SET_METHOD, method=method, enabled=method in self.disabled)

    def render_view(self, m: dict[str, Any], snap: dict[str, Any]) -> None:  # noqa: ARG002
        self.test_mode = bool(m.get("test_mode"))
        status = (m.get("view") or {}).get("status") or {}
        self.disabled = set(status.get("disabled_methods") or ())
        self.title.setText(self.t("mt.page.tests"))
        self.print_test.setText(self.t("mt.tests.print"))
        self.acceptor_heading.setText(self.t("mt.tests.acceptor"))
        self.acceptor_toggle.setText(
            self.t("mt.tests.acceptor_off" if self.test_mode else "mt.tests.acceptor_on")
        )
        self.acceptor_toggle.setProperty("role", "primary" if self.test_mode else "action")
        self.acceptor_toggle.style().polish(self.acceptor_toggle)
        notes = Counter(int(n) for n in m.get("test_notes") or ())
        self.acceptor_hint.setText(
            self.t("mt.tests.recognised", n=sum(notes.values()))
            if self.test_mode
            else self.t("mt.tests.acceptor_hint")
        )
        self.notes.show_notes(dict(notes))
        self.notes.setVisible(self.test_mode and bool(notes))
        self.methods_heading.setText(self.t("mt.tests.methods"))
        for method, switch in self.switches.items():
            on = method not in self.disabled
            state = self.switch_states[method]
            state.setText(
                self.t(
                    "mt.tests.method_state",
                    method=self.t(f"method.{method}"),
                    state=self.t("mt.on" if on else "mt.off"),
                )
            )
            set_tone(state, "ok" if on else "bad")
            switch.setText(
                self.t(
                    "mt.tests.disable" if on else "mt.tests.enable",
                    method=self.t(f"method.{method}"),
                )
            )
