"""pytest fixtures for QA's own tests (registered through the ``pytest11`` entry point).

``dayzero_mock_server`` runs one mock per session (frozen clock, 2 s queue, 3 s build);
``dayzero_mock`` resets it before each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from mock_server.testing import RunningMock

# The mock (connexion, uvicorn, report libraries) is imported inside the fixture, not here: this
# module is loaded by every pytest session of an environment that installs the package.


@pytest.fixture(scope="session")
def dayzero_mock_server() -> Iterator[RunningMock]:
    from mock_server.settings import Settings
    from mock_server.testing import running_mock

    with running_mock(Settings(clock="frozen", queue_seconds=2, build_seconds=3, validate_responses=True)) as mock:
        yield mock


@pytest.fixture
def dayzero_mock(dayzero_mock_server: RunningMock) -> RunningMock:
    dayzero_mock_server.reset()
    return dayzero_mock_server
