"""The image of ``Containerfile``, built here on a Debian base made with debootstrap, run as a
user runs it: ``-p HOSTPORT:4010``, options from ``DAYZERO_MOCK_*``, the kit's smoke tier from
the host and from the image itself, ``HEALTHCHECK``, a ``/data`` volume, and SIGTERM."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from mock_server.testing import ACME_ID, GLOBEX_ID
from tests.containers import free_port, podman, run_detached, wait_healthy

ACME = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}
KIT_IDENTITIES = ["--token", "dz_demo_acme", "--business-id", ACME_ID,
                  "--other-token", "dz_demo_globex", "--other-business-id", GLOBEX_ID]  # fmt: skip
FAST = {"DAYZERO_MOCK_QUEUE_SECONDS": "0.2", "DAYZERO_MOCK_BUILD_SECONDS": "0.3"}


@pytest.fixture
def image(container_image: str) -> str:
    return container_image


@pytest.fixture
def container(image: str) -> Iterator[tuple[str, str]]:
    """The image's default command, published on a free loopback port; removed at the end."""
    port = free_port()
    cid = run_detached(image, port, env=FAST)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_healthy(base_url, cid)
        yield cid, base_url
    finally:
        podman("rm", "-f", "-v", "-t", "0", cid, check=False)


def test_image_runs_the_mock_as_a_user_and_the_kit_passes_against_it(container, image, tmp_path: Path) -> None:
    cid, base_url = container
    config = json.loads(podman("inspect", cid).stdout)[0]["Config"]
    assert config["User"] == "dayzero" and podman("exec", cid, "id", "-u").stdout.strip() != "0"
    assert config["Cmd"] == ["dayzero-mock", "serve"], "exec form: SIGTERM reaches the server"
    assert "DAYZERO_MOCK_ALLOW_OPEN_CONTROL=1" in config["Env"]
    # The image's HEALTHCHECK runs and finds the mock healthy.
    assert config["Healthcheck"]["Test"] == ["CMD", "python3", "-m", "mock_server.healthcheck"]
    assert podman("healthcheck", "run", cid, check=False).returncode == 0

    # Options from the environment: the fast lifecycle given with -e.
    created = httpx.post(
        f"{base_url}/api/v1/month-end-packages",
        headers=ACME,
        json={"selected_reports": ["pl"], "period_start": "2026-10-01", "period_end": "2026-10-31"},
    )
    assert created.status_code == 201
    time.sleep(0.8)
    package_url = f"{base_url}/api/v1/month-end-packages/{created.json()['package']['id']}"
    link = httpx.get(f"{package_url}/download", headers=ACME).json()["download_url"]
    # The link points at the published port the request came to, not the container's 4010.
    assert urlsplit(link).netloc == urlsplit(base_url).netloc
    assert httpx.get(link).headers["content-type"] == "application/zip"

    # The kit's smoke tier, from the host, against the container.
    junit = tmp_path / "junit.xml"
    kit = Path(sys.executable).with_name("dayzero-conformance")
    done = subprocess.run(
        [str(kit), "run", "--base-url", base_url, *KIT_IDENTITIES, "--tier", "smoke", "--junit", str(junit)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert 'failures="0"' in junit.read_text()

    # The kit inside the image (`docker run IMAGE dayzero-conformance run ...`), on the host's network.
    inside = podman(
        "run", "--rm", "--network", "host", image,
        "dayzero-conformance", "run", "--base-url", base_url, *KIT_IDENTITIES, "--tier", "smoke",
        timeout=180, check=False,
    )  # fmt: skip
    assert inside.returncode == 0, inside.stdout[-4000:] + inside.stderr[-2000:]
    assert "MUST" in inside.stdout or "pass" in inside.stdout.lower()


def test_docker_stop_returns_within_two_seconds(container) -> None:
    """``podman stop`` as ``docker stop``: SIGTERM, then SIGKILL after 10 s. It returns within 2 s
    and the server exited 0 on the SIGTERM itself (a SIGKILL would leave 137)."""
    cid, base_url = container
    assert httpx.get(f"{base_url}/api/v1/accounting-periods", headers=ACME).status_code == 200
    started = time.perf_counter()
    podman("stop", "--time", "10", cid, timeout=30)
    stopped_in = time.perf_counter() - started
    exit_code = podman("inspect", "--format", "{{.State.ExitCode}}", cid).stdout.strip()
    print(f"podman stop: {stopped_in:.2f} s", file=sys.stderr)
    assert stopped_in <= 2.0 and exit_code == "0", (stopped_in, exit_code)


def test_the_healthcheck_asks_the_port_given_on_the_command_line(image: str) -> None:
    """``docker run IMAGE dayzero-mock serve --port 5000``: the HEALTHCHECK asks 5000, not 4010."""
    cid = podman("run", "-d", image, "dayzero-mock", "serve", "--port", "5000").stdout.strip()
    try:
        deadline = time.monotonic() + 60
        while podman("healthcheck", "run", cid, check=False).returncode != 0:
            assert time.monotonic() < deadline, podman("logs", cid, check=False).stdout
            time.sleep(0.5)
    finally:
        podman("rm", "-f", "-v", "-t", "0", cid, check=False)


def test_sqlite_store_on_the_data_volume_survives_a_new_container(image: str) -> None:
    volume = f"dz-test-{free_port()}"
    podman("volume", "create", volume)
    env = {**FAST, "DAYZERO_MOCK_STORE": "sqlite:////data/mock.db"}
    try:
        package_ids = []
        for _ in range(2):  # the same volume in a second, new container
            port = free_port()
            cid = run_detached(image, port, env=env, extra=["-v", f"{volume}:/data"])
            try:
                base_url = f"http://127.0.0.1:{port}"
                wait_healthy(base_url, cid)
                listed = httpx.get(f"{base_url}/api/v1/month-end-packages", headers=ACME).json()["items"]
                assert [item["id"] for item in listed] == package_ids[::-1]
                created = httpx.post(
                    f"{base_url}/api/v1/month-end-packages",
                    headers=ACME,
                    json={"selected_reports": ["pl"], "period_start": "2026-10-01", "period_end": "2026-10-31"},
                )
                package_ids.append(created.json()["package"]["id"])
            finally:
                podman("rm", "-f", "-v", "-t", "2", cid, check=False)
    finally:
        podman("volume", "rm", "-f", volume, check=False)


def test_compose_replicas_share_one_postgresql(image: str, postgres_cluster_url: str) -> None:
    """compose.yaml's replicas, as two containers of the image with its environment, on one
    database (the test's own cluster stands in for the postgres service: no registry here)."""
    import yaml

    from tests.postgres import fresh_database

    compose = yaml.safe_load((Path(__file__).resolve().parents[1] / "compose.yaml").read_text())
    environment = dict(compose["services"]["mock-a"]["environment"])
    assert compose["services"]["mock-b"]["environment"] == environment
    assert (
        "DAYZERO_MOCK_CONTROL_TOKEN" in environment
        and compose["services"]["mock-a"]["ports"] != compose["services"]["mock-b"]["ports"]
    )
    with fresh_database(postgres_cluster_url) as store:
        urls, containers = [], []
        try:
            for _ in range(2):
                port = free_port()
                env = {
                    **{name: str(value) for name, value in environment.items()},
                    "DAYZERO_MOCK_CONTROL_TOKEN": "compose-test-token",
                    "DAYZERO_MOCK_STORE": store,  # the cluster listens on the host's loopback
                    "DAYZERO_MOCK_HOST": "127.0.0.1",
                    "DAYZERO_MOCK_PORT": str(port),
                    **FAST,
                }
                flags = [item for name, value in env.items() for item in ("-e", f"{name}={value}")]
                containers.append(podman("run", "-d", "--network", "host", *flags, image).stdout.strip())
                urls.append(f"http://127.0.0.1:{port}")
                wait_healthy(urls[-1], containers[-1])
            a, b = urls
            created = httpx.post(
                f"{a}/api/v1/month-end-packages",
                headers=ACME,
                json={"selected_reports": ["pl"], "period_start": "2026-10-01", "period_end": "2026-10-31"},
            )
            package_id = created.json()["package"]["id"]
            time.sleep(0.8)
            on_b = httpx.get(f"{b}/api/v1/month-end-packages/{package_id}", headers=ACME).json()
            assert on_b["status"] == "ready", "created on A, ready on B"
            link = httpx.get(f"{b}/api/v1/month-end-packages/{package_id}/download", headers=ACME).json()
            assert urlsplit(link["download_url"]).netloc == urlsplit(b).netloc
            assert len(httpx.get(link["download_url"]).content) == link["file_size_bytes"]
            # The control API is behind the file's token, and a reset on one replica is seen by both.
            assert httpx.post(f"{b}/__mock/reset").status_code == 401
            reset = httpx.post(f"{b}/__mock/reset", headers={"Authorization": "Bearer compose-test-token"})
            assert reset.status_code == 200, reset.text
            assert httpx.get(f"{a}/api/v1/month-end-packages/{package_id}", headers=ACME).status_code == 404
        finally:
            for cid in containers:
                podman("rm", "-f", "-v", "-t", "2", cid, check=False)


def test_a_relative_containers_conf_is_given_to_podman_as_an_absolute_path(monkeypatch, tmp_path: Path) -> None:
    """``CONTAINERS_CONF=.ci/containers.conf`` as typed in the checkout: podman build's copier
    reads it from another folder, so the tests hand podman its absolute path."""
    from tests.containers import CONTAINERS_CONF, podman_env

    monkeypatch.chdir(CONTAINERS_CONF.parents[1])
    monkeypatch.setenv("CONTAINERS_CONF", ".ci/containers.conf")
    assert podman_env()["CONTAINERS_CONF"] == str(CONTAINERS_CONF)
    monkeypatch.delenv("CONTAINERS_CONF")
    assert podman_env()["CONTAINERS_CONF"] == str(CONTAINERS_CONF)
