"""The maintenance screen's system page: sending the outbox now, and the power actions
(restart the application, reboot, shut down; the last two through systemctl, only when
``maintenance.allow_power_actions`` says so). Part of ``kiosk.maintenance.Maintenance``.
"""

from __future__ import annotations

import subprocess

from kiosk.maintenance.screen_state import ScreenState
from kiosk.maintenance_actions import Power


class SystemActions(ScreenState):
    """The ``outbox_retry``, ``restart_app``, ``reboot`` and ``shutdown`` actions."""

    def _outbox_retry(self) -> None:
        self.engine.outbox.retry_now()  # also ends a park for refused credentials
        self._audit("outbox_retry", "ok")

    def _restart_app(self) -> None:
        self._power(Power.RESTART_APP)

    def _reboot(self) -> None:
        self._power(Power.REBOOT)

    def _shutdown(self) -> None:
        self._power(Power.SHUTDOWN)

    def _power(self, power: Power) -> None:
        verb = power.systemctl_verb
        if verb is None:  # restarting the application needs no rights: it exits, systemd starts it
            self._audit(power, "requested")
            self.restart_requested()
            return
        if not self.engine.config.maintenance.allow_power_actions:
            self._audit(power, "refused_by_config")
            self.message = {"code": "power_actions_disabled"}
            return
        self._audit(power, "requested")
        self.engine.run_background(
            lambda: subprocess.run(  # noqa: S603 - fixed argv, verb from the closed Power set
                ["systemctl", verb],  # noqa: S607 - systemctl from PATH, as systemd sets it
                check=True,
                timeout=30,
            ),
            lambda done: self._audit(power, "ok" if done.ok else f"failed: {done.error}"),
        )
