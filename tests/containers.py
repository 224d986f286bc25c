"""Podman for the container tests: the project's ``.ci/containers.conf``, a Debian base image
made here with debootstrap (no registry is reachable from CI), and the image built from the
repository's ``Containerfile`` on it.

Without podman, runc or debootstrap the tests that need them are skipped with the reason,
unless ``DZ_CONTAINER_TESTS=required`` (set by ``.ci/run``). The base image stays in podman's
own store between runs (its tag names what went into it), so debootstrap runs once per machine.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTAINERS_CONF = ROOT / ".ci" / "containers.conf"
# What goes into the base: Debian's Python (3.11 in bookworm) with venv, and CA certificates.
BASE_PACKAGES = ("python3", "python3-venv", "ca-certificates")
BASE_IMAGE = "localhost/dayzero-ci-base:bookworm-python3-v1"
IMAGE = "localhost/dayzero-mock-kit:test"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def _missing(message: str) -> None:
    if os.environ.get("DZ_CONTAINER_TESTS") == "required":
        pytest.fail(message)
    pytest.skip(message)


def require_podman() -> None:
    """Skip (or fail, when required) unless podman, runc and debootstrap are installed."""
    absent = [tool for tool in ("podman", "runc", "debootstrap") if shutil.which(tool) is None]
    if absent:
        _missing(f"{', '.join(absent)} not installed (apt-get install podman runc debootstrap; .ci/run does it).")
    if os.geteuid() != 0:
        _missing("the container tests run podman as root (debootstrap and the CNI network need it).")


def podman_env() -> dict[str, str]:
    """The environment for podman: the project's containers.conf unless one is already given
    (made absolute: podman build's copier runs in another folder, where a relative
    ``CONTAINERS_CONF=.ci/containers.conf`` names nothing and the build fails)."""
    given = os.environ.get("CONTAINERS_CONF")
    return {**os.environ, "CONTAINERS_CONF": str(Path(given).resolve()) if given else str(CONTAINERS_CONF)}


def podman(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``podman ARGS``; on failure (with ``check``) the test fails with podman's output."""
    done = subprocess.run(
        ["podman", *args], env=podman_env(), capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        pytest.fail(f"podman {' '.join(args)} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def apt_mirror() -> str:
    """The Debian mirror this machine's apt uses (the first non-security source), for debootstrap."""
    texts = [
        path.read_text()
        for path in [Path("/etc/apt/sources.list"), *Path("/etc/apt/sources.list.d").glob("*")]
        if path.is_file() and path.suffix in ("", ".list", ".sources")
    ]
    for text in texts:
        for uri in re.findall(r"^URIs:\s*(\S+)", text, re.M) + re.findall(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)", text, re.M):
            if "security" not in uri:
                return uri
    return "http://deb.debian.org/debian"


def base_image() -> str:
    """The Debian base image (made with debootstrap and imported the first time); its tag."""
    if podman("image", "exists", BASE_IMAGE, check=False).returncode == 0:
        return BASE_IMAGE
    with tempfile.TemporaryDirectory(prefix="dz-rootfs-") as folder:
        rootfs = Path(folder) / "rootfs"
        done = subprocess.run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(BASE_PACKAGES)}",
                "bookworm",
                str(rootfs),
                apt_mirror(),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"debootstrap failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        # Downloaded .debs and package lists are not part of a base image.
        for leftover in [*rootfs.glob("var/cache/apt/archives/*.deb"), *rootfs.glob("var/lib/apt/lists/*")]:
            if leftover.is_file():
                leftover.unlink()
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        imported = subprocess.run(
            ["podman", "import", "-", BASE_IMAGE],
            stdin=tar.stdout,
            env=podman_env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        tar.wait(timeout=60)
        if imported.returncode != 0:
            pytest.fail(f"podman import failed: {imported.stderr[-3000:]}")
    return BASE_IMAGE


def build_command(base: str, tag: str = IMAGE) -> list[str]:
    """``podman build`` of the repository's Containerfile on ``base``, as a site behind a
    TLS-intercepting proxy builds it (these machines are behind one): the host's CA bundle as the
    build secret ``host-ca``, as ``docker build --secret`` gives it too."""
    # --jobs 2: the wheel stage and the dependencies' layer build side by side (a cold build took
    # 77 s against 108 s, measured 2026-12-01 on this 2-core machine under load).
    command = [
        "build",
        "--jobs",
        "2",
        "--format",
        "docker",
        "-f",
        str(ROOT / "Containerfile"),
        "-t",
        tag,
        "--build-arg",
        f"BASE_IMAGE={base}",
    ]
    if HOST_CA_BUNDLE.is_file():
        command += ["--secret", f"id=host-ca,src={HOST_CA_BUNDLE}"]
    return [*command, str(ROOT)]


def build_image() -> tuple[str, float]:
    """The image built from the Containerfile on the local base; its tag and the build's seconds."""
    base = base_image()
    dangling = set(podman("images", "-q", "--filter", "dangling=true").stdout.split())
    started = time.perf_counter()
    podman(*build_command(base), timeout=900)
    seconds = time.perf_counter() - started
    # What this build left untagged (the wheel stage, the image the tag named before): removed,
    # so runs on one machine do not pile up images. Images that were untagged before stay.
    left = set(podman("images", "-q", "--filter", "dangling=true").stdout.split()) - dangling
    if left:
        podman("rmi", *sorted(left), check=False)
    return IMAGE, seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base_url: str, container: str, timeout: float = 60) -> None:
    """Until ``GET /healthz`` answers 200 on the published port (fails with the container's log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(
        f"the container did not answer /healthz in {timeout:.0f} s:\n{podman('logs', container, check=False).stdout}"
    )


def run_detached(image: str, port: int, env: dict[str, str] | None = None, extra: Sequence[str] = ()) -> str:
    """Start ``image`` with container port 4010 published on 127.0.0.1:``port``; its id."""
    flags = [item for name, value in (env or {}).items() for item in ("-e", f"{name}={value}")]
    return podman("run", "-d", "-p", f"127.0.0.1:{port}:4010", *flags, *extra, image).stdout.strip()
