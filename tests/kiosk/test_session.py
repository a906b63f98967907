import pytest

from kiosk.session import TRANSITIONS, Guard, Machine, State, TransitionRefused, Trigger


def machine(state: State, nothing_taken: bool = True) -> Machine:
    return Machine({Guard.NOTHING_TAKEN: lambda: nothing_taken}, state)


@pytest.mark.parametrize("t", TRANSITIONS, ids=lambda t: f"{t.source}-{t.trigger}")
def test_every_declared_transition_fires(t) -> None:
    m = machine(t.source)
    assert m.fire(t.trigger) is t.target


def test_every_undeclared_pair_is_refused() -> None:
    declared = {(t.source, t.trigger) for t in TRANSITIONS}
    refused = 0
    for state in State:
        for trigger in Trigger:
            if (state, trigger) in declared:
                continue
            m = machine(state)
            with pytest.raises(TransitionRefused):
                m.fire(trigger)
            assert m.state is state
            refused += 1
    assert refused > 200


def test_cancel_after_a_note_is_taken_is_refused() -> None:
    m = machine(State.CASH_INSERT, nothing_taken=False)
    assert not m.allowed(Trigger.CANCEL)
    with pytest.raises(TransitionRefused, match="nothing_taken"):
        m.fire(Trigger.CANCEL)
    assert m.fire(Trigger.FINISH) is State.PROCESSING


def test_every_state_is_reachable_from_home() -> None:
    seen, frontier = {State.HOME}, [State.HOME]
    while frontier:
        state = frontier.pop()
        for t in TRANSITIONS:
            if t.source is state and t.target not in seen:
                seen.add(t.target)
                frontier.append(t.target)
    assert seen == set(State)
