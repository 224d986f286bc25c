import pytest

from mock_server.testing import GLOBEX_ID
from tests.conftest import ACME, advance, create

PACKAGES = "/api/v1/month-end-packages"
PERIODS = "/api/v1/accounting-periods"


def walk(client, path, params):
    """Every page forward, then back from the end; the ids seen each way."""
    forward, query = [], dict(params)
    while True:
        page = client.get(path, params=query, headers=ACME).json()
        forward += [item["id"] for item in page["items"]]
        if not page["has_next"]:
            assert page["next_cursor"] is None
            break
        query = {**params, "cursor": page["next_cursor"], "direction": "next"}
    backward = [item["id"] for item in page["items"]]
    while page["has_prev"]:
        page = client.get(
            path, params={**params, "cursor": page["prev_cursor"], "direction": "prev"}, headers=ACME
        ).json()
        backward[:0] = [item["id"] for item in page["items"]]
    assert page["prev_cursor"] is None
    return forward, backward


def test_periods_list_defaults_and_total(client) -> None:
    page = client.get(PERIODS, headers=ACME).json()
    assert page["limit"] == 50 and page["total"] is None and len(page["items"]) == 24
    assert page["has_next"] is False and page["has_prev"] is False
    assert page["next_cursor"] is None and page["prev_cursor"] is None
    created = [p["created_at"] for p in page["items"]]
    assert created == sorted(created, reverse=True)  # default: created_at, descending
    assert client.get(PERIODS, params={"include_total_count": "true", "limit": 5}, headers=ACME).json()["total"] == 24


@pytest.mark.parametrize("sort_by", ["period_start", "period_end", "created_at", "status"])
@pytest.mark.parametrize("descending", ["true", "false"])
def test_period_pages_walk_forward_and_back_over_every_item_once_in_order(client, sort_by, descending) -> None:
    params = {"limit": 5, "sort_by": sort_by, "descending": descending}
    forward, backward = walk(client, PERIODS, params)
    everything = client.get(PERIODS, params={**params, "limit": 1000}, headers=ACME).json()["items"]
    assert forward == backward == [p["id"] for p in everything]
    assert len(set(forward)) == 24
    values = [(p[sort_by], p["id"]) for p in everything]
    assert values == sorted(values, reverse=descending == "true")


def test_status_filter_and_total_follow_the_filter(client) -> None:
    page = client.get(PERIODS, params={"status": "closed", "include_total_count": "true"}, headers=ACME).json()
    assert page["total"] == 3 and {p["status"] for p in page["items"]} == {"closed"}
    assert client.get(PERIODS, params={"status": "archived"}, headers=ACME).json()["items"] == []


def test_package_pages_stay_exact_while_packages_are_created(client) -> None:
    for _ in range(7):
        create(client)
        advance(client, 0.5)
    first = client.get(PACKAGES, params={"limit": 3}, headers=ACME).json()
    seen = [p["id"] for p in first["items"]]
    create(client)  # a new package appears at the head while we page
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(PACKAGES, params={"limit": 3, "cursor": cursor}, headers=ACME).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 7


def test_package_status_filter_and_sorts(client) -> None:
    old = create(client).json()["package"]["id"]
    advance(client, 10)
    new = create(client).json()["package"]["id"]
    ready = client.get(PACKAGES, params={"status": "ready", "include_total_count": "true"}, headers=ACME).json()
    assert [p["id"] for p in ready["items"]] == [old] and ready["total"] == 1
    by_status = client.get(PACKAGES, params={"sort_by": "status", "descending": "false"}, headers=ACME).json()
    assert [p["id"] for p in by_status["items"]] == [new, old]  # "queued" < "ready"
    forward, backward = walk(client, PACKAGES, {"limit": 1, "sort_by": "updated_at"})
    assert forward == backward == [new, old]


def test_a_cursor_from_another_listing_or_business_is_refused(client) -> None:
    for _ in range(3):
        create(client)
    cursor = client.get(PACKAGES, params={"limit": 1}, headers=ACME).json()["next_cursor"]
    for params in (
        {"cursor": cursor, "sort_by": "status"},
        {"cursor": cursor, "status": "queued"},
        {"cursor": cursor, "descending": "false"},
    ):
        response = client.get(PACKAGES, params=params, headers=ACME)
        assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "cursor"]
    admin_on_globex = {"Authorization": "Bearer dz_demo_admin", "x-business-id": GLOBEX_ID}
    response = client.get(PACKAGES, params={"cursor": cursor}, headers=admin_on_globex)
    assert response.status_code == 422 and "another business" in response.json()["detail"][0]["msg"]
