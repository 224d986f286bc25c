"""Stopping `dayzero-mock serve` as users and their tools do: Ctrl-C, `kill`, a closed terminal.

Each run starts the real command in its own process group, creates a package (so a zip
build is in flight), sends the signal, and then looks at the process table: the mock, its
build pool, multiprocessing's resource tracker and every worker must be gone.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from mock_server.testing import ACME_ID, processes_in_group
from tests.test_end_to_end import free_port

EXE = Path(sys.executable).with_name("dayzero-mock")
ACME = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}
ALL_REPORTS = ["pl", "balance_sheet", "cash_flow", "ar_aging", "ap_aging", "budget_vs_actual", "bank_reconciliation"]


def _start(*extra: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen(
        [str(EXE), "serve", "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(f"{base}/openapi.json", timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None:
                raise AssertionError(process.communicate()[0]) from None
            time.sleep(0.05)
    return process, base


def _stop_and_check(process: subprocess.Popen[str], number: int, *, group: bool) -> str:
    started = time.monotonic()
    if group:  # a terminal's Ctrl-C signals the whole foreground process group
        os.killpg(process.pid, number)
    else:
        os.kill(process.pid, number)
    try:
        output, _ = process.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise AssertionError(f"still running 5 s after {signal.Signals(number).name}") from None
    took = time.monotonic() - started
    deadline = time.monotonic() + 2  # the resource tracker exits once its last pipe closes
    while processes_in_group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = processes_in_group(process.pid)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"left running after {signal.Signals(number).name}: {left}"
    assert process.returncode == 0, output
    assert took < 5
    assert "Traceback" not in output and "Error" not in output, output
    return output.split("\n\n", 1)[-1]  # what came after the banner


@pytest.mark.parametrize(
    ("number", "group"),
    [(signal.SIGINT, True), (signal.SIGTERM, False), (signal.SIGHUP, False)],
    ids=["ctrl-c", "sigterm", "sighup"],
)
def test_a_stop_signal_during_a_build_stops_everything_in_one_line_and_exits_0(number: int, group: bool) -> None:
    process, base = _start()
    body = {"selected_reports": ALL_REPORTS, "period_start": "2026-10-01", "period_end": "2026-10-31"}
    assert httpx.post(f"{base}/api/v1/month-end-packages", json=body, headers=ACME).status_code == 201
    assert len(processes_in_group(process.pid)) >= 2, "the build pool is running"
    rest = _stop_and_check(process, number, group=group)
    lines = [line for line in rest.splitlines() if line.strip() and "GET " not in line and "POST " not in line]
    assert lines == [f"dayzero-mock: stopped ({signal.Signals(number).name})."], rest


@pytest.mark.parametrize(
    ("number", "group"), [(signal.SIGTERM, False), (signal.SIGINT, True)], ids=["sigterm", "ctrl-c"]
)
def test_workers_and_their_build_pools_stop_too(tmp_path: Path, number: int, group: bool) -> None:
    process, base = _start("--workers", "2", "--store", f"sqlite:///{tmp_path / 'mock.db'}")
    body = {"selected_reports": ALL_REPORTS, "period_start": "2026-10-01", "period_end": "2026-10-31"}
    for _ in range(4):  # reach both workers
        assert httpx.post(f"{base}/api/v1/month-end-packages", json=body, headers=ACME).status_code == 201
    assert len(processes_in_group(process.pid)) >= 3, "workers and a build pool are running"
    rest = _stop_and_check(process, number, group=group)
    assert f"dayzero-mock: stopped ({signal.Signals(number).name})." in rest


def test_each_request_gets_an_access_line_unless_quiet() -> None:
    process, base = _start()
    httpx.get(f"{base}/api/v1/accounting-periods", headers={**ACME, "x-mock-session": "w1"})
    httpx.get(f"{base}/nowhere")
    rest = _stop_and_check(process, signal.SIGTERM, group=False)
    lines = [line for line in rest.splitlines() if line.startswith(("GET ", "POST "))]
    assert re.fullmatch(
        r"GET /api/v1/accounting-periods 200 \d+\.\d ms list_periods_api_v1_accounting_periods_get session=w1",
        lines[-2],
    ), lines
    assert re.fullmatch(r"GET /nowhere 404 \d+\.\d ms -", lines[-1]), lines
    quiet, base = _start("--quiet")
    httpx.get(f"{base}/api/v1/accounting-periods", headers=ACME)
    assert "GET /api" not in _stop_and_check(quiet, signal.SIGTERM, group=False)
