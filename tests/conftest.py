from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.settings import Settings
from mock_server.testing import ACME_ID
from tests.postgres import fresh_database, postgres_cluster

hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, max_examples=60)
hypothesis_settings.load_profile("ci")

ACME = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}


STORES = ("memory", "sqlite", "postgresql")


@pytest.fixture(scope="session")
def container_image() -> str:
    """The image of the repository's Containerfile, built once per run (tests/containers.py)."""
    import sys

    from tests.containers import build_image, require_podman

    require_podman()
    tag, seconds = build_image()
    print(f"\nimage {tag} built in {seconds:.1f} s", file=sys.stderr)
    return tag


@pytest.fixture(scope="session")
def postgres_cluster_url() -> Iterator[str]:
    """One throwaway PostgreSQL cluster for the whole run, started on first use."""
    with postgres_cluster() as url:
        yield url


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each store in turn, empty: the behaviour tests run on all three (mock_server/persistence)."""
    if request.param == "memory":
        yield "memory"
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mock.db'}"
    else:
        with fresh_database(request.getfixturevalue("postgres_cluster_url")) as url:
            yield url


@pytest.fixture
def settings(store_url: str) -> Settings:
    return Settings(clock="frozen", queue_seconds=2, build_seconds=3, validate_responses=True, store=store_url)


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
