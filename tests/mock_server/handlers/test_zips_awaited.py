"""A page that shows ready packages whose zips are still building waits for those builds
together, not one after another (after a restart every zip of the first page is built anew)."""

from __future__ import annotations

import asyncio

import pytest
from starlette.testclient import TestClient

from mock_server import runtime
from mock_server.app import create_app
from mock_server.reports.archive import ArchiveSpec
from mock_server.reports.builds import ArchiveBuilds, ZipPending
from mock_server.settings import Settings
from tests.conftest import ACME, advance

PACKAGES = "/api/v1/month-end-packages"


class SlowBuilds(ArchiveBuilds):
    """Zips that take a while to build, counting how many are awaited at once."""

    def __init__(self) -> None:
        super().__init__(in_pool=False)
        self.built: set[ArchiveSpec] = set()
        self.in_flight = 0
        self.most_in_flight = 0

    def start(self, spec: ArchiveSpec) -> None:
        pass  # built when awaited, below

    def size(self, spec: ArchiveSpec) -> int:
        if spec not in self.built:
            raise ZipPending(spec)
        return 1234

    async def content(self, spec: ArchiveSpec) -> bytes:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.05)
        self.in_flight -= 1
        self.built.add(spec)
        return b"zip"


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> SlowBuilds:
    made = SlowBuilds()
    monkeypatch.setattr(runtime, "ArchiveBuilds", lambda: made)
    return made


def test_a_page_awaits_its_pending_zips_together(builds: SlowBuilds) -> None:
    settings = Settings(clock="frozen", queue_seconds=1, build_seconds=1)
    with TestClient(create_app(settings), headers=ACME) as client:
        for month in ("09", "10", "11"):  # three packages, three different zips
            body = {"selected_reports": ["pl"], "period_start": f"2026-{month}-01", "period_end": f"2026-{month}-28"}
            assert client.post(PACKAGES, json=body).status_code == 201
        advance(client, 5)
        page = client.get(PACKAGES, params={"limit": 20}).json()
    assert [item["file_size_bytes"] for item in page["items"]] == [1234, 1234, 1234]
    assert builds.most_in_flight == 3
