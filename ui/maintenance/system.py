"""Outbox retry, restarting the application, reboot and shut down (when config allows).

Restart, reboot and shut down take two taps: the first arms the button for a few seconds.
"""

from __future__ import annotations

import time
from typing import Any

from kiosk.maintenance_actions import Action
from ui.maintenance.base import Act, Page, button, fen, label, local_time, page_column

ARM_S = 5.0
POWER = (Action.REBOOT, Action.SHUTDOWN)


class SystemPage(Page):
    opens_with = (Action.STATUS, {})

    def __init__(self, act: Act) -> None:
        super().__init__("maint_system", act)
        column = page_column(self, "maint_system")
        self.title = label("maint_system_title", "title")
        self.outbox = label("maint_system_outbox", "value")
        self.retry = button("maint_system_outbox_retry", "action")
        self.retry.clicked.connect(lambda: self.act(Action.OUTBOX_RETRY))
        self.power_hint = label("maint_system_power_hint", "hint")
        self.confirm_hint = label("maint_system_confirm_hint", "hint")
        column.addWidget(self.title)
        column.addWidget(self.outbox)
        column.addWidget(self.retry)
        self.buttons = {}
        for action in (Action.RESTART_APP, *POWER):
            widget = button(f"maint_system_{action}", "action")
            widget.clicked.connect(self._presser(action))
            column.addWidget(widget)
            self.buttons[action] = widget
        column.addWidget(self.confirm_hint)
        column.addWidget(self.power_hint)
        column.addStretch(1)
        self.armed: tuple[str, float] | None = None
        self._m: dict[str, Any] = {}

    def _presser(self, action: str) -> Any:
        return lambda: self.press(action)

    def press(self, action: str) -> None:
        now = time.monotonic()
        if self.armed is not None and self.armed[0] == action and now - self.armed[1] < ARM_S:
            self.armed = None
            self.act(action)
        else:
            self.armed = (action, now)
        self.render_view(self._m, {})

    def reset(self) -> None:
        self.armed = None

    def render_view(self, m: dict[str, Any], snap: dict[str, Any]) -> None:  # noqa: ARG002
        self._m = m
        status = (m.get("view") or {}).get("status") or {}
        outbox = status.get("outbox") or {}
        self.title.setText(self.t("mt.page.system"))
        self.outbox.setText(
            self.t(
                "mt.system.outbox",
                n=int(outbox.get("pending") or 0),
                amount=fen(outbox.get("pending_fen") or 0),
                oldest=local_time(outbox.get("oldest_at")),
            )
        )
        self.retry.setText(self.t("mt.system.outbox_retry"))
        allowed = bool(m.get("power_actions_allowed"))
        armed = self.armed[0] if self.armed and time.monotonic() - self.armed[1] < ARM_S else None
        for action, widget in self.buttons.items():
            widget.setText(
                self.t("mt.system.confirm" if armed == action else f"mt.system.{action}")
            )
            widget.setProperty("role", "primary" if armed == action else "action")
            widget.style().polish(widget)
            if action in POWER:
                widget.setEnabled(allowed)
        self.confirm_hint.setText(self.t("mt.system.confirm_hint"))
        self.power_hint.setText("" if allowed else self.t("mt.system.power_disabled"))
        self.power_hint.setVisible(not allowed)
