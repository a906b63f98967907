"""The maintenance actions as one explicit table (kiosk/maintenance_actions.py): what is not in
it, has wrong arguments or comes from a role not allowed is refused, told to the technician and
audited, and nothing else happens. The engine-level tests run the real engine, journal and
emulators; the table's own checks and the scan of the UI's intents need neither."""

from __future__ import annotations

import ast
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.maintenance import screen, system_actions
from kiosk.maintenance_actions import (
    ACTIONS,
    Action,
    BadArguments,
    Power,
    UnknownAction,
    check,
)
from kiosk.technicians import Registry, Role
from tests.support.kiosk_stack import KioskStack

UI = Path(__file__).resolve().parents[2] / "ui"
TECH = ("T1", "张工", "246810")
COLLECTOR = ("C1", "李会计", "135790")


# ------------------------------------------------------------------ the table itself
def test_every_action_after_login_has_exactly_one_handler() -> None:
    assert set(ACTIONS) == set(Action)
    after_login = {a for a, spec in ACTIONS.items() if spec.needs_login}
    assert set(screen._HANDLERS) == after_login
    assert set(Action) - after_login == {Action.OPEN, Action.LOGIN, Action.CLOSE}


@pytest.mark.parametrize(
    "name",
    [
        "audit",  # writes any audit entry it is given
        "power",  # a free verb for systemctl
        "logged_in",
        "pinged",
        "refresh_status",
        "server_status",
        "needs_attention_count",
        "next_collection_no",
        "_status",  # a method's own name is no way in either
        "handle",
        "",
        None,
        42,
    ],
)
def test_helpers_and_strangers_are_unknown_actions(name: object) -> None:
    with pytest.raises(UnknownAction, match="not a maintenance action") as refused:
        check(name, {})
    assert refused.value.code == "unknown_action"


@pytest.mark.parametrize(
    ("action", "args", "why"),
    [
        ("reboot", {"verb": "isolate rescue.target"}, r"unexpected verb \(it takes no arg"),
        ("status", {"extra": 1}, "unexpected extra"),
        ("acceptor_test", {"on": "yes"}, "on must be true or false"),
        ("acceptor_test", {"on": 1}, "on must be true or false"),
        ("acceptor_test", {}, "on is missing"),
        ("set_method", {"method": "paycode", "enabled": True}, "one of cash, qr, card"),
        ("set_method", {"method": "cash", "enabled": "false"}, "enabled must be true or false"),
        ("resolve_suspect", {"suspect_id": "S1", "outcome": "kept", "reason": "counted"}, "one"),
        ("resolve_suspect", {"suspect_id": 7, "outcome": "credited", "reason": "x"}, "text"),
        ("retry_item", {"item_id": "I1", "reason": "x" * 501}, "at most 500"),
        ("journal_search", {"day": "20261102"}, "YYYY-MM-DD"),
        ("journal_search", {"day": "2026-13-01"}, "YYYY-MM-DD"),
        ("journal_show", {"txn_id": ["K1-1"]}, "txn_id must be text"),
        ("collection_commit", {"physical": {"10000": -1}}, "count from 0"),
        ("collection_commit", {"physical": {"10000": 1.5}}, "count from 0"),
        ("collection_commit", {"physical": {"ten": 1}}, "denomination in fen"),
        ("collection_commit", {"physical": {"10000": True}}, "count from 0"),
        ("collection_commit", {"physical": []}, "count from 0"),
        ("login", {"technician_id": "T1"}, "pin is missing"),
    ],
)
def test_missing_extra_and_mistyped_arguments_are_refused(
    action: str, args: dict[str, Any], why: str
) -> None:
    with pytest.raises(BadArguments, match=why):
        check(action, args)


def test_a_pin_or_a_reason_is_never_echoed_in_a_refusal() -> None:
    with pytest.raises(BadArguments) as refused:
        check("login", {"technician_id": "T1", "pin": 135790})
    assert "135790" not in refused.value.detail


def test_right_arguments_pass_as_given_and_optional_ones_may_be_left_out() -> None:
    assert check("journal_search", {"query": "K1"})[1] == {"query": "K1"}
    assert check("journal_search", {"query": "", "day": "2026-11-02"})[1]["day"] == "2026-11-02"
    spec, values = check("collection_commit", {"physical": {"10000": 3, "1000": 0}})
    assert spec.action is Action.COLLECTION_COMMIT
    assert values == {"physical": {"10000": 3, "1000": 0}}


def test_power_is_a_closed_set_and_only_reboot_and_shutdown_reach_systemctl() -> None:
    assert {p.value: p.systemctl_verb for p in Power} == {
        "restart_app": None,
        "reboot": "reboot",
        "shutdown": "poweroff",
    }


def test_collectors_run_only_what_the_table_gives_them() -> None:
    collector = {a for a, spec in ACTIONS.items() if spec.roles and Role.COLLECTOR in spec.roles}
    assert collector == {Action.LOGOUT, Action.STATUS, Action.COLLECTION_PREVIEW}
    assert ACTIONS[Action.COLLECTION_COMMIT].roles is None  # maintenance.collection_roles


# ------------------------------------------------------------------ what the UI sends
def _sent_actions() -> list[tuple[str, int, str, set[str] | None]]:
    """Every action the UI's sources name: (file, line, action, keyword names or None for
    **kwargs). Found in ``act(...)`` calls, ``opens_with = (...)`` and ``send("maintenance",
    action=...)``; an action given as a string literal is reported as ``"literal:<name>"``."""

    def name_of(node: ast.expr) -> str | None:
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "Action"
        ):
            return node.attr
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return f"literal:{node.value}"
        return None  # a variable: its values are Action members (see the Action check below)

    found: list[tuple[str, int, str, set[str] | None]] = []
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(UI.parent))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                keywords = {k.arg for k in node.keywords if k.arg is not None}
                starred = any(k.arg is None for k in node.keywords)
                if called == "act" and node.args:
                    action = name_of(node.args[0])
                elif (
                    called == "send"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and node.args[0].value == "maintenance"
                ):
                    given = [k.value for k in node.keywords if k.arg == "action"]
                    action = name_of(given[0]) if given else "literal:"
                    keywords.discard("action")
                else:
                    continue
                if action is not None:
                    found.append((where, node.lineno, action, None if starred else keywords))
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "opens_with" for t in node.targets
            ):
                value = node.value
                assert isinstance(value, ast.Tuple), f"{where}:{node.lineno}"
                action = name_of(value.elts[0])
                assert action is not None, f"{where}:{node.lineno}: opens_with names no action"
                args = value.elts[1]
                assert isinstance(args, ast.Dict), f"{where}:{node.lineno}"
                keys = {k.value for k in args.keys if isinstance(k, ast.Constant)}
                found.append((where, node.lineno, action, keys))
    return found


def test_every_action_the_ui_sends_is_in_the_table_with_its_argument_names() -> None:
    sent = _sent_actions()
    assert len(sent) >= 15, sent  # the scan finds the UI's intents at all
    for where, line, action, keywords in sent:
        assert not action.startswith("literal:"), (
            f"{where}:{line}: sends {action[8:]!r} as a string; "
            "use kiosk.maintenance_actions.Action so the table and the UI cannot drift apart"
        )
        assert action in Action.__members__, f"{where}:{line}: Action.{action} does not exist"
        spec = ACTIONS[Action[action]]
        if keywords is None:
            continue
        declared = {a.name for a in spec.args}
        required = {a.name for a in spec.args if a.required}
        assert keywords <= declared, f"{where}:{line}: {action} takes {declared}, not {keywords}"
        assert required <= keywords, f"{where}:{line}: {action} needs {required}"


def test_every_action_on_a_ui_page_is_reached_by_the_scan() -> None:
    """The variables the scan cannot read (the system page's buttons) hold Action members."""
    from_scan = {action for _, _, action, _ in _sent_actions()}
    source = (UI / "maintenance" / "system.py").read_text(encoding="utf-8")
    dynamic = {
        node.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Action"
    }
    assert {"RESTART_APP", "REBOOT", "SHUTDOWN"} <= dynamic
    shown = from_scan | dynamic
    # everything a logged-in technician can do has a button (nothing in the table is dead)
    assert {a.name for a in Action} <= shown, {a.name for a in Action} - shown


# ------------------------------------------------------------------ through the engine
class Maint:
    def __init__(self, stack: KioskStack) -> None:
        self.stack = stack
        self.engine = stack.engine

    def handle(self, action: object, /, **args: Any) -> dict[str, Any] | None:
        """Run one maintenance intent on the engine thread; the message it leaves."""
        return self.engine.call(  # type: ignore[no-any-return]
            lambda: (self.engine.maintenance.handle(action, args), self.engine.maintenance.message)[
                1
            ]
        )

    def login(self, who: tuple[str, str, str]) -> None:
        self.handle("open")
        self.handle("login", technician_id=who[0], pin=who[2])
        self.stack.wait_for("maintenance.user.id", who[0])

    def events_since(self, seq: int) -> list[Any]:
        return self.engine.journal.events(since_seq=seq)

    def last_seq(self) -> int:
        events = self.engine.journal.events()
        return events[-1].seq if events else 0


@pytest.fixture
def maint(
    request: pytest.FixtureRequest, tmp_path: Path, shared_central_server: Any
) -> Iterator[Maint]:
    """A kiosk with a technician and a collector; ``indirect`` params: [maintenance] keys."""
    maintenance_config = getattr(request, "param", {})
    stack = KioskStack.start(
        tmp_path, shared_central_server, protocol="ccnet", maintenance=maintenance_config
    )
    try:
        registry = Registry(stack.engine.journal)
        for who, role in ((TECH, Role.TECHNICIAN), (COLLECTOR, Role.COLLECTOR)):
            stack.engine.call(lambda w=who, r=role: registry.add(w[0], w[1], r, w[2]))
        yield Maint(stack)
    finally:
        stack.stop()


@pytest.fixture
def systemctl(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """What would have been run (nothing is)."""
    calls: list[list[str]] = []
    lock = threading.Lock()

    def run(argv: list[str], **_kwargs: Any) -> None:
        with lock:
            calls.append(list(argv))

    monkeypatch.setattr(system_actions.subprocess, "run", run)
    return calls


def test_unknown_action_is_refused_told_and_audited_and_nothing_else(maint: Maint) -> None:
    maint.login(TECH)
    before = maint.last_seq()
    message = maint.handle("audit", action="collection", result="ok")
    assert message is not None
    assert message == {"code": "unknown_action", "detail": "audit"}
    events = maint.events_since(before)
    assert [(e.kind, e.actor, e.payload["action"], e.payload["result"]) for e in events] == [
        ("audit", TECH[0], "audit", "refused_unknown_action")
    ]  # the one audit row, and not the entry the intent asked for
    assert "'audit' is not a maintenance action" in events[0].payload["detail"]
    assert maint.engine.journal.verify().ok


def test_bad_argument_types_are_refused_and_audited_and_change_nothing(maint: Maint) -> None:
    maint.login(TECH)
    before = maint.last_seq()
    message = maint.handle("acceptor_test", on="yes")
    assert message == {
        "code": "bad_arguments",
        "detail": "acceptor_test: on must be true or false",
    }
    assert maint.engine.cash.test_mode is False  # "yes" did not switch the test mode on
    message = maint.handle("set_method", method="cash", enabled="false")
    assert message is not None and message["code"] == "bad_arguments"
    assert "cash" not in maint.engine.disabled_methods
    trail = [(e.payload["action"], e.payload["result"]) for e in maint.events_since(before)]
    assert trail == [
        ("acceptor_test", "refused_bad_arguments"),
        ("set_method", "refused_bad_arguments"),
    ]


@pytest.mark.parametrize("maint", [{"allow_power_actions": True}], indirect=True)
def test_power_with_any_verb_is_refused_and_runs_nothing(
    maint: Maint, systemctl: list[list[str]]
) -> None:
    maint.login(TECH)
    for action, args in (
        ("power", {"verb": "isolate"}),
        ("power", {"verb": "reboot"}),
        ("reboot", {"verb": "halt"}),
        ("shutdown", {"verb": "kexec"}),
    ):
        message = maint.handle(action, **args)
        assert message is not None
        assert message["code"] in ("unknown_action", "bad_arguments"), (action, message)
    time.sleep(0.3)  # a background run, had one been started, would have happened
    assert systemctl == []
    trail = [
        (e.payload["action"], e.payload["result"])
        for e in maint.engine.journal.events(kinds=("audit",))
    ]
    assert ("power", "refused_unknown_action") in trail
    assert ("reboot", "refused_bad_arguments") in trail
    assert ("shutdown", "refused_bad_arguments") in trail
    # The closed set still works: shutdown is systemctl poweroff, nothing else.
    assert maint.handle("shutdown") is None
    deadline = time.monotonic() + 5
    while not systemctl and time.monotonic() < deadline:
        time.sleep(0.05)
    assert systemctl == [["systemctl", "poweroff"]]


def test_a_collector_may_run_only_the_collector_actions(maint: Maint) -> None:
    maint.login(COLLECTOR)
    message = maint.handle("reprint", txn_id="K1-00000001")
    assert message == {"code": "not_allowed", "detail": "reprint"}
    message = maint.handle("shutdown")
    assert message == {"code": "not_allowed", "detail": "shutdown"}
    trail = [
        (e.actor, e.payload["action"], e.payload["result"])
        for e in maint.engine.journal.events(kinds=("audit",))
    ]
    assert (COLLECTOR[0], "reprint", "refused_role") in trail
    assert (COLLECTOR[0], "shutdown", "refused_role") in trail


def test_nothing_runs_before_login_and_the_try_is_audited(maint: Maint) -> None:
    maint.handle("open")
    message = maint.handle("outbox_retry")
    assert message == {"code": "login_required"}
    trail = [
        (e.actor, e.payload["action"], e.payload["result"])
        for e in maint.engine.journal.events(kinds=("audit",))
    ]
    assert (None, "outbox_retry", "refused_login_required") in trail
    assert ("outbox_retry", "ok") not in [(a, r) for _, a, r in trail]


COUNTED = {"10000": 0, "5000": 0, "2000": 0, "1000": 0}


def test_by_default_a_technician_cannot_commit_a_collection_and_a_collector_can(
    maint: Maint,
) -> None:
    maint.login(TECH)
    assert maint.handle("collection_preview") is None  # looking is allowed
    message = maint.handle("collection_commit", physical=COUNTED)
    assert message == {"code": "collection_not_allowed", "detail": "collection_commit"}
    assert maint.engine.journal.events(kinds=("collection",)) == []
    trail = [
        (e.actor, e.payload["action"], e.payload["result"])
        for e in maint.engine.journal.events(kinds=("audit",))
    ]
    assert (TECH[0], "collection_commit", "refused_role") in trail
    maint.handle("logout")

    maint.login(COLLECTOR)
    assert maint.handle("collection_commit", physical=COUNTED) is None
    events = maint.engine.journal.events(kinds=("collection",))
    assert [e.actor for e in events] == [COLLECTOR[0]]


@pytest.mark.parametrize("maint", [{"collection_roles": ("technician",)}], indirect=True)
def test_collection_roles_from_the_config_decide_who_commits(maint: Maint) -> None:
    maint.login(COLLECTOR)
    message = maint.handle("collection_commit", physical=COUNTED)
    assert message is not None and message["code"] == "collection_not_allowed"
    maint.handle("logout")
    maint.login(TECH)
    assert maint.handle("collection_commit", physical=COUNTED) is None
    events = maint.engine.journal.events(kinds=("collection",))
    assert [e.actor for e in events] == [TECH[0]]
