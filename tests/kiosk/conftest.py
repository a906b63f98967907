from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.central_server import central_server, shared_central_server  # noqa: F401
from tests.support.kiosk_stack import KioskStack, stack_fixture


@pytest.fixture(params=["ccnet", "id003"])
def stack(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    shared_central_server,  # noqa: F811 - the fixture imported above
) -> Iterator[KioskStack]:
    yield from stack_fixture(tmp_path, shared_central_server, protocol=request.param)
