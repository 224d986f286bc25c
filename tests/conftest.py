from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings as hypothesis_settings
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.settings import Settings
from mock_server.testing import ACME_ID

hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, max_examples=60)
hypothesis_settings.load_profile("ci")

ACME = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}


@pytest.fixture
def settings() -> Settings:
    return Settings(clock="frozen", queue_seconds=2, build_seconds=3, validate_responses=True)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The mock in-process, with responses checked against the published schemas."""
    with TestClient(
        create_app(settings), base_url="http://127.0.0.1:4010", raise_server_exceptions=True
    ) as test_client:
        yield test_client


def advance(client: TestClient, seconds: float) -> None:
    client.post("/__mock/clock/advance", json={"seconds": seconds}).raise_for_status()


def create(client: TestClient, headers: dict[str, str] | None = None, **body: object):
    payload = {"selected_reports": ["pl"], "period_start": "2026-10-01", "period_end": "2026-10-31", **body}
    return client.post("/api/v1/month-end-packages", json=payload, headers=headers or ACME)
