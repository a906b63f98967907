"""The technician actions the maintenance screen may ask for, as one explicit table.

Each action names its arguments, their types (and the allowed values where the set is
closed) and the roles that may run it. ``kiosk.maintenance`` runs an action only after
``check`` has found it here and found its arguments right; anything else is refused with an
``ActionRefused`` whose code and detail tell the technician what was wrong, and is audited.
No method is reached by its name: an action is what this table lists, nothing more.

Who may commit a cash collection is configuration (``maintenance.collection_roles``,
collectors only by default: whoever counts the cash is not whoever services the machine);
the table marks that action ``roles=None`` and ``kiosk.maintenance`` asks the config.

Exception tree (part of ``kiosk.KioskError``)::

    ActionRefused          .code .detail: an action that is not run
    ├── UnknownAction      code "unknown_action": not in the table
    ├── BadArguments       code "bad_arguments": missing, extra or mistyped arguments
    └── RoleNotAllowed     code "not_allowed": the technician's role may not run it
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kiosk import KioskError
from kiosk.technicians import Role

TEXT_MAX = 500  # longer than any reason a technician types; keeps the audit rows small
COUNT_MAX = 100_000  # notes of one denomination in a cash box (the largest hold ~2,500)
PAY_METHODS = ("cash", "qr", "card")  # the ways to pay a technician can switch off
RESOLUTIONS = ("credited", "not_received")


class Action(enum.StrEnum):
    """Every action a ``maintenance`` intent may name (the UI sends these constants)."""

    OPEN = "open"
    LOGIN = "login"
    CLOSE = "close"
    LOGOUT = "logout"
    STATUS = "status"
    PRINT_TEST_PAGE = "print_test_page"
    ACCEPTOR_TEST = "acceptor_test"
    SET_METHOD = "set_method"
    COLLECTION_PREVIEW = "collection_preview"
    COLLECTION_COMMIT = "collection_commit"
    SUSPECTS = "suspects"
    RESOLVE_SUSPECT = "resolve_suspect"
    RETRY_ITEM = "retry_item"
    JOURNAL_SEARCH = "journal_search"
    JOURNAL_SHOW = "journal_show"
    REPRINT = "reprint"
    OUTBOX_RETRY = "outbox_retry"
    PAIR = "pair"
    RESTART_APP = "restart_app"
    REBOOT = "reboot"
    SHUTDOWN = "shutdown"


class Power(enum.StrEnum):
    """The power actions, a closed set; only reboot and shutdown reach systemctl."""

    RESTART_APP = "restart_app"  # the application exits and systemd starts it again
    REBOOT = "reboot"
    SHUTDOWN = "shutdown"

    @property
    def systemctl_verb(self) -> str | None:
        return _SYSTEMCTL_VERBS.get(self)


_SYSTEMCTL_VERBS = {Power.REBOOT: "reboot", Power.SHUTDOWN: "poweroff"}


class ArgKind(enum.StrEnum):
    TEXT = "text"  # a string of at most TEXT_MAX characters
    FLAG = "flag"  # true or false
    CHOICE = "choice"  # one of Arg.choices
    DAY = "day"  # YYYY-MM-DD
    COUNTS = "counts"  # {"<denomination in fen>": notes counted}, notes 0..COUNT_MAX


@dataclass(frozen=True)
class Arg:
    name: str
    kind: ArgKind
    choices: tuple[str, ...] = ()
    required: bool = True

    def describe(self) -> str:
        if self.kind is ArgKind.CHOICE:
            return f"one of {', '.join(self.choices)}"
        return {
            ArgKind.TEXT: f"text of at most {TEXT_MAX} characters",
            ArgKind.FLAG: "true or false",
            ArgKind.DAY: "a day as YYYY-MM-DD",
            ArgKind.COUNTS: f"a count from 0 to {COUNT_MAX} per denomination in fen",
        }[self.kind]


BOTH = frozenset({Role.TECHNICIAN, Role.COLLECTOR})
TECHNICIANS = frozenset({Role.TECHNICIAN})


@dataclass(frozen=True)
class ActionSpec:
    action: Action
    args: tuple[Arg, ...] = ()
    # Who may run it once logged in; None: decided elsewhere (see ``needs_login`` and, for
    # collection_commit, maintenance.collection_roles).
    roles: frozenset[Role] | None = TECHNICIANS
    needs_login: bool = True


ACTIONS: Mapping[Action, ActionSpec] = {
    spec.action: spec
    for spec in (
        # before login: open the screen, sign in, close it again
        ActionSpec(Action.OPEN, roles=None, needs_login=False),
        ActionSpec(
            Action.LOGIN,
            (Arg("technician_id", ArgKind.TEXT), Arg("pin", ArgKind.TEXT)),
            roles=None,
            needs_login=False,
        ),
        ActionSpec(Action.CLOSE, roles=None, needs_login=False),
        # anyone logged in
        ActionSpec(Action.LOGOUT, roles=BOTH),
        ActionSpec(Action.STATUS, roles=BOTH),
        ActionSpec(Action.COLLECTION_PREVIEW, roles=BOTH),
        ActionSpec(Action.COLLECTION_COMMIT, (Arg("physical", ArgKind.COUNTS),), roles=None),
        # technicians only
        ActionSpec(Action.PRINT_TEST_PAGE),
        ActionSpec(Action.ACCEPTOR_TEST, (Arg("on", ArgKind.FLAG),)),
        ActionSpec(
            Action.SET_METHOD,
            (Arg("method", ArgKind.CHOICE, PAY_METHODS), Arg("enabled", ArgKind.FLAG)),
        ),
        ActionSpec(Action.SUSPECTS),
        ActionSpec(
            Action.RESOLVE_SUSPECT,
            (
                Arg("suspect_id", ArgKind.TEXT),
                Arg("outcome", ArgKind.CHOICE, RESOLUTIONS),
                Arg("reason", ArgKind.TEXT),
            ),
        ),
        ActionSpec(Action.RETRY_ITEM, (Arg("item_id", ArgKind.TEXT), Arg("reason", ArgKind.TEXT))),
        ActionSpec(
            Action.JOURNAL_SEARCH,
            (
                Arg("query", ArgKind.TEXT, required=False),
                Arg("day", ArgKind.DAY, required=False),
            ),
        ),
        ActionSpec(Action.JOURNAL_SHOW, (Arg("txn_id", ArgKind.TEXT),)),
        ActionSpec(Action.REPRINT, (Arg("txn_id", ArgKind.TEXT),)),
        ActionSpec(Action.OUTBOX_RETRY),
        # the one-time code from `kiosk-central pair-code`; its shape is checked by
        # kiosk.pairing.normalise_code before anything is sent (a text is never echoed)
        ActionSpec(Action.PAIR, (Arg("code", ArgKind.TEXT),)),
        ActionSpec(Action.RESTART_APP),
        ActionSpec(Action.REBOOT),
        ActionSpec(Action.SHUTDOWN),
    )
}


class ActionRefused(KioskError):
    """An action that is not run; ``code`` and ``detail`` go to the technician's screen."""

    code = "refused"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UnknownAction(ActionRefused):
    code = "unknown_action"


class BadArguments(ActionRefused):
    code = "bad_arguments"


class RoleNotAllowed(ActionRefused):
    code = "not_allowed"


def spec_for(action: object) -> ActionSpec:
    """The table's entry for ``action``, or UnknownAction naming it (shortened)."""
    if isinstance(action, str) and action in ACTIONS:
        return ACTIONS[Action(action)]
    shown = repr(action) if len(repr(action)) <= 40 else f"{repr(action)[:37]}..."
    raise UnknownAction(
        f"{shown} is not a maintenance action; update the screen software or report it"
    )


def check(action: object, args: Mapping[str, Any]) -> tuple[ActionSpec, dict[str, Any]]:
    """Find the action and check its arguments: the spec and the arguments to run it with.

    Raises UnknownAction or BadArguments. An argument's value is never echoed for text (a
    PIN or a reason may be in it); only a closed choice's wrong value is shown."""
    spec = spec_for(action)
    declared = {arg.name: arg for arg in spec.args}
    extra = sorted(str(name) for name in args if name not in declared)
    if extra:
        takes = ", ".join(declared) or "no arguments"
        raise BadArguments(f"{spec.action}: unexpected {', '.join(extra)} (it takes {takes})")
    values: dict[str, Any] = {}
    for arg in spec.args:
        if arg.name not in args:
            if arg.required:
                raise BadArguments(f"{spec.action}: {arg.name} is missing ({arg.describe()})")
            continue
        values[arg.name] = _checked(spec.action, arg, args[arg.name])
    return spec, values


def _checked(action: Action, arg: Arg, value: object) -> Any:
    def bad() -> BadArguments:
        shown = f" ({value!r:.40})" if arg.kind is ArgKind.CHOICE else ""
        return BadArguments(f"{action}: {arg.name} must be {arg.describe()}{shown}")

    if arg.kind is ArgKind.FLAG:
        if not isinstance(value, bool):
            raise bad()
        return value
    if arg.kind is ArgKind.COUNTS:
        return _counts(value, bad)
    if not isinstance(value, str) or len(value) > TEXT_MAX:
        raise bad()
    if arg.kind is ArgKind.CHOICE and value not in arg.choices:
        raise bad()
    if arg.kind is ArgKind.DAY:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise bad() from None
        if len(value) != len("YYYY-MM-DD"):
            raise bad()
    return value


def _counts(value: object, bad: Callable[[], BadArguments]) -> dict[str, int]:
    if not isinstance(value, Mapping) or not value:
        raise bad()
    counts: dict[str, int] = {}
    for key, count in value.items():
        if not (isinstance(key, str) and key.isascii() and key.isdigit() and int(key) > 0):
            raise bad()
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= COUNT_MAX:
            raise bad()
        counts[key] = count
    return counts
