"""The README's journey through a real `dayzero-mock serve` process on loopback."""

import io
import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import openpyxl
import pytest
from pypdf import PdfReader

from mock_server.testing import ACME_ID, processes_in_group, running_mock

HEADERS = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(base: str, attempts: int = 200) -> None:
    """Poll until the server answers (a process started by a test needs a moment)."""
    for _ in range(attempts):
        try:
            httpx.get(f"{base}/openapi.json", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"{base} did not start serving")


@pytest.fixture
def served():
    port = free_port()
    exe = Path(sys.executable).with_name("dayzero-mock")
    process = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--queue-seconds", "0.3", "--build-seconds", "0.5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        banner = process.stdout.readline() if process.stdout else ""
        wait_until_serving(base)
        yield base, banner
    finally:
        process.terminate()
        process.wait(timeout=10)
        left_behind = processes_in_group(process.pid)
        for _ in range(40):  # the build pool's resource tracker exits a moment after its last pipe closes
            if not left_behind:
                break
            time.sleep(0.05)
            left_behind = processes_in_group(process.pid)
        assert not left_behind, f"dayzero-mock left processes running after SIGTERM: {left_behind}"


@pytest.mark.parametrize("report_format", ["pdf", "xlsx"])
def test_create_poll_download_and_open_every_report(served, report_format) -> None:
    base, banner = served
    assert f"serving on {base}" in banner
    reports = ["pl", "balance_sheet", "cash_flow", "ar_aging", "ap_aging", "budget_vs_actual", "bank_reconciliation"]
    with httpx.Client(base_url=base, headers=HEADERS, timeout=10) as client:
        created = client.post(
            "/api/v1/month-end-packages",
            json={
                "selected_reports": reports,
                "period_start": "2026-10-01",
                "period_end": "2026-10-31",
                "report_format": report_format,
            },
        )
        assert created.status_code == 201
        package_id = created.json()["package"]["id"]
        statuses = []
        for _ in range(100):
            package = client.get(f"/api/v1/month-end-packages/{package_id}").json()
            statuses.append(package["status"])
            if package["status"] == "ready":
                break
            time.sleep(0.05)
        assert statuses[0] == "queued" and "in_progress" in statuses and statuses[-1] == "ready"
        link = client.get(f"/api/v1/month-end-packages/{package_id}/download").json()
    archive = httpx.get(link["download_url"])  # no auth: the URL is the credential
    assert archive.status_code == 200 and len(archive.content) == package["file_size_bytes"]
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        assert len(zipped.namelist()) == len(reports)
        for name in zipped.namelist():
            data = zipped.read(name)
            if report_format == "pdf":
                assert PdfReader(io.BytesIO(data)).pages[0].extract_text().strip()
            else:
                assert openpyxl.load_workbook(io.BytesIO(data)).active.max_row > 3


def test_running_mock_context_manager_serves_and_stops() -> None:
    with running_mock() as mock:
        response = httpx.get(f"{mock.base_url}/api/v1/accounting-periods", headers=mock.headers())
        assert response.status_code == 200 and len(response.json()["items"]) == 24
        mock.advance(5)
        mock.reset()
        url = mock.base_url
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/openapi.json", timeout=1)


def test_cli_refuses_a_taken_port_and_a_bad_fixture_in_one_sentence(tmp_path) -> None:
    exe = str(Path(sys.executable).with_name("dayzero-mock"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([exe, "serve", "--port", str(port)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "--port" in result.stderr and "Traceback" not in result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("businesses: 3\n")
    result = subprocess.run(
        [exe, "serve", "--fixtures", str(bad)], capture_output=True, text=True, timeout=30, env={**os.environ}
    )
    assert result.returncode == 2 and "bad.yaml" in result.stderr and "Traceback" not in result.stderr
