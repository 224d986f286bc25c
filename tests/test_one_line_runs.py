"""The one-line run of the README: ``uv tool run --from <the checkout> dayzero-mock serve``, in a
folder of its own with no virtualenv, answers and stops on SIGINT (Ctrl-C)."""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import httpx
import pytest

from mock_server.testing import ACME_ID, server_process
from tests.containers import free_port

ROOT = Path(__file__).resolve().parents[1]


def uv() -> str:
    found = Path(sys.executable).with_name("uv")
    if found.exists():
        return str(found)
    located = shutil.which("uv")
    if located is None:
        pytest.skip("uv is not installed (it is a dev dependency: pip install -e '.[dev]').")
    return located


def test_uv_tool_run_from_the_checkout_serves_the_mock(tmp_path: Path) -> None:
    port = free_port()
    command = [uv(), "tool", "run", "--from", str(ROOT), "dayzero-mock", "serve", "--port", str(port)]
    base_url = f"http://127.0.0.1:{port}"
    with server_process(command, f"{base_url}/healthz", cwd=str(tmp_path), startup_timeout=240) as (process, _):
        answer = httpx.get(
            f"{base_url}/api/v1/accounting-periods?limit=1",
            headers={"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID},
        )
        assert answer.status_code == 200 and len(answer.json()["items"]) == 1
        os.killpg(process.pid, signal.SIGINT)
        # uv hands Ctrl-C to the mock and answers 130 (128 + SIGINT) once it stopped.
        assert process.wait(timeout=20) in (0, 130)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base_url}/healthz", timeout=2)
    assert list(tmp_path.iterdir()) == [], "nothing written where it ran"
