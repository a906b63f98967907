"""The maintenance screen as the engine runs it: ``Maintenance``.

Opening and closing the screen, technician login (run in the background; the PIN lockout is
kiosk/technicians.py's), the screen's snapshot, the idle logout, and ``handle``: every action
checked against ``kiosk.maintenance_actions``' table, refused (told, audited) or run by its
handler, which the parts of the screen hold (kiosk/maintenance/__init__.py lists them).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Mapping
from typing import Any

from kiosk.background import Done
from kiosk.journal import JournalError
from kiosk.maintenance.cash_collection import CashCollection
from kiosk.maintenance.device_tests import DeviceTests
from kiosk.maintenance.journal_lookup import JournalLookup
from kiosk.maintenance.pair_action import PairAction
from kiosk.maintenance.screen_state import TechnicianLogin
from kiosk.maintenance.suspects import SuspectResolution
from kiosk.maintenance.system_actions import SystemActions
from kiosk.maintenance_actions import (
    Action,
    ActionRefused,
    ActionSpec,
    RoleNotAllowed,
    UnknownAction,
    check,
)
from kiosk.session import BUSY_STATES, State, TransitionRefused, Trigger
from kiosk.technicians import LoginLocked, Role, TechnicianError

log = logging.getLogger("kiosk.maintenance")


class Maintenance(
    DeviceTests, CashCollection, SuspectResolution, JournalLookup, PairAction, SystemActions
):
    """The maintenance side of the engine, on the engine thread (kiosk.maintenance)."""

    # ---------------------------------------------------------------- entry
    def open(self) -> None:
        engine = self.engine
        if engine.state in BUSY_STATES:
            raise TransitionRefused(
                engine.state, Trigger.MAINTENANCE_OPEN, "a payment is under way"
            )
        if engine.state is not State.HOME and engine.state is not State.OUT_OF_SERVICE:
            engine.go_home()
        engine.fire(Trigger.MAINTENANCE_OPEN)
        self.user, self.view, self.message = None, {}, None
        engine.disable_acceptor()

    def close(self, reason: str = "logout") -> None:
        if self.user is not None:
            self._audit("logout", reason)
        self.user, self.view, self.message = None, {}, None
        if self.engine.test_mode:
            self._acceptor_test(on=False)
        self.engine.cancel_timer("maintenance_idle")
        if self.engine.state is State.MAINTENANCE:
            self.engine.fire(Trigger.MAINTENANCE_CLOSE)
            self.engine.go_home()

    def login(self, technician_id: str, pin: str) -> None:
        # scrypt is deliberately slow: off the engine thread, result back on it.
        self.engine.run_background(
            lambda: self.registry.login(str(technician_id), str(pin)), self._logged_in
        )

    def _logged_in(self, done: Done[Any]) -> None:
        if self.engine.state is not State.MAINTENANCE:
            return
        if isinstance(done.error, LoginLocked):
            self.message = {"code": "locked", "until": done.error.until.isoformat()}
        elif done.error is not None:
            self.message = {
                "code": "login_failed",
                "detail": str(done.error),
                "attempts_left": getattr(done.error, "attempts_left", None),
            }
        else:
            tech = done.get()
            self.user = TechnicianLogin(tech.technician_id, tech.name, tech.role)
            self.message = None
            self.touch()
            self._refresh_status()

    def snapshot(self) -> dict[str, Any] | None:
        if self.engine.state is not State.MAINTENANCE:
            return None
        locked = self.registry.locked_until()
        return {
            "stage": "menu" if self.user else "login",
            "user": None
            if self.user is None
            else {
                "id": self.user.technician_id,
                "name": self.user.name,
                "role": self.user.role.value,
            },
            "locked_until": locked.isoformat() if locked else None,
            "message": self.message,
            "view": copy.deepcopy(self.view),  # the engine goes on changing its own
            "power_actions_allowed": self.engine.config.maintenance.allow_power_actions,
            "test_mode": self.engine.test_mode,
            "test_notes": list(self.engine.test_notes),
        }

    # ---------------------------------------------------------------- actions
    def handle(self, action: object, args: Mapping[str, Any]) -> None:
        """Run one action of kiosk.maintenance_actions' table, or refuse it (audited)."""
        engine = self.engine
        try:
            spec, values = check(action, args)
        except ActionRefused as refused:
            self._refuse(action, refused)
            return
        if spec.action is Action.OPEN:
            self.open()
            return
        if engine.state is not State.MAINTENANCE:
            raise TransitionRefused(
                engine.state, Trigger.MAINTENANCE_OPEN, "the maintenance screen is not open"
            )
        if spec.action is Action.LOGIN:
            self.login(values["technician_id"], values["pin"])
            return
        if spec.action is Action.CLOSE:
            self.close()
            return
        if self.user is None:
            self._audit(spec.action, "refused_login_required")
            self.message = {"code": "login_required"}
            return
        if self.user.role not in self.roles_for(spec):
            self._refuse(spec.action, RoleNotAllowed(str(spec.action)))
            return
        self.touch()
        self.message = None
        try:
            _HANDLERS[spec.action](self, **values)
        except (TechnicianError, JournalError, ValueError) as exc:
            self._audit(spec.action, "error", detail=str(exc))
            self.message = {"code": "action_failed", "detail": str(exc)}

    def roles_for(self, spec: ActionSpec) -> frozenset[Role]:
        """Who may run an action once logged in: the table's roles, or the config's."""
        if spec.action is Action.COLLECTION_COMMIT:
            return frozenset(Role(r) for r in self.engine.config.maintenance.collection_roles)
        return spec.roles or frozenset()

    def _refuse(self, action: object, refused: ActionRefused) -> None:
        """Nothing is run: the technician is told what was wrong, and it is audited."""
        name = str(action)[:64]
        if isinstance(refused, RoleNotAllowed):
            self._audit(name, "refused_role")
            code = "collection_not_allowed" if action is Action.COLLECTION_COMMIT else refused.code
            self.message = {"code": code, "detail": str(action)}
        elif isinstance(refused, UnknownAction):  # the screen shows the name, the audit why
            self._audit(name, f"refused_{refused.code}", detail=refused.detail)
            self.message = {"code": refused.code, "detail": name[:40]}
        else:
            self._audit(name, f"refused_{refused.code}", detail=refused.detail)
            self.message = {"code": refused.code, "detail": refused.detail}
        log.warning("maintenance action refused: %s", refused.detail)

    def touch(self) -> None:
        self.engine.set_timer("maintenance_idle", self.engine.config.maintenance.idle_logout_s)

    def idle_logout(self) -> None:
        if self.engine.state is State.MAINTENANCE:
            self.close("idle_logout")

    def _logout(self) -> None:
        self.close()


# What runs each action of the table once it is checked. Open, login and close are run by
# ``Maintenance.handle`` itself (they come before a login).
_HANDLERS: Mapping[Action, Callable[..., None]] = {
    Action.LOGOUT: Maintenance._logout,
    Action.STATUS: Maintenance._status,
    Action.PRINT_TEST_PAGE: Maintenance._print_test_page,
    Action.ACCEPTOR_TEST: Maintenance._acceptor_test,
    Action.SET_METHOD: Maintenance._set_method,
    Action.COLLECTION_PREVIEW: Maintenance._collection_preview,
    Action.COLLECTION_COMMIT: Maintenance._collection_commit,
    Action.SUSPECTS: Maintenance._suspects,
    Action.RESOLVE_SUSPECT: Maintenance._resolve_suspect,
    Action.RETRY_ITEM: Maintenance._retry_item,
    Action.JOURNAL_SEARCH: Maintenance._journal_search,
    Action.JOURNAL_SHOW: Maintenance._journal_show,
    Action.REPRINT: Maintenance._reprint,
    Action.OUTBOX_RETRY: Maintenance._outbox_retry,
    Action.PAIR: Maintenance._pair,
    Action.RESTART_APP: Maintenance._restart_app,
    Action.REBOOT: Maintenance._reboot,
    Action.SHUTDOWN: Maintenance._shutdown,
}
