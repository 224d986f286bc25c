"""``dayzero_mock_kit.testcontainers.DayZeroMock`` from a user's own test suite, through
podman's Docker-compatible socket (as testcontainers-python talks to Docker)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.containers import podman, podman_env

USER_SUITE = """
import httpx

from dayzero_mock_kit.testcontainers import DayZeroMock

PACKAGES = "/api/v1/month-end-packages"
BODY = {"selected_reports": ["pl"], "period_start": "2026-10-01", "period_end": "2026-10-31"}


def test_a_team_drives_the_mock_in_a_container():
    with DayZeroMock(image=IMAGE, generation="envelope", store="sqlite", clock="frozen",
                     queue_seconds=2, build_seconds=3) as mock:
        acme = mock.identities["dz_demo_acme"]
        assert acme.business_id == "11111111-1111-4111-8111-111111111111"
        assert "dz_demo_expired" not in mock.identities
        created = httpx.post(mock.base_url + PACKAGES, json=BODY, headers=acme.headers())
        assert created.status_code == 201 and created.json()["success"] is True  # the envelope generation
        url = mock.base_url + PACKAGES + "/" + created.json()["data"]["package"]["id"]
        assert httpx.get(url, headers=acme.headers()).json()["data"]["status"] == "queued"
        mock.control.advance(10)
        assert httpx.get(url, headers=acme.headers()).json()["data"]["status"] == "ready"
        other = mock.identities["dz_demo_globex"]
        assert httpx.get(url, headers=other.headers()).status_code == 404, "another business's package"
        mock.control.set_faults(["wrong-file-size"])
        assert mock.control.faults() == ["wrong-file-size"]
        mock.control.set_faults([])
        mock.control.reset()
        assert httpx.get(url, headers=acme.headers()).status_code == 404, "reset: back to the fixtures"
        print("CONTAINER", mock.get_container_id())
"""


@pytest.fixture
def docker_socket(container_image: str, tmp_path: Path) -> Iterator[str]:
    """``podman system service`` on a socket of its own; stopped by its PID at the end."""
    socket_path = tmp_path / "podman.sock"
    service = subprocess.Popen(
        ["podman", "system", "service", "--time=0", f"unix://{socket_path}"],
        env=podman_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not socket_path.exists():
            assert service.poll() is None and time.monotonic() < deadline, "podman system service did not start"
            time.sleep(0.05)
        yield f"unix://{socket_path}"
    finally:
        service.terminate()
        service.wait(timeout=20)


def test_day_zero_mock_starts_the_image_waits_for_health_and_is_gone_after(
    container_image: str, docker_socket: str, tmp_path: Path
) -> None:
    suite = tmp_path / "test_user_suite.py"
    suite.write_text(f"IMAGE = {container_image!r}\n" + textwrap.dedent(USER_SUITE))
    env = {
        **os.environ,
        "DOCKER_HOST": docker_socket,
        "TESTCONTAINERS_RYUK_DISABLED": "true",  # the reaper's image would come from a registry
        "TESTCONTAINERS_CONNECTION_MODE": "docker_host",  # this machine looks like a container to it
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", str(suite)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    [container_id] = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("CONTAINER ")]
    assert podman("container", "exists", container_id, check=False).returncode == 1, "stop() removed it"
