"""Headless Chromium for the tests, from Debian's package (``.ci/run`` installs it), driven by Playwright.

Playwright never downloads a browser here: it drives the system Chromium. Without Chromium the
browser tests are skipped with the reason, unless ``DZ_BROWSER_TESTS=required`` (set by
``.ci/run``), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ARTIFACTS = Path(os.environ.get("DZ_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))
# Chromium's own background traffic (updates, sync, safe browsing) would leave the machine.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The system Chromium, or skip (fail when browser tests are required)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = "Chromium is not installed (apt-get install chromium; .ci/run does it)."
    if os.environ.get("DZ_BROWSER_TESTS") == "required":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def chromium_page(record_har: Path | None = None) -> Iterator[object]:
    """A fresh page in a fresh headless Chromium; closed on exit (the HAR, if asked, is written then)."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            options: dict[str, object] = {"viewport": {"width": 1280, "height": 900}}
            if record_har is not None:
                options["record_har_path"] = str(record_har)
            context = browser.new_context(**options)
            try:
                yield context.new_page()
            finally:
                context.close()
        finally:
            browser.close()


def screenshot(page: object, name: str) -> Path:
    """Keep a screenshot as a test artefact (``test-artifacts/`` or ``$DZ_TEST_ARTIFACTS``)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)  # type: ignore[attr-defined]
    return path
