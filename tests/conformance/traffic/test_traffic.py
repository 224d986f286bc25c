"""The partner's side: the proxy and validate-har, through real clients against the mock."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import jsonschema_rs
import pytest
import yaml
from starlette.middleware.gzip import GZipMiddleware

from conformance import Identity, KitSettings, run_conformance
from conformance.traffic.har import HarWriter
from conformance.traffic.proxy import TrafficProxy
from conformance.traffic.results import TrafficResult
from conformance.traffic.validator import TrafficValidator
from dayzero_mock_kit.openapi import CONTROL_PATH
from mock_server.app import create_app
from mock_server.bending.faults import FAULTS
from mock_server.settings import Settings
from mock_server.testing import ACME_ID, GLOBEX_ID, running_mock, serving_in_thread
from tests.conformance.test_checks import FAULT_CHECKS, fault_settings

PACKAGES = "/api/v1/month-end-packages"
PERIODS = "/api/v1/accounting-periods"
BODY = {"selected_reports": ["pl"], "period_start": "2026-10-01", "period_end": "2026-10-31"}
FAST = {"queue_seconds": 0.1, "build_seconds": 0.2}
EXE = Path(sys.executable).with_name("dayzero-conformance")


@dataclass
class Proxied:
    url: str
    upstream: str
    report: TrafficResult
    proxy: TrafficProxy


def serving(app: object, sock: socket.socket | None = None) -> AbstractContextManager[str]:
    """Any ASGI app on a free loopback port (or the socket given) in a thread; stopped on exit."""
    return serving_in_thread(app, sock, lifespan="on")


@contextmanager
def proxied(
    settings: Settings | None = None,
    generation: str = "auto",
    identities: dict[str, frozenset[str]] | None = None,
    har: HarWriter | None = None,
) -> Iterator[Proxied]:
    """The mock behind the proxy; the mock's presigned URLs name the proxy, so file fetches pass through it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with running_mock(replace(settings or Settings(**FAST), public_base_url=url)) as mock:
        upstream = f"http://127.0.0.1:{mock.settings.port}"  # mock.base_url is the public one: the proxy
        report = TrafficResult(TrafficValidator(generation, identities=identities))
        proxy = TrafficProxy(upstream, report, har=har)
        with serving(proxy.app(), sock):
            yield Proxied(url, upstream, report, proxy)
    if har is not None:
        har.close()


@dataclass
class CliProxy:
    """A `dayzero-conformance proxy` process; after the block: its exit code and output."""

    url: str
    returncode: int | None = None
    output: str = ""


@contextmanager
def cli_proxy(upstream: str, *options: str) -> Iterator[CliProxy]:
    """Run the proxy command on a free port; Ctrl-C (SIGINT) it on exit, as a user stops it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [str(EXE), "proxy", "--upstream", upstream, "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    proxy = CliProxy(f"http://127.0.0.1:{port}")
    try:
        for _ in range(200):
            try:
                httpx.get(f"{proxy.url}/__proxy/report")
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield proxy
    finally:
        process.send_signal(signal.SIGINT)
        proxy.output, _ = process.communicate(timeout=30)
        proxy.returncode = process.returncode


def test_answers_pass_byte_for_byte_and_carry_the_verdict_header() -> None:
    with proxied() as p, httpx.Client(headers={"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}) as c:
        created = c.post(f"{p.url}{PACKAGES}", json=BODY)
        assert created.status_code == 201 and created.headers["x-dayzero-contract"] == "ok"
        package_id = created.json()["package"]["id"]
        direct = c.get(f"{p.upstream}{PERIODS}", params={"limit": 5})
        via = c.get(f"{p.url}{PERIODS}", params={"limit": 5})
        assert via.content == direct.content and via.headers["content-type"] == direct.headers["content-type"]
        time.sleep(0.5)
        link = c.get(f"{p.url}{PACKAGES}/{package_id}/download").json()
        zipped_direct = httpx.get(link["download_url"]).content
        zipped_via = httpx.get(link["download_url"].replace(p.upstream, p.url))
        assert zipped_via.content == zipped_direct and len(zipped_direct) == link["file_size_bytes"]
        assert zipped_via.headers["content-disposition"].startswith("attachment")
        refused = c.post(f"{p.url}{PACKAGES}", json={**BODY, "selected_reports": ["pl", "nope"]})
        assert refused.status_code == 422 and refused.headers["x-dayzero-contract"] == "violations=1"
    [finding] = p.report.findings
    assert (finding.side, finding.rule, finding.pointer) == (
        "request",
        "report-keys",
        "/body/selected_reports/1",
    )
    assert finding.operation_id == "create_package_api_v1_month_end_packages_post"
    assert '"authorization: Bearer $DZ_TOKEN"' in finding.curl and "dz_demo_acme" not in finding.curl
    assert not p.report.ignored, "the presigned fetch was judged against the download answer (size, reports)"
    assert any("/__files/" in record["path"] for record in p.report.records)


def test_any_path_goes_upstream_as_sent_even_one_no_router_would_match() -> None:
    headers = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}
    weird = f"{PERIODS}/%C2%85%0A%C2%8C/checklist-acks"
    with proxied() as p:
        direct, via = httpx.get(f"{p.upstream}{weird}", headers=headers), httpx.get(f"{p.url}{weird}", headers=headers)
    assert (via.status_code, via.headers["content-type"], via.content) == (
        direct.status_code,
        direct.headers["content-type"],
        direct.content,
    )


def test_request_findings_name_the_pointer_and_the_client_bug() -> None:
    with proxied() as p:
        httpx.get(f"{p.url}{PERIODS}", headers={"x-business-id": "acme"})  # no token, business not a UUID
        httpx.get(
            f"{p.url}{PACKAGES}",
            params={"limit": "lots"},
            headers={"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID},
        )
        httpx.post(
            f"{p.url}{PERIODS}",
            json={"period_start": "2031-02-01", "period_end": "2031-01-01"},
            headers={"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID},
        )
        httpx.get(
            f"{p.url}/api/v1/invoices", headers={"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}
        )
    rules = {(f.rule, f.pointer) for f in p.report.findings}
    assert {
        ("auth-header", "/headers/authorization"),
        ("business-header", "/headers/x-business-id"),
        ("request-parameter", "/query/limit"),
        ("period-date-order", "/body"),  # inferred for periods: a SHOULD
        ("unknown-operation", ""),
    } <= rules
    assert all(f.side == "request" for f in p.report.findings), "the mock answered as documented"


def test_response_drift_is_the_upstream_s_finding() -> None:
    # A client that expects the bare generation in front of an upstream serving envelopes.
    with proxied(Settings(generation="envelope", **FAST), generation="bare") as p:
        answer = httpx.get(
            f"{p.url}{PERIODS}", headers={"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}
        )
    assert answer.status_code == 200 and answer.headers["x-dayzero-contract"].startswith("violations=")
    drift = [f for f in p.report.findings if f.side == "response"]
    assert drift and {f.rule for f in drift} == {"response-schema"}
    assert p.report.exit_code("request") == 0 and p.report.exit_code("response") == 1


def test_compressed_answers_pass_untouched_and_are_judged_decoded() -> None:
    with serving(GZipMiddleware(create_app(Settings(clock="frozen")), minimum_size=0)) as upstream:
        report = TrafficResult(TrafficValidator())
        with serving(TrafficProxy(upstream, report).app()) as url:
            headers = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID, "Accept-Encoding": "gzip"}
            with httpx.Client() as client:
                raw_direct = client.send(
                    client.build_request("GET", f"{upstream}{PERIODS}", headers=headers), stream=True
                )
                raw_via = client.send(client.build_request("GET", f"{url}{PERIODS}", headers=headers), stream=True)
                direct, via = raw_direct.read(), raw_via.read()
    assert raw_via.headers["content-encoding"] == "gzip"
    assert via == direct and json.loads(via)["items"], "httpx decodes what the proxy passed on compressed"
    assert report.findings == [] and report.records[0]["operation_id"] == "list_periods_api_v1_accounting_periods_get"


def test_records_share_the_mock_journal_shape() -> None:
    control = yaml.safe_load(CONTROL_PATH.read_text())
    schema = {"$ref": "#/components/schemas/RequestRecord", "components": control["components"]}
    validator = jsonschema_rs.Draft202012Validator(schema)
    with proxied() as p:
        httpx.post(
            f"{p.url}{PACKAGES}",
            json={"selected_reports": []},
            headers={"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID},
        )
        journal = httpx.get(f"{p.upstream}/__mock/requests").json()["items"]
        live = httpx.get(f"{p.url}/__proxy/report").json()
    for record in live["records"] + journal:
        assert validator.is_valid(record), record
    assert live["records"][0]["violations"] or journal[0]["violations"]


def test_coverage_says_what_the_traffic_never_did() -> None:
    question = (
        "never saw a 400 (Bad Request - Invalid input) from GET /api/v1/month-end-packages/{package_id}/download: "
        "does your client handle a package that is not ready (or failed)?"
    )
    with proxied() as p:
        headers = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}
        first = httpx.post(f"{p.url}{PACKAGES}", json=BODY, headers=headers).json()["package"]
        assert "never called GET /api/v1/month-end-packages/{package_id}/download." in p.report.coverage.hints()
        time.sleep(0.5)
        httpx.get(f"{p.url}{PACKAGES}/{first['id']}", headers=headers)
        httpx.get(f"{p.url}{PACKAGES}/{first['id']}/download", headers=headers)  # ready: 200
        before = p.report.coverage.to_json()
        second = httpx.post(f"{p.url}{PACKAGES}", json=BODY, headers=headers).json()["package"]
        httpx.get(f"{p.url}{PACKAGES}/{second['id']}/download", headers=headers)  # not ready yet: 400
        after = p.report.coverage.to_json()
    assert question in before["hints"] and question not in after["hints"]
    downloads = after["operations"]["get_download_url_api_v1_month_end_packages__package_id__download_get"]
    assert downloads["statuses_seen"] == ["200", "400"] and "404" in downloads["statuses_never"]
    assert after["package_states_seen"] == ["ready"]
    assert "never saw a package in status 'failed' while polling: is that screen tested?" in after["hints"]
    create = after["operations"]["create_package_api_v1_month_end_packages_post"]["enum_values"]
    assert create["body.selected_reports"]["seen"] == ["pl"] and "cash_flow" in create["body.selected_reports"]["never"]


def test_the_cli_proxy_with_curl_reports_on_ctrl_c_and_its_har_replays_offline(tmp_path: Path) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("needs curl")
    reports = ["--har", str(tmp_path / "t.har"), "--json", str(tmp_path / "p.json")]
    reports += ["--report", str(tmp_path / "p.html"), "--junit", str(tmp_path / "p.xml")]
    with running_mock(Settings(**FAST)) as mock, cli_proxy(mock.base_url, "--fail-on", "request", *reports) as proxy:
        auth = ["-H", "Authorization: Bearer dz_demo_acme", "-H", f"x-business-id: {ACME_ID}"]
        ok = subprocess.run([curl, "-s", "-i", *auth, f"{proxy.url}{PERIODS}?limit=2"], capture_output=True, text=True)
        bad_body = ["-H", "Content-Type: application/json", "-d", '{"selected_reports":["nope"]}']
        bad = subprocess.run(
            [curl, "-s", "-i", *auth, *bad_body, f"{proxy.url}{PACKAGES}"], capture_output=True, text=True
        )
    output = proxy.output
    assert "x-dayzero-contract: ok" in ok.stdout.lower()
    assert "x-dayzero-contract: violations=" in bad.stdout.lower()
    assert proxy.returncode == 1, output
    assert "report-keys" in output and "Traceback" not in output
    proxy_report = json.loads((tmp_path / "p.json").read_text())
    assert "<failure" in (tmp_path / "p.xml").read_text() and "report-keys" in (tmp_path / "p.html").read_text()
    offline = subprocess.run(
        [str(EXE), "validate-har", str(tmp_path / "t.har"), "--json", str(tmp_path / "h.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert offline.returncode == 1
    har_report = json.loads((tmp_path / "h.json").read_text())

    def key(report: dict) -> list[tuple[str, str, str]]:
        return [(f["request"], f["rule"], f["pointer"]) for f in report["findings"]]

    assert key(har_report) == key(proxy_report) and key(proxy_report)
    assert har_report["coverage"]["operations"] == proxy_report["coverage"]["operations"]


def test_validate_har_ignores_other_hosts_and_reads_a_browser_capture(tmp_path: Path) -> None:
    def entry(url: str, status: int, body: object, method: str = "GET") -> dict:
        return {
            "startedDateTime": "2026-11-28T10:00:00.000Z",
            "time": 12.5,
            "request": {
                "method": method,
                "url": url,
                "headers": [
                    {"name": "Authorization", "value": "Bearer dz_x"},
                    {"name": "x-business-id", "value": ACME_ID},
                ],
            },
            "response": {
                "status": status,
                "headers": [{"name": "Content-Type", "value": "application/json"}],
                "content": {"mimeType": "application/json", "text": json.dumps(body)},
            },
        }

    har = {
        "log": {
            "entries": [
                entry("https://app.example.com/index.html", 200, {}),
                entry(
                    "https://api.example.com/api/v1/accounting-periods?limit=1",
                    200,
                    {"items": "not a list", "has_next": False, "has_prev": False},
                ),
                entry("https://api.example.com/api/v1/accounting-periods/p1", 418, {"detail": "teapot"}),
            ]
        }
    }
    (tmp_path / "browser.har").write_text(json.dumps(har))
    result = subprocess.run(
        [
            str(EXE),
            "validate-har",
            str(tmp_path / "browser.har"),
            "--json",
            str(tmp_path / "r.json"),
            "--fail-on",
            "request",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    report = json.loads((tmp_path / "r.json").read_text())
    assert result.returncode == 0, "only response findings, and --fail-on request"
    assert report["ignored"] == ["GET https://app.example.com/index.html"]
    rules = {(f["rule"], f["pointer"]) for f in report["findings"]}
    assert ("response-schema", "/body/items") in rules and ("status-undeclared", "/status") in rules
    missing = subprocess.run([str(EXE), "validate-har", str(tmp_path / "none.har")], capture_output=True, text=True)
    assert missing.returncode == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr
    broken = tmp_path / "broken.har"
    broken.write_text(
        json.dumps(
            {
                "log": {
                    "entries": [
                        {"request": {"url": "https://api.example.com/api/v1/x"}, "response": {"status": "teapot"}}
                    ]
                }
            }
        )
    )
    refused = subprocess.run([str(EXE), "validate-har", str(broken)], capture_output=True, text=True)
    assert (
        refused.returncode == 2 and "entry 1 is not a HAR entry" in refused.stderr and "Traceback" not in refused.stderr
    )


def test_a_proxy_that_cannot_reach_its_upstream_exits_2_in_one_sentence() -> None:
    result = subprocess.run(
        [str(EXE), "proxy", "--upstream", "http://127.0.0.1:9", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "Cannot reach the upstream" in result.stderr and "Traceback" not in result.stderr


# The response finding each fault of the mock shows in the traffic of the kit's check for it.
FAULT_RULES = {
    "ignore-status-filter": "status-filter",
    "leak-other-business": "business-scope",
    "ready-regresses": "lifecycle-forward",
    "wrong-file-size": "file-size",
    "missing-report": "zip-reports",
    "cursor-500": "status-undeclared",
    "accept-unknown-reports": "accepted-refusable",
    "has-next-on-last-page": "pagination-flags",
    "token-any-business": "token-scope",
    "ignore-period-dates": "period-dates",
    "period-overlap-accepted": "period-overlap",
    "period-cross-tenant": "business-scope",
    "close-without-audit": "close-audit",
    "close-twice-accepted": "close-once",
    "closed-period-writable": "closed-period-writes",
    "reopen-without-audit": "reopen-audit",
    "bulk-lock-unknown-404": "status-undeclared",
    "bulk-lock-miscounts": "bulk-lock-counts",
    "ack-not-idempotent": "ack-idempotent",
    "score-out-of-range": "score-range",
    "download-before-ready": "download-when-ready",
    "skip-first-on-next-page": "pagination-skip",
}
# Faults no single stream of traffic shows without a second, complete view of the same data.
NOT_IN_TRAFFIC = {
    "total-ignores-filter": "a wrong total shows only against a complete listing with the same filter, and "
    "anything created between the two (by any client) would make that comparison cry wolf",
}
IDENTITIES = {"dz_demo_acme": frozenset({ACME_ID}), "dz_demo_globex": frozenset({GLOBEX_ID})}


def kit_through(p: Proxied, **overrides: object) -> object:
    values = {
        "base_url": p.url,
        "identity": Identity("dz_demo_acme", ACME_ID),
        "other": Identity("dz_demo_globex", GLOBEX_ID),
        "ready_timeout": 20.0,
        **overrides,
    }
    return run_conformance(KitSettings(**values))  # type: ignore[arg-type]


def test_every_fault_is_accounted_for() -> None:
    assert set(FAULT_RULES) | set(NOT_IN_TRAFFIC) == set(FAULTS) and not set(FAULT_RULES) & set(NOT_IN_TRAFFIC)


@pytest.mark.parametrize("fault, rule", sorted(FAULT_RULES.items()))
def test_each_fault_of_the_mock_is_a_response_finding_in_the_kit_s_traffic(fault: str, rule: str) -> None:
    with proxied(fault_settings(fault), identities=IDENTITIES) as p:
        run = kit_through(p, include=frozenset({FAULT_CHECKS[fault]}))
    rules = {f.rule for f in p.report.findings if f.side == "response"}
    [result] = run.results  # type: ignore[attr-defined]
    assert rule in rules, (fault, rules, f"{result.check.id}: {result.status} {result.skip_reason}")


def test_a_conforming_upstream_gives_no_response_finding_in_a_whole_kit_run(tmp_path: Path) -> None:
    """Neither in the proxy nor in validate-har of the HAR it wrote: no traffic rule cries wolf."""
    with proxied(identities=IDENTITIES, har=HarWriter(tmp_path / "kit.har")) as p:
        run = kit_through(p)
    failed = {r.check.id: [(f.message, f.actual, f.curl) for f in r.findings] for r in run.failed()}  # type: ignore[attr-defined]
    assert not failed, failed
    drift = [
        (f.operation, f.rule, f.actual)
        for f in p.report.findings
        if f.side == "response" and not (failed and f.rule == "closed-period-writes")
    ]
    assert drift == []
    identities = [arg for token, ids in IDENTITIES.items() for arg in ("--identity", f"{token}={','.join(ids)}")]
    replayed = subprocess.run(
        [str(EXE), "validate-har", str(tmp_path / "kit.har"), "--json", str(tmp_path / "kit.json"), *identities],
        capture_output=True,
        text=True,
        timeout=120,
    )
    replay = json.loads((tmp_path / "kit.json").read_text())
    assert len(replay["records"]) == len(p.report.records), replayed.stdout  # exit 1: the kit's own bad requests
    assert [(f["operation"], f["rule"], f["actual"]) for f in replay["findings"] if f["side"] == "response"] == []
    assert len(p.report.records) > 300 and p.report.count("request") > 0, "the kit's own bad requests are the client's"


def test_a_clean_proxy_session_exits_0(tmp_path: Path) -> None:
    with running_mock(Settings(**FAST)) as mock, cli_proxy(mock.base_url, "--json", str(tmp_path / "p.json")) as proxy:
        headers = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}
        answer = httpx.get(f"{proxy.url}{PERIODS}", params={"limit": 3}, headers=headers)
        assert answer.headers["x-dayzero-contract"] == "ok"
    assert proxy.returncode == 0, proxy.output
    assert json.loads((tmp_path / "p.json").read_text())["findings"] == []


def test_validate_har_options_poll_interval_and_identity(tmp_path: Path) -> None:
    package = f"https://api.example.com{PACKAGES}/p1"
    body = {"id": "p1", "status": "queued"}

    def entry(at: str, token: str, business: str) -> dict:
        return {
            "startedDateTime": at,
            "time": 5,
            "request": {
                "method": "GET",
                "url": package,
                "headers": [
                    {"name": "Authorization", "value": f"Bearer {token}"},
                    {"name": "x-business-id", "value": business},
                ],
            },
            "response": {"status": 200, "headers": [], "content": {"text": json.dumps(body)}},
        }

    har = tmp_path / "polls.har"
    entries = [entry("2026-11-28T10:00:00.000Z", "dz_a", ACME_ID), entry("2026-11-28T10:00:00.200Z", "dz_a", GLOBEX_ID)]
    har.write_text(json.dumps({"log": {"entries": entries}}))
    result = subprocess.run(
        [str(EXE), "validate-har", str(har), "--json", str(tmp_path / "r.json"), "--min-poll-interval", "1"]
        + ["--identity", f"dz_a={ACME_ID}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    rules = {f["rule"] for f in json.loads((tmp_path / "r.json").read_text())["findings"]}
    assert {"poll-interval", "token-scope"} <= rules, result.stdout
    bad = subprocess.run(
        [str(EXE), "validate-har", str(har), "--identity", "no-equals-sign"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "TOKEN=BUSINESS" in bad.stderr and "Traceback" not in bad.stderr


def _walk_through(url: str, limit: int) -> None:
    headers = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}
    page = httpx.get(f"{url}{PACKAGES}", params={"limit": limit}, headers=headers).json()
    while page["has_next"]:
        page = httpx.get(f"{url}{PACKAGES}", params={"limit": limit, "cursor": page["next_cursor"]}, headers=headers)
        page = page.json()


def _create_directly(upstream: str, count: int) -> None:
    headers = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}
    body = {"selected_reports": ["pl"], "period_start": "2026-01-01", "period_end": "2026-01-31"}
    for _ in range(count):
        httpx.post(f"{upstream}{PACKAGES}", json=body, headers=headers).raise_for_status()


@pytest.mark.parametrize("fault", [None, "skip-first-on-next-page"])
def test_a_walk_that_skips_items_another_listing_shows_is_a_response_finding(fault: str | None) -> None:
    settings = Settings(faults=frozenset({fault} if fault else set()), **FAST)
    with proxied(settings) as p:
        _create_directly(p.upstream, 7)
        _walk_through(p.url, 1000)  # the complete listing
        _walk_through(p.url, 2)  # the same listing walked two at a time
    found = [f for f in p.report.findings if f.rule == "page-walk"]
    if fault is None:
        assert found == []
    else:
        assert found and all("skipped by the walk with limit 2" in v.actual for v in found), found


def test_the_page_walk_rule_cannot_cry_wolf_when_others_create_between_listings() -> None:
    """Another client's creates never pass through the proxy; they sort outside the range compared."""
    with proxied() as p:
        _create_directly(p.upstream, 5)
        _walk_through(p.url, 1000)
        _create_directly(p.upstream, 3)  # unseen by the proxy: a shared system
        _walk_through(p.url, 2)
        _create_directly(p.upstream, 2)
        _walk_through(p.url, 3)
    assert [f for f in p.report.findings if f.side == "response"] == []
