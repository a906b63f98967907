"""The snapshot's shape: what the engine publishes and every screen (and stand-in) reads.

The engine builds it (kiosk/engine/snapshot.py), the Qt window renders it, and the demo's
hand-made snapshots (kiosk_demo/fake_source.py) imitate it. All three are checked against
these types: ``problems(snapshot)`` lists every key that is missing, unexpected or of the
wrong type, and tests run it on real engine snapshots and on every stand-in, so a key added to
the engine and forgotten in the stand-in (or the other way round) fails a test.

The card section and the maintenance view are typed as open mappings (their keys are the
flow modules' business); the result is one of two shapes (``Settled``, ``Ended``) and an
error always has its code and details.
Money is integer fen everywhere.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict, Union

Json = dict[str, Any]


class Bill(TypedDict):
    period: str  # YYYY-MM
    amount_fen: int
    paid_fen: int
    due_date: str  # ISO date
    late_fee_fen: int


class Account(TypedDict):
    """kiosk.central_answers.Account as data: names and address masked by the server."""

    account_no: str
    holder: str
    address: str
    category: str
    balance_fen: int
    bills: list[Bill]
    arrears_fen: int
    late_fee_fen: int
    due_fen: int
    as_of: str
    usage: Json | None  # meter, readings and tiers; None from a server without them


class Limits(TypedDict):
    min_payment_fen: int
    max_payment_fen: int


class Cash(TypedDict):
    inserted_fen: int
    notes: dict[str, int]  # denomination in fen (as text, JSON keys) -> count
    still_due_fen: int
    surplus_fen: int
    in_escrow_fen: int
    unsettled_fen: int  # stacked under STACK but not reported: pending verification
    can_cancel: bool
    accepting: bool
    paused: bool
    denominations_fen: list[int]


class Qr(TypedDict):
    order_id: str | None
    payload: str | None
    seconds_left: int | None


class Paycode(TypedDict):
    status: str | None
    provider: str | None
    code: str | None  # masked
    error: str | None
    cancelling: bool | None


class Printer(TypedDict):
    can_print: bool
    reason: str | None
    onscreen_receipt: bool


class IdlePrompt(TypedDict):
    seconds_left: int | None


class Method(TypedDict):
    ok: bool
    reason: str | None


class DataDisk(TypedDict):
    path: str
    free_mb: float | None
    read_only: bool | None
    floor_mb: int
    low: bool


class Outbox(TypedDict):
    pending: int
    pending_fen: int
    oldest_age_s: int
    parked: str | None  # why the server refuses our credentials


class Problem(TypedDict):
    """What stopped the customer, for the screen to explain: ``error.<code>`` in the catalogue,
    with its details (the method and reason, the server's field, ...)."""

    code: str
    detail: Json


class Ended(TypedDict):
    """A payment that ended with nothing charged."""

    status: Literal["cancelled"]
    reason: str  # customer_cancelled, idle_timeout, qr_expired, paycode_reversed, ...


class Settled(TypedDict):
    """A payment the customer is done with: what was applied, credited and still pending.

    ``posted``: the server answered; ``queued``: recorded, the outbox posts it;
    ``unconfirmed``: nobody knows yet whether a payment code was charged (nothing to print);
    ``pending_verification``: only notes whose outcome is not known yet. The amounts are None
    until the receipt is laid out (never for ``unconfirmed``)."""

    status: Literal["posted", "queued", "unconfirmed", "pending_verification"]
    txn_id: str
    printing: Literal["skipped", "pending", "printed", "failed"]
    amount_fen: int | None
    credited_to_balance_fen: int | None
    balance_fen: int | None
    receipt_url: str | None
    receipt_text: str | None
    pending_fen: int  # notes whose outcome is not known yet, shown as 待核实
    pending_notes: dict[str, int]  # denomination in fen -> count
    invoice_url: NotRequired[str | None]
    late_credited_fen: NotRequired[int]  # pending notes a late device report credited


class Snapshot(TypedDict):
    state: str
    mode: Literal["pay", "card", "check"]  # what the customer chose on the home screen
    language: Literal["zh", "en"]
    large_text: bool
    account: Account | None
    pending_account_no: str | None
    amount_fen: int | None
    method: str | None
    txn_id: str | None
    limits: Limits
    cash: Cash
    qr: Qr
    card: Json
    paycode: Paycode
    result: Settled | Ended | None
    error: Problem | None
    notice: str | None
    printer: Printer
    home_in_s: int | None
    idle_prompt: IdlePrompt | None
    methods: dict[str, Method]
    recovering: bool
    journal_fault: str | None
    locked: str | None
    data_disk: DataDisk
    outbox: Outbox
    clock_offset_s: int | float | None
    maintenance: Json | None
    seq: NotRequired[int]  # added when published; a snapshot built for a test has none


def problems(snapshot: Mapping[str, Any]) -> list[str]:
    """Every way ``snapshot`` differs from ``Snapshot``, as "path: what is wrong" lines."""
    found: list[str] = []
    _check(snapshot, Snapshot, "snapshot", found)
    return found


def _check(value: Any, expected: Any, path: str, found: list[str]) -> None:
    origin = typing.get_origin(expected)
    if expected is Any:
        return
    if origin in (Union, types.UnionType):
        _check_union(value, expected, path, found)
    elif origin is Literal:
        if value not in typing.get_args(expected):
            found.append(f"{path}: {value!r} is not one of {typing.get_args(expected)}")
    elif _is_typed_dict(expected):
        _check_typed_dict(value, expected, path, found)
    elif origin is dict:
        _check_mapping(value, typing.get_args(expected)[1], path, found)
    elif origin is list:
        _check_list(value, typing.get_args(expected)[0], path, found)
    else:
        _check_scalar(value, expected, path, found)


def _check_union(value: Any, expected: Any, path: str, found: list[str]) -> None:
    every = typing.get_args(expected)
    options = [o for o in every if (o is type(None)) == (value is None)] or list(every)
    reasons = [_problems_of(value, option, path) for option in options]
    if not all(reasons):
        return
    if len(reasons) == 1:  # one option left (X of "X | None"): its reasons say more
        found.extend(reasons[0])
    else:  # the shape it comes closest to says what is wrong
        closest = min(reasons, key=len)
        found.append(f"{path}: none of {_name(expected)}; closest: {'; '.join(closest)}")


def _check_mapping(value: Any, value_type: Any, path: str, found: list[str]) -> None:
    if not isinstance(value, dict):
        found.append(f"{path}: {type(value).__name__}, not a mapping")
        return
    for key, item in value.items():
        if not isinstance(key, str):
            found.append(f"{path}: key {key!r} is not text")
        _check(item, value_type, f"{path}.{key}", found)


def _check_list(value: Any, item_type: Any, path: str, found: list[str]) -> None:
    if not isinstance(value, list | tuple):  # a tuple in-process (dataclasses.asdict)
        found.append(f"{path}: {type(value).__name__}, not a list")
        return
    for index, item in enumerate(value):
        _check(item, item_type, f"{path}[{index}]", found)


def _check_scalar(value: Any, expected: Any, path: str, found: list[str]) -> None:
    if expected is type(None):
        if value is not None:
            found.append(f"{path}: {value!r}, not None")
    # bool is an int in Python but not in the snapshot: an amount is never True
    elif expected is int and (isinstance(value, bool) or not isinstance(value, int)):
        found.append(f"{path}: {value!r} is not a whole number")
    elif expected is float and (isinstance(value, bool) or not isinstance(value, int | float)):
        found.append(f"{path}: {value!r} is not a number")
    elif expected in (str, bool) and not isinstance(value, expected):
        found.append(f"{path}: {value!r} is not {expected.__name__}")


def _check_typed_dict(value: Any, expected: Any, path: str, found: list[str]) -> None:
    if not isinstance(value, Mapping):
        found.append(f"{path}: {type(value).__name__}, not a mapping")
        return
    hints = typing.get_type_hints(expected)
    for key in sorted(_required_keys(expected) - value.keys()):
        found.append(f"{path}.{key}: missing")
    for key in sorted(value.keys() - hints.keys()):
        found.append(f"{path}.{key}: not in the schema (kiosk/snapshot_schema.py)")
    for key, hint in hints.items():
        if key in value:
            _check(value[key], _unwrap(hint), f"{path}.{key}", found)


def _required_keys(expected: Any) -> set[str]:
    """The keys not marked ``NotRequired``. Read from the annotations as written: with
    postponed annotations Python 3.11's ``__required_keys__`` counts them all as required."""
    return {
        key
        for key, hint in expected.__annotations__.items()
        if not getattr(hint, "__forward_arg__", str(hint)).startswith("NotRequired[")
    }


def _unwrap(hint: Any) -> Any:
    """``NotRequired[X]`` -> ``X`` (get_type_hints keeps the marker on some versions)."""
    if typing.get_origin(hint) is NotRequired:
        return typing.get_args(hint)[0]
    return hint


def _problems_of(value: Any, expected: Any, path: str) -> list[str]:
    found: list[str] = []
    _check(value, expected, path, found)
    return found


def _is_typed_dict(candidate: Any) -> bool:
    return isinstance(candidate, type) and typing.is_typeddict(candidate)


def _name(expected: Any) -> str:
    return " | ".join(getattr(a, "__name__", str(a)) for a in typing.get_args(expected))
