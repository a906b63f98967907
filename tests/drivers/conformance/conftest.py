"""Conformance tests share the cash tests' thread check."""

from tests.drivers.cash.conftest import no_thread_left_behind  # noqa: F401 - an autouse fixture
