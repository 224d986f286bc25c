"""The built wheel carries the contract and fixtures and serves the mock outside the repo."""

import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_installed_outside_the_repo_serves_the_mock(tmp_path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    [wheel] = (tmp_path / "dist").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for required in (
        "openapi/bundle.json",
        "openapi/overlay.yaml",
        "openapi/control.yaml",
        "openapi/slices/create-package.json",
        "fixtures/default.yaml",
        "mock_server/app.py",
    ):
        assert required in names, required
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Run from an empty directory with the installed copy first on the path, not the checkout.
    code = (
        "import sys, mock_server; assert 'site' in mock_server.__file__, mock_server.__file__; "
        "from mock_server.cli import main; sys.exit(main(['serve', '--port', sys.argv[1]]))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(port)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(200):
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/api/v1/accounting-periods",
                    headers={
                        "Authorization": "Bearer dz_demo_acme",
                        "x-business-id": "11111111-1111-4111-8111-111111111111",
                    },
                )
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                time.sleep(0.05)
        assert response.status_code == 200 and len(response.json()["items"]) == 24
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()["openapi"] == "3.1.0"
    finally:
        process.terminate()
        process.wait(timeout=10)
