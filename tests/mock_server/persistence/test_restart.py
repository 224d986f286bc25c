"""A restart gives the state the log holds, whatever was read or not before: packages applied
from the log are kept as their JSON and built when first read (a restart on 100k packages
builds the few its first answer shows; benchmarks/restart.py times it), and every answer
after a restart is the one the process that wrote the log gave."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from mock_server.app import create_app
from mock_server.domain.lifecycle import Timeline
from mock_server.domain.packages import Package
from mock_server.domain.state import PackageStore
from mock_server.persistence.records import from_json, package_key, to_record
from mock_server.settings import Settings
from mock_server.testing import GLOBEX_ID
from tests.conftest import ACME
from tests.postgres import fresh_database

PACKAGES = "/api/v1/month-end-packages"
BODY = {"selected_reports": ["pl", "balance_sheet"], "period_start": "2026-10-01", "period_end": "2026-10-31"}
GLOBEX = {"Authorization": "Bearer dz_demo_globex", "x-business-id": GLOBEX_ID}
SORTS = ("created_at", "updated_at", "period_start", "period_end", "status")
BUSINESSES = ("b1", "b2")


def _package(number: int, business: int, created_at: int, version: int) -> Package:
    return Package(
        id=f"p{number}",
        business_id=BUSINESSES[business],
        accounting_period_id=None,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        report_format="xlsx",
        selected_reports=("pl",),
        workflow_id=f"month-end-package-p{number}",
        requested_by_user_id="u1",
        timeline=Timeline(created_at=float(created_at), queue_seconds=1.0, build_seconds=2.0, fails=version > 0),
        error_message=f"version {version}" if version else None,
    )


def _text(package: Package) -> str:
    return json.dumps(to_record(package), separators=(",", ":"))


def _decode(text: str) -> Package:
    return from_json(Package, text)


# (package number, business, version, put as JSON?) puts, and reads interleaved with them.
_PUTS = st.tuples(st.integers(0, 11), st.integers(0, 1), st.integers(0, 2), st.booleans())
_READS = st.one_of(
    st.tuples(st.just("get"), st.integers(0, 11), st.integers(0, 1)),
    st.tuples(st.just("index"), st.integers(-12, 11), st.integers(0, 1)),
    st.tuples(st.just("slice"), st.integers(-12, 12), st.integers(0, 1)),
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.one_of(_PUTS, _READS), max_size=40))
def test_packages_kept_as_json_read_as_the_packages_put(steps: list[tuple]) -> None:  # type: ignore[type-arg]
    lazy, plain = PackageStore(), PackageStore()
    business_of: dict[int, int] = {}
    for step in steps:
        if isinstance(step[0], int):
            number, business, version, encoded = step
            business = business_of.setdefault(number, business)  # a package stays with its business
            package = _package(number, business, created_at=1000 + (number * 7) % 5, version=version)
            plain.put(package)
            if encoded:
                lazy.put_encoded(*package_key(_text(package)), _text(package), _decode)
            else:
                lazy.put(package)
            continue
        kind, number, business = step
        _, plain_list = plain.by_created(BUSINESSES[business])
        _, lazy_list = lazy.by_created(BUSINESSES[business])
        if kind == "get":
            assert lazy.get(BUSINESSES[business], f"p{number}") == plain.get(BUSINESSES[business], f"p{number}")
        elif kind == "index" and -len(plain_list) <= number < len(plain_list):
            assert lazy_list[number] == plain_list[number]
        elif kind == "slice":
            assert lazy_list[number:] == list(plain_list[number:])
    assert len(lazy) == len(plain)
    for business_id in BUSINESSES:
        keys, packages = lazy.by_created(business_id)
        plain_keys, plain_packages = plain.by_created(business_id)
        assert keys == plain_keys
        assert list(packages) == list(plain_packages)
        assert [lazy.find(p.id) for p in plain_packages] == list(plain_packages)
        assert [(p.timeline.created_at, p.id) for p in packages] == keys  # in (created_at, id) order


def test_a_package_built_once_is_the_same_object_however_it_is_reached() -> None:
    store = PackageStore()
    for number in (1, 2):
        package = _package(number, 0, created_at=number, version=0)
        store.put_encoded(*package_key(_text(package)), _text(package), _decode)
    listed = store.by_created("b1")[1][0]  # through the list first
    assert listed == _package(1, 0, created_at=1, version=0)
    assert store.find("p1") is listed  # its rendered JSON is cached on it once
    found = store.find("p2")  # through its id first
    assert found == _package(2, 0, created_at=2, version=0)
    assert store.by_created("b1")[1][1] is found
    assert list(store.by_created("b1")[1]) == [listed, found]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mock.db'}"
    else:
        with fresh_database(request.getfixturevalue("postgres_cluster_url")) as url:
            yield url


def _settings(store: str) -> Settings:
    return Settings(clock="frozen", queue_seconds=2, build_seconds=3, store=store)


def _answers(client: TestClient) -> dict[str, object]:
    """Every list the packages make (each sort, order, status and page) and every package."""
    seen: dict[str, object] = {}
    for business, headers in (("acme", ACME), ("globex", GLOBEX)):
        for sort_by in SORTS:
            for descending in ("true", "false"):
                for status in ("", "queued", "in_progress", "ready", "failed"):
                    params = {"sort_by": sort_by, "descending": descending, "limit": 3, "include_total_count": "true"}
                    if status:
                        params["status"] = status
                    pages, cursor = [], ""
                    while True:
                        page = client.get(PACKAGES, params={**params, "cursor": cursor}, headers=headers)
                        assert page.status_code == 200, page.text
                        pages.append(page.text)
                        cursor = page.json()["next_cursor"]
                        if not cursor:
                            break
                    seen[f"{business} {sort_by} {descending} {status}"] = pages
        for item in client.get(PACKAGES, params={"limit": 100}, headers=headers).json()["items"]:
            seen[item["id"]] = client.get(f"{PACKAGES}/{item['id']}", headers=headers).text
    return seen


def test_a_restart_answers_every_list_and_package_as_the_process_that_wrote_the_log(store: str) -> None:
    with TestClient(create_app(_settings(store)), base_url="http://127.0.0.1:4010") as first:
        made = []
        for round_ in range(4):
            for headers in (ACME, GLOBEX):
                made.append(first.post(PACKAGES, json=BODY, headers=headers).json()["package"]["id"])
                failing = {**headers, "Prefer": "outcome=failed"}
                first.post(PACKAGES, json={**BODY, "period_start": "2026-09-01"}, headers=failing).raise_for_status()
            first.post("/__mock/clock/advance", json={"seconds": round_ + 1}).raise_for_status()
        first.post(f"/__mock/packages/{made[-1]}/fail").raise_for_status()  # a package's second version
        before = _answers(first)
    # Twice: a restart that read everything (above) and one that reads in another order.
    with TestClient(create_app(_settings(store)), base_url="http://127.0.0.1:4010") as again:
        assert _answers(again) == before
    with TestClient(create_app(_settings(store)), base_url="http://127.0.0.1:4010") as again:
        assert again.get(f"{PACKAGES}/{made[-1]}", headers=GLOBEX).text == before[made[-1]]
        assert again.get(f"{PACKAGES}/{made[0]}", headers=ACME).text == before[made[0]]
        assert _answers(again) == before


def test_the_log_holds_one_event_per_package_however_often_it_changed(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'mock.db'}"
    with TestClient(create_app(_settings(store)), base_url="http://127.0.0.1:4010") as first:
        ids = [first.post(PACKAGES, json=BODY, headers=ACME).json()["package"]["id"] for _ in range(5)]
        for package_id in ids:
            first.post(f"/__mock/packages/{package_id}/fail").raise_for_status()
        first.post("/__mock/clock/advance", json={"seconds": 60}).raise_for_status()
    kinds = Counter(row[0] for row in sqlite3.connect(tmp_path / "mock.db").execute("SELECT kind FROM events"))
    assert kinds["package"] == 5
    with TestClient(create_app(_settings(store)), base_url="http://127.0.0.1:4010") as again:
        statuses = [again.get(f"{PACKAGES}/{i}", headers=ACME).json()["status"] for i in ids]
    assert statuses == ["failed"] * 5
