"""The built wheel carries the contract and fixtures under its own names and serves the mock
outside the repo, beside PyPI's ``fixtures`` distribution."""

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
        "dayzero_mock_kit/openapi/bundle.json",
        "dayzero_mock_kit/openapi/overlay.yaml",
        "dayzero_mock_kit/openapi/control.yaml",
        "dayzero_mock_kit/openapi/slices/create-package.json",
        "dayzero_mock_kit/fixtures/default.yaml",
        "mock_server/app.py",
        "mock_server/control/ui/index.html",
        "mock_server/reports/fonts/DejaVuSansCondensed.ttf",  # embedded in every PDF report
        "mock_server/reports/fonts/DejaVuSansCondensed-Bold.ttf",
        "mock_server/reports/fonts/LICENSE",
    ):
        assert required in names, required
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"dayzero_mock_kit", "mock_server", "conformance"}
    target = tmp_path / "site"
    # PyPI's fixtures (testing-cabal; many test suites use it) installed into the same place.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
            "fixtures==4.3.2",
        ],
        check=True,
        timeout=300,
    )
    both = (
        "import fixtures, dayzero_mock_kit.fixtures as ours; "
        "assert issubclass(fixtures.TempDir, fixtures.Fixture); "
        "assert ours.DEFAULT_FIXTURES.is_file(), ours.DEFAULT_FIXTURES; print(fixtures.__file__)"
    )
    checked = subprocess.run(
        [sys.executable, "-c", both],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0 and str(target) in checked.stdout, checked.stderr
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
