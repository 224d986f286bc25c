"""The control API behind --control-token: 401 without it, the console asks once, and a mock
listening beyond loopback refuses to start with its control API open unless told to."""

from __future__ import annotations

import socket
import subprocess
import sys

import httpx
import pytest
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.cli import banner, settings_from_args
from mock_server.settings import Settings
from mock_server.testing import running_mock, server_process
from tests.browser import chromium_page, screenshot
from tests.conftest import ACME, create

TOKEN = "team-secret-42"
PACKAGES = "/api/v1/month-end-packages"


@pytest.fixture
def guarded() -> TestClient:
    with TestClient(create_app(Settings(control_token=TOKEN)), base_url="http://127.0.0.1:4010") as client:
        yield client


def test_every_control_call_needs_the_bearer_token(guarded: TestClient) -> None:
    for method, path in (("POST", "/__mock/reset"), ("GET", "/__mock/state"), ("PUT", "/__mock/faults")):
        missing = guarded.request(method, path, json={"active": ["missing-report"]})
        assert missing.status_code == 401, path
        assert (
            missing.json() == {"detail": missing.json()["detail"]}
            and "Authorization: Bearer" in missing.json()["detail"]
        )
        assert missing.headers["www-authenticate"] == 'Bearer realm="dayzero-mock control"'
        wrong = guarded.request(method, path, headers={"Authorization": "Bearer nope"}, json={"active": []})
        assert wrong.status_code == 401 and wrong.json() == {"detail": "Invalid control token."}
    # The published API's demo token is not the control token.
    assert guarded.get("/__mock/state", headers=ACME).status_code == 401
    assert guarded.get("/__mock/faults").status_code == 401
    assert guarded.get("/__mock/faults", headers={"Authorization": f"Bearer {TOKEN}"}).json()["active"] == []

    ok = guarded.post("/__mock/clock/advance", json={"seconds": 60}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200 and ok.json()["clock_offset_seconds"] == 60


def test_the_console_pages_and_the_control_document_open_without_the_token(guarded: TestClient) -> None:
    assert guarded.get("/__mock/ui").status_code == 200
    assert guarded.get("/__mock/ui/console.js").status_code == 200
    document = guarded.get("/__mock/openapi.json").json()
    assert "401" in document["paths"]["/reset"]["post"]["responses"]


def test_the_published_api_and_presigned_links_are_unchanged(guarded: TestClient) -> None:
    package = create(guarded).json()["package"]
    assert guarded.get(f"{PACKAGES}/{package['id']}", headers=ACME).status_code == 200
    assert guarded.get(PACKAGES, headers={"x-business-id": ACME["x-business-id"]}).status_code == 401
    guarded.post("/__mock/clock/advance", json={"seconds": 3600}, headers={"Authorization": f"Bearer {TOKEN}"})
    link = guarded.get(f"{PACKAGES}/{package['id']}/download", headers=ACME).json()["download_url"]
    assert guarded.get(link).status_code == 200  # no header: the URL is the credential


def test_without_a_token_the_control_api_stays_open_on_loopback(client: TestClient) -> None:
    assert client.get("/__mock/state").status_code == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "mock.example.com"])
def test_listening_beyond_loopback_needs_a_token_no_control_or_the_explicit_opt_out(host: str) -> None:
    with pytest.raises(ValueError, match="--control-token TOKEN"):
        Settings(host=host)
    assert Settings(host=host, control_token=TOKEN).control_exposure == "token"
    assert Settings(host=host, control=False).control_exposure == "off"
    assert Settings(host=host, allow_open_control=True).control_exposure == "open"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_needs_nothing(host: str) -> None:
    assert Settings(host=host).control_exposure == "loopback"


def test_token_and_opt_out_come_from_flags_or_environment_and_the_banner_says_which() -> None:
    settings, _ = settings_from_args(["serve", "--host", "0.0.0.0"], env={"DAYZERO_MOCK_CONTROL_TOKEN": TOKEN})
    assert settings.control_token == TOKEN
    assert "control:  protected" in banner(settings) and TOKEN not in banner(settings)
    flag, _ = settings_from_args(["serve", "--control-token", "flag"], env={"DAYZERO_MOCK_CONTROL_TOKEN": TOKEN})
    assert flag.control_token == "flag"

    opened, _ = settings_from_args(["serve", "--host", "0.0.0.0"], env={"DAYZERO_MOCK_ALLOW_OPEN_CONTROL": "1"})
    assert opened.allow_open_control and "CONTROL OPEN to anyone who can reach 0.0.0.0:4010" in banner(opened)
    local, _ = settings_from_args(["serve"], env={})
    assert "open to this machine only (127.0.0.1)" in banner(local)
    off, _ = settings_from_args(["serve", "--host", "0.0.0.0", "--no-control"], env={})
    assert "control" not in banner(off)


def test_the_cli_refuses_an_open_control_api_beyond_loopback_in_one_sentence() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mock_server.cli", "serve", "--host", "0.0.0.0", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and run.stderr.count("\n") == 1
    assert (
        "--control-token TOKEN" in run.stderr and "--no-control" in run.stderr and "--allow-open-control" in run.stderr
    )


def test_a_served_mock_with_a_token_answers_401_then_200() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "mock_server.cli", "serve", "--port", str(port), "--control-token", TOKEN]
    base = f"http://127.0.0.1:{port}"
    with server_process(command, f"{base}/openapi.json"):
        assert httpx.post(f"{base}/__mock/reset").status_code == 401
        assert httpx.post(f"{base}/__mock/reset", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_the_console_asks_for_the_token_once_and_keeps_it_for_the_tab() -> None:
    with running_mock(Settings(control_token=TOKEN)) as mock, chromium_page() as page:
        page.goto(f"{mock.base_url}/__mock/ui")  # type: ignore[attr-defined]
        page.wait_for_selector("#token-form:not([hidden])")  # type: ignore[attr-defined]
        page.fill("#token", "wrong")  # type: ignore[attr-defined]
        page.click("#token-form button")  # type: ignore[attr-defined]
        page.wait_for_selector("#token-reason:has-text('refused')")  # type: ignore[attr-defined]
        screenshot(page, "console-asks-for-the-control-token")
        page.fill("#token", TOKEN)  # type: ignore[attr-defined]
        page.click("#token-form button")  # type: ignore[attr-defined]
        page.wait_for_selector("body[data-ready=yes]")  # type: ignore[attr-defined]
        assert not page.is_visible("#token-form")  # type: ignore[attr-defined]
        page.reload()  # type: ignore[attr-defined]
        page.wait_for_selector("body[data-ready=yes]")  # type: ignore[attr-defined]
        assert not page.is_visible("#token-form")  # type: ignore[attr-defined]
        page.click("button[data-advance='3600']")  # type: ignore[attr-defined]
        page.wait_for_function(  # type: ignore[attr-defined]
            "() => document.querySelector('#message').textContent.includes('Clock advanced')"
        )
        state = httpx.get(f"{mock.base_url}/__mock/state", headers=mock.control_headers()).json()
        assert state["clock_offset_seconds"] == 3600
