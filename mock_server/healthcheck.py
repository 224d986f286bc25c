"""``python -m mock_server.healthcheck``: exit 0 when the mock on this host answers ``GET /healthz``.

The container image's ``HEALTHCHECK`` runs it. It asks the port the mock was given, as
``dayzero-mock serve`` resolves it: the container's own command's ``--port`` (PID 1, when that is
``dayzero-mock serve``: ``docker run IMAGE dayzero-mock serve --port 5000``), else
``DAYZERO_MOCK_PORT``, else the default. It imports nothing heavy: it runs every few seconds
beside the server.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from mock_server.settings import DEFAULT_PORT


def served_port(command: Sequence[str], environ: Mapping[str, str]) -> str:
    """The port a ``dayzero-mock serve`` started with ``command`` and ``environ`` listens on."""
    if any(Path(part).name == "dayzero-mock" for part in command[:2]) and "serve" in command:
        for index, part in enumerate(command):
            if part == "--port" and index + 1 < len(command):
                return command[index + 1]
            if part.startswith("--port="):
                return part.partition("=")[2]
    return environ.get("DAYZERO_MOCK_PORT", str(DEFAULT_PORT))


def _container_command() -> list[str]:
    """PID 1's command line: in the image, the server itself (exec form)."""
    try:
        return Path("/proc/1/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def main() -> int:
    port = served_port(_container_command(), os.environ)
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            print(answer.read().decode())
            return 0
    except urllib.error.HTTPError as error:  # 503: the store does not answer
        print(f"{url} answered {error.code}: {error.read().decode()}", file=sys.stderr)
    except OSError as error:
        print(f"{url} does not answer: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
