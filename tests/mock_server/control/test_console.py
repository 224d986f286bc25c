"""The console at /__mock/ui, clicked through in headless Chromium, and the control API under it."""

from __future__ import annotations

import httpx
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.settings import Settings
from mock_server.testing import ACME_ID, GLOBEX_ID, running_mock
from tests.browser import chromium_page, screenshot
from tests.conftest import ACME, advance, create

GLOBEX = {"Authorization": "Bearer dz_demo_globex", "x-business-id": GLOBEX_ID}
PACKAGES = "/api/v1/month-end-packages"


def _package(client: TestClient, package_id: str) -> dict:
    return client.get(f"{PACKAGES}/{package_id}", headers=ACME).json()


# -- the control API the console stands on --------------------------------------------------------


def test_faults_switch_at_run_time_and_unknown_names_are_a_422(client) -> None:
    assert client.get("/__mock/faults").json()["active"] == []
    body = {"selected_reports": ["pl", "no_such_report"], "period_start": "2026-10-01", "period_end": "2026-10-31"}
    assert client.post(PACKAGES, json=body, headers=ACME).status_code == 422

    on = client.put("/__mock/faults", json={"active": ["accept-unknown-reports"]})
    assert on.status_code == 200 and on.json()["active"] == ["accept-unknown-reports"]
    assert client.post(PACKAGES, json=body, headers=ACME).status_code == 201

    refused = client.put("/__mock/faults", json={"active": ["accept-unknown-reports", "nope"]})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "active", 1]
    assert client.get("/__mock/faults").json()["active"] == ["accept-unknown-reports"]  # unchanged

    client.put("/__mock/faults", json={"active": []}).raise_for_status()
    assert client.post(PACKAGES, json=body, headers=ACME).status_code == 422
    names = {fault["name"] for fault in client.get("/__mock/faults").json()["available"]}
    assert {"missing-report", "token-any-business"} <= names


def test_a_state_fault_switched_on_at_run_time_bends_the_next_request(client) -> None:
    other = create(client, headers=GLOBEX).json()["package"]["id"]
    listed = lambda: [p["id"] for p in client.get(PACKAGES, headers=ACME).json()["items"]]  # noqa: E731
    assert other not in listed()
    client.put("/__mock/faults", json={"active": ["leak-other-business"]}).raise_for_status()
    assert other in listed()


def test_force_fail_turns_an_unfinished_package_failed_now_and_refuses_a_finished_one(client) -> None:
    queued = create(client).json()["package"]["id"]
    failed = client.post(f"/__mock/packages/{queued}/fail")
    assert failed.status_code == 200 and failed.json()["status"] == "failed"
    package = _package(client, queued)
    assert package["status"] == "failed" and package["error_message"]
    assert package["started_at"] is not None and package["ready_at"] is None
    advance(client, 3600)
    assert _package(client, queued)["status"] == "failed"  # and stays so

    ready = create(client).json()["package"]["id"]
    advance(client, 3600)
    refused = client.post(f"/__mock/packages/{ready}/fail")
    assert refused.status_code == 409 and "ready" in refused.json()["detail"]
    assert _package(client, ready)["status"] == "ready"
    assert client.post("/__mock/packages/00000000-0000-4000-8000-000000000000/fail").status_code == 404


def test_freeze_stops_the_clock_and_resume_goes_on_from_there() -> None:
    with TestClient(create_app(Settings(queue_seconds=2, build_seconds=3)), base_url="http://127.0.0.1:4010") as c:
        frozen = c.post("/__mock/clock/freeze").json()
        assert frozen["frozen"] is True
        assert c.get("/__mock/state").json()["now"] == frozen["now"]
        advanced = c.post("/__mock/clock/advance", json={"seconds": 60}).json()
        assert advanced["frozen"] is True and advanced["now"] > frozen["now"]
        resumed = c.post("/__mock/clock/resume").json()
        assert resumed["frozen"] is False and resumed["now"] >= advanced["now"]


def test_the_overview_shows_each_business_with_its_packages_and_periods(client) -> None:
    package_id = create(client).json()["package"]["id"]
    overview = client.get("/__mock/overview").json()
    businesses = {b["id"]: b for b in overview["businesses"]}
    acme = businesses[ACME_ID]
    assert acme["package_count"] == 1 and acme["packages"][0]["id"] == package_id
    entry = acme["packages"][0]
    assert entry["status"] == "queued" and entry["ends_as"] == "ready"
    assert entry["created_at"] < entry["starts_at"] < entry["finishes_at"]
    assert acme["periods"] and {p["status"] for p in acme["periods"]} <= {"open", "closed", "locked"}
    assert businesses[GLOBEX_ID]["packages"] == []
    assert overview["state"]["now"]


def test_the_console_is_served_and_off_with_no_control() -> None:
    with TestClient(create_app(Settings(clock="frozen")), base_url="http://127.0.0.1:4010") as on:
        page = on.get("/__mock/ui")
        assert page.status_code == 200 and "dayzero-mock console" in page.text
        assert on.get("/__mock/ui/console.js").headers["content-type"].startswith("text/javascript")
        assert on.get("/__mock/ui/../../etc/passwd").status_code == 404
    with TestClient(create_app(Settings(clock="frozen", control=False)), base_url="http://127.0.0.1:4010") as off:
        assert off.get("/__mock/ui").status_code == 404
        assert off.get("/__mock/faults").status_code == 404


# -- the console in a browser ------------------------------------------------------------------------


def test_a_developer_clicks_through_the_console_in_chromium() -> None:
    settings = Settings(queue_seconds=30, build_seconds=60)
    with running_mock(settings) as mock, chromium_page() as page:
        api = httpx.Client(base_url=mock.base_url, headers=mock.headers(), timeout=10)
        body = {"selected_reports": ["pl", "balance_sheet"], "period_start": "2026-10-01", "period_end": "2026-10-31"}
        first = api.post(PACKAGES, json=body).json()["package"]["id"]
        second = api.post(PACKAGES, json=body).json()["package"]["id"]
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: errors.append(str(e)))  # type: ignore[attr-defined]

        page.goto(f"{mock.base_url}/__mock/ui")  # type: ignore[attr-defined]
        page.wait_for_selector("body[data-ready=yes]")  # type: ignore[attr-defined]
        row = f"#businesses tr[data-package='{first}']"
        assert page.inner_text(f"{row} .badge") == "queued"  # type: ignore[attr-defined]
        screenshot(page, "console-queued")

        # Force the second package to fail, then move the clock an hour: the first is ready.
        page.click(f"#businesses tr[data-package='{second}'] button.fail")  # type: ignore[attr-defined]
        page.wait_for_selector(f"#businesses tr[data-package='{second}'] .status-failed")  # type: ignore[attr-defined]
        page.click("button[data-advance='3600']")  # type: ignore[attr-defined]
        page.wait_for_selector(f"{row} .status-ready")  # type: ignore[attr-defined]
        assert api.get(f"{PACKAGES}/{first}").json()["status"] == "ready"
        assert api.get(f"{PACKAGES}/{second}").json()["status"] == "failed"
        screenshot(page, "console-ready-and-failed")

        # Freeze the clock: the header says so (and did not before), and the mock's clock stands still.
        assert not page.is_visible("#frozen")  # type: ignore[attr-defined]
        page.click("#freeze")  # type: ignore[attr-defined]
        page.wait_for_selector("#frozen:not([hidden])")  # type: ignore[attr-defined]
        assert httpx.get(f"{mock.base_url}/__mock/state").json()["frozen"] is True

        # Toggle a fault: the mock bends the very next request.
        page.check("#fault-wrong-file-size")  # type: ignore[attr-defined]
        page.wait_for_function(  # type: ignore[attr-defined]
            "() => document.querySelector('#message').textContent.includes('wrong-file-size on')"
        )
        assert httpx.get(f"{mock.base_url}/__mock/faults").json()["active"] == ["wrong-file-size"]
        url = api.get(f"{PACKAGES}/{first}/download").json()
        assert url["file_size_bytes"] == len(httpx.get(url["download_url"]).content) + 1

        # Latency and chaos through the form.
        page.fill("#latency-min", "5")  # type: ignore[attr-defined]
        page.fill("#latency-max", "10")  # type: ignore[attr-defined]
        page.fill("#chaos", "0.25")  # type: ignore[attr-defined]
        page.click("#steering button[type=submit]")  # type: ignore[attr-defined]
        page.wait_for_function(  # type: ignore[attr-defined]
            "() => document.querySelector('#steering-now').textContent.includes('5..10 ms, chaos 0.25')"
        )
        assert httpx.get(f"{mock.base_url}/__mock/steering").json() == {
            "latency_ms": {"min": 5, "max": 10},
            "chaos": 0.25,
        }

        # The journal lists the requests made outside the page.
        page.wait_for_selector("#journal td:has-text('/download')")  # type: ignore[attr-defined]
        screenshot(page, "console-fault-steering-journal")

        # Reset: the packages are gone.
        page.click("#reset")  # type: ignore[attr-defined]
        page.wait_for_selector(row, state="detached")  # type: ignore[attr-defined]
        assert httpx.get(f"{mock.base_url}/__mock/state").json()["packages"] == 0
        screenshot(page, "console-after-reset")

        # The Session box: the console shows (and acts on) that x-mock-session's state only.
        # Steering changed from outside the page: the panel follows on its next refresh.
        httpx.put(f"{mock.base_url}/__mock/steering", json={"chaos": 0, "latency_ms": None}).raise_for_status()
        page.wait_for_function(  # type: ignore[attr-defined]
            "() => document.querySelector('#steering-now').textContent.includes('no latency, chaos 0')"
        )
        assert page.input_value("#chaos") == "0"  # type: ignore[attr-defined]
        worker = api.post(PACKAGES, json=body, headers={"x-mock-session": "w1"}).json()["package"]["id"]
        page.fill("#session", "w1")  # type: ignore[attr-defined]
        page.press("#session", "Enter")  # type: ignore[attr-defined]
        page.wait_for_selector(f"#businesses tr[data-package='{worker}']")  # type: ignore[attr-defined]
        page.click("button[data-advance='3600']")  # type: ignore[attr-defined]
        page.wait_for_selector(f"#businesses tr[data-package='{worker}'] .status-ready")  # type: ignore[attr-defined]
        assert httpx.get(f"{mock.base_url}/__mock/state").json()["clock_offset_seconds"] == 3600  # shared: 1 hour
        screenshot(page, "console-session-w1")
        page.click("#businesses details summary")  # type: ignore[attr-defined]
        page.wait_for_selector("#businesses details[open] tr[data-period] .status-open")  # type: ignore[attr-defined]
        # What the user opened stays open across the console's refreshes.
        for _ in range(2):
            with page.expect_response(lambda r: "/__mock/overview" in r.url):  # type: ignore[attr-defined]
                pass
        page.wait_for_timeout(100)  # type: ignore[attr-defined]  # the refreshed overview drawn
        assert page.locator("#businesses details[open]").count() == 1  # type: ignore[attr-defined]
        page.evaluate("document.querySelector('#businesses details[open]').scrollIntoView()")  # type: ignore[attr-defined]
        screenshot(page, "console-periods")
        page.fill("#session", "")  # type: ignore[attr-defined]
        page.press("#session", "Enter")  # type: ignore[attr-defined]
        page.wait_for_selector(f"#businesses tr[data-package='{worker}']", state="detached")  # type: ignore[attr-defined]
        assert errors == []
