"""The one backoff policy: capped exponential, optional equal jitter."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.backoff import Backoff, Jitter


def test_doubles_from_the_initial_delay_up_to_the_cap() -> None:
    policy = Backoff(initial_s=0.5, max_s=5.0)
    assert [policy.delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


def test_a_huge_failure_count_stays_at_the_cap() -> None:
    assert Backoff(initial_s=0.1, max_s=2.0).delay(10**9) == 2.0
    assert Backoff(initial_s=0.1, max_s=2.0).delay(-3) == 0.1


def test_another_factor() -> None:
    assert [Backoff(1.0, 100.0, factor=3).delay(n) for n in range(4)] == [1.0, 3.0, 9.0, 27.0]


@given(failures=st.integers(0, 200), seed=st.integers(0, 2**32))
def test_equal_jitter_stays_in_the_upper_half_of_the_ceiling(failures: int, seed: int) -> None:
    policy = Backoff(initial_s=1.0, max_s=300.0, jitter=Jitter.EQUAL)
    delay = policy.delay(failures, random.Random(seed))
    ceiling = policy.ceiling(failures)
    assert ceiling / 2 <= delay <= ceiling


def test_equal_jitter_spreads_the_delays() -> None:
    policy = Backoff(initial_s=8.0, max_s=8.0, jitter=Jitter.EQUAL)
    rng = random.Random(7)
    assert len({policy.delay(3, rng) for _ in range(20)}) > 10


@pytest.mark.parametrize(
    ("initial", "maximum", "factor"), [(0, 1, 2), (2, 1, 2), (-1, 1, 2), (1, 2, 0.5)]
)
def test_impossible_policies_are_refused(initial: float, maximum: float, factor: float) -> None:
    with pytest.raises(ValueError, match="backoff"):
        Backoff(initial, maximum, factor=factor)
