"""``python -m mock_server.healthcheck``: exit 0 when the mock on this host answers ``GET /healthz``.

The container image's ``HEALTHCHECK`` runs it. It reads the port the mock was given
(``DAYZERO_MOCK_PORT``, as ``dayzero-mock serve`` does) and imports nothing heavy: it runs
every few seconds beside the server.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

from mock_server.settings import DEFAULT_PORT


def main() -> int:
    port = os.environ.get("DAYZERO_MOCK_PORT", str(DEFAULT_PORT))
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
