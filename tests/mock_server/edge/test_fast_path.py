"""The fast path (mock_server/edge/fast_path.py) answers as the full request path does.

Most tests run the mock with response validation on, which leaves the fast path out; these
run it on, and compare its answers with the full path's for the same request (a ``Prefer``
header that nothing acts on sends a request down the full path).
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from connexion.middleware.routing import RoutingMiddleware
from connexion.resolver import Resolver
from connexion.spec import Specification
from starlette.testclient import TestClient

import mock_server.edge.fast_path as fast_path
from mock_server.app import create_app
from mock_server.edge.fast_path import contract_routes
from mock_server.edge.spec30 import downgrade
from mock_server.runtime import build_runtime
from mock_server.settings import Settings
from mock_server.testing import ACME_ID, GLOBEX_ID

ACME = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}
FULL_PATH = {"Prefer": "x-nothing=1"}  # steering and handlers ignore it; the fast path declines it
PACKAGES = "/api/v1/month-end-packages"
PERIODS = "/api/v1/accounting-periods"
BODY = {"selected_reports": ["pl"], "period_start": "2026-10-01", "period_end": "2026-10-31"}


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many requests the fast path authorized (every contract operation is protected)."""
    calls: list[int] = []
    authorize = fast_path.authorize_values

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return authorize(*args, **kwargs)

    monkeypatch.setattr(fast_path, "authorize_values", counting)
    return calls


@pytest.fixture(params=["memory", "sqlite"])
def client(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[TestClient]:
    store = "memory" if request.param == "memory" else f"sqlite:///{tmp_path / 'mock.db'}"
    settings = Settings(clock="frozen", queue_seconds=2, build_seconds=3, validate_responses=False, store=store)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:4010") as test_client:
        yield test_client


def _answer(response: Any) -> tuple[int, dict[str, str], bytes]:
    headers = {k: v for k, v in response.headers.items() if k not in ("date",)}
    # Every presigned link is new (its nonce counts up, so its signature differs).
    body = re.sub(rb"X-Amz-Nonce=[^&]+&X-Amz-Signature=[0-9a-f]+", b"<signed>", response.content)
    return response.status_code, headers, body


def both(client: TestClient, method: str, url: str, **kwargs: Any) -> tuple[Any, Any]:
    """The fast path's answer and the full path's, for the same request."""
    headers = kwargs.pop("headers", ACME)
    fast = client.request(method, url, headers=headers, **kwargs)
    full = client.request(method, url, headers={**headers, **FULL_PATH}, **kwargs)
    return fast, full


def test_reads_answer_byte_for_byte_as_the_full_path(client: TestClient, taken: list[int]) -> None:
    created = [client.post(PACKAGES, json=BODY, headers=ACME).json()["package"]["id"] for _ in range(25)]
    client.post("/__mock/clock/advance", json={"seconds": 10}).raise_for_status()
    first = client.get(PACKAGES, params={"limit": 20}, headers=ACME).json()
    period_id = client.get(PERIODS, params={"limit": 1}, headers=ACME).json()["items"][0]["id"]
    urls = [
        f"{PACKAGES}?limit=20",
        f"{PACKAGES}?limit=5&sort_by=status&descending=false",
        f"{PACKAGES}?cursor={first['next_cursor']}&limit=20",
        f"{PACKAGES}/{created[0]}",
        f"{PACKAGES}/{created[1]}/download",
        f"{PERIODS}/{period_id}/checklist-acks",
        f"{PERIODS}/{period_id}/score-history",
        f"{PERIODS}?limit=3",
        f"{PERIODS}/{period_id}",
        f"{PERIODS}/{period_id}/close-score",
    ]
    before = len(taken)
    for url in urls:
        fast, full = both(client, "GET", url)
        assert fast.status_code == 200, (url, fast.text)
        assert _answer(fast) == _answer(full), url
    assert len(taken) - before == len(urls)  # every one went the fast way, none of the Prefer ones


def test_a_create_answers_as_the_full_path_but_for_its_new_id(client: TestClient, taken: list[int]) -> None:
    fast, full = both(client, "POST", PACKAGES, json=BODY)
    assert fast.status_code == full.status_code == 201
    assert len(taken) == 1

    def without_ids(body: dict[str, Any]) -> dict[str, Any]:
        package = {k: v for k, v in body["package"].items() if k not in ("id", "workflow_id")}
        return {**body, "package": package, "workflow_id": None}

    assert without_ids(fast.json()) == without_ids(full.json())
    assert client.get(f"{PACKAGES}/{fast.json()['package']['id']}", headers=ACME).status_code == 200


@pytest.mark.parametrize(
    ("method", "url", "kwargs"),
    [
        ("GET", PACKAGES, {"headers": {"x-business-id": ACME_ID}}),
        ("GET", PACKAGES, {"headers": {"Authorization": "Bearer dz_demo_acme", "x-business-id": GLOBEX_ID}}),
        ("GET", PACKAGES, {"headers": {"Authorization": "Bearer dz_demo_acme", "x-business-id": "acme"}}),
        ("GET", f"{PACKAGES}?limit=abc&descending=maybe", {}),
        ("GET", f"{PACKAGES}?cursor=forged", {}),
        ("GET", f"{PACKAGES}/nope", {}),
        ("POST", PACKAGES, {"json": {"selected_reports": ["pl", "pl"], "period_start": "2026-10-31"}}),
        ("POST", PACKAGES, {"content": b"{not json", "headers": {**ACME, "content-type": "application/json"}}),
        ("POST", PACKAGES, {"content": b"\xff\xfe", "headers": {**ACME, "content-type": "application/json"}}),
        ("POST", PACKAGES, {"content": b"", "headers": ACME}),
        ("POST", PACKAGES, {"content": b"a=b", "headers": {**ACME, "content-type": "text/plain"}}),
        ("POST", PACKAGES, {"content": b" " * 1_100_000, "headers": {**ACME, "content-type": "application/json"}}),
        ("GET", f"{PACKAGES}/", {}),
        ("HEAD", f"{PACKAGES}?limit=2", {}),
        ("GET", f"{PACKAGES}?limit=2", {"headers": {**ACME, "content-type": "multipart/form-data"}}),
    ],
    ids=[
        "no-token",
        "other-business",
        "bad-business-header",
        "bad-query",
        "forged-cursor",
        "unknown-package",
        "invalid-body",
        "not-json",
        "not-utf8",
        "empty-body",
        "wrong-media-type",
        "too-large",
        "trailing-slash",
        "head",
        "bodyless-with-content-type",
    ],
)
def test_refusals_and_odd_requests_answer_as_the_full_path(
    client: TestClient, method: str, url: str, kwargs: dict[str, Any]
) -> None:
    fast, full = both(client, method, url, **kwargs)
    assert _answer(fast) == _answer(full)
    assert fast.status_code < 500


def test_faults_and_steering_keep_the_full_path(client: TestClient, taken: list[int]) -> None:
    globex = {"Authorization": "Bearer dz_demo_acme", "x-business-id": GLOBEX_ID}
    assert client.get(PACKAGES, headers=globex).status_code == 403
    client.put("/__mock/faults", json={"active": ["token-any-business"]}).raise_for_status()
    assert client.get(PACKAGES, headers=globex).status_code == 200
    client.put("/__mock/faults", json={"active": []}).raise_for_status()
    client.put("/__mock/steering", json={"chaos": 1}).raise_for_status()
    assert client.get(PACKAGES, headers=ACME).status_code in (429, 500, 503)
    client.put("/__mock/steering", json={"chaos": 0}).raise_for_status()
    assert client.get(PACKAGES, headers={**ACME, "Prefer": "code=403"}).status_code == 403
    assert len(taken) == 1  # only the first request (a 403, answered by the full path after)


def test_with_response_validation_the_fast_path_is_left_out(taken: list[int]) -> None:
    settings = Settings(clock="frozen", validate_responses=True)
    with TestClient(create_app(settings)) as client:
        assert client.get(PACKAGES, headers=ACME).status_code == 200
    assert taken == []


def _connexion_router() -> tuple[Any, Any]:
    runtime = build_runtime(Settings())
    document = downgrade(runtime.contract.bundle)
    seen: dict[str, Any] = {}

    async def capture(scope: dict[str, Any], _receive: Any, _send: Any) -> None:
        seen["op"] = scope.get("extensions", {}).get("connexion_routing", {}).get("operation_id")
        seen["params"] = dict(scope.get("path_params", {}))

    router = RoutingMiddleware(capture)  # type: ignore[arg-type]
    router.add_api(Specification.load(document), base_path="", resolver=Resolver(lambda _op: lambda: None))

    def connexion_route(method: str, path: str) -> tuple[str | None, dict[str, str]] | None:
        seen.clear()
        scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}
        try:
            asyncio.run(router(scope, None, None))  # type: ignore[arg-type]
        except Exception:  # a 404/405 Starlette tried to send without a server: not routed
            return None
        return (seen["op"], seen["params"]) if seen.get("op") else None

    return contract_routes(document, runtime.handlers, runtime.contract.operations()), connexion_route


def test_it_routes_every_path_exactly_as_connexion_does() -> None:
    routes, connexion_route = _connexion_router()
    document = build_runtime(Settings()).contract.bundle
    templates = list(document["paths"])
    literals = {part for template in templates for part in template.split("/") if part and "{" not in part}
    paths = set()
    for template, value in itertools.product(templates, sorted(literals) + ["x1", "a b", "%2F"]):
        path = re.sub(r"\{[^}]+\}", value, template)
        paths |= {path, path + "/", path.replace("/api/v1", "/api/v1/", 1)}
    assert len(routes) == sum(len(item) for item in document["paths"].values()) == 17
    checked = 0
    for method, path in itertools.product(("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"), sorted(paths)):
        matched = routes.match(method, path)
        ours = (matched[0].operation_id, matched[1]) if matched else None
        theirs = connexion_route(method, path)
        if ours is not None or method != "HEAD":  # HEAD is connexion's GET: the fast path leaves it
            assert ours == theirs, (method, path)
        checked += ours is not None
    assert checked > 50
