"""Every operation's prefilled "Try it out" on /docs works as it stands, in Chromium.

A newcomer opens /docs, presses Authorize with ``dz_demo_acme`` and executes each of the 17
operations without editing anything: reads and creates answer 2xx on real fixture ids; a state
change that the state then refuses (closing the period again) answers the contract's error with
a detail that says why. The landing page at / links to what exists.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from dayzero_mock_kit.openapi import load_contract
from mock_server.settings import Settings
from mock_server.testing import running_mock
from tests.browser import chromium_page, screenshot

# The order a newcomer might take, arranged so that each prefilled request finds its state:
# the package is created before it is read (the page is reloaded to pick up its id), and the
# open period is acknowledged and signed off before it is closed.
ORDER = [
    ("month-end-packages", "list_packages"),
    ("month-end-packages", "create_package"),
    ("month-end-packages", "get_package"),
    ("month-end-packages", "get_download_url"),
    ("accounting-periods", "list_periods"),
    ("accounting-periods", "get_period"),
    ("accounting-periods", "get_close_score"),
    ("accounting-periods", "get_score_history"),
    ("accounting-periods", "check_close_readiness"),
    ("accounting-periods", "acknowledge_checklist_step"),
    ("accounting-periods", "list_period_checklist_acks"),
    ("accounting-periods", "create_period_sign_off"),
    ("accounting-periods", "delete_period_sign_off"),
    ("accounting-periods", "create_period"),
    ("accounting-periods", "reopen_period"),
    ("accounting-periods", "bulk_lock_periods"),
    ("accounting-periods", "close_period"),
]


def _operations() -> dict[str, tuple[str, int]]:
    """Operation name -> (operationId, the success status the contract declares)."""
    paths = load_contract("bare").effective["paths"]
    return {
        op["operationId"].split("_api_v1_")[0]: (op["operationId"], min(int(s) for s in op["responses"] if s < "300"))
        for item in paths.values()
        for op in item.values()
    }


def test_the_landing_page_says_what_this_is_and_every_link_answers() -> None:
    with running_mock(Settings(clock="frozen")) as mock:
        page = httpx.get(f"{mock.base_url}/")
        assert page.status_code == 200 and "DayZero mock" in page.text
        assert "curl -H &#x27;Authorization: Bearer dz_demo_acme&#x27;" in page.text
        for link in ("/docs", "/__mock/ui", "/openapi.json", "/openapi.yaml", "/openapi.effective.json"):
            assert f'href="{link}"' in page.text
            assert httpx.get(f"{mock.base_url}{link}", follow_redirects=True).status_code == 200, link


def test_every_operation_tried_out_as_prefilled_works_in_chromium() -> None:
    operations = _operations()
    assert sorted(operations) == sorted(name for _, name in ORDER), "all 17 operations, each once"
    settings = Settings(clock="frozen", queue_seconds=0, build_seconds=0)
    with running_mock(settings) as mock, chromium_page() as page:
        host = urlsplit(mock.base_url).netloc
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{mock.base_url}/docs/")
        page.wait_for_selector(".opblock", timeout=20_000)
        page.click("button.authorize")
        dialog = page.inner_text(".modal-ux")
        assert "documented-prose" not in dialog and "dz_demo_acme" in dialog
        page.fill(".modal-ux input", "dz_demo_acme")
        page.click(".modal-ux button.authorize")
        page.click(".modal-ux button.btn-done")
        description = page.inner_text(".information-container")
        assert "admin@dayzero.exampleAcme" not in description
        assert "dz_demo_admin (user admin@dayzero.example): Acme Demo Co" in description

        def execute(tag: str, name: str) -> httpx.Response | object:
            block = f"#operations-{tag}-{operations[name][0]}"
            if not page.is_visible(f"{block} button.try-out__btn"):
                page.click(f"{block} .opblock-summary")
            # The block opens after the click: wait for its button before asking which it is
            # (asked at once, an opening block looked like one already tried out).
            page.wait_for_selector(f"{block} button.try-out__btn", timeout=10_000)
            if page.is_visible(f"{block} button.try-out__btn:not(.cancel)"):
                page.click(f"{block} button.try-out__btn")
            with page.expect_response(lambda r: "/api/v1/" in r.url and urlsplit(r.url).netloc == host) as answer:
                page.click(f"{block} button.execute")
            return answer.value

        for tag, name in ORDER:
            response = execute(tag, name)
            assert response.status == operations[name][1], f"{name}: {response.status} {response.text()}"
            if name == "create_package":
                page.reload()  # the document now names the new package in get/download
                page.wait_for_selector(".opblock", timeout=20_000)
        screenshot(page, "docs-try-it-out-all-operations")
        assert errors == []
        # The open period is closed now: the same prefilled close is refused with the reason.
        again = execute("accounting-periods", "close_period")
        assert again.status == 400 and "already closed" in again.json()["detail"], again.text()
