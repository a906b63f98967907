"""The snapshot's one shape (kiosk/snapshot_schema.py) holds for the real engine and for every
stand-in the screens are tested and photographed with: a key added on one side only fails here."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.snapshot_schema import problems
from kiosk_demo.fake_source import make_snapshot
from kiosk_demo.screenshots import PRESS, maintenance_scenes, scenes
from tests.support.kiosk_stack import KioskStack


def test_the_engine_publishes_the_schema_through_a_whole_cash_payment(stack: KioskStack) -> None:
    seen: dict[str, dict[str, Any]] = {"home": stack.snapshots.latest}
    account = stack.server.accounts["residential_arrears"]
    seen["cash_insert"] = stack.to_cash_insert(account, amount_fen=10000)  # whatever is owed now
    stack.insert(10000)
    seen["note_in"] = stack.wait_for("cash.inserted_fen", 10000)
    stack.intent("finish")
    seen["done"] = stack.wait("done")
    stack.intent("home")
    stack.wait("home")
    stack.intent("maintenance", action="open")
    seen["maintenance"] = stack.wait("maintenance")
    for name, snapshot in seen.items():
        assert problems(snapshot) == [], name
    assert seen["done"]["result"]["amount_fen"] == 10000  # not an empty stand-in


@pytest.mark.parametrize(
    "name", sorted({**scenes(), **maintenance_scenes()}), ids=lambda name: name
)
def test_every_screenshot_scene_has_the_engines_shape(name: str) -> None:
    scene = {**scenes(), **maintenance_scenes()}[name]
    snapshot = {k: v for k, v in scene.items() if k != PRESS}  # a directive to the camera
    assert problems(snapshot) == []


def test_a_drifted_stand_in_is_caught() -> None:
    snapshot = make_snapshot("cash_insert")
    del snapshot["outbox"]
    snapshot["cash"]["inserted_fen"] = 100.0  # money is whole fen
    snapshot["surprise"] = 1
    assert problems(snapshot) == [
        "snapshot.outbox: missing",
        "snapshot.surprise: not in the schema (kiosk/snapshot_schema.py)",
        "snapshot.cash.inserted_fen: 100.0 is not a whole number",
    ]
